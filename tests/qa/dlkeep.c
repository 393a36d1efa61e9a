/*
 * dlkeep.c - load a library with dlopen() (argument 1, or libz.so.1) and
 * keep it to the end, as plugins and language extensions are: what the
 * dynamic loader allocates for it (its link map, name, search and
 * initialization lists) stays with it.
 */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	const char *lib = argc > 1 ? argv[1] : "libz.so.1";
	void *h = dlopen(lib, RTLD_NOW | RTLD_GLOBAL);

	if (!h) {
		fprintf(stderr, "dlkeep: %s\n", dlerror());
		return 1;
	}
	return 0;
}
