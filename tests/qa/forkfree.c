/*
 * forkfree.c - a process allocates 1000 bytes, forks and waits; the child
 * frees the block it inherited, allocates 500 bytes and exits.  Known
 * answer for mpstacks --metric peak: the child's peak is its start, 1000
 * bytes, all of the parent's block, and none of its own 500.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

void *volatile kept, *volatile mine;

static __attribute__((noinline)) void parent_alloc(void)
{
	kept = malloc(1000);
}

static __attribute__((noinline)) void child_alloc(void)
{
	mine = malloc(500);
}

int main(void)
{
	pid_t pid;

	parent_alloc();
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		free(kept);
		child_alloc();
		exit(0);
	}
	waitpid(pid, NULL, 0);
	return 0;
}
