/*
 * static.c - a statically linked program: no dynamic loader, so nothing can
 * be preloaded into it.
 *
 * Known answer: makes 5 x malloc(131001) (invisible to a preloaded
 * recorder), prints nothing, exits with status 7.
 */
#include <stdlib.h>

#include "apps.h"

int main(void)
{
	for (int i = 0; i < 5; i++)
		keep(malloc(opaque_size(131001)));
	return 7;
}
