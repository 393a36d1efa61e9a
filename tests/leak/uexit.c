/*
 * Leaks from processes that end with _exit() and _Exit(), which run no
 * destructors: memcheck classifies their blocks all the same.  The child
 * loses a 40-byte block holding the only pointer to a 12-byte block and
 * keeps a 64-byte block in a global, then calls _exit().  The parent loses
 * a 21-byte block and keeps a 50-byte block in a global, then calls
 * _Exit().
 */
#include "leak.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

void *g_child_kept, *g_parent_kept;

static __attribute__((noinline)) void child(void)
{
	void **p = leak_alloc(40);

	*p = leak_alloc(12);
	leak_keep(p);
	g_child_kept = leak_alloc(64);
}

static __attribute__((noinline)) void parent(void)
{
	leak_keep(leak_alloc(21));
	g_parent_kept = leak_alloc(50);
}

int main(void)
{
	struct leak_want ec = { { 1, 1, 0, 1 }, { 40, 12, 0, 64 } };
	struct leak_want ep = { { 1, 0, 0, 1 }, { 21, 0, 0, 50 } };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		abort();
	if (pid == 0) {
		leak_expect("child", &ec);
		child();
		leak_scrub_stack();
		_exit(0);
	}
	leak_expect("parent", &ep);
	if (waitpid(pid, &status, 0) != pid || status != 0)
		abort();
	parent();
	leak_scrub_stack();
	_Exit(0);
}
