/*
 * Leaks from 4 threads.  Thread i loses a (100 + i)-byte block, loses a
 * 48-byte block holding the only pointer to a 16-byte block, and links a
 * 64-byte node into a global list (still reachable).
 */
#include "leak.h"

#include <pthread.h>
#include <stdlib.h>

struct node {
	struct node *next;
	char pad[56];
};

struct node *g_list;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static __attribute__((noinline)) void work(long i)
{
	void **pair;
	struct node *n;

	leak_keep(leak_alloc(100 + (size_t)i));
	pair = leak_alloc(48);
	*pair = leak_alloc(16);
	n = leak_alloc(sizeof(*n));
	pthread_mutex_lock(&g_lock);
	n->next = g_list;
	g_list = n;
	pthread_mutex_unlock(&g_lock);
}

static void *run(void *arg)
{
	work((long)arg);
	leak_scrub_stack();
	return NULL;
}

int main(void)
{
	struct leak_want e = { { 8, 4, 0, 4 },
			       { 406 + 4 * 48, 4 * 16, 0, 4 * 64 } };
	pthread_t t[4];
	long i;

	leak_expect("main", &e);
	for (i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, run, (void *)i))
			abort();
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	leak_scrub_stack();
	return 0;
}
