/*
 * A global cache, still reachable: 8 entries of 64 bytes in a global
 * table, each holding a 128-byte value; a chain of 5 blocks of 32 bytes
 * from a global pointer.  Nothing is lost.
 */
#include "leak.h"

struct entry {
	void *value;
	char key[56];
};

struct chain {
	struct chain *next;
	char pad[24];
};

struct entry *g_cache[8];
struct chain *g_chain;

static __attribute__((noinline)) void build(void)
{
	int i;

	for (i = 0; i < 8; i++) {
		g_cache[i] = leak_alloc(sizeof(struct entry));
		g_cache[i]->value = leak_alloc(128);
	}
	for (i = 0; i < 5; i++) {
		struct chain *c = leak_alloc(sizeof(*c));
		c->next = g_chain;
		g_chain = c;
	}
}

int main(void)
{
	struct leak_want e = { { 0, 0, 0, 21 }, { 0, 0, 0, 1696 } };

	leak_expect("main", &e);
	build();
	leak_scrub_stack();
	return 0;
}
