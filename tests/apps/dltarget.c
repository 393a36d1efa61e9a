/*
 * dltarget.c - the shared library the dlopen program loads and unloads.
 *
 * dlt_make(n) makes n x malloc(41001) from inside this library (function
 * dlt_alloc_one) and returns them in a caller-supplied array.
 */
#include <stdlib.h>

#include "apps.h"

void dlt_make(void **out, int n);

__attribute__((noinline)) static void *dlt_alloc_one(void)
{
	void *p = malloc(opaque_size(41001));
	__asm__ volatile("" ::: "memory"); /* no tail call: keep this frame */
	return p;
}

void dlt_make(void **out, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = dlt_alloc_one();
}
