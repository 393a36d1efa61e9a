/*
 * Lost cycles.  Two 32-byte blocks pointing at each other: memcheck makes
 * one definitely and the other indirectly lost.  A 3-cycle of 48-byte
 * blocks with a 64-byte definitely lost block pointing into it: the three
 * are indirectly lost.  Whichever block memcheck picks, the sizes are equal.
 */
#include "leak.h"

struct ring {
	struct ring *next;
	char pad[40];
};

static __attribute__((noinline)) void build(void)
{
	void **a = leak_alloc(32), **b = leak_alloc(32);
	struct ring *r[3];
	void **top = leak_alloc(64);
	int i;

	*a = b;
	*b = a;
	for (i = 0; i < 3; i++)
		r[i] = leak_alloc(sizeof(struct ring));
	for (i = 0; i < 3; i++)
		r[i]->next = r[(i + 1) % 3];
	*top = r[1];
}

int main(void)
{
	struct leak_want e = { { 2, 4, 0, 0 }, { 96, 176, 0, 0 } };

	leak_expect("main", &e);
	build();
	leak_scrub_stack();
	return 0;
}
