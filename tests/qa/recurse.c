/* recurse.c - many small allocations from a recursive function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long nalloc, nfree, live_bytes;
static void *keep[64];
static void **volatile sink; /* keeps the compiler from eliding malloc */

/* At each depth allocate (depth % 7) + 1 blocks of depth*8 bytes; keep
 * the first block of every 8th depth, free the rest. */
static void __attribute__((noinline)) walk(int depth, int max)
{
	int i, n = depth % 7 + 1;
	void *p[8];

	if (depth > max)
		return;
	for (i = 0; i < n; i++) {
		p[i] = malloc((size_t)depth * 8 + 8);
		memset(p[i], depth, (size_t)depth * 8 + 8);
		nalloc++;
		live_bytes += (size_t)depth * 8 + 8;
	}
	walk(depth + 1, max);
	for (i = 0; i < n; i++) {
		if (i == 0 && depth % 8 == 0) {
			keep[depth / 8] = p[i];
			continue;
		}
		free(p[i]);
		nfree++;
		live_bytes -= (size_t)depth * 8 + 8;
	}
	asm volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	/* Stacks stay shallower than the recorder's default depth (64). */
	int rounds = argc > 1 ? atoi(argv[1]) : 200, r, i;
	int max = argc > 2 ? atoi(argv[2]) : 40;
	char buf[128];
	int len;

	for (r = 0; r < rounds; r++)
		walk(1, max);
	/* Each round overwrote the kept blocks of the round before (lost);
	 * free the last round's. */
	for (i = 0; i < 64; i++)
		if (keep[i]) {
			free(keep[i]);
			nfree++;
			live_bytes -= (size_t)i * 8 * 8 + 8;
			keep[i] = NULL;
		}
	/* Leak one round of kept blocks on purpose, through a lost array. */
	walk(1, max);
	{
		sink = malloc(sizeof(keep));
		memcpy(sink, keep, sizeof(keep));
		memset(keep, 0, sizeof(keep));
		nalloc++;
		live_bytes += sizeof(keep);
		sink = NULL;
	}
	/* write(2), not stdio: no stdio buffer is allocated. */
	len = snprintf(buf, sizeof(buf),
		       "expect allocs=%lu frees=%lu live_bytes=%lu\n", nalloc,
		       nfree, live_bytes);
	if (write(1, buf, (size_t)len) < 0)
		return 1;
	return 0;
}
