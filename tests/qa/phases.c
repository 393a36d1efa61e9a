/*
 * phases.c - a program whose peak, temporaries and leaks are known by
 * construction: phase 1 holds 100 blocks of 1000 bytes at once (the peak)
 * and frees them oldest first, so only the last of them is temporary;
 * phase 2 makes 30 temporaries of 64 bytes; phase 3 keeps 50 blocks of 100
 * bytes for good.  No stdio until the end (write(2)): libc allocates
 * nothing of its own.  Each phase allocates from its own function.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *block[100];
void *kept[50]; /* extern: the compiler must keep the stores */

static void __attribute__((noinline)) phase_peak(void)
{
	int i;

	for (i = 0; i < 100; i++)
		memset(block[i] = malloc(1000), 1, 1000);
	for (i = 0; i < 100; i++)
		free(block[i]);
}

static void __attribute__((noinline)) phase_temporary(void)
{
	int i;

	for (i = 0; i < 30; i++) {
		char *volatile p = malloc(64);

		p[0] = 1;
		free(p);
	}
}

static void __attribute__((noinline)) phase_keep(void)
{
	int i;

	for (i = 0; i < 50; i++)
		kept[i] = malloc(100);
}

int main(void)
{
	static const char msg[] =
		"expect peak=phase_peak/100000 temporary=phase_peak/1,phase_temporary/30 leaked=phase_keep/5000\n";

	phase_peak();
	phase_temporary();
	phase_keep();
	if (write(1, msg, sizeof(msg) - 1) < 0)
		return 1;
	return 0;
}
