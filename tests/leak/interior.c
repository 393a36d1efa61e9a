/*
 * Possibly lost: a 100-byte block is reachable only through a pointer 16
 * bytes into it (no memcheck heuristic matches offset 16), and a 56-byte
 * block only through a start pointer held by that block.  A 200-byte block
 * is held by its start and stays reachable.
 */
#include "leak.h"

char *g_mid;
void *g_start;

static __attribute__((noinline)) void build(void)
{
	char *p = leak_alloc(100);

	*(void **)p = leak_alloc(56);
	g_mid = p + 16;
	g_start = leak_alloc(200);
}

int main(void)
{
	struct leak_want e = { { 0, 0, 2, 1 }, { 0, 0, 156, 200 } };

	leak_expect("main", &e);
	build();
	leak_scrub_stack();
	leak_keep(g_mid);
	leak_keep(g_start);
	return 0;
}
