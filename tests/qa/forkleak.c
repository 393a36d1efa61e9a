/*
 * forkleak.c - only the forked child leaks.  The child ends with _exit(3),
 * or with exit(3) when the first argument is "exit".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *__attribute__((noinline)) make_buffer(size_t n)
{
	char *p = malloc(n);

	memset(p, 'x', n);
	return p;
}

static void __attribute__((noinline)) child_work(void)
{
	int i;

	for (i = 0; i < 7; i++) {
		char *p = make_buffer(100 + (size_t)i);

		p[0] = 0; /* dropped: definitely lost in the child */
	}
}

int main(int argc, char **argv)
{
	int use_exit = argc > 1 && !strcmp(argv[1], "exit");
	char *shared = make_buffer(64);
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		child_work();
		free(shared);
		if (use_exit)
			exit(3);
		_exit(3);
	}
	waitpid(pid, &status, 0);
	free(shared);
	printf("expect child D=7/721 status=%d\n", WEXITSTATUS(status));
	return 0;
}
