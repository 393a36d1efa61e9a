/* hashtab.c - a string hash table that grows, and leaks on an error path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *key;
	int value;
	struct entry *next;
};

struct table {
	struct entry **bucket;
	size_t nbucket, n;
};

static struct table *global_table; /* still reachable at exit */

static unsigned long hash(const char *s)
{
	unsigned long h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void grow(struct table *t)
{
	size_t nb = t->nbucket * 2, i;
	struct entry **b = calloc(nb, sizeof(*b));

	for (i = 0; i < t->nbucket; i++) {
		struct entry *e = t->bucket[i], *next;

		for (; e; e = next) {
			size_t h = hash(e->key) % nb;

			next = e->next;
			e->next = b[h];
			b[h] = e;
		}
	}
	free(t->bucket);
	t->bucket = b;
	t->nbucket = nb;
}

/* Returns -1 on a duplicate key: the new entry is dropped without freeing. */
static int insert(struct table *t, const char *key, int value)
{
	struct entry *e = malloc(sizeof(*e)), *p;
	size_t h;

	e->key = strdup(key);
	e->value = value;
	if (t->n + 1 > t->nbucket * 3 / 4)
		grow(t);
	h = hash(key) % t->nbucket;
	for (p = t->bucket[h]; p; p = p->next)
		if (!strcmp(p->key, key))
			return -1; /* the bug: e and e->key leak */
	e->next = t->bucket[h];
	t->bucket[h] = e;
	t->n++;
	return 0;
}

static void destroy(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nbucket; i++) {
		struct entry *e = t->bucket[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e->key);
			free(e);
		}
	}
	free(t->bucket);
	free(t);
}

int main(void)
{
	struct table *t = calloc(1, sizeof(*t));
	char key[32];
	int i, dup = 0;

	t->nbucket = 4;
	t->bucket = calloc(t->nbucket, sizeof(*t->bucket));
	/* 1000 keys, every 10th inserted twice: 100 duplicates leak. */
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "key-%05d", i);
		insert(t, key, i);
		if (i % 10 == 0 && insert(t, key, -i) < 0)
			dup++;
	}
	destroy(t);

	/* A second table kept in a global: still reachable. */
	global_table = calloc(1, sizeof(*global_table));
	global_table->nbucket = 8;
	global_table->bucket = calloc(8, sizeof(*global_table->bucket));
	for (i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "g%d", i);
		insert(global_table, key, i);
	}
	/* definitely: 100 entries (24 B) and, through them, 100 keys (10 B) */
	printf("expect D=100/2400 I=100/1000 R=12/%zu dup=%d\n",
	       (size_t)(sizeof(struct table) + 8 * sizeof(void *) + 5 * 24 +
			5 * 3),
	       dup);
	return 0;
}
