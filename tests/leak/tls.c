/*
 * Roots next to large blocks.  The main thread's thread-local variables live
 * in an anonymous mapping that the kernel may merge with the mappings of
 * large (mmapped) blocks next to it: a __thread pointer holds a 48-byte
 * block (still reachable), and three 1 MiB blocks (held by globals) sit
 * next to it; one more 1 MiB block is definitely lost.
 */
#include "leak.h"

__thread void *t_kept;
void *g_big[3];

static __attribute__((noinline)) void build(void)
{
	int i;

	for (i = 0; i < 3; i++)
		g_big[i] = leak_alloc(1 << 20);
	leak_keep(leak_alloc(1 << 20));
	t_kept = leak_alloc(48);
}

int main(void)
{
	struct leak_want e = { { 1, 0, 0, 4 },
			       { 1 << 20, 0, 0, 3 * (1 << 20) + 48 } };

	leak_expect("main", &e);
	build();
	leak_scrub_stack();
	return 0;
}
