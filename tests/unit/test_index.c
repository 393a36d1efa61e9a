/* Unit tests of the time index and mpt_reader_seek(), with and without it. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "codec.h"
#include "mptrace.h"
#include "varint.h"

#define NREC 6000
#define MAXFRAMES 2000

struct expect {
	uint8_t type;
	uint64_t time;
	uint32_t pid;
	uint64_t key;
};

struct frame {
	uint64_t offset, csize, first, last;
	int def;
};

static uint8_t *trace; /* with its index */
static size_t trace_len;
static size_t data_len; /* where the index frame starts */
static struct expect all[NREC + 2];
static size_t nall;
static struct frame frames[MAXFRAMES];
static size_t nframes;
static char path[64];

static uint64_t key_of(const struct mpt_record *r)
{
	switch (r->type) {
	case MPT_REC_ALLOC:
		return r->u.alloc.addr;
	case MPT_REC_FREE:
		return r->u.free.addr;
	case MPT_REC_STACK:
		return r->u.stack.id;
	case MPT_REC_THREAD_START:
		return r->u.thread_start.stack_lo;
	default:
		return 0;
	}
}

/* Definitions early, a few later; a long quiet gap in the middle. */
static void make_record(int i, uint64_t *t, struct mpt_record *rec)
{
	static const uint64_t pcs[3] = { 0x401000, 0x402000, 0x403000 };

	memset(rec, 0, sizeof(*rec));
	*t += 50 + (uint64_t)(i % 7) * 10;
	if (i == NREC / 2)
		*t += 1000000000; /* one second of nothing */
	rec->time = *t;
	rec->pid = 100 + (uint32_t)(i % 2);
	rec->tid = rec->pid;
	if ((i < 300 && i % 3 == 0) || i % 1500 == 7) {
		rec->type = MPT_REC_STACK;
		rec->pid = rec->tid = 0;
		rec->u.stack.id = (uint64_t)i + 1;
		rec->u.stack.nframe = 3;
		rec->u.stack.frame = pcs;
	} else if (i == 1) {
		rec->type = MPT_REC_THREAD_START;
		rec->u.thread_start.stack_lo = 0x7ffc0000;
	} else if (i % 2) {
		rec->type = MPT_REC_ALLOC;
		rec->u.alloc.size = 32;
		rec->u.alloc.addr = 0x10000 + (uint64_t)i * 32;
	} else {
		rec->type = MPT_REC_FREE;
		rec->u.free.addr = 0x10000 + (uint64_t)(i - 1) * 32;
	}
}

static void write_trace(const char *to, int no_index)
{
	struct mpt_writer_opts o = { .frame_max = 600, .no_index = no_index };
	struct mpt_writer *w;
	struct mpt_record rec;
	uint64_t t = 0;
	int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600), err, i;

	assert_true(fd >= 0);
	w = mpt_writer_new(fd, &o, &err);
	memset(&rec, 0, sizeof(rec));
	rec.type = MPT_REC_HEADER;
	assert_int_equal(mpt_writer_put(w, &rec), 0);
	for (i = 0; i < NREC; i++) {
		make_record(i, &t, &rec);
		assert_int_equal(mpt_writer_put(w, &rec), 0);
	}
	assert_int_equal(mpt_writer_finish(w, 0), 0);
	mpt_writer_free(w);
	close(fd);
}

static uint8_t *slurp(const char *from, size_t *len)
{
	int fd = open(from, O_RDONLY);
	uint8_t *buf;

	assert_true(fd >= 0);
	*len = (size_t)lseek(fd, 0, SEEK_END);
	buf = malloc(*len);
	assert_int_equal(pread(fd, buf, *len, 0), (ssize_t)*len);
	close(fd);
	return buf;
}

static void spit(const char *to, const uint8_t *buf, size_t len)
{
	int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static int setup(void **state)
{
	struct mpt_reader *r;
	struct mpt_record rec;
	uint64_t off;
	int fd, err;

	strcpy(path, "/tmp/test_index.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_trace(path, 0);
	trace = slurp(path, &trace_len);

	/* The reference: every record, and the frames they sit in. */
	r = mpt_reader_memopen(trace, trace_len, MPT_OPEN_STRICT, &err);
	nall = 0;
	nframes = 0;
	while (mpt_reader_next(r, &rec) > 0) {
		all[nall].type = rec.type;
		all[nall].time = rec.time;
		all[nall].pid = rec.pid;
		all[nall].key = key_of(&rec);
		nall++;
		off = mpt_reader_offset(r);
		if (!nframes || frames[nframes - 1].offset != off) {
			assert_true(nframes < MAXFRAMES);
			frames[nframes].offset = off;
			frames[nframes].first = rec.time;
			frames[nframes].def = 0;
			if (nframes)
				frames[nframes - 1].csize =
					off - frames[nframes - 1].offset;
			nframes++;
		}
		frames[nframes - 1].last = rec.time;
		frames[nframes - 1].def |= mpt_type_is_definition(rec.type);
	}
	assert_int_equal(nall, NREC + 2);
	assert_true(nframes > 50);
	/* The reader stopped after the index frame; find where it starts. */
	memcpy(&off, trace + trace_len - 16, 8);
	data_len = (size_t)off;
	frames[nframes - 1].csize = data_len - frames[nframes - 1].offset;
	mpt_reader_close(r);
	return 0;
}

static int teardown(void **state)
{
	free(trace);
	unlink(path);
	return 0;
}

static void check_seek(struct mpt_reader *r, uint64_t t)
{
	struct mpt_record rec;
	size_t i = 0, n = 0;
	int rc;

	assert_int_equal(mpt_reader_seek(r, t), 0);
	while ((rc = mpt_reader_next(r, &rec)) > 0) {
		/* The next reference record that should be delivered. */
		while (i < nall && all[i].time < t &&
		       !mpt_type_is_definition(all[i].type))
			i++;
		assert_true(i < nall);
		assert_int_equal(rec.type, all[i].type);
		assert_true(rec.time == all[i].time);
		assert_int_equal(rec.pid, all[i].pid);
		assert_true(key_of(&rec) == all[i].key);
		i++;
		n++;
	}
	if (rc)
		fail_msg("seek %llu: %s", (unsigned long long)t,
			 mpt_reader_errmsg(r));
	while (i < nall && all[i].time < t &&
	       !mpt_type_is_definition(all[i].type))
		i++;
	if (i != nall)
		fail_msg("seek %llu: %zu records missing",
			 (unsigned long long)t, nall - i);
	assert_int_equal(mpt_reader_is_cut(r), 0);
}

/* Times to seek to: edges, exact record times, the gap. */
static size_t seek_times(uint64_t *t)
{
	size_t n = 0;

	t[n++] = 0;
	t[n++] = 1;
	t[n++] = all[1].time;
	t[n++] = all[nall / 4].time;
	t[n++] = all[nall / 4].time + 1;
	t[n++] = all[nall / 2].time - 5;
	t[n++] = all[nall / 2].time + 500000000; /* inside the gap */
	t[n++] = all[nall / 2 + 2].time;
	t[n++] = all[nall - 2].time;
	t[n++] = all[nall - 1].time + 1;
	t[n++] = UINT64_MAX;
	return n;
}

static void check_all_times(const char *from, int index_expected)
{
	uint64_t ts[16];
	size_t n = seek_times(ts), i;
	struct mpt_reader *r;
	int err;

	for (i = 0; i < n; i++) {
		r = mpt_reader_open(from, 0, &err);
		assert_non_null(r);
		check_seek(r, ts[i]);
		assert_int_equal(mpt_reader_has_index(r), index_expected);
		mpt_reader_close(r);
	}
}

static void test_index__seek_with_index(void **state)
{
	struct mpt_reader *r;
	int err;

	check_all_times(path, 1);

	/* Seeking late decodes few frames: the index skips the rest. */
	r = mpt_reader_open(path, 0, &err);
	check_seek(r, all[nall - 2].time);
	assert_true(mpt_reader_frames(r) < nframes / 2);
	mpt_reader_close(r);

	/* Memory input uses the index too. */
	r = mpt_reader_memopen(trace, trace_len, 0, &err);
	check_seek(r, all[nall / 2].time);
	assert_int_equal(mpt_reader_has_index(r), 1);
	assert_true(mpt_reader_frames(r) < nframes);
	mpt_reader_close(r);
}

static void test_index__seek_without_index(void **state)
{
	char other[] = "/tmp/test_index.XXXXXX";
	struct mpt_reader *r;
	int fd = mkstemp(other), err, p[2];

	assert_true(fd >= 0);
	close(fd);
	write_trace(other, 1);
	check_all_times(other, 0);
	unlink(other);

	/* A pipe cannot seek: a linear read, with the same result. */
	assert_int_equal(pipe(p), 0);
	if (fork() == 0) {
		close(p[0]);
		_exit(write(p[1], trace, trace_len) != (ssize_t)trace_len);
	}
	close(p[1]);
	r = mpt_reader_fdopen(p[0], 0, &err);
	check_seek(r, all[nall / 3].time);
	assert_true(mpt_reader_frames(r) == nframes);
	mpt_reader_close(r);
	close(p[0]);
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Replace the trace's index by one built from `f` (n entries). */
static size_t build_index(uint8_t *buf, const struct frame *f, size_t n)
{
	uint8_t *p = buf + data_len + 8, *start = p;
	size_t i;

	memcpy(p, "MPTINDEX", 8);
	p += 8;
	p = mpt_varint_put(p, n);
	for (i = 0; i < n; i++) {
		p = mpt_varint_put(p, f[i].offset);
		p = mpt_varint_put(p, f[i].csize);
		p = mpt_varint_put(p, f[i].first);
		p = mpt_varint_put(p, f[i].last);
		p = mpt_varint_put(p, (uint64_t)f[i].def);
	}
	put_le(p, mpt_fnv1a(start, (size_t)(p - start)), 8);
	p += 8;
	put_le(p, data_len, 8);
	memcpy(p + 8, "MPTINDX1", 8);
	p += 16;
	put_le(buf + data_len, 0x184D2A5E, 4);
	put_le(buf + data_len + 4, (uint64_t)(p - buf) - data_len - 8, 4);
	return (size_t)(p - buf);
}

/* One broken index: the reader falls back and still gets it right. */
static void check_fallback(const uint8_t *buf, size_t len, int usable)
{
	char other[] = "/tmp/test_index.XXXXXX";
	int fd = mkstemp(other);

	assert_true(fd >= 0);
	close(fd);
	spit(other, buf, len);
	check_all_times(other, usable);
	unlink(other);
}

static void test_index__corrupt_index_falls_back(void **state)
{
	size_t cap = trace_len + MAXFRAMES * 50 + 64, len;
	uint8_t *buf = malloc(cap);
	struct frame *f = malloc(sizeof(frames));

	assert_non_null(buf);
	/* The index as the test rebuilds it equals the writer's. */
	memcpy(buf, trace, data_len);
	len = build_index(buf, frames, nframes);
	assert_int_equal(len, trace_len);
	assert_memory_equal(buf, trace, len);

	/* Each byte of the trailer, frame header and check. */
	buf[len - 1] ^= 1; /* trailer magic */
	check_fallback(buf, len, 0);
	buf[len - 1] ^= 1;
	buf[len - 16] ^= 1; /* index offset */
	check_fallback(buf, len, 0);
	buf[len - 16] ^= 1;
	buf[data_len + 4] ^= 1; /* frame size */
	check_fallback(buf, len, 0);
	buf[data_len + 4] ^= 1;
	buf[data_len + 9] ^= 1; /* tag */
	check_fallback(buf, len, 0);
	buf[data_len + 9] ^= 1;
	buf[data_len + 40] ^= 0x10; /* an entry: the check fails */
	check_fallback(buf, len, 0);
	buf[data_len + 40] ^= 0x10;
	check_fallback(buf, len, 1);

	/* Entries with a valid check that do not hold together. */
	memcpy(f, frames, sizeof(frames));
	f[0].def = 0; /* the header's frame unflagged */
	check_fallback(buf, build_index(buf, f, nframes), 0);
	memcpy(f, frames, sizeof(frames));
	f[5].offset -= 1; /* overlaps the frame before */
	check_fallback(buf, build_index(buf, f, nframes), 0);
	memcpy(f, frames, sizeof(frames));
	f[7].first = f[7].last + 1;
	check_fallback(buf, build_index(buf, f, nframes), 0);
	memcpy(f, frames, sizeof(frames));
	f[9].first = f[8].last - 1; /* earlier than the frame before */
	check_fallback(buf, build_index(buf, f, nframes), 0);
	memcpy(f, frames, sizeof(frames));
	f[nframes - 1].csize += 1000000; /* beyond the index */
	check_fallback(buf, build_index(buf, f, nframes), 0);
	check_fallback(buf, build_index(buf, f, 0), 0); /* count 0 */
	free(f);
	free(buf);
}

/* An index that holds together but lies about a frame size is caught. */
static void test_index__lying_entry_is_an_error(void **state)
{
	char other[] = "/tmp/test_index.XXXXXX";
	size_t cap = trace_len + MAXFRAMES * 50 + 64, len, k;
	uint8_t *buf = malloc(cap);
	struct frame *f = malloc(sizeof(frames));
	struct mpt_reader *r;
	struct mpt_record rec;
	int fd = mkstemp(other), err, rc;

	assert_true(fd >= 0);
	close(fd);
	memcpy(buf, trace, data_len);
	memcpy(f, frames, sizeof(frames));
	k = nframes - 3;
	f[k].csize -= 1;
	len = build_index(buf, f, nframes);
	spit(other, buf, len);
	r = mpt_reader_open(other, 0, &err);
	assert_int_equal(mpt_reader_seek(r, f[k].first), 0);
	while ((rc = mpt_reader_next(r, &rec)) > 0)
		;
	assert_int_equal(rc, MPT_E_CORRUPT);
	assert_non_null(strstr(mpt_reader_errmsg(r), "index entry"));
	mpt_reader_close(r);
	unlink(other);
	free(f);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index__seek_with_index),
		cmocka_unit_test(test_index__seek_without_index),
		cmocka_unit_test(test_index__corrupt_index_falls_back),
		cmocka_unit_test(test_index__lying_entry_is_an_error),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
