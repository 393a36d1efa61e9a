/* libcalloc.c - realloc growth, strdup, asprintf and getline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vec {
	int *v;
	size_t n, cap;
};

static void push(struct vec *a, int x)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 1;
		a->v = realloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = x;
}

static char *lost_name;

int main(void)
{
	struct vec a = { 0 }, *b = malloc(sizeof(*b));
	char *line = NULL, *s;
	size_t cap = 0;
	FILE *f;
	int i, lines = 0;

	for (i = 0; i < 1000; i++)
		push(&a, i);
	free(a.v);
	memset(b, 0, sizeof(*b));
	for (i = 0; i < 100; i++)
		push(b, i); /* b is leaked with its 128 ints */

	f = fmemopen("alpha\nbeta\ngamma\n", 17, "r");
	while (getline(&line, &cap, f) > 0)
		lines++;
	fclose(f);
	/* line is leaked (getline's buffer) */
	line = NULL;

	if (asprintf(&s, "%d lines", lines) < 0)
		return 1;
	lost_name = strdup(s); /* still reachable */
	free(s);
	if (asprintf(&s, "leaked %d", 42) < 0) /* 10 bytes, definitely lost */
		return 1;
	s = strdup("also leaked"); /* 12 bytes, definitely lost */
	s = NULL;
	printf("%s\n", lost_name);
	return 0;
}
