/*
 * sampled.c - many allocations, for --sample-bytes.
 *
 * Known answer (one process, one thread): 1000000 x malloc(1000), each freed
 * at once (1e9 bytes in all), then 1 x malloc(4000000) (4e6 bytes) freed.
 * With --sample-bytes N an allocation of s bytes is recorded with
 * probability 1 - exp(-s/N); the 4e6-byte one, with N = 65536, almost
 * surely (1 - e^-61).  Exit status 0.
 */
#include <stdlib.h>

#include "apps.h"

int main(void)
{
	for (int i = 0; i < 1000000; i++)
		free(keep(malloc(opaque_size(1000))));
	free(keep(malloc(opaque_size(4000000))));
	return 0;
}
