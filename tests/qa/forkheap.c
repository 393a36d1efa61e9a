/*
 * forkheap.c - a process allocates 1000 bytes and forks; right away it
 * frees them and allocates 500, while the child, a moment later, allocates
 * 2000 and exits.  Known answer, as memcheck's: the child has the 1000
 * bytes of before the fork and its 2000 still reachable, and not the 500;
 * the parent has the 500.  The child inherits its parent's heap as of the
 * fork, whatever the parent does after it.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

void *volatile a, *volatile b, *volatile c;

int main(void)
{
	pid_t pid;

	a = malloc(1000);
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		usleep(50000);
		b = malloc(2000);
		exit(0);
	}
	free(a);
	c = malloc(500);
	waitpid(pid, NULL, 0);
	return 0;
}
