/* Shared helpers of the leak validation programs. */
#include "leak.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *leak_role = "main";

void leak_expect(const char *role, const struct leak_want *e)
{
	char line[256];
	int n;

	leak_role = role;
	n = snprintf(line, sizeof(line),
		     "expect pid=%d role=%s D=%lu/%lu I=%lu/%lu P=%lu/%lu "
		     "R=%lu/%lu\n",
		     (int)getpid(), role, e->blocks[0], e->bytes[0],
		     e->blocks[1], e->bytes[1], e->blocks[2], e->bytes[2],
		     e->blocks[3], e->bytes[3]);
	if (write(1, line, (size_t)n) != n)
		abort();
}

__attribute__((noinline)) void *leak_keep(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

void *leak_alloc(size_t n)
{
	void *p = calloc(1, n);
	if (!p)
		abort();
	return leak_keep(p);
}

__attribute__((noinline)) void leak_scrub_stack(void)
{
	char buf[32 << 10];

	memset(buf, 0, sizeof(buf));
	__asm__ volatile("" : : "r"(buf) : "memory");
}
