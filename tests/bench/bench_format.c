/* bench_format.c - trace format size and speed on real malloc/free events. */

/*
 * usage: bench_format [EVENTS] [LEVEL]
 *
 * Builds a stream of EVENTS (default 10000000) allocation and free events
 * by really calling malloc and free with a realistic size mix and keeping
 * the addresses they return, Zipf-distributed stack ids over 4096 stacks,
 * and nanosecond timestamps from clock_gettime(CLOCK_MONOTONIC).  Then it
 * times, on one core each, writing the stream with mpt_writer (encode +
 * compress at zstd LEVEL, default 0 = the writer's default) into memory,
 * and reading it back with mpt_reader_memopen (decompress + decode), record
 * by record, in batches (mpt_reader_next_batch()), and in batches with
 * decompression on a helper thread (mpt_reader_set_threads()).  The
 * generation itself is not timed.  Prints one table.  With the environment
 * variable BENCH_FORMAT_TRACE=FILE the trace is also saved to FILE.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mptrace.h"

#define NSTACK 4096
#define LIVE_MAX 200000

struct ev {
	uint64_t time;
	uint64_t addr;
	uint64_t size; /* 0: a free */
	uint32_t stack;
	uint8_t func;
};

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static double unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sizes as programs ask for them: mostly small, a long tail. */
static uint64_t pick_size(void)
{
	double u = unit();

	if (u < 0.55)
		return 8 + rnd() % 57; /* 8-64 */
	if (u < 0.85)
		return 64 + rnd() % 449; /* 64-512 */
	if (u < 0.97)
		return 512 + rnd() % 3585; /* 512-4K */
	if (u < 0.997)
		return 4096 + rnd() % 61441; /* 4K-64K */
	return 65536 + rnd() % 983041;	     /* 64K-1M */
}

static double zipf_cdf[NSTACK];

static uint32_t pick_stack(void)
{
	double u = unit();
	size_t lo = 0, hi = NSTACK - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (zipf_cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (uint32_t)lo + 1;
}

static void die(const char *what, int err, const char *msg)
{
	fprintf(stderr, "bench_format: %s: %s%s%s\n", what, mpt_strerror(err),
		msg ? ": " : "", msg ? msg : "");
	exit(1);
}

/* A memory "file" the writer appends to (a memfd keeps write() honest). */
static int memfd(void)
{
	int fd = memfd_create("trace", 0);

	if (fd < 0) {
		perror("bench_format: memfd_create");
		exit(1);
	}
	return fd;
}

/* With BENCH_FORMAT_TRACE=FILE, keep the trace for a closer look. */
static void save(const void *buf, size_t len)
{
	const char *path = getenv("BENCH_FORMAT_TRACE");
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "w");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/*
 * Read the trace at `map` back, timed: record by record (how 0), in
 * batches (1), in batches with decompression on a helper thread (2).
 * Returns the events read; *sec the wall time, *cpu this thread's.
 */
static uint64_t read_back(const void *map, size_t size, int how, double *sec,
			  double *cpu)
{
	static struct mpt_record rec[1024];
	struct mpt_reader *r;
	uint64_t t0, nread = 0;
	double c0;
	int err = 0, rc, i;

	r = mpt_reader_memopen(map, size, 0, &err);
	if (!r)
		die("reader", err, NULL);
	t0 = now_ns();
	c0 = cpu_s();
	if (how == 2 && (err = mpt_reader_set_threads(r, 1)) < 0)
		die("threads", err, NULL);
	if (how == 0) {
		while ((rc = mpt_reader_next(r, rec)) > 0)
			if (rec[0].type == MPT_REC_ALLOC ||
			    rec[0].type == MPT_REC_FREE)
				nread++;
	} else {
		while ((rc = mpt_reader_next_batch(r, rec, 1024)) > 0)
			for (i = 0; i < rc; i++)
				if (rec[i].type == MPT_REC_ALLOC ||
				    rec[i].type == MPT_REC_FREE)
					nread++;
	}
	*cpu = cpu_s() - c0;
	*sec = (double)(now_ns() - t0) / 1e9;
	if (rc < 0)
		die("read", rc, mpt_reader_errmsg(r));
	mpt_reader_close(r);
	return nread;
}

/* One line of the table: measure, value with `prec` decimals, target. */
static void row(const char *what, int prec, double v, const char *target)
{
	printf("%-28s %14.*f %10s\n", what, prec, v, target);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	int level = argc > 2 ? atoi(argv[2]) : 0;
	struct ev *ev = calloc(n, sizeof(*ev));
	void **live = calloc(LIVE_MAX, sizeof(*live));
	size_t nlive = 0, i, nalloc = 0;
	struct mpt_writer_opts wo = { level, 0, 0 };
	struct mpt_writer *w;
	struct mpt_reader *r;
	struct mpt_record rec;
	uint64_t t0, t1, frames[64], base, wbytes, nread = 0, decoded = 0;
	double c0, c1, sum = 0, wsec, rsec, wcpu, rcpu, bsec, bcpu, tsec, tcpu;
	off_t size;
	void *map;
	int fd, err = 0, rc;

	if (!ev || !live || !n) {
		fprintf(stderr, "bench_format: cannot allocate %zu events\n",
			n);
		return 1;
	}
	for (i = 0; i < NSTACK; i++)
		zipf_cdf[i] = (sum += 1.0 / pow((double)(i + 1), 1.1));
	for (i = 0; i < NSTACK; i++)
		zipf_cdf[i] /= sum;

	/*
	 * The stream: a live set that grows towards LIVE_MAX / 2 and then
	 * churns, so allocations and frees come about half and half.
	 */
	base = now_ns();
	for (i = 0; i < n; i++) {
		int do_alloc = nlive == 0 ||
			       (nlive < LIVE_MAX &&
				unit() < (nlive < LIVE_MAX / 2 ? 0.6 : 0.5));

		if (do_alloc) {
			uint64_t sz = pick_size();
			void *p = malloc(sz);

			if (!p) {
				perror("bench_format: malloc");
				return 1;
			}
			memset(p, 0, sz < 64 ? sz : 64);
			live[nlive++] = p;
			ev[i].time = now_ns() - base;
			ev[i].addr = (uint64_t)(uintptr_t)p;
			ev[i].size = sz;
			ev[i].stack = pick_stack();
			ev[i].func = MPT_FN_MALLOC;
			nalloc++;
		} else {
			size_t k = (size_t)(rnd() % nlive);
			void *p = live[k];

			live[k] = live[--nlive];
			/* A free's time is taken before the real free. */
			ev[i].addr = (uint64_t)(uintptr_t)p;
			ev[i].time = now_ns() - base;
			free(p);
			ev[i].func = MPT_FN_FREE;
		}
	}
	while (nlive)
		free(live[--nlive]);

	/* Write: header, stack definitions, then every event. */
	fd = memfd();
	w = mpt_writer_new(fd, &wo, &err);
	if (!w)
		die("writer", err, NULL);
	t0 = now_ns();
	c0 = cpu_s();
	memset(&rec, 0, sizeof(rec));
	rec.type = MPT_REC_HEADER;
	rec.u.header.major = MPT_VERSION_MAJOR;
	rec.u.header.minor = MPT_VERSION_MINOR;
	rec.u.header.clock_id = CLOCK_MONOTONIC;
	rec.u.header.page_size = 4096;
	if ((rc = mpt_writer_put(w, &rec)) < 0)
		die("put header", rc, mpt_writer_errmsg(w));
	for (i = 0; i < NSTACK; i++) {
		size_t k, depth = 8 + i % 23;

		for (k = 0; k < depth; k++)
			frames[k] = 0x555555554000ull +
				    ((i * 31 + k * 977) % 65536) * 16;
		memset(&rec, 0, sizeof(rec));
		rec.type = MPT_REC_STACK;
		rec.u.stack.id = i + 1;
		rec.u.stack.nframe = (uint32_t)depth;
		rec.u.stack.frame = frames;
		if ((rc = mpt_writer_put(w, &rec)) < 0)
			die("put stack", rc, mpt_writer_errmsg(w));
	}
	memset(&rec, 0, sizeof(rec));
	rec.pid = rec.tid = 4242;
	for (i = 0; i < n; i++) {
		rec.time = ev[i].time;
		if (ev[i].size) {
			rec.type = MPT_REC_ALLOC;
			rec.u.alloc.func = ev[i].func;
			rec.u.alloc.flags = 0;
			rec.u.alloc.size = ev[i].size;
			rec.u.alloc.addr = ev[i].addr;
			rec.u.alloc.stack = ev[i].stack;
			rec.u.alloc.align = 0;
			rec.u.alloc.old_addr = 0;
		} else {
			rec.type = MPT_REC_FREE;
			rec.u.free.func = ev[i].func;
			rec.u.free.addr = ev[i].addr;
		}
		if ((rc = mpt_writer_put(w, &rec)) < 0)
			die("put event", rc, mpt_writer_errmsg(w));
	}
	if ((rc = mpt_writer_finish(w, 0)) < 0)
		die("finish", rc, mpt_writer_errmsg(w));
	c1 = cpu_s();
	t1 = now_ns();
	wsec = (double)(t1 - t0) / 1e9;
	wcpu = c1 - c0;
	wbytes = mpt_writer_bytes(w);
	mpt_writer_free(w);

	/* Read it back from memory. */
	size = lseek(fd, 0, SEEK_END);
	map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		perror("bench_format: mmap");
		return 1;
	}
	save(map, (size_t)size);
	nread = read_back(map, (size_t)size, 0, &rsec, &rcpu);
	if (nread != n || read_back(map, (size_t)size, 1, &bsec, &bcpu) != n ||
	    read_back(map, (size_t)size, 2, &tsec, &tcpu) != n) {
		fprintf(stderr, "bench_format: read %llu events, wrote %zu\n",
			(unsigned long long)nread, n);
		return 1;
	}

	/* Untimed: the decoded size of the events, before compression. */
	r = mpt_reader_memopen(map, (size_t)size, 0, &err);
	if (!r)
		die("reader", err, NULL);
	while ((rc = mpt_reader_next(r, &rec)) > 0)
		if (rec.type == MPT_REC_ALLOC || rec.type == MPT_REC_FREE)
			decoded += mpt_reader_record_bytes(r);
	mpt_reader_close(r);
	munmap(map, (size_t)size);
	close(fd);

	printf("# trace format: %zu events (%zu alloc, %zu free), %d stacks, "
	       "zstd level %s\n",
	       n, nalloc, n - nalloc, NSTACK, level ? argv[2] : "default");
	printf("%-28s %14s %10s\n", "measure", "value", "target");
	row("compressed bytes/event", 3, (double)size / (double)n, "-");
	row("decoded bytes/event", 3, (double)decoded / (double)n, "-");
	row("write M events/s (wall)", 2, (double)n / wsec / 1e6, ">= 10");
	row("write M events/s (cpu)", 2, (double)n / wcpu / 1e6, "");
	row("read M events/s (wall)", 2, (double)n / rsec / 1e6, ">= 40");
	row("read M events/s (cpu)", 2, (double)n / rcpu / 1e6, "");
	row("read batch M events/s (wall)", 2, (double)n / bsec / 1e6, "");
	row("read batch M events/s (cpu)", 2, (double)n / bcpu / 1e6, "");
	row("read 2 threads M ev/s (wall)", 2, (double)n / tsec / 1e6, "");
	row("read 2 threads M ev/s (cpu1)", 2, (double)n / tcpu / 1e6, "");
	row("trace bytes", 0, (double)size, "");
	row("writer bytes", 0, (double)wbytes, "");
	free(ev);
	free(live);
	return 0;
}
