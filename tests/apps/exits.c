/*
 * exits.c - the ways a process ends without returning from main.
 *
 * Usage: exits MODE [FIFO]
 * In every mode the program first makes 100 x malloc(71001) and frees the
 * first 10 of them (10 FREE), then:
 *   _exit   _exit(3)                    -> exit status 3
 *   exit5   exit(5)                     -> exit status 5
 *   abort   abort()                     -> SIGABRT, status 134
 *   segv    writes through a NULL pointer -> SIGSEGV, status 139
 *   killme  prints "ready PID" on stderr (and into FIFO when given, a line
 *           ending in a newline), then waits forever for SIGKILL -> 137
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apps.h"

int *volatile exits_null;

int main(int argc, char **argv)
{
	void *b[100];
	const char *mode = argc > 1 ? argv[1] : "";

	for (int i = 0; i < 100; i++)
		b[i] = keep(malloc(opaque_size(71001)));
	for (int i = 0; i < 10; i++)
		free(b[i]);
	if (strcmp(mode, "_exit") == 0)
		_exit(3);
	if (strcmp(mode, "exit5") == 0)
		exit(5);
	if (strcmp(mode, "abort") == 0)
		abort();
	if (strcmp(mode, "segv") == 0) {
		signal(SIGSEGV, SIG_DFL);
		*exits_null = 1;
		return 0;
	}
	if (strcmp(mode, "killme") == 0) {
		fprintf(stderr, "ready %d\n", (int)getpid());
		if (argc > 2) {
			FILE *f = fopen(argv[2], "w");
			if (!f)
				return 2;
			fprintf(f, "ready %d\n", (int)getpid());
			fclose(f);
		}
		for (;;)
			pause();
	}
	fprintf(stderr, "usage: exits _exit|exit5|abort|segv|killme [FIFO]\n");
	return 2;
}
