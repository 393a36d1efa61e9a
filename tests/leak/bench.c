/*
 * Speed of leakscan_classify() on a synthetic heap: N blocks of 48 bytes
 * laid out in one buffer (half of them linked from the roots, the rest in
 * lost lists, every word a pointer or a small integer), read through a
 * memcpy callback.  Prints blocks, bytes scanned and seconds.
 * Usage: bench [NBLOCKS] (default 2000000, about 100 MB of blocks)
 */
#include "leakscan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct mem {
	uint64_t base;
	size_t len;
	unsigned char *p;
};

static int read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct mem *m = ctx;

	if (addr < m->base || addr - m->base > m->len ||
	    len > m->len - (addr - m->base))
		return -1;
	memcpy(buf, m->p + (addr - m->base), len);
	return 0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000000;
	size_t i, nroot = n / 2, bsz = 48, stride = 64;
	struct mem m;
	struct leakscan_block *b = malloc(n * sizeof(*b));
	struct leakscan_range root;
	struct leakscan_stats st;
	struct timespec t0, t1;
	uint64_t *w;
	unsigned long long seed = 88172645463325252ull;
	double s;
	int err;

	m.len = (n + nroot / 8 + 1) * stride;
	m.p = calloc(1, m.len);
	m.base = 0x100000000ull;
	if (!b || !m.p)
		return 2;
	for (i = 0; i < n; i++) {
		size_t k;
		b[i].addr = m.base + i * stride;
		b[i].size = bsz;
		w = (uint64_t *)(m.p + i * stride);
		for (k = 0; k < bsz / 8; k++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			/* a pointer to some block (start or inside), or not */
			if (k == 0 && i + 1 < n)
				w[k] = b[i].addr + stride;
			else if (seed % 4 == 0)
				w[k] = m.base + (seed >> 8) % n * stride +
				       (seed % 3 ? 0 : 8);
			else
				w[k] = seed % 1000;
		}
	}
	/* Lists of 1000 blocks: every 1000th block starts one. */
	for (i = 999; i < n; i += 1000)
		((uint64_t *)(m.p + i * stride))[0] = 0;
	root.lo = m.base + n * stride;
	root.hi = m.base + m.len;
	w = (uint64_t *)(m.p + n * stride);
	for (i = 0; i < nroot / 8; i++)
		w[i] = b[(i * 7919) % n].addr;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = leakscan_classify(b, n, &root, 1, NULL, 0, read_mem, &m, &st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("blocks %zu scanned %llu bytes in %.3f s (%.0f MB/s), reads %llu,"
	       " D %llu I %llu P %llu R %llu, err %d\n",
	       n, (unsigned long long)st.scanned_bytes, s,
	       st.scanned_bytes / s / 1e6, (unsigned long long)st.read_calls,
	       (unsigned long long)st.blocks[0],
	       (unsigned long long)st.blocks[1],
	       (unsigned long long)st.blocks[2],
	       (unsigned long long)st.blocks[3], err);
	free(b);
	free(m.p);
	return err ? 1 : 0;
}
