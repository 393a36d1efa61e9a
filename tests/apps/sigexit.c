/*
 * sigexit.c - a signal handler that ends the process with _exit(7), as
 * handlers may (it is async-signal-safe), interrupting a thread busy in
 * malloc() and free(), perhaps holding malloc's lock.
 *
 * Known answer: the process ends with status 7 well within a second, its
 * trace complete, whatever the handler interrupted.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "apps.h"

static void on_alarm(int sig)
{
	(void)sig;
	_exit(7);
}

int main(void)
{
	struct itimerval it;
	void *volatile keep[64] = { 0 };
	unsigned i;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 20000;
	signal(SIGALRM, on_alarm);
	setitimer(ITIMER_REAL, &it, NULL);
	for (i = 0;; i++) {
		free(keep[i % 64]);
		keep[i % 64] = malloc(16 + i % 4000);
	}
}
