/*
 * forkexec.c - fork, exec, posix_spawn and vfork, each with its own known set.
 *
 * Known answer (four processes, five images):
 *   parent (the initial process):  5 x malloc(21001) before the fork,
 *                                  3 x malloc(21005) after both children ended.
 *   child 1 (fork of the parent):  7 x malloc(21002), then execs exec_target
 *                                  (same pid, a new image: PROCESS_START kind
 *                                  exec), which makes 9 x malloc(21003) and
 *                                  1 x calloc(1, 21004).
 *   child 2 (posix_spawn of exec_target by the parent): 9 x malloc(21003),
 *                                  1 x calloc(1, 21004).
 *   child 3 (vfork by the parent, then execv of exec_target): 9 x
 *                                  malloc(21003), 1 x calloc(1, 21004).
 *   The parent waits for each in turn; all exit 0.  Exit status 0.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apps.h"

extern char **environ;

int main(void)
{
	char path[4096];
	char *args[] = { "exec_target", NULL };
	pid_t pid, spawned, vforked;
	int st1, st2, st3;

	apps_exe_dir(path, sizeof(path) - 16);
	strcat(path, "exec_target");
	for (int i = 0; i < 5; i++)
		keep(malloc(opaque_size(21001)));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		for (int i = 0; i < 7; i++)
			keep(malloc(opaque_size(21002)));
		execv(path, args);
		perror(path);
		_exit(127);
	}
	if (waitpid(pid, &st1, 0) != pid)
		return 1;
	if (posix_spawn(&spawned, path, NULL, NULL, args, environ) != 0)
		return 1;
	if (waitpid(spawned, &st2, 0) != spawned)
		return 1;
	vforked = vfork();
	if (vforked < 0)
		return 1;
	if (vforked == 0) {
		execv(path, args);
		_exit(127);
	}
	if (waitpid(vforked, &st3, 0) != vforked)
		return 1;
	for (int i = 0; i < 3; i++)
		keep(malloc(opaque_size(21005)));
	return (WIFEXITED(st1) && WEXITSTATUS(st1) == 0 && WIFEXITED(st2) &&
		WEXITSTATUS(st2) == 0 && WIFEXITED(st3) &&
		WEXITSTATUS(st3) == 0) ?
		       0 :
		       1;
}
