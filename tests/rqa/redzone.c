/* redzone.c - a thread forgets a 166-byte block in a function it calls
 * (the pointer lived in that function's frame and in the recorder's hook
 * below it), tells main it is ready and blocks in pause(); another thread
 * keeps a 155-byte block in thread-local storage and blocks too; main
 * exits.  The stale copies of the forgotten pointer lie just below the
 * blocked thread's stack pointer, where a leaf function's red zone would
 * be.  Known answer, as memcheck's: the 166 bytes definitely lost, the 155
 * bytes still reachable. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int started;
__thread void *volatile kept; /* read by nobody: volatile, to stay */

static void ready(void)
{
	pthread_mutex_lock(&mu);
	started++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void *keeper(void *arg)
{
	kept = malloc(155);
	ready();
	for (;;)
		pause();
	return arg;
}

static __attribute__((noinline)) void forget(void)
{
	void *volatile p = malloc(166);

	(void)p;
}

static void *forgetter(void *arg)
{
	forget();
	ready();
	for (;;)
		pause();
	return arg;
}

int main(void)
{
	pthread_t t1, t2;

	if (pthread_create(&t1, NULL, keeper, NULL) ||
	    pthread_create(&t2, NULL, forgetter, NULL))
		return 2;
	pthread_mutex_lock(&mu);
	while (started < 2)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	exit(0);
}
