/* execenv.c - 3 malloc(31001), then execve of argv[1] with an empty
 * environment (no LD_PRELOAD in the new image). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *envp[] = { NULL };

	for (int i = 0; i < 3; i++)
		free(*(void *volatile *)&(void *){ malloc(31001) });
	if (argc < 2)
		return 2;
	execve(argv[1], argv + 1, envp);
	perror("execve");
	return 127;
}
