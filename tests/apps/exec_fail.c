/*
 * exec_fail.c - an exec that fails, then life goes on.
 *
 * Known answer (one process, one image: no PROCESS_START of kind exec):
 * 2 x malloc(81000), execv("/nonexistent/mpt-no-such-program") fails with
 * ENOENT, execv of /etc/passwd (not executable) fails with EACCES, then
 * 3 x malloc(81001).  Exit status 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "apps.h"

int main(void)
{
	char *args[] = { "nothing", NULL };
	int e1, e2;

	for (int i = 0; i < 2; i++)
		keep(malloc(opaque_size(81000)));
	execv("/nonexistent/mpt-no-such-program", args);
	e1 = errno;
	execv("/etc/passwd", args);
	e2 = errno;
	for (int i = 0; i < 3; i++)
		keep(malloc(opaque_size(81001)));
	return (e1 == ENOENT && e2 == EACCES) ? 0 : 1;
}
