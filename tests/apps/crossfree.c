/*
 * crossfree.c - threads that free each other's blocks (the ordering test).
 *
 * Four threads share one queue.  Each thread, 20000 times: allocates a
 * block of 1101 + (i % 8) bytes, pushes it, pops whichever block is at the
 * head (most often another thread's) and frees it.  Blocks are freed by
 * other threads and their addresses reused at once, so a recorder that
 * stamps a free after the real free (or an allocation before it returns)
 * shows an address allocated twice with no free between.
 *
 * Known answer (one process, 5 threads): 80000 ALLOC of sizes 1101..1108
 * (10000 of each size), 80000 FREE of those blocks, and in the trace no
 * address is allocated twice without a free between.  Exit status 0.
 */
#include <pthread.h>
#include <stdlib.h>

#include "apps.h"

#define T 4
#define ITER 20000
#define QCAP 64

static void *queue[QCAP];
static int qhead, qlen;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;

static void push(void *p)
{
	pthread_mutex_lock(&qlock);
	queue[(qhead + qlen) % QCAP] = p;
	qlen++;
	pthread_mutex_unlock(&qlock);
}

static void *pop(void)
{
	void *p;

	pthread_mutex_lock(&qlock);
	p = queue[qhead];
	qhead = (qhead + 1) % QCAP;
	qlen--;
	pthread_mutex_unlock(&qlock);
	return p;
}

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < ITER; i++) {
		/* push then pop: the queue never runs dry, holds at most T. */
		push(malloc(opaque_size(1101 + (i % 8))));
		free(pop());
	}
	return NULL;
}

int main(void)
{
	pthread_t th[T];

	for (int i = 0; i < T; i++)
		if (pthread_create(&th[i], NULL, worker, NULL))
			return 1;
	for (int i = 0; i < T; i++)
		pthread_join(th[i], NULL);
	return qlen == 0 ? 0 : 1;
}
