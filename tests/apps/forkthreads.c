/*
 * forkthreads.c - a parent, its forked child and that child's forked child,
 * each ending with a block still allocated.  With the argument "thread",
 * the parent has a second thread (blocked) from before the fork to its end.
 *
 * Known answer: without "thread", each process has glibc free its own
 * state before the leak scan (LEAK_SCAN flag freeres); with it, none does:
 * the parent still has two threads, the child was forked from a process
 * with two, and so, through it, was the grandchild.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apps.h"

void *volatile kept;

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t t;
	pid_t p;

	if (argc > 1 && !strcmp(argv[1], "thread") &&
	    pthread_create(&t, NULL, sleeper, NULL))
		return 2;
	kept = malloc(4001);
	p = fork();
	if (p < 0)
		return 2;
	if (p == 0) {
		pid_t q = fork();

		if (q == 0) {
			kept = malloc(4003);
			exit(0);
		}
		if (q < 0 || waitpid(q, NULL, 0) != q)
			_exit(2);
		kept = malloc(4002);
		exit(0);
	}
	if (waitpid(p, NULL, 0) != p)
		return 2;
	return 0;
}
