/* oom.c - allocations that fail under `ulimit -v`: 5 malloc(256 MiB) that
 * return NULL, then exit 0 (1 if any succeeded). */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	int ok = 0;

	for (int i = 0; i < 5; i++) {
		void *p = malloc((size_t)256 << 20);

		if (p)
			ok++;
		/* keep any success live, so each try is a fresh request */
		__asm__ volatile("" : : "r"(p) : "memory");
	}
	printf("%d succeeded\n", ok);
	return ok ? 1 : 0;
}
