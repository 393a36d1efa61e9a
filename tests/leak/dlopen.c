/*
 * A library loaded with dlopen keeps a 300-byte block in its own global and
 * gives the program a 64-byte block the program keeps.  Once the library is
 * unloaded its data is gone: the 300-byte block is definitely lost, the
 * 64-byte block stays reachable.
 */
#include "leak.h"

#include <dlfcn.h>
#include <stdlib.h>

void *g_from_lib;

int main(void)
{
	struct leak_want e = { { 1, 0, 0, 1 }, { 300, 0, 0, 64 } };
	void *(*fn)(void);
	void *h;

	leak_expect("main", &e);
	h = dlopen(LEAK_DLLIB, RTLD_NOW);
	if (!h)
		abort();
	*(void **)&fn = dlsym(h, "leakdl_make");
	if (!fn)
		abort();
	g_from_lib = fn();
	if (dlclose(h))
		abort();
	leak_scrub_stack();
	return 0;
}
