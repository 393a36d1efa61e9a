/*
 * livethreads.c - threads that glibc gives a TLS vector each (calloc() in
 * pthread_create): N threads joined before the end, whose stacks and
 * vectors glibc keeps for reuse and frees when a checker asks, and M
 * threads still blocked when main returns, whose vectors are live.
 * Usage: livethreads JOINED LIVE (default 2 1).
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static void *quick(void *arg)
{
	return arg;
}

static void *blocked(void *arg)
{
	for (;;)
		pause();
	return arg;
}

int main(int argc, char **argv)
{
	int joined = argc > 1 ? atoi(argv[1]) : 2;
	int live = argc > 2 ? atoi(argv[2]) : 1;
	pthread_t t[64];
	int i;

	if (joined + live > 64)
		return 2;
	/* Started together, so that each needs a stack of its own. */
	for (i = 0; i < joined; i++)
		if (pthread_create(&t[i], NULL, quick, NULL))
			return 1;
	for (i = 0; i < live; i++)
		if (pthread_create(&t[joined + i], NULL, blocked, NULL))
			return 1;
	for (i = 0; i < joined; i++)
		pthread_join(t[i], NULL);
	return 0;
}
