/* The library of dlopen.c: keeps one block itself, hands out another. */
#include "leak.h"

void *leakdl_make(void);

static void *kept;

void *leakdl_make(void)
{
	kept = leak_alloc(300);
	leak_keep(kept);
	return leak_alloc(64);
}
