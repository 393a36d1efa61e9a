/* demangle.c - C++ names through libstdc++'s demangler, loaded on first use. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

#include "demangle.h"

typedef char *cxa_demangle_fn(const char *mangled, char *buf, size_t *len,
			      int *status);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static cxa_demangle_fn *demangler;

static void load(void)
{
	void *dl = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);

	/* Kept open for the life of the process. */
	if (dl)
		demangler = (cxa_demangle_fn *)dlsym(dl, "__cxa_demangle");
}

char *mpt_demangle(const char *name)
{
	char *d;
	int st = 0;

	if (!name || name[0] != '_' || name[1] != 'Z')
		return NULL;
	pthread_once(&once, load);
	if (!demangler)
		return NULL;
	d = demangler(name, NULL, NULL, &st);
	if (st != 0) {
		free(d);
		return NULL;
	}
	return d;
}
