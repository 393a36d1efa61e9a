/*
 * threads.c - named threads, each with its own allocation size.
 *
 * Known answer (one process, 5 threads):
 *   main thread: 10 x malloc(9999) before any thread starts, all freed at the
 *                end (in the default mode).
 *   thread i (i = 1..4), named "worker-i" with pthread_setname_np before its
 *                first allocation: 1000 x malloc(10000 + i), each from that
 *                thread only; it frees the first 500 itself.
 * Mode "linger" (argv[1]): the workers make the same allocations and frees,
 * then block forever; main calls exit(0) while they are still running.
 * Exit status 0.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps.h"

#define T 4
#define K 1000

static pthread_barrier_t done;
static int linger;
static void *blocks[T + 1][K];

static void *worker(void *arg)
{
	int i = (int)(intptr_t)arg;
	char name[16];

	snprintf(name, sizeof(name), "worker-%d", i);
	pthread_setname_np(pthread_self(), name);
	for (int k = 0; k < K; k++)
		blocks[i][k] = keep(malloc(opaque_size(10000 + i)));
	for (int k = 0; k < K / 2; k++)
		free(blocks[i][k]);
	if (linger) {
		pthread_barrier_wait(&done);
		for (;;)
			pthread_barrier_wait(&done); /* never completes */
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[T + 1];
	void *mine[10];

	linger = argc > 1 && strcmp(argv[1], "linger") == 0;
	pthread_barrier_init(&done, NULL, T + 1);
	for (int k = 0; k < 10; k++)
		mine[k] = keep(malloc(opaque_size(9999)));
	for (int i = 1; i <= T; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i))
			return 1;
	if (linger) {
		pthread_barrier_wait(&done);
		exit(0);
	}
	for (int i = 1; i <= T; i++)
		pthread_join(th[i], NULL);
	for (int k = 0; k < 10; k++)
		free(mine[k]);
	return 0;
}
