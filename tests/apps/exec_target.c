/*
 * exec_target.c - the image forkexec executes and spawns.
 *
 * Known answer: 9 x malloc(21003) and 1 x calloc(1, 21004), none freed.
 * Exit status 0.
 */
#include <stdlib.h>

#include "apps.h"

int main(void)
{
	for (int i = 0; i < 9; i++)
		keep(malloc(opaque_size(21003)));
	keep(calloc(1, opaque_size(21004)));
	return 0;
}
