/* stalestack.c - a thread allocates 777 bytes in a function that returns
 * and forgets the pointer (a stale copy stays below its stack pointer),
 * keeps a 888-byte block in a live frame, and blocks in pause() while main
 * returns.  Known answer, as memcheck's: the 777 bytes definitely lost, the
 * 888 bytes still reachable. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int ready;

static __attribute__((noinline)) void helper(void)
{
	void *volatile p = malloc(777);

	(void)p;
}

static __attribute__((noinline)) void deep(void)
{
	char buf[256];

	memset(buf, 1, sizeof(buf));
	__asm__ volatile("" : : "r"(buf) : "memory");
	helper();
}

static void *th(void *arg)
{
	void *volatile keep = malloc(888);

	(void)arg;
	deep();
	ready = 1;
	for (;;)
		pause();
	return keep;
}

int main(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, th, NULL))
		return 2;
	while (!ready)
		usleep(1000);
	usleep(20000);
	return 0;
}
