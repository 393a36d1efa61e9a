/*
 * Unit tests of the reader's helper thread (mpt_reader_set_threads()), of
 * mpt_reader_next_batch() and of mpt_reader_next_run(): each delivers
 * exactly what mpt_reader_next() alone does, records, end, cut and errors
 * (code, message, byte offset).
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <zstd.h>

#include "mptrace.h"
#include "unit_trace.h"
#include "varint.h"

#define ZSTD_MAGIC 0xFD2FB528u

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/*
 * A trace of `n` records of many kinds in small frames (so: many frames),
 * written by the writer into memory.  Returns the bytes; *len their count.
 */
static uint8_t *make_trace(int n, uint32_t frame_max, size_t *len)
{
	static const uint64_t frames[5] = { 0x401000, 0x401234, 0x7f0000001000,
					    0x402000, 0x7f0000002000 };
	static const struct mpt_bytes argv[2] = { { "prog", 4 }, { "-x", 2 } };
	struct mpt_writer_opts opts = { 0, frame_max, 0 };
	struct mpt_writer *w;
	struct mpt_record r;
	uint64_t live[64] = { 0 }, t = 0;
	int fd = memfd_create("trace", 0), err = 0, i;

	assert_true(fd >= 0);
	w = mpt_writer_new(fd, &opts, &err);
	assert_non_null(w);
	memset(&r, 0, sizeof(r));
	r.type = MPT_REC_HEADER;
	r.u.header.host.ptr = "host";
	r.u.header.host.len = 4;
	r.u.header.argc = 2;
	r.u.header.argv = argv;
	assert_int_equal(mpt_writer_put(w, &r), 0);
	for (i = 0; i < n; i++) {
		uint64_t x = rnd();
		unsigned k = (unsigned)(x % 64);

		memset(&r, 0, sizeof(r));
		t += (x >> 8) % 3 ? (x >> 12) % 1000 : 0;
		r.time = t;
		r.pid = 100 + (uint32_t)((x >> 20) % 2);
		r.tid = r.pid + (uint32_t)((x >> 22) % 3);
		switch ((x >> 24) % 50) {
		case 0:
			r.type = MPT_REC_STACK;
			r.pid = r.tid = 0;
			r.u.stack.id = (uint64_t)i + 1;
			r.u.stack.nframe = 1 + (uint32_t)((x >> 32) % 5);
			r.u.stack.frame = frames;
			break;
		case 1:
			r.type = MPT_REC_MARKER;
			r.u.marker.label.ptr = "a marker";
			r.u.marker.label.len = 1 + (uint32_t)((x >> 32) % 8);
			break;
		case 2:
			r.type = MPT_REC_THREAD_NAME;
			r.u.thread_name.name.ptr = "worker";
			r.u.thread_name.name.len = 6;
			break;
		case 3:
			r.type = MPT_REC_ALLOC;
			r.u.alloc.func = MPT_FN_MEMALIGN;
			r.u.alloc.size = x >> 40;
			r.u.alloc.addr = (x & 0xffffffff0ull) | 0x100;
			r.u.alloc.align = 64;
			break;
		case 4:
			/* A realloc, after its free half. */
			r.type = MPT_REC_ALLOC;
			r.u.alloc.func = MPT_FN_REALLOC;
			r.u.alloc.size = (x >> 32) % 9000;
			r.u.alloc.addr = 0x555600000000ull + (x & 0xfff0) +
					 ((uint64_t)k << 20);
			r.u.alloc.old_addr = live[k];
			live[k] = r.u.alloc.addr;
			break;
		case 5:
			/* Sampled, or failed. */
			r.type = MPT_REC_ALLOC;
			r.u.alloc.func = MPT_FN_CALLOC;
			r.u.alloc.size = x >> 44;
			r.u.alloc.flags = x & 0x100 ? MPT_ALLOC_SAMPLED :
						      MPT_ALLOC_FAILED;
			r.u.alloc.addr =
				x & 0x100 ? 0x555700000000ull + (x & 0xfff0) :
					    0;
			break;
		case 6:
			/* A function number from a newer recorder. */
			r.type = MPT_REC_FREE;
			r.u.free.func = 300 + (uint32_t)(x & 1);
			r.u.free.addr = 0x555800000000ull + (x & 0xfff0);
			break;
		default:
			if (live[k]) {
				r.type = MPT_REC_FREE;
				r.u.free.func = MPT_FN_FREE;
				r.u.free.addr = live[k];
				live[k] = 0;
			} else {
				r.type = MPT_REC_ALLOC;
				r.u.alloc.func = MPT_FN_MALLOC;
				r.u.alloc.size = (x >> 32) % 5000;
				r.u.alloc.addr = 0x555500000000ull +
						 (x & 0xfff0) +
						 ((uint64_t)k << 20);
				r.u.alloc.stack = (x >> 48) % 30;
				live[k] = r.u.alloc.addr;
			}
			break;
		}
		assert_int_equal(mpt_writer_put(w, &r), 0);
	}
	return unit_finish_slurp(w, fd, len);
}

static int bytes_same(struct mpt_bytes a, struct mpt_bytes b)
{
	return a.len == b.len && (!a.len || !memcmp(a.ptr, b.ptr, a.len));
}

/* The fields of the kinds make_trace() writes. */
static void assert_rec_same(const struct mpt_record *a,
			    const struct mpt_record *b)
{
	uint32_t i;

	assert_int_equal(a->type, b->type);
	assert_true(a->time == b->time);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->tid, b->tid);
	if (unit_heap_rec_same(a, b))
		return;
	switch (a->type) {
	case MPT_REC_STACK:
		assert_true(a->u.stack.id == b->u.stack.id);
		assert_int_equal(a->u.stack.nframe, b->u.stack.nframe);
		for (i = 0; i < a->u.stack.nframe; i++)
			assert_true(a->u.stack.frame[i] == b->u.stack.frame[i]);
		break;
	case MPT_REC_MARKER:
		assert_true(bytes_same(a->u.marker.label, b->u.marker.label));
		break;
	case MPT_REC_THREAD_NAME:
		assert_true(bytes_same(a->u.thread_name.name,
				       b->u.thread_name.name));
		break;
	case MPT_REC_HEADER:
		assert_true(bytes_same(a->u.header.host, b->u.header.host));
		assert_int_equal(a->u.header.argc, b->u.header.argc);
		for (i = 0; i < a->u.header.argc; i++)
			assert_true(bytes_same(a->u.header.argv[i],
					       b->u.header.argv[i]));
		break;
	case MPT_REC_END:
		assert_true(a->u.end.records == b->u.end.records);
		assert_true(a->u.end.events == b->u.end.events);
		break;
	}
}

enum how { ONE, THREADS, BATCH, THREADS_BATCH, RUN, THREADS_RUN };

/* How the last compare_reads() ended: code and message. */
static int last_rc, last_cut;
static char last_msg[256];

/* A reader of `buf` on `how`'s terms, from memory or a memfd. */
static struct mpt_reader *open_how(const uint8_t *buf, size_t len, int how,
				   int from_fd, int *fd)
{
	struct mpt_reader *r;
	int err = 1;

	*fd = -1;
	if (from_fd) {
		*fd = memfd_create("in", 0);
		assert_true(*fd >= 0);
		if (len)
			assert_int_equal(write(*fd, buf, len), (ssize_t)len);
		assert_int_equal(lseek(*fd, 0, SEEK_SET), 0);
		r = mpt_reader_fdopen(*fd, 0, &err);
	} else {
		r = mpt_reader_memopen(buf, len, 0, &err);
	}
	assert_non_null(r);
	assert_int_equal(err, 0);
	if (how == THREADS || how == THREADS_BATCH || how == THREADS_RUN)
		assert_int_equal(mpt_reader_set_threads(r, 1), 0);
	return r;
}

/*
 * Read `buf` with one thread, record by record, and `how` in lockstep:
 * the same records, then the same end or error.  Returns the records
 * before the end or error.
 */
static int compare_reads(const uint8_t *buf, size_t len, int how, int from_fd)
{
	static struct mpt_record got[300];
	const struct mpt_record *cur = got;
	struct mpt_reader *a, *b;
	struct mpt_record want;
	int fda, fdb, ra, rb = 0, n = 0, i = 0, k;

	a = open_how(buf, len, ONE, 0, &fda);
	b = open_how(buf, len, how, from_fd, &fdb);
	for (;;) {
		ra = mpt_reader_next(a, &want);
		if (i == rb) {
			/* Odd sizes, so batches end anywhere. */
			k = 1 + (int)(rnd() % 299);
			cur = got;
			if (how == BATCH || how == THREADS_BATCH)
				rb = mpt_reader_next_batch(b, got, (size_t)k);
			else if (how == RUN || how == THREADS_RUN)
				rb = mpt_reader_next_run(b, &cur);
			else
				rb = mpt_reader_next(b, got);
			i = 0;
			if (rb <= 0) {
				assert_int_equal(rb, ra);
				break;
			}
			assert_true(rb <= (how >= RUN ? 256 : k));
		}
		assert_int_equal(ra, 1);
		assert_rec_same(&want, &cur[i]);
		/* Record by record, each one's encoded size too. */
		if (how == THREADS)
			assert_int_equal(mpt_reader_record_bytes(a),
					 mpt_reader_record_bytes(b));
		i++;
		n++;
	}
	assert_string_equal(mpt_reader_errmsg(a), mpt_reader_errmsg(b));
	last_rc = ra;
	last_cut = mpt_reader_is_cut(a);
	snprintf(last_msg, sizeof(last_msg), "%s", mpt_reader_errmsg(a));

	assert_int_equal(mpt_reader_is_cut(a), mpt_reader_is_cut(b));
	assert_int_equal(mpt_reader_has_index(a), mpt_reader_has_index(b));
	assert_true(mpt_reader_frames(a) == mpt_reader_frames(b));
	assert_true(mpt_reader_offset(a) == mpt_reader_offset(b));
	assert_true(mpt_reader_bytes(a) == mpt_reader_bytes(b));
	/* Errors stay. */
	if (ra < 0) {
		assert_int_equal(mpt_reader_next(b, got), ra);
		assert_int_equal(mpt_reader_next_batch(b, got, 5), ra);
		assert_int_equal(mpt_reader_next_run(b, &cur), ra);
	} else {
		assert_int_equal(mpt_reader_next_batch(b, got, 5), 0);
		assert_int_equal(mpt_reader_next_run(b, &cur), 0);
	}
	mpt_reader_close(a);
	mpt_reader_close(b);
	if (fdb >= 0)
		close(fdb);
	return n;
}

/* Every way against one thread; returns the records before the end. */
static int compare_all(const uint8_t *buf, size_t len)
{
	int how, from_fd, n = -1;

	for (how = THREADS; how <= THREADS_RUN; how++)
		for (from_fd = 0; from_fd < 2; from_fd++) {
			int m = compare_reads(buf, len, how, from_fd);

			assert_true(n < 0 || m == n);
			n = m;
		}
	return n;
}

/* Start of each data frame of `buf`, in order; returns how many. */
static size_t data_frames(const uint8_t *buf, size_t len, size_t *off,
			  size_t max)
{
	size_t pos = 0, n = 0;

	while (pos < len && n < max) {
		size_t c = ZSTD_findFrameCompressedSize(buf + pos, len - pos);
		uint32_t magic;

		assert_false(ZSTD_isError(c));
		memcpy(&magic, buf + pos, 4);
		if (magic == ZSTD_MAGIC)
			off[n++] = pos;
		pos += c;
	}
	return n;
}

/* Many frames, all kinds of records: the same with and without threads. */
static void test_reader_threads__same_records(void **state)
{
	size_t len;
	uint8_t *buf;

	(void)state;
	rng = 0x9e3779b97f4a7c15ull;
	buf = make_trace(60000, 2048, &len);
	compare_all(buf, len);
	/* And on 1 MiB frames, the size the recorder writes. */
	free(buf);
	buf = make_trace(300000, 0, &len);
	compare_all(buf, len);
	free(buf);
}

/* A trace cut anywhere: the records of the whole frames, then "cut". */
static void test_reader_threads__cut(void **state)
{
	size_t len, cut, off[512], nf, i;
	uint8_t *buf;

	(void)state;
	rng = 0x2545f4914f6cdd1dull;
	buf = make_trace(8000, 1024, &len);
	nf = data_frames(buf, len, off, 512);
	assert_true(nf > 20);
	for (cut = 1000; cut < off[nf - 1]; cut += 1 + rnd() % 1500) {
		assert_true(compare_all(buf, cut) > 0);
		assert_int_equal(last_rc, 0);
		assert_int_equal(last_cut, 1);
		assert_string_equal(last_msg, "no error");
	}
	for (cut = 0; cut < 1000; cut += 1 + rnd() % 100)
		compare_all(buf, cut);
	/* Just before, at and after some frame starts. */
	for (i = 1; i < nf; i += 7) {
		compare_all(buf, off[i] - 1);
		compare_all(buf, off[i]);
		compare_all(buf, off[i] + 3);
		compare_all(buf, off[i] + 9);
	}
	free(buf);
}

/*
 * Replace data frame `k` of `buf` by `content` (compressed as the writer
 * does), in a new buffer.
 */
static uint8_t *replace_frame(const uint8_t *buf, size_t len, size_t k,
			      const void *content, size_t n, size_t *out_len)
{
	size_t off[512], nf = data_frames(buf, len, off, 512), c, clen;
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	uint8_t *out, *frame;

	assert_true(k < nf);
	c = ZSTD_findFrameCompressedSize(buf + off[k], len - off[k]);
	frame = malloc(ZSTD_compressBound(n));
	assert_non_null(frame);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	clen = ZSTD_compress2(cc, frame, ZSTD_compressBound(n), content, n);
	assert_false(ZSTD_isError(clen));
	ZSTD_freeCCtx(cc);
	*out_len = len - c + clen;
	out = malloc(*out_len);
	assert_non_null(out);
	memcpy(out, buf, off[k]);
	memcpy(out + off[k], frame, clen);
	memcpy(out + off[k] + clen, buf + off[k] + c, len - off[k] - c);
	free(frame);
	return out;
}

/* The decompressed content of data frame `k`; *n its size. */
static uint8_t *frame_content(const uint8_t *buf, size_t len, size_t k,
			      size_t *n)
{
	size_t off[512], nf = data_frames(buf, len, off, 512), c;
	uint8_t *out = malloc(MPT_FRAME_MAX);

	assert_true(k < nf);
	assert_non_null(out);
	c = ZSTD_findFrameCompressedSize(buf + off[k], len - off[k]);
	*n = ZSTD_decompress(out, MPT_FRAME_MAX, buf + off[k], c);
	assert_false(ZSTD_isError(*n));
	return out;
}

/* Offset of the record after `skip` records of a frame's content. */
static size_t record_at(const uint8_t *c, size_t n, int skip)
{
	const uint8_t *p = c;

	while (skip--) {
		uint64_t l = 0;

		p = mpt_varint_get(p + 1, c + n, &l);
		assert_non_null(p);
		p += l;
		assert_true(p < c + n);
	}
	return (size_t)(p - c);
}

/* A frame in the middle that does not decode, in several ways. */
static void test_reader_threads__corrupt_frame(void **state)
{
	size_t len, len2, n, off[512], nf, at;
	uint8_t *buf, *bad, *c;
	uint32_t magic = 0x184D2A3Fu;
	char where[64];
	int kind, nrec, nbad = 0;

	(void)state;
	rng = 0x123456789abcdefull;
	buf = make_trace(20000, 4096, &len);
	nf = data_frames(buf, len, off, 512);
	assert_true(nf > 10);
	for (kind = 0; kind < 7; kind++) {
		size_t k = nf / 2 + (size_t)kind;

		c = frame_content(buf, len, k, &n);
		at = record_at(c, n, 17);
		switch (kind) {
		case 0: /* a record's length runs past the frame */
			c[at + 1] = 0x7f;
			break;
		case 1: /* type 0 */
			c[at] = 0;
			break;
		case 2: /* a back-reference beyond the ring */
			c[0] = MPT_REC_FREE;
			c[1] = 3;
			c[2] = 0;
			c[3] = MPT_FN_FREE;
			c[4] = 5;
			break;
		case 3: /* a partial record at the end */
			n = at + 2;
			break;
		case 4: /* the frame goes back in time (its first record) */
			c[2] = 0;
			break;
		case 5: /* a second header */
			c[at] = MPT_REC_HEADER;
			break;
		case 6: /* no records at all */
			n = 0;
			break;
		}
		bad = replace_frame(buf, len, k, c, n, &len2);
		nrec = compare_all(bad, len2);
		if (kind == 6) {
			assert_int_equal(last_rc, 0);
		} else {
			/* Where the frame starts, after the frames before. */
			snprintf(where, sizeof(where), "byte %zu: ", off[k]);
			assert_true(last_rc < 0);
			assert_true(!strncmp(last_msg, where, strlen(where)));
			assert_true(nrec > 1000);
		}
		free(bad);
		free(c);
	}
	/* Flipped bits in the compressed bytes (zstd's checksum). */
	bad = malloc(len);
	assert_non_null(bad);
	for (at = off[3] + 20; at < off[nf - 2]; at += 1 + rnd() % 4000) {
		memcpy(bad, buf, len);
		bad[at] ^= (uint8_t)(1u << (rnd() % 8));
		compare_all(bad, len);
		nbad += last_rc < 0;
	}
	assert_true(nbad > 10);
	/* A frame magic nobody knows, in the middle. */
	memcpy(bad, buf, len);
	memcpy(bad + off[nf / 2], &magic, 4);
	compare_all(bad, len);
	assert_int_equal(last_rc, MPT_E_CORRUPT);
	free(bad);
	/* A data frame after the end record (and its index). */
	bad = malloc(len + (off[2] - off[1]));
	assert_non_null(bad);
	memcpy(bad, buf, len);
	memcpy(bad + len, buf + off[1], off[2] - off[1]);
	compare_all(bad, len + (off[2] - off[1]));
	assert_non_null(strstr(last_msg, "after the end record"));
	/* ... cut inside it. */
	compare_all(bad, len + 5);
	assert_non_null(strstr(last_msg, "after the end record"));
	free(bad);
	/* Not a trace at all, or nothing. */
	compare_all((const uint8_t *)"\x28\xb5\x2f", 3);
	compare_all((const uint8_t *)"hello, world", 12);
	compare_all((const uint8_t *)"", 0);
	assert_int_equal(last_rc, MPT_E_EMPTY);
	free(buf);
}

/* Frames that come through a pipe in small pieces, read ahead. */
static void test_reader_threads__pipe(void **state)
{
	static struct mpt_record rec[1000];
	struct mpt_reader *r;
	size_t len;
	uint8_t *buf;
	uint64_t sum = 0, want = 0;
	int pfd, err, rc, n = 0, st;
	pid_t pid;

	(void)state;
	rng = 0xdeadbeefcafef00dull;
	buf = make_trace(100000, 0, &len);
	r = mpt_reader_memopen(buf, len, 0, &err);
	assert_non_null(r);
	while ((rc = mpt_reader_next(r, rec)) > 0)
		want += rec[0].time * 7 + rec[0].type;
	assert_int_equal(rc, 0);
	mpt_reader_close(r);

	pfd = unit_pipe_feed(buf, len, 3001, &pid);
	r = mpt_reader_fdopen(pfd, 0, &err);
	assert_non_null(r);
	assert_int_equal(mpt_reader_set_threads(r, 1), 0);
	/* Once only, and not with seeking. */
	assert_int_equal(mpt_reader_set_threads(r, 1), MPT_E_INVAL);
	assert_int_equal(mpt_reader_seek(r, 0), MPT_E_INVAL);
	while ((rc = mpt_reader_next_batch(r, rec, 1000)) > 0) {
		int i;

		for (i = 0; i < rc; i++)
			sum += rec[i].time * 7 + rec[i].type;
		n += rc;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 100000 + 2);
	assert_true(sum == want);
	assert_false(mpt_reader_is_cut(r));
	assert_true(mpt_reader_bytes(r) == len);
	assert_int_equal(mpt_reader_has_index(r), 1);
	assert_int_equal(mpt_reader_header(r)->u.header.host.len, 4);
	mpt_reader_close(r);
	close(pfd);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	free(buf);
}

/* Closing a reader whose helper is still reading ahead, or waiting. */
static void test_reader_threads__close_early(void **state)
{
	struct mpt_record rec;
	struct mpt_reader *r;
	size_t len;
	uint8_t *buf;
	int err, i;

	(void)state;
	rng = 77;
	buf = make_trace(50000, 1024, &len);
	for (i = 0; i < 3; i++) {
		r = mpt_reader_memopen(buf, len, 0, &err);
		assert_non_null(r);
		assert_int_equal(mpt_reader_set_threads(r, 1), 0);
		if (i)
			assert_int_equal(mpt_reader_next(r, &rec), 1);
		if (i == 2)
			usleep(20000);
		mpt_reader_close(r);
	}
	/* After a seek the reader stays on one thread, and still works. */
	r = mpt_reader_memopen(buf, len, 0, &err);
	assert_int_equal(mpt_reader_seek(r, 1000), 0);
	assert_int_equal(mpt_reader_set_threads(r, 1), 0);
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(rec.type, MPT_REC_HEADER);
	mpt_reader_close(r);
	free(buf);
}

/*
 * A helper that has scanned to the end frees the buffers given back to
 * it, and waits for the ones still held: closing then (with a frame held,
 * or after the last record) neither waits nor frees twice, and the
 * records read meanwhile are whole.
 */
static void test_reader_threads__close_after_scan(void **state)
{
	struct mpt_record rec, want;
	struct mpt_reader *r, *one;
	size_t len;
	uint8_t *buf;
	int err, i, fd, ra, rb, n;

	(void)state;
	rng = 4242;
	/* Two frames: the helper is at the end before the first is read. */
	buf = make_trace(3000, 32768, &len);
	for (i = 0; i < 4; i++) {
		r = open_how(buf, len, THREADS, i & 1, &fd);
		one = mpt_reader_memopen(buf, len, 0, &err);
		assert_non_null(one);
		/* Let the helper reach the end and wait with a slot held. */
		assert_int_equal(mpt_reader_next(r, &rec), 1);
		assert_int_equal(mpt_reader_next(one, &want), 1);
		usleep(20000);
		/* Then a few records more, or all of them. */
		for (n = 0; i >= 2 || n < 10; n++) {
			ra = mpt_reader_next(one, &want);
			rb = mpt_reader_next(r, &rec);
			assert_int_equal(rb, ra);
			if (ra <= 0)
				break;
			assert_rec_same(&want, &rec);
		}
		if (i >= 2) {
			assert_int_equal(ra, 0);
			assert_false(mpt_reader_is_cut(r));
			assert_true(mpt_reader_bytes(r) == len);
			assert_true(mpt_reader_frames(r) ==
				    mpt_reader_frames(one));
		}
		mpt_reader_close(r);
		mpt_reader_close(one);
		if (fd >= 0)
			close(fd);
	}
	free(buf);
}

/*
 * Closing a reader whose helper waits for a pipe that stays open and
 * silent: it does not wait for input that may never come.
 */
static void test_reader_threads__close_waiting_pipe(void **state)
{
	struct mpt_record rec;
	struct mpt_reader *r;
	size_t len, off[4];
	uint8_t *buf;
	int p[2], err;

	(void)state;
	rng = 99;
	buf = make_trace(20000, 4096, &len);
	assert_int_equal(pipe(p), 0);
	/*
	 * Two frames and a piece of the third: the helper takes them (the
	 * slots hold more) and waits for the rest.
	 */
	assert_true(data_frames(buf, len, off, 4) == 4);
	assert_true(off[2] + 10 < 65536);
	assert_int_equal(write(p[1], buf, off[2] + 10), (ssize_t)(off[2] + 10));
	r = mpt_reader_fdopen(p[0], 0, &err);
	assert_non_null(r);
	assert_int_equal(mpt_reader_set_threads(r, 1), 0);
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(rec.type, MPT_REC_HEADER);
	usleep(20000);
	mpt_reader_close(r);
	close(p[0]);
	close(p[1]);
	free(buf);
}

/* SigBlk of every thread but this one, from /proc; returns how many. */
static int other_threads_sigblk(uint64_t *blk, int max)
{
	char path[300], line[256];
	int n = 0, self = (int)gettid();
	struct dirent *de;
	DIR *d = opendir("/proc/self/task");

	assert_non_null(d);
	while ((de = readdir(d)) && n < max) {
		FILE *f;

		if (de->d_name[0] == '.' || atoi(de->d_name) == self)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status",
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue; /* gone meanwhile */
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "SigBlk:", 7))
				blk[n++] = strtoull(line + 7, NULL, 16);
		fclose(f);
	}
	closedir(d);
	return n;
}

/* The helper thread leaves signals to the caller's threads. */
static void test_reader_threads__signals_blocked(void **state)
{
	struct mpt_reader *r;
	uint64_t blk[16];
	int err, n, i, p[2];

	(void)state;
	/* A pipe with nothing in it yet: the helper waits, alive. */
	assert_int_equal(pipe(p), 0);
	r = mpt_reader_fdopen(p[0], 0, &err);
	assert_non_null(r);
	assert_int_equal(mpt_reader_set_threads(r, 1), 0);
	/* Helpers of the tests before may still be on their way out. */
	n = other_threads_sigblk(blk, 16);
	assert_true(n >= 1);
	for (i = 0; i < n; i++) {
		assert_true(blk[i] & (1ull << (SIGINT - 1)));
		assert_true(blk[i] & (1ull << (SIGTERM - 1)));
		assert_true(blk[i] & (1ull << (SIGPIPE - 1)));
		assert_true(blk[i] & (1ull << (SIGCHLD - 1)));
	}
	mpt_reader_close(r);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_threads__same_records),
		cmocka_unit_test(test_reader_threads__cut),
		cmocka_unit_test(test_reader_threads__corrupt_frame),
		cmocka_unit_test(test_reader_threads__pipe),
		cmocka_unit_test(test_reader_threads__close_early),
		cmocka_unit_test(test_reader_threads__close_after_scan),
		cmocka_unit_test(test_reader_threads__close_waiting_pipe),
		cmocka_unit_test(test_reader_threads__signals_blocked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
