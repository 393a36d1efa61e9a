/* apps.h - helpers shared by the recorder test programs. */
#ifndef APPS_H
#define APPS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The compiler may drop a malloc whose result is unused, fold a malloc and a
 * memset into calloc, or merge a new/delete pair.  Every known answer below
 * depends on each call really happening, so sizes go through a volatile and
 * results into a volatile sink.
 */
extern void *volatile apps_sink;

static inline size_t opaque_size(size_t n)
{
	volatile size_t v = n;
	return v;
}

static inline void *keep(void *p)
{
	apps_sink = p;
	return p;
}

/* Directory of the running executable, with a trailing '/'. */
void apps_exe_dir(char *buf, size_t len);

#endif /* APPS_H */
