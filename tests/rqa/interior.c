/* interior.c - known leak kinds for the leak scan's heuristic reads:
 * 3000 blocks of 40 bytes kept only through a pointer to their second
 * word, whose first word is 32 (valgrind's "length64" heuristic: still
 * reachable); 2000 blocks of 48 bytes kept the same way with a first word
 * of 0 (possibly lost); 1000 blocks of 24 bytes never pointed to
 * (definitely lost); and 3 blocks of 200000 bytes (mmapped by malloc, far
 * from the others) kept by their start: still reachable.  The pointers live
 * in global arrays. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

volatile uintptr_t keep[5000];
void *volatile big[3];

int main(void)
{
	for (int i = 0; i < 3000; i++) {
		uint64_t *p = malloc(40);
		memset(p, 0, 40);
		p[0] = 32;
		keep[i] = (uintptr_t)(p + 1);
	}
	for (int i = 0; i < 2000; i++) {
		uint64_t *p = malloc(48);
		memset(p, 0, 48);
		keep[3000 + i] = (uintptr_t)(p + 1);
	}
	for (int i = 0; i < 3; i++) {
		big[i] = malloc(200000);
		memset(big[i], 0, 200000);
	}
	for (int i = 0; i < 1000; i++) {
		void *volatile p = malloc(24);
		memset(p, 0, 24);
		p = NULL;
	}
	return 0;
}
