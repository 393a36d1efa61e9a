/*
 * Leaks from a forked child.  The child loses a 10-byte block and a
 * 24-byte block holding the only pointer to a 5-byte block.  The parent
 * loses a 33-byte block and keeps a 77-byte block in a global.
 */
#include "leak.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

void *g_kept;

static __attribute__((noinline)) void child(void)
{
	void **p;

	leak_keep(leak_alloc(10));
	p = leak_alloc(24);
	*p = leak_alloc(5);
}

static __attribute__((noinline)) void parent(void)
{
	leak_keep(leak_alloc(33));
	g_kept = leak_alloc(77);
}

int main(void)
{
	struct leak_want ec = { { 2, 1, 0, 0 }, { 34, 5, 0, 0 } };
	struct leak_want ep = { { 1, 0, 0, 1 }, { 33, 0, 0, 77 } };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		abort();
	if (pid == 0) {
		leak_expect("child", &ec);
		child();
		leak_scrub_stack();
		exit(0);
	}
	leak_expect("parent", &ep);
	if (waitpid(pid, &status, 0) != pid || status != 0)
		abort();
	parent();
	leak_scrub_stack();
	return 0;
}
