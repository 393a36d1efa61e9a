/*
 * demo.c - a small realistic program for `make demo`: it counts words of a
 * generated text in a hash table, churns through temporary buffers, and
 * leaks a little, on purpose.
 *
 * Known answer (one process, one thread): at exit exactly 11 blocks of this
 * program are never freed:
 *   load_settings():   1 x malloc(4096)
 *   remember_recent(): 10 x malloc(200)
 * Everything else it allocates (the table, its entries, 20000 temporary
 * line buffers from format_line()) is freed.  Prints the 3 most frequent
 * words.  Exit status 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	struct entry *next;
	char *word;
	unsigned count;
};

#define NBUCKET 1024

static struct entry **table;
static char *settings;

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

__attribute__((noinline)) static void load_settings(void)
{
	settings = malloc(4096);
	snprintf(settings, 4096, "lang=en\nwords=20000\n");
	settings = NULL; /* leak: the only pointer is dropped */
}

__attribute__((noinline)) static void remember_recent(const char *word)
{
	static int n;
	char *copy;

	if (n >= 10)
		return;
	copy = malloc(200);
	snprintf(copy, 200, "recent: %s", word);
	n++; /* leak: never stored anywhere */
}

__attribute__((noinline)) static char *format_line(unsigned i, uint32_t *seed)
{
	static const char *words[] = {
		"alpha",  "beta", "gamma", "delta", "epsilon",
		"zeta",	  "eta",  "theta", "iota",  "kappa",
		"lambda", "mu",	  "nu",	   "xi",    "omicron",
	};
	size_t cap = 32 + (i % 97) * 8;
	char *line = malloc(cap);

	*seed = *seed * 1103515245u + 12345u;
	snprintf(line, cap, "%s", words[(*seed >> 16) % 15]);
	return line;
}

static void count(const char *word)
{
	unsigned h = hash(word) % NBUCKET;
	struct entry *e;

	for (e = table[h]; e; e = e->next)
		if (strcmp(e->word, word) == 0) {
			e->count++;
			return;
		}
	e = malloc(sizeof(*e));
	e->word = strdup(word);
	e->count = 1;
	e->next = table[h];
	table[h] = e;
}

int main(void)
{
	uint32_t seed = 42;
	struct entry *best[3] = { NULL, NULL, NULL };

	load_settings();
	table = calloc(NBUCKET, sizeof(*table));
	for (unsigned i = 0; i < 20000; i++) {
		char *line = format_line(i, &seed);
		count(line);
		if (i % 1000 == 999)
			remember_recent(line);
		free(line);
	}
	for (int h = 0; h < NBUCKET; h++)
		for (struct entry *e = table[h]; e; e = e->next)
			for (int k = 0; k < 3; k++)
				if (!best[k] || e->count > best[k]->count) {
					memmove(best + k + 1, best + k,
						(2 - k) * sizeof(*best));
					best[k] = e;
					break;
				}
	for (int k = 0; k < 3 && best[k]; k++)
		printf("%s %u\n", best[k]->word, best[k]->count);
	for (int h = 0; h < NBUCKET; h++)
		while (table[h]) {
			struct entry *e = table[h];
			table[h] = e->next;
			free(e->word);
			free(e);
		}
	free(table);
	return 0;
}
