/* Unit tests of formats/reader.c: malformed input is refused clearly. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <zstd.h>

#include "codec.h"
#include "mptrace.h"
#include "unit_trace.h"
#include "varint.h"

/* A trace assembled by hand, frame by frame. */
struct tb {
	uint8_t buf[1 << 16];
	size_t len;
};

/* Compress `n` bytes of records into one frame at the end of `t`. */
static size_t tb_frame(struct tb *t, const void *content, size_t n)
{
	size_t start = t->len;
	size_t c = ZSTD_compress(t->buf + t->len, sizeof(t->buf) - t->len,
				 content, n, 3);

	assert_false(ZSTD_isError(c));
	t->len += c;
	return start;
}

/* A HEADER record with the given magic and version. */
static size_t raw_header(uint8_t *p, const char *magic, unsigned major,
			 unsigned minor)
{
	uint8_t *q = p + 2;

	*q++ = 0; /* dt */
	memcpy(q, magic, 8);
	q += 8;
	q = mpt_varint_put(q, major);
	q = mpt_varint_put(q, minor);
	*q++ = 1;    /* clock_id */
	*q++ = 0;    /* wall_start_ns */
	*q++ = 0x80; /* page_size 4096 */
	*q++ = 0x20;
	*q++ = 0; /* sample_bytes */
	*q++ = 4; /* host */
	memcpy(q, "host", 4);
	q += 4;
	*q++ = 0; /* argc */
	*q++ = 0; /* nopts */
	p[0] = MPT_REC_HEADER;
	p[1] = (uint8_t)(q - p - 2);
	return (size_t)(q - p);
}

static size_t good_header(uint8_t *p)
{
	return raw_header(p, MPT_MAGIC, MPT_VERSION_MAJOR, MPT_VERSION_MINOR);
}

/* FREE with a one-byte dt and an explicit one-byte address delta. */
static size_t raw_free(uint8_t *p, uint8_t dt, uint8_t zaddr)
{
	p[0] = MPT_REC_FREE;
	p[1] = 4;
	p[2] = dt;
	p[3] = MPT_FN_FREE;
	p[4] = 0; /* not a back-reference */
	p[5] = zaddr;
	return 6;
}

static struct mpt_reader *open_tb(const struct tb *t, int flags)
{
	int err = 1;
	struct mpt_reader *r = mpt_reader_memopen(t->buf, t->len, flags, &err);

	assert_non_null(r);
	assert_int_equal(err, 0);
	return r;
}

/* Read until the end or an error; returns the final code. */
static int drain(struct mpt_reader *r, int *nrec)
{
	struct mpt_record rec;
	int rc;

	*nrec = 0;
	while ((rc = mpt_reader_next(r, &rec)) > 0)
		(*nrec)++;
	return rc;
}

/* The same in batches of at most 7, and in runs. */
static int drain_batch(struct mpt_reader *r, int *nrec)
{
	struct mpt_record rec[7];
	int rc;

	*nrec = 0;
	while ((rc = mpt_reader_next_batch(r, rec, 7)) > 0)
		*nrec += rc;
	return rc;
}

static int drain_run(struct mpt_reader *r, int *nrec)
{
	const struct mpt_record *rec;
	int rc;

	*nrec = 0;
	while ((rc = mpt_reader_next_run(r, &rec)) > 0)
		*nrec += rc;
	return rc;
}

static void test_reader__unknown_type_skipped(void **state)
{
	static struct tb t;
	uint8_t c[256], *p = c;
	struct mpt_reader *r;
	struct mpt_record rec;

	p += good_header(p);
	/* Type 0x7e: dt 5, then bytes this reader knows nothing about. */
	*p++ = 0x7e;
	*p++ = 4;
	*p++ = 5;
	*p++ = 0xff;
	*p++ = 0xff;
	*p++ = 0x03;
	p += raw_free(p, 1, 0x80 /* not a varint end: patched below */);
	p[-1] = 8; /* zz 4 */
	t.len = 0;
	tb_frame(&t, c, (size_t)(p - c));

	r = open_tb(&t, 0);
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(rec.type, MPT_REC_HEADER);
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(rec.type, MPT_REC_FREE);
	assert_int_equal(rec.time, 6); /* the unknown record's dt counts */
	assert_int_equal(rec.u.free.addr, 4);
	assert_int_equal(mpt_reader_next(r, &rec), 0);
	assert_int_equal(mpt_reader_is_cut(r), 1);
	mpt_reader_close(r);

	r = open_tb(&t, MPT_OPEN_STRICT);
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(mpt_reader_next(r, &rec), MPT_E_CORRUPT);
	assert_string_equal(mpt_reader_errmsg(r),
			    "byte 0: unknown record type 0x7e");
	/* Errors stick. */
	assert_int_equal(mpt_reader_next(r, &rec), MPT_E_CORRUPT);
	mpt_reader_close(r);
}

static void test_reader__newer_major_refused(void **state)
{
	static struct tb t;
	uint8_t c[256];
	struct mpt_reader *r;
	struct mpt_record rec;
	int n;

	t.len = 0;
	tb_frame(&t, c, raw_header(c, MPT_MAGIC, 2, 3));
	r = open_tb(&t, 0);
	assert_int_equal(mpt_reader_next(r, &rec), MPT_E_VERSION);
	assert_string_equal(mpt_reader_errmsg(r),
			    "byte 0: trace format version 2.3 is newer than "
			    "this reader (1.0)");
	mpt_reader_close(r);

	/* A newer minor version reads normally. */
	t.len = 0;
	tb_frame(&t, c, raw_header(c, MPT_MAGIC, 1, 9));
	r = open_tb(&t, 0);
	assert_int_equal(drain(r, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(mpt_reader_header(r)->u.header.minor, 9);
	mpt_reader_close(r);
}

static void test_reader__wrong_magic(void **state)
{
	static struct tb t;
	static const char text[] = "hello, world\n";
	uint8_t c[256];
	struct mpt_reader *r;
	struct mpt_record rec;
	int n;

	/* A header record with the wrong magic. */
	t.len = 0;
	tb_frame(&t, c, raw_header(c, "MPTRACEX", 1, 0));
	r = open_tb(&t, 0);
	assert_int_equal(mpt_reader_next(r, &rec), MPT_E_MAGIC);
	mpt_reader_close(r);

	/* A zstd file of something else. */
	t.len = 0;
	tb_frame(&t, text, sizeof(text) - 1);
	r = open_tb(&t, 0);
	assert_int_equal(mpt_reader_next(r, &rec), MPT_E_MAGIC);
	assert_non_null(strstr(mpt_reader_errmsg(r), "not an mptrace trace"));
	mpt_reader_close(r);

	/* Not zstd at all. */
	memcpy(t.buf, text, sizeof(text) - 1);
	t.len = sizeof(text) - 1;
	r = open_tb(&t, 0);
	assert_int_equal(mpt_reader_next(r, &rec), MPT_E_MAGIC);
	assert_string_equal(mpt_reader_errmsg(r), "byte 0: not an mptrace "
						  "trace (frame magic "
						  "0x6c6c6568)");
	mpt_reader_close(r);

	/* Two bytes: not a magic... */
	t.len = 2;
	r = open_tb(&t, 0);
	assert_int_equal(mpt_reader_next(r, &rec), MPT_E_MAGIC);
	mpt_reader_close(r);
	/* ...or the start of one: a cut trace with nothing in it. */
	t.buf[0] = 0x28;
	t.buf[1] = 0xb5;
	r = open_tb(&t, 0);
	assert_int_equal(drain(r, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(mpt_reader_is_cut(r), 1);
	mpt_reader_close(r);
}

static void test_reader__empty_missing_directory(void **state)
{
	char path[] = "/tmp/test_reader.XXXXXX";
	struct mpt_reader *r;
	struct mpt_record rec;
	int fd = mkstemp(path), err;

	r = mpt_reader_memopen(NULL, 0, 0, &err);
	assert_non_null(r);
	assert_int_equal(mpt_reader_next(r, &rec), MPT_E_EMPTY);
	assert_string_equal(mpt_reader_errmsg(r), "byte 0: empty file");
	mpt_reader_close(r);

	assert_true(fd >= 0);
	close(fd);
	r = mpt_reader_open(path, 0, &err);
	assert_non_null(r);
	assert_int_equal(mpt_reader_next(r, &rec), MPT_E_EMPTY);
	mpt_reader_close(r);
	unlink(path);

	errno = 0;
	assert_null(mpt_reader_open(path, 0, &err));
	assert_int_equal(err, MPT_E_IO);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(mpt_reader_open("/tmp", 0, &err));
	assert_int_equal(err, MPT_E_IO);
	assert_int_equal(errno, EISDIR);
	mpt_reader_close(NULL);
}

/*
 * A trace of a good header frame, then a frame of the `len` bytes at `c`:
 * the reader stops at it with LIMIT, saying `what` at that frame's offset;
 * with `exact`, also after the header only and with its offset there.
 */
static void expect_limit(const uint8_t *c, size_t len, const char *what,
			 int exact)
{
	static struct tb t;
	uint8_t h[256];
	struct mpt_reader *r;
	char want[160];
	size_t off;
	int n;

	t.len = 0;
	tb_frame(&t, h, good_header(h));
	off = tb_frame(&t, c, len);
	r = open_tb(&t, 0);
	assert_int_equal(drain(r, &n), MPT_E_LIMIT);
	if (exact)
		assert_int_equal(n, 1);
	snprintf(want, sizeof(want), "byte %zu: %s", off, what);
	assert_string_equal(mpt_reader_errmsg(r), want);
	if (exact)
		assert_true(mpt_reader_offset(r) == off);
	mpt_reader_close(r);
}

/* Absurd lengths in the second frame: LIMIT, with that frame's offset. */
static void test_reader__absurd_lengths(void **state)
{
	uint8_t c[256], *p;

	(void)state;
	/* Record length 2^40. */
	p = c;
	*p++ = MPT_REC_MARKER;
	p = mpt_varint_put(p, 1ull << 40);
	memset(p, 0, 20);
	expect_limit(c, (size_t)(p + 20 - c),
		     "record length 1099511627776 exceeds limit 1048560", 1);

	/* String length 2^33. */
	p = c;
	*p++ = MPT_REC_THREAD_NAME;
	*p++ = 6;
	*p++ = 0;
	p = mpt_varint_put(p, 1ull << 33);
	expect_limit(c, (size_t)(p - c),
		     "thread_name record: string length 8589934592 exceeds "
		     "limit 65536",
		     0);

	/* nframe 2^40. */
	p = c;
	*p++ = MPT_REC_STACK;
	*p++ = 9;
	*p++ = 0;
	*p++ = 1;
	*p++ = 0;
	p = mpt_varint_put(p, 1ull << 40);
	expect_limit(c, (size_t)(p - c),
		     "stack record: array length 1099511627776 exceeds limit "
		     "1024",
		     0);
}

/* A frame that decodes to more than 1 MiB is refused. */
static void test_reader__frame_too_big(void **state)
{
	static struct tb t;
	uint8_t *c = calloc(1, MPT_FRAME_MAX + 1);
	struct mpt_reader *r;
	int n;

	assert_non_null(c);
	t.len = 0;
	tb_frame(&t, c, good_header(c));
	tb_frame(&t, c, MPT_FRAME_MAX + 1);
	r = open_tb(&t, 0);
	assert_int_equal(drain(r, &n), MPT_E_LIMIT);
	assert_int_equal(n, 1);
	mpt_reader_close(r);
	free(c);
}

/* A complete frame that ends inside a record is corrupt, not cut. */
static void test_reader__partial_record(void **state)
{
	static struct tb t;
	uint8_t c[256], *p = c;
	struct mpt_reader *r;
	int n;

	p += good_header(p);
	p += raw_free(p, 1, 2);
	t.len = 0;
	tb_frame(&t, c, (size_t)(p - c - 1));
	r = open_tb(&t, 0);
	assert_int_equal(drain(r, &n), MPT_E_CORRUPT);
	assert_int_equal(n, 1);
	assert_non_null(strstr(mpt_reader_errmsg(r),
			       "byte 0: record length 4 "
			       "exceeds the 3 bytes left"));
	mpt_reader_close(r);

	/* A type 0 record. */
	p = c + good_header(c);
	*p++ = 0;
	*p++ = 1;
	*p++ = 0;
	t.len = 0;
	tb_frame(&t, c, (size_t)(p - c));
	r = open_tb(&t, 0);
	assert_int_equal(drain(r, &n), MPT_E_CORRUPT);
	mpt_reader_close(r);
}

static void test_reader__time_backwards(void **state)
{
	static struct tb t;
	uint8_t c[256], *p = c;
	struct mpt_reader *r;
	size_t off;
	int n;

	p += good_header(p);
	p += raw_free(p, 100, 2);
	t.len = 0;
	tb_frame(&t, c, (size_t)(p - c));
	/* The next frame starts again from 0: its first time is absolute. */
	off = tb_frame(&t, c, raw_free(c, 50, 2));
	r = open_tb(&t, 0);
	assert_int_equal(drain(r, &n), MPT_E_ORDER);
	assert_int_equal(n, 2);
	assert_true(mpt_reader_offset(r) == off);
	mpt_reader_close(r);
	/* In batches and runs too: the record is reported, not delivered. */
	r = open_tb(&t, 0);
	assert_int_equal(drain_batch(r, &n), MPT_E_ORDER);
	assert_int_equal(n, 2);
	mpt_reader_close(r);
	r = open_tb(&t, 0);
	assert_int_equal(drain_run(r, &n), MPT_E_ORDER);
	assert_int_equal(n, 2);
	mpt_reader_close(r);
}

static void test_reader__after_end(void **state)
{
	static struct tb t;
	uint8_t c[256], *p = c, *end_at;
	struct mpt_reader *r;
	struct mpt_record rec;
	int n;

	p += good_header(p);
	end_at = p;
	*p++ = MPT_REC_END;
	*p++ = 6;
	memset(p, 0, 6);
	p += 6;
	p += raw_free(p, 0, 2);

	/* A record after END in the same frame. */
	t.len = 0;
	tb_frame(&t, c, (size_t)(p - c));
	r = open_tb(&t, 0);
	assert_int_equal(drain(r, &n), MPT_E_CORRUPT);
	assert_int_equal(n, 2);
	mpt_reader_close(r);

	/* A data frame after the END frame. */
	t.len = 0;
	tb_frame(&t, c, (size_t)(p - c - 6));
	tb_frame(&t, p - 6, 6);
	r = open_tb(&t, 0);
	assert_int_equal(drain(r, &n), MPT_E_CORRUPT);
	assert_non_null(strstr(mpt_reader_errmsg(r), "after the end record"));
	mpt_reader_close(r);

	/* A skippable frame after END is fine, a partial frame ignored. */
	t.len = 0;
	tb_frame(&t, c, (size_t)(p - c - 6));
	memcpy(t.buf + t.len, "\x50\x2a\x4d\x18\x03\x00\x00\x00xyz\x28\xb5",
	       13);
	t.len += 13;
	r = open_tb(&t, 0);
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(rec.type, MPT_REC_END);
	assert_int_equal(mpt_reader_next(r, &rec), 0);
	assert_int_equal(mpt_reader_is_cut(r), 0);
	mpt_reader_close(r);
	(void)end_at;
}

/* A small writer-made trace in memory. */
static uint8_t *small_trace(size_t *len)
{
	char path[] = "/tmp/test_reader.XXXXXX";
	struct mpt_writer_opts o = { .frame_max = 200 };
	struct mpt_writer *w;
	struct mpt_record rec;
	uint8_t *buf;
	int fd = mkstemp(path), err, i;

	assert_true(fd >= 0);
	w = mpt_writer_new(fd, &o, &err);
	memset(&rec, 0, sizeof(rec));
	rec.type = MPT_REC_HEADER;
	rec.u.header.host.ptr = "somewhere";
	rec.u.header.host.len = 9;
	assert_int_equal(mpt_writer_put(w, &rec), 0);
	for (i = 0; i < 60; i++) {
		memset(&rec, 0, sizeof(rec));
		rec.time = (uint64_t)i * 1000;
		rec.pid = 7;
		rec.tid = 7 + (uint32_t)(i % 2);
		if (i % 3) {
			rec.type = MPT_REC_ALLOC;
			rec.u.alloc.size = (uint64_t)i;
			rec.u.alloc.addr = 0x1000 + (uint64_t)i * 16;
		} else {
			rec.type = MPT_REC_THREAD_NAME;
			rec.u.thread_name.name.ptr = "name";
			rec.u.thread_name.name.len = 4;
		}
		assert_int_equal(mpt_writer_put(w, &rec), 0);
	}
	assert_int_equal(mpt_writer_finish(w, 0), 0);
	mpt_writer_free(w);
	*len = (size_t)lseek(fd, 0, SEEK_END);
	buf = malloc(*len);
	assert_int_equal(pread(fd, buf, *len, 0), (ssize_t)*len);
	close(fd);
	unlink(path);
	return buf;
}

/* Flipped bits anywhere: an error or fewer records, never a crash. */
static void test_reader__flipped_bits(void **state)
{
	size_t len, i;
	uint8_t *buf = small_trace(&len);
	int n, full, rc, bit, errors = 0;
	struct mpt_reader *r;

	r = mpt_reader_memopen(buf, len, 0, NULL);
	assert_int_equal(drain(r, &full), 0);
	assert_int_equal(full, 62);
	mpt_reader_close(r);
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit += 3) {
			buf[i] ^= (uint8_t)(1 << bit);
			r = mpt_reader_memopen(buf, len, 0, NULL);
			rc = drain(r, &n);
			assert_true(rc <= 0);
			assert_true(n <= full);
			if (rc < 0) {
				errors++;
				assert_true(strncmp(mpt_reader_errmsg(r),
						    "byte ", 5) == 0);
			}
			mpt_reader_close(r);
			buf[i] ^= (uint8_t)(1 << bit);
		}
	}
	/* The frame checksums catch most flips in data frames. */
	assert_true(errors > (int)len);
	free(buf);
}

static void test_reader__header_and_stdin(void **state)
{
	size_t len;
	uint8_t *buf = small_trace(&len);
	struct mpt_reader *r;
	struct mpt_record rec;
	int p[2], saved, err, n;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], buf, len), (ssize_t)len);
	close(p[1]);
	saved = dup(0);
	assert_int_equal(dup2(p[0], 0), 0);
	close(p[0]);
	r = mpt_reader_open("-", 0, &err);
	assert_non_null(r);
	assert_null(mpt_reader_header(r));
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(drain(r, &n), 0);
	assert_int_equal(n, 61);
	/* The header outlives its frame. */
	assert_int_equal(mpt_reader_header(r)->u.header.host.len, 9);
	assert_memory_equal(mpt_reader_header(r)->u.header.host.ptr,
			    "somewhere", 9);
	assert_true(mpt_reader_frames(r) > 3);
	assert_true(mpt_reader_bytes(r) == len);
	assert_int_equal(mpt_reader_has_index(r), 1);
	/* Seeking only before reading. */
	assert_int_equal(mpt_reader_seek(r, 0), MPT_E_INVAL);
	mpt_reader_close(r);
	/* Standard input is not closed by the reader. */
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	free(buf);
}

/* Sum of every event's time and address, for comparing two reads. */
static uint64_t event_sum(struct mpt_reader *r, int *nrec)
{
	struct mpt_record rec;
	uint64_t sum = 0;
	int rc;

	*nrec = 0;
	while ((rc = mpt_reader_next(r, &rec)) > 0) {
		(*nrec)++;
		if (rec.type == MPT_REC_ALLOC)
			sum += rec.time * 3 + rec.u.alloc.addr +
			       rec.u.alloc.size;
		else if (rec.type == MPT_REC_FREE)
			sum += rec.time * 5 + rec.u.free.addr;
	}
	assert_int_equal(rc, 0);
	return sum;
}

/*
 * Full 1 MiB frames that compress poorly (several hundred KiB each) coming
 * through a pipe a few bytes at a time: the reader gathers each frame
 * before decoding it and delivers what reading it from memory does.
 */
static void test_reader__big_frames_in_pieces(void **state)
{
	char path[] = "/tmp/test_reader.XXXXXX";
	struct mpt_writer *w;
	struct mpt_reader *r;
	struct mpt_record rec;
	uint64_t x = 88172645463325252ull, sum_mem, sum_pipe;
	uint8_t *buf;
	size_t len;
	int fd = mkstemp(path), err, i, n_mem, n_pipe, pfd;
	pid_t pid;

	(void)state;
	assert_true(fd >= 0);
	w = mpt_writer_new(fd, NULL, &err);
	assert_non_null(w);
	memset(&rec, 0, sizeof(rec));
	rec.type = MPT_REC_HEADER;
	assert_int_equal(mpt_writer_put(w, &rec), 0);
	for (i = 0; i < 400000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memset(&rec, 0, sizeof(rec));
		rec.time = (uint64_t)i * 1000 + (x & 511);
		rec.pid = rec.tid = 9;
		if (i % 2) {
			rec.type = MPT_REC_ALLOC;
			rec.u.alloc.size = x >> 40;
			rec.u.alloc.addr = x & 0xfffffffff0ull;
			rec.u.alloc.stack = (x >> 20) & 0xffff;
		} else {
			rec.type = MPT_REC_FREE;
			rec.u.free.addr = (x >> 8) & 0xfffffffff0ull;
		}
		assert_int_equal(mpt_writer_put(w, &rec), 0);
	}
	assert_int_equal(mpt_writer_finish(w, 0), 0);
	mpt_writer_free(w);
	len = (size_t)lseek(fd, 0, SEEK_END);
	buf = malloc(len);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, len, 0), (ssize_t)len);
	close(fd);
	unlink(path);
	assert_true(len > 3 * (1u << 20));

	r = mpt_reader_memopen(buf, len, 0, &err);
	assert_non_null(r);
	sum_mem = event_sum(r, &n_mem);
	assert_int_equal(n_mem, 1 + 400000 + 1); /* header, events, end */
	mpt_reader_close(r);

	pfd = unit_pipe_feed(buf, len, 4093, &pid);
	r = mpt_reader_fdopen(pfd, 0, &err);
	assert_non_null(r);
	sum_pipe = event_sum(r, &n_pipe);
	assert_int_equal(n_pipe, n_mem);
	assert_true(sum_pipe == sum_mem);
	assert_false(mpt_reader_is_cut(r));
	assert_true(mpt_reader_bytes(r) == len);
	mpt_reader_close(r);
	close(pfd);
	assert_int_equal(waitpid(pid, &err, 0), pid);
	assert_true(WIFEXITED(err) && WEXITSTATUS(err) == 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader__unknown_type_skipped),
		cmocka_unit_test(test_reader__big_frames_in_pieces),
		cmocka_unit_test(test_reader__newer_major_refused),
		cmocka_unit_test(test_reader__wrong_magic),
		cmocka_unit_test(test_reader__empty_missing_directory),
		cmocka_unit_test(test_reader__absurd_lengths),
		cmocka_unit_test(test_reader__frame_too_big),
		cmocka_unit_test(test_reader__partial_record),
		cmocka_unit_test(test_reader__time_backwards),
		cmocka_unit_test(test_reader__after_end),
		cmocka_unit_test(test_reader__flipped_bits),
		cmocka_unit_test(test_reader__header_and_stdin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
