/*
 * crossfree.c - threads that free each other's blocks (the ordering test).
 *
 * Four threads in a ring: thread i allocates 20000 blocks of 1101 + (k % 8)
 * bytes (k = 0..19999) and hands each to thread i+1 (mod 4) through that
 * thread's queue; after each allocation it frees whatever blocks thread i-1
 * has handed it so far.  Main frees what is left in the queues after the
 * threads end.  So every block is freed by another thread than the one that
 * made it.  The sizes are above glibc's tcache limit (1032 bytes): a freed
 * block goes back to its maker's arena and is reused by its maker at once,
 * so a recorder that stamps a free after the real free (or an allocation
 * before it returns) shows an address allocated twice with no free between.
 *
 * Known answer (one process, 5 threads): 80000 ALLOC of sizes 1101..1108
 * (10000 of each size) from the 4 workers, 80000 FREE of those blocks, each
 * by a thread other than the block's maker, and in the trace no address is
 * allocated twice without a free between.  Exit status 0.
 */
#include <pthread.h>
#include <stdlib.h>

#include "apps.h"

#define T 4
#define ITER 20000

struct queue {
	pthread_mutex_t lock;
	void *item[ITER]; /* each queue receives exactly ITER blocks */
	int head, tail;
};

static struct queue q[T];
static pthread_barrier_t start;

static void *worker(void *arg)
{
	int i = (int)(intptr_t)arg;
	struct queue *next = &q[(i + 1) % T], *mine = &q[i];

	pthread_barrier_wait(&start);
	for (int k = 0; k < ITER; k++) {
		void *p = malloc(opaque_size(1101 + (k % 8)));

		pthread_mutex_lock(&next->lock);
		next->item[next->tail++] = p;
		pthread_mutex_unlock(&next->lock);
		for (;;) {
			void *f = NULL;

			pthread_mutex_lock(&mine->lock);
			if (mine->head < mine->tail)
				f = mine->item[mine->head++];
			pthread_mutex_unlock(&mine->lock);
			if (!f)
				break;
			free(f);
		}
	}
	return NULL;
}

int main(void)
{
	pthread_t th[T];

	pthread_barrier_init(&start, NULL, T);
	for (int i = 0; i < T; i++)
		pthread_mutex_init(&q[i].lock, NULL);
	for (int i = 0; i < T; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i))
			return 1;
	for (int i = 0; i < T; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < T; i++)
		while (q[i].head < q[i].tail)
			free(q[i].item[q[i].head++]);
	return 0;
}
