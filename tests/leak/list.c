/*
 * A lost singly-linked list: the head block (40 bytes) is definitely lost,
 * its 10 nodes (24 bytes each) indirectly lost.  A global 16-byte block
 * stays reachable.
 */
#include "leak.h"

#include <stddef.h>

struct node {
	struct node *next;
	long value[2];
};

struct head {
	struct node *first;
	char name[32];
};

void *g_kept;

static __attribute__((noinline)) void build(void)
{
	struct head *h = leak_alloc(sizeof(*h));
	struct node **link = &h->first;
	int i;

	for (i = 0; i < 10; i++) {
		*link = leak_alloc(sizeof(struct node));
		(*link)->value[0] = i;
		link = &(*link)->next;
	}
	leak_keep(h);
}

int main(void)
{
	struct leak_want e = { { 1, 10, 0, 1 }, { 40, 240, 0, 16 } };

	leak_expect("main", &e);
	g_kept = leak_alloc(16);
	build();
	leak_scrub_stack();
	return 0;
}
