/*
 * deep.c - a known call chain main -> a -> b -> c, where c allocates.
 *
 * Built twice: `deep` with -O2 -fomit-frame-pointer (the default unwinder
 * must find the chain from CFI) and `deep_fp` with -O2
 * -fno-omit-frame-pointer (for --unwind=fp).  Every function is kept out of
 * line and none ends in a tail call, so each one has its own frame.
 *
 * Known answer (one process, one thread): 10 x malloc(101001), all from c;
 * the recorded stack of each, resolved with addr2line, reads c, b, a, main
 * (innermost first).  Prints nothing.  Exit status 0.
 */
#include <stdlib.h>

#include "apps.h"

#if defined(__GNUC__) && !defined(__clang__)
#define OUT_OF_LINE __attribute__((noipa))
#else
#define OUT_OF_LINE __attribute__((noinline))
#endif

/* Something after each call, so no call can become a jump. */
#define AFTER_CALL() __asm__ volatile("" ::: "memory")

void *deep_blocks[10];

int a(int i);
int b(int i);
int c(int i);

OUT_OF_LINE int c(int i)
{
	deep_blocks[i] = malloc(opaque_size(101001));
	AFTER_CALL();
	return deep_blocks[i] != NULL;
}

OUT_OF_LINE int b(int i)
{
	int r = c(i);
	AFTER_CALL();
	return r + 1;
}

OUT_OF_LINE int a(int i)
{
	int r = b(i);
	AFTER_CALL();
	return r + 1;
}

int main(void)
{
	int sum = 0;

	for (int i = 0; i < 10; i++) {
		sum += a(i);
		AFTER_CALL();
	}
	return sum == 30 ? 0 : 1;
}
