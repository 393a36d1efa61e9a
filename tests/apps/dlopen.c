/*
 * dlopen.c - allocations from a library that is unloaded before the end.
 *
 * Known answer (one process): dlopen("libmpt_dltarget.so") loads the library
 * (a MODULE_LOAD whose path ends in libmpt_dltarget.so), dlt_make() makes
 * 17 x malloc(41001) whose innermost stack frame lies inside that module,
 * main frees 7 of them, dlclose() unloads it (a MODULE_UNLOAD for the same
 * module id, after the 17 allocations), then main makes 2 x malloc(41002).
 * Exit status 0.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps.h"

int main(void)
{
	char path[4096];
	void *blocks[17];
	void (*make)(void **, int);
	void *h;

	apps_exe_dir(path, sizeof(path) - 32);
	strcat(path, "libmpt_dltarget.so");
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 1;
	}
	*(void **)&make = dlsym(h, "dlt_make");
	if (!make)
		return 1;
	make(blocks, 17);
	for (int i = 0; i < 7; i++)
		free(blocks[i]);
	if (dlclose(h) != 0)
		return 1;
	for (int i = 0; i < 2; i++)
		keep(malloc(opaque_size(41002)));
	return 0;
}
