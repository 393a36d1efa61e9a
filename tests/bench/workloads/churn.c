/*
 * churn.c - the recorder benchmark's allocation churn workload.
 *
 * usage: churn [-t THREADS] [-n PAIRS]
 *
 * PAIRS (default 10000000) malloc/free pairs in all, split evenly over
 * THREADS threads (default 1).  Each pair comes from one of 20 call sites,
 * each reached through its own recursion depth between 5 and 30 frames;
 * sizes are mixed (60% 16-128 bytes, 30% up to 1 KiB, 9% up to 8 KiB, 1% up
 * to 64 KiB).  A ring of 256 live blocks per thread: each new block replaces
 * (frees) the one allocated 256 pairs earlier.  Everything is deterministic
 * (a fixed-seed generator per thread), so every run makes the same calls.
 * Built -O2 without frame pointers, as distributions build.
 *
 * At the end it prints "bench-peak-rss-kb N" (VmHWM of the process) and
 * "bench-app-cpu-s S" (its own user + system time, all threads) to standard
 * error, so the benchmark can report the app's own figures whatever runs
 * around it.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>

#define NSITE 20
#define RING 256

struct state {
	unsigned long long rng;
	void *ring[RING];
	unsigned pos;
	long pairs;
};

static unsigned next_rand(struct state *s)
{
	s->rng = s->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(s->rng >> 33);
}

static size_t pick_size(struct state *s)
{
	unsigned r = next_rand(s), c = r % 100;

	r >>= 7;
	if (c < 60)
		return 16 + r % 113;
	if (c < 90)
		return 128 + r % 897;
	if (c < 99)
		return 1024 + r % 7169;
	return 8192 + r % 57345;
}

/* One allocation site: a new block into the ring, the old one freed. */
#define SITE(k)                                                        \
	__attribute__((noinline)) static void site##k(struct state *s) \
	{                                                              \
		void *p = malloc(pick_size(s) + (k));                  \
		unsigned i = s->pos++ % RING;                          \
		free(s->ring[i]);                                      \
		s->ring[i] = p;                                        \
		__asm__ volatile("" ::: "memory");                     \
	}

/* The sites are definitions, not statements: keep them as written. */
/* clang-format off */
SITE(0) SITE(1) SITE(2) SITE(3) SITE(4) SITE(5) SITE(6) SITE(7) SITE(8)
SITE(9) SITE(10) SITE(11) SITE(12) SITE(13) SITE(14) SITE(15) SITE(16)
SITE(17) SITE(18) SITE(19)

static void (*const sites[NSITE])(struct state *) = {
	site0,	site1,	site2,	site3,	site4,	site5,	site6,
	site7,	site8,	site9,	site10, site11, site12, site13,
	site14, site15, site16, site17, site18, site19,
};
/* clang-format on */

/* Recursion to the site's depth; the work after the call keeps each frame. */
__attribute__((noinline)) static int descend(struct state *s, int depth, int k)
{
	int r;

	if (depth <= 0) {
		sites[k](s);
		return 1;
	}
	r = descend(s, depth - 1, k);
	__asm__ volatile("" ::: "memory");
	return r + 1;
}

static void *run(void *arg)
{
	struct state *s = arg;

	for (long i = 0; i < s->pairs; i++) {
		int k = (int)(next_rand(s) % NSITE);
		/* sites at depths 5..30 below run() */
		descend(s, 4 + k * 25 / (NSITE - 1), k);
	}
	for (int i = 0; i < RING; i++)
		free(s->ring[i]);
	return NULL;
}

static void print_self(void)
{
	char line[256];
	struct rusage ru;
	FILE *f = fopen("/proc/self/status", "r");

	if (getrusage(RUSAGE_SELF, &ru) == 0)
		fprintf(stderr, "bench-app-cpu-s %.3f\n",
			ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
				ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmHWM:", 6) == 0)
			fprintf(stderr, "bench-peak-rss-kb %ld\n",
				strtol(line + 6, NULL, 10));
	fclose(f);
}

int main(int argc, char **argv)
{
	long pairs = 10000000;
	int nthread = 1;
	struct state *st;
	pthread_t *th;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-t") == 0)
			nthread = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-n") == 0)
			pairs = atol(argv[i + 1]);
	}
	if (nthread < 1 || nthread > 64 || pairs < 0) {
		fprintf(stderr, "usage: churn [-t THREADS] [-n PAIRS]\n");
		return 2;
	}
	st = calloc((size_t)nthread, sizeof(*st));
	th = calloc((size_t)nthread, sizeof(*th));
	for (int t = 0; t < nthread; t++) {
		st[t].rng = 0x9e3779b97f4a7c15ULL * (unsigned)(t + 1);
		st[t].pairs = pairs / nthread + (t < pairs % nthread);
	}
	if (nthread == 1) {
		run(&st[0]);
	} else {
		for (int t = 0; t < nthread; t++)
			if (pthread_create(&th[t], NULL, run, &st[t]))
				return 1;
		for (int t = 0; t < nthread; t++)
			pthread_join(th[t], NULL);
	}
	free(st);
	free(th);
	print_self();
	return 0;
}
