/*
 * closefds.c - an app that closes, or dup2s over, every fd above 2.
 *
 * Usage: closefds closefrom | dup2
 *   closefrom: closefrom(3), as daemons do.
 *   dup2:      opens /dev/null and dup2s it over every fd above 2 that
 *              /proc/self/fd lists, then closes its own /dev/null fd.
 * Known answer (one process): 10 x malloc(31000) before the fds go,
 * 100 x malloc(31001) after (all 100 freed), and a thread started after
 * makes 50 x malloc(31002).  Exit status 0.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apps.h"

static void *late_thread(void *arg)
{
	for (int i = 0; i < 50; i++)
		keep(malloc(opaque_size(31002)));
	return arg;
}

static void dup2_all(void)
{
	int fds[1024], n = 0, null;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		exit(2);
	while ((e = readdir(d)) && n < 1024) {
		int fd = atoi(e->d_name);
		if (fd > 2 && fd != dirfd(d))
			fds[n++] = fd;
	}
	closedir(d);
	null = open("/dev/null", O_RDWR);
	if (null < 0)
		exit(2);
	for (int i = 0; i < n; i++)
		if (fds[i] != null && dup2(null, fds[i]) < 0)
			exit(2);
	close(null);
}

int main(int argc, char **argv)
{
	void *after[100];
	pthread_t th;

	if (argc != 2 ||
	    (strcmp(argv[1], "closefrom") && strcmp(argv[1], "dup2")))
		return 2;
	for (int i = 0; i < 10; i++)
		keep(malloc(opaque_size(31000)));
	if (strcmp(argv[1], "closefrom") == 0)
		closefrom(3);
	else
		dup2_all();
	for (int i = 0; i < 100; i++)
		after[i] = keep(malloc(opaque_size(31001)));
	for (int i = 0; i < 100; i++)
		free(after[i]);
	if (pthread_create(&th, NULL, late_thread, NULL))
		return 1;
	pthread_join(th, NULL);
	return 0;
}
