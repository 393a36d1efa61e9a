/*
 * Interior pointers that memcheck's default heuristics (all, in valgrind
 * 3.19) accept as if they pointed at the start, so the blocks are still
 * reachable:
 *   newarray   8 + 3 * 16 bytes, count 3 in the first word, pointer at +8;
 *   length64   8 + 40 bytes, 40 in the first word, pointer at +8;
 *   stdstring  24 + 15 + 1 bytes (length 5, capacity 15), pointer at +24.
 * And two that no heuristic accepts, so possibly lost: 64 bytes with a
 * zero first word and a pointer at +8; 48 bytes with a pointer at +24
 * whose capacity word does not fit.
 */
#include "leak.h"

#include <stdint.h>

void *g_arr, *g_len, *g_str, *g_bad8, *g_bad24;

static __attribute__((noinline)) void build(void)
{
	uint64_t *p;

	p = leak_alloc(8 + 3 * 16);
	p[0] = 3;
	g_arr = p + 1;
	p = leak_alloc(8 + 40);
	p[0] = 40;
	g_len = p + 1;
	p = leak_alloc(24 + 15 + 1);
	p[0] = 5;
	p[1] = 15;
	g_str = (char *)p + 24;
	p = leak_alloc(64);
	g_bad8 = p + 1;
	p = leak_alloc(48);
	p[1] = 1000;
	g_bad24 = p + 3;
}

int main(void)
{
	struct leak_want e = { { 0, 0, 2, 3 },
			       { 0, 0, 64 + 48, 56 + 48 + 40 } };

	leak_expect("main", &e);
	build();
	leak_scrub_stack();
	return 0;
}
