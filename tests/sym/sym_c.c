/* Symbolizer test program (C, -O2 -g): inlined frames, a libc frame, a stripped
 * library. */
#include <stdlib.h>

#include "symdump.h"
#include "symlib.h"

static volatile int sink;

/* Records where it was called from: a point inside its (inlined) caller. */
__attribute__((noinline)) static void leaf(const char *label)
{
	SYMDUMP_RET(label);
	sink++;
}

static inline __attribute__((always_inline)) int helper_inner(int x)
{
	leaf("inline2");
	sink += x;
	return x + 1;
}

static inline __attribute__((always_inline)) int helper(int x)
{
	int r = helper_inner(x * 2);

	leaf("inline1");
	sink += r;
	return r;
}

__attribute__((noinline)) int outer(int x)
{
	int a = helper(x);

	sink += a;
	return a + 3;
}

/* Called by qsort: its return address lies inside libc's sort code. */
__attribute__((noinline)) static int cmp_int(const void *a, const void *b)
{
	static int done;

	if (!done) {
		done = 1;
		SYMDUMP_RET("libc_qsort");
	}
	return *(const int *)a - *(const int *)b;
}

/* Called back by the stripped library. */
__attribute__((noinline)) static void lib_cb(const char *label)
{
	SYMDUMP_RET(label);
	sink++;
}

int main(void)
{
	int v[] = { 5, 3, 9, 1, 7, 2 };

	symdump_modules();
	/* main's own return address: inside libc's __libc_start_call_main */
	SYMDUMP_RET("libc_start");
	symdump_addr("pc", (const void *)outer, "outer_entry");
	symdump_addr("pc", (const void *)leaf, "leaf_entry");
	symdump_addr("pc", (const void *)qsort, "qsort_entry");
	symdump_addr("pc", (const void *)symlib_call, "lib_entry");
	sink += outer(sink);
	qsort(v, sizeof(v) / sizeof(v[0]), sizeof(v[0]), cmp_int);
	sink += symlib_call(lib_cb);
	return sink < 0;
}
