/*
 * mmaps.c - the app's own mmap, munmap, mremap and sbrk.
 *
 * Known answer (one process, one thread):
 *   3 x mmap(NULL, 1060864, PROT_READ | PROT_WRITE,
 *            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0): 3 MMAP of len 1060864
 *   munmap of the first:                    1 MUNMAP of that address, len
 *   mremap of the second to 2109440 bytes (MREMAP_MAYMOVE):
 *                                           1 MREMAP old_len 1060864,
 *                                           new_len 2109440
 *   sbrk(40960), then sbrk(-40960):         2 BRK, moving the break by
 *                                           +40960 and -40960
 *   malloc(5000000) (served by glibc with its own mmap) and its free:
 *                                           no MMAP or MUNMAP record of
 *                                           5000000 bytes or more: only
 *                                           the app's own mappings count
 * Exit status 0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "apps.h"

#define LEN 1060864    /* 1 MiB + 3 pages */
#define NEWLEN 2109440 /* 2 MiB + 3 pages */

int main(void)
{
	void *m[3];

	for (int i = 0; i < 3; i++) {
		m[i] = mmap(NULL, opaque_size(LEN), PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m[i] == MAP_FAILED)
			return 1;
	}
	if (munmap(m[0], LEN))
		return 1;
	if (mremap(m[1], LEN, opaque_size(NEWLEN), MREMAP_MAYMOVE) ==
	    MAP_FAILED)
		return 1;
	if (sbrk(40960) == (void *)-1)
		return 1;
	if (sbrk(-40960) == (void *)-1)
		return 1;
	free(keep(malloc(opaque_size(5000000))));
	return 0;
}
