/*
 * ctor_dtor.c - allocations before main and after exit.
 *
 * Known answer (one process, one thread):
 *   constructor early():        3 x malloc(61001)   (before main)
 *   main:                       1 x malloc(61002), registers at_end()
 *   atexit handler at_end():    4 x malloc(61003)   (after main returns)
 *   destructor late():          5 x malloc(61004), then frees the 3 blocks
 *                               of early() (3 FREE of the 61001 addresses)
 * Exit status 0.
 */
#include <stdlib.h>

#include "apps.h"

static void *early_blocks[3];

__attribute__((constructor)) static void early(void)
{
	for (int i = 0; i < 3; i++)
		early_blocks[i] = keep(malloc(opaque_size(61001)));
}

static void at_end(void)
{
	for (int i = 0; i < 4; i++)
		keep(malloc(opaque_size(61003)));
}

__attribute__((destructor)) static void late(void)
{
	for (int i = 0; i < 5; i++)
		keep(malloc(opaque_size(61004)));
	for (int i = 0; i < 3; i++)
		free(early_blocks[i]);
}

int main(void)
{
	keep(malloc(opaque_size(61002)));
	atexit(at_end);
	return 0;
}
