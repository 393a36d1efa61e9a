/*
 * manythreads.c - 64 threads alive at once, all allocating.
 *
 * Known answer (one process, 65 threads): thread i (i = 0..63) makes
 * 100 x malloc(140000 + i) and frees them all; the 64 threads are alive at
 * the same time (a barrier holds them until all have started, and another
 * until all have finished).  Exit status 0.
 */
#include <pthread.h>
#include <stdlib.h>

#include "apps.h"

#define T 64
#define K 100

static pthread_barrier_t started, finished;

static void *worker(void *arg)
{
	int i = (int)(intptr_t)arg;
	void *b[K];

	pthread_barrier_wait(&started);
	for (int k = 0; k < K; k++)
		b[k] = keep(malloc(opaque_size(140000 + i)));
	for (int k = 0; k < K; k++)
		free(b[k]);
	pthread_barrier_wait(&finished);
	return NULL;
}

int main(void)
{
	pthread_t th[T];

	pthread_barrier_init(&started, NULL, T);
	pthread_barrier_init(&finished, NULL, T);
	for (int i = 0; i < T; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i))
			return 1;
	for (int i = 0; i < T; i++)
		pthread_join(th[i], NULL);
	return 0;
}
