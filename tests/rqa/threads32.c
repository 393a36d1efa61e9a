/* threads32.c - 32 threads malloc and free 31003-byte blocks without end;
 * main calls exit(3) while they run (each thread naps 1 ms every 10
 * pairs, to keep the trace small). */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static void *worker(void *arg)
{
	(void)arg;
	for (unsigned i = 1;; i++) {
		void *volatile p = malloc(31003);
		free(p);
		if (i % 10 == 0)
			usleep(1000);
	}
	return NULL;
}

int main(void)
{
	pthread_t t;

	for (int i = 0; i < 32; i++)
		if (pthread_create(&t, NULL, worker, NULL))
			return 2;
	usleep(100000);
	exit(3);
}
