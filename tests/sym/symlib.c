/* Test library: built -O2 -g, then stripped of its debug info (symbol table
 * only). */
#include "symlib.h"

static volatile int symlib_sink;

/* A local function: in .symtab, not in .dynsym. */
static __attribute__((noinline)) void symlib_local(void (*cb)(const char *))
{
	cb("lib_local");
	symlib_sink++;
}

int symlib_call(void (*cb)(const char *label))
{
	cb("lib_global");
	symlib_sink++;
	symlib_local(cb);
	return symlib_sink;
}
