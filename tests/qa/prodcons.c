/* prodcons.c - producers and consumers on a queue; consumers leak some. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPROD 3
#define NCONS 3
#define PER_PROD 2000

struct msg {
	int id;
	char *body;
	struct msg *next;
};

static struct msg *head, *tail;
static int done_producers;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void *producer(void *arg)
{
	int base = (int)(long)arg * PER_PROD, i;

	for (i = 0; i < PER_PROD; i++) {
		struct msg *m = malloc(sizeof(*m));

		m->id = base + i;
		m->body = malloc(16 + (size_t)(m->id % 5) * 16);
		snprintf(m->body, 16, "m%d", m->id);
		m->next = NULL;
		pthread_mutex_lock(&mu);
		if (tail)
			tail->next = m;
		else
			head = m;
		tail = m;
		pthread_cond_signal(&cv);
		pthread_mutex_unlock(&mu);
	}
	pthread_mutex_lock(&mu);
	done_producers++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* Messages whose id is a multiple of 100 are "forgotten": their body is
 * freed but the message itself is not (definitely lost, 24 bytes each);
 * ids ending in 77 lose both (message definitely, body indirectly). */
static void *consumer(void *arg)
{
	(void)arg;
	for (;;) {
		struct msg *m;

		pthread_mutex_lock(&mu);
		while (!head && done_producers < NPROD)
			pthread_cond_wait(&cv, &mu);
		m = head;
		if (m) {
			head = m->next;
			if (!head)
				tail = NULL;
		}
		pthread_mutex_unlock(&mu);
		if (!m)
			return NULL;
		if (m->id % 100 == 77) {
			m->next = NULL;
			continue;
		}
		free(m->body);
		if (m->id % 100 == 0) {
			m->body = NULL;
			m->next = NULL;
			continue;
		}
		free(m);
	}
}

int main(void)
{
	pthread_t p[NPROD], c[NCONS];
	int i;
	unsigned long ib = 0, n = NPROD * PER_PROD;

	for (i = 0; i < NCONS; i++)
		pthread_create(&c[i], NULL, consumer, NULL);
	for (i = 0; i < NPROD; i++)
		pthread_create(&p[i], NULL, producer, (void *)(long)i);
	for (i = 0; i < NPROD; i++)
		pthread_join(p[i], NULL);
	for (i = 0; i < NCONS; i++)
		pthread_join(c[i], NULL);
	for (i = 77; i < (int)n; i += 100)
		ib += 16 + (size_t)(i % 5) * 16;
	printf("expect D=%lu/%lu I=%lu/%lu\n", 2 * n / 100,
	       2 * n / 100 * sizeof(struct msg), n / 100, ib);
	return 0;
}
