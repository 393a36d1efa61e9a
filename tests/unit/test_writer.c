/* Unit tests of formats/writer.c: framing, contexts, order, errors, index. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zstd.h>

#include "mptrace.h"

static char path[64];

static int setup(void **state)
{
	int fd;

	strcpy(path, "/tmp/test_writer.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	return 0;
}

static int open_out(void)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	return fd;
}

static void put_header(struct mpt_writer *w, uint64_t time)
{
	struct mpt_record r;

	memset(&r, 0, sizeof(r));
	r.type = MPT_REC_HEADER;
	r.time = time;
	r.u.header.clock_id = 1;
	r.u.header.page_size = 4096;
	assert_int_equal(mpt_writer_put(w, &r), 0);
}

/* The i-th record of a deterministic mixed stream. */
static void nth_record(int i, struct mpt_record *r)
{
	memset(r, 0, sizeof(*r));
	/* Increasing, with deltas of one and several bytes. */
	r->time = 1000 + (uint64_t)i * 37 + (uint64_t)(i / 100) * 1000000;
	r->pid = 10 + (uint32_t)(i / 50 % 3);
	r->tid = r->pid + (uint32_t)(i / 7 % 2);
	switch (i % 5) {
	case 0:
	case 1:
		r->type = MPT_REC_ALLOC;
		r->u.alloc.func = MPT_FN_MALLOC + (uint32_t)(i % 3);
		r->u.alloc.size = (uint64_t)i * 8 + 1;
		r->u.alloc.addr = 0x55550000ull + (uint64_t)i * 64;
		r->u.alloc.stack = (uint64_t)(i % 11);
		break;
	case 2:
		r->type = MPT_REC_FREE;
		r->u.free.func = MPT_FN_FREE;
		r->u.free.addr = 0x55550000ull + (uint64_t)(i - 2) * 64;
		break;
	case 3:
		r->type = MPT_REC_MARKER;
		r->u.marker.label.ptr = "a marker label of some length";
		r->u.marker.label.len = (uint32_t)(i % 29);
		break;
	default:
		r->type = MPT_REC_RSS_SAMPLE;
		r->u.rss.rss = (uint64_t)i << 12;
		r->u.rss.anon = (uint64_t)i;
		break;
	}
}

static void check_nth(int i, const struct mpt_record *r)
{
	struct mpt_record e;

	nth_record(i, &e);
	assert_int_equal(r->type, e.type);
	assert_true(r->time == e.time);
	assert_int_equal(r->pid, e.pid);
	assert_int_equal(r->tid, e.tid);
	switch (e.type) {
	case MPT_REC_ALLOC:
		assert_int_equal(r->u.alloc.func, e.u.alloc.func);
		assert_true(r->u.alloc.size == e.u.alloc.size);
		assert_true(r->u.alloc.addr == e.u.alloc.addr);
		assert_true(r->u.alloc.stack == e.u.alloc.stack);
		break;
	case MPT_REC_FREE:
		assert_true(r->u.free.addr == e.u.free.addr);
		break;
	case MPT_REC_MARKER:
		assert_int_equal(r->u.marker.label.len, e.u.marker.label.len);
		assert_memory_equal(r->u.marker.label.ptr, e.u.marker.label.ptr,
				    e.u.marker.label.len);
		break;
	default:
		assert_true(r->u.rss.rss == e.u.rss.rss);
		assert_true(r->u.rss.anon == e.u.rss.anon);
	}
}

static uint8_t *slurp(size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

/*
 * Decode the next data frame of buf[0, len) from *off into dec (skippable
 * frames are passed over; *off moves past the frame).  Returns its decoded
 * size, or (size_t)-1 at the end.
 */
static size_t next_data_frame(const uint8_t *buf, size_t len, size_t *off,
			      uint8_t *dec)
{
	while (*off < len) {
		size_t c = ZSTD_findFrameCompressedSize(buf + *off, len - *off);
		size_t d;
		uint32_t magic;

		assert_false(ZSTD_isError(c));
		memcpy(&magic, buf + *off, 4);
		*off += c;
		if ((magic & 0xfffffff0u) == 0x184d2a50u)
			continue;
		assert_true(ZSTD_getFrameContentSize(buf + *off - c, c) <=
			    MPT_FRAME_MAX);
		d = ZSTD_decompress(dec, MPT_FRAME_MAX, buf + *off - c, c);
		assert_false(ZSTD_isError(d));
		return d;
	}
	return (size_t)-1;
}

/* A small frame_max spreads the trace over many frames; nothing changes. */
static void test_writer__frame_boundaries(void **state)
{
	struct mpt_writer_opts o = { .frame_max = 300 };
	struct mpt_writer *w;
	struct mpt_reader *r;
	struct mpt_record rec;
	int fd = open_out(), err, i, n = 3000, data_frames = 0;
	uint8_t *buf, *dec;
	size_t len, off, d;

	w = mpt_writer_new(fd, &o, &err);
	assert_non_null(w);
	put_header(w, 0);
	for (i = 0; i < n; i++) {
		nth_record(i, &rec);
		assert_int_equal(mpt_writer_put(w, &rec), 0);
	}
	assert_int_equal(mpt_writer_finish(w, 0), 0);
	assert_true(mpt_writer_records(w) == (uint64_t)n + 1);
	close(fd);

	buf = slurp(&len);
	assert_true(mpt_writer_bytes(w) == len);
	mpt_writer_free(w);

	/* Every data frame: at most frame_max bytes, self-contained. */
	dec = malloc(MPT_FRAME_MAX);
	assert_non_null(dec);
	off = 0;
	while ((d = next_data_frame(buf, len, &off, dec)) != (size_t)-1) {
		assert_true(d <= 300 && d > 0);
		/* Records of process 0 are rare: a frame starts with a
		 * context, except the first (the header). */
		assert_int_equal(dec[0], data_frames ? MPT_REC_CONTEXT :
						       MPT_REC_HEADER);
		data_frames++;
	}
	assert_true(data_frames > 50);
	free(dec);

	r = mpt_reader_memopen(buf, len, MPT_OPEN_STRICT, &err);
	assert_non_null(r);
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(rec.type, MPT_REC_HEADER);
	for (i = 0; i < n; i++) {
		assert_int_equal(mpt_reader_next(r, &rec), 1);
		check_nth(i, &rec);
	}
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(rec.type, MPT_REC_END);
	assert_true(rec.u.end.records == (uint64_t)n + 1);
	assert_int_equal(mpt_reader_next(r, &rec), 0);
	assert_int_equal(mpt_reader_is_cut(r), 0);
	assert_int_equal(mpt_reader_frames(r), data_frames);
	assert_true(mpt_reader_bytes(r) == len);
	mpt_reader_close(r);
	free(buf);
}

/* A CONTEXT record appears exactly when (pid, tid) changes. */
static void test_writer__context_only_on_change(void **state)
{
	struct mpt_writer *w;
	struct mpt_record rec;
	uint8_t *buf, dec[4096];
	size_t len, d, i;
	int fd = open_out(), err, contexts = 0;

	w = mpt_writer_new(fd, NULL, &err);
	put_header(w, 0);
	memset(&rec, 0, sizeof(rec));
	rec.type = MPT_REC_THREAD_END;
	rec.pid = 5;
	rec.tid = 6;
	assert_int_equal(mpt_writer_put(w, &rec), 0); /* context 1 */
	assert_int_equal(mpt_writer_put(w, &rec), 0);
	rec.tid = 7;
	assert_int_equal(mpt_writer_put(w, &rec), 0); /* context 2 */
	rec.pid = 0;
	rec.tid = 0;
	assert_int_equal(mpt_writer_put(w, &rec), 0); /* context 3 */
	/* END is trace-wide: no context needed. */
	assert_int_equal(mpt_writer_finish(w, 0), 0);
	mpt_writer_free(w);
	close(fd);

	buf = slurp(&len);
	d = ZSTD_decompress(dec, sizeof(dec), buf,
			    ZSTD_findFrameCompressedSize(buf, len));
	assert_false(ZSTD_isError(d));
	/* Walk type/length pairs (all short here). */
	for (i = 0; i < d; i += 2 + dec[i + 1])
		contexts += dec[i] == MPT_REC_CONTEXT;
	assert_int_equal(i, d);
	assert_int_equal(contexts, 3);

	/* The reader's record sizes add up to the frame, contexts aside. */
	{
		struct mpt_reader *r = mpt_reader_memopen(buf, len, 0, NULL);
		size_t sum = 0;

		assert_int_equal(mpt_reader_record_bytes(r), 0);
		while (mpt_reader_next(r, &rec) > 0) {
			assert_true(mpt_reader_record_bytes(r) >= 3);
			sum += mpt_reader_record_bytes(r);
		}
		/* Each context: type, length, dt, pid, tid. */
		assert_int_equal(sum + 3 * 5, d);
		mpt_reader_close(r);
	}
	free(buf);
}

static void test_writer__order_and_misuse(void **state)
{
	struct mpt_writer *w;
	struct mpt_record rec;
	int fd = open_out(), err;

	assert_null(mpt_writer_new(-1, NULL, &err));
	assert_int_equal(err, MPT_E_INVAL);
	{
		struct mpt_writer_opts o = { .frame_max = MPT_FRAME_MAX + 1 };

		assert_null(mpt_writer_new(fd, &o, &err));
		assert_int_equal(err, MPT_E_INVAL);
	}
	w = mpt_writer_new(fd, NULL, &err);
	assert_non_null(w);
	assert_int_equal(mpt_writer_finish(w, 0), MPT_E_INVAL);

	/* The header comes first. */
	nth_record(0, &rec);
	assert_int_equal(mpt_writer_put(w, &rec), MPT_E_INVAL);
	assert_non_null(strstr(mpt_writer_errmsg(w), "header"));
	put_header(w, 500);

	memset(&rec, 0, sizeof(rec));
	rec.type = MPT_REC_HEADER;
	rec.time = 600;
	assert_int_equal(mpt_writer_put(w, &rec), MPT_E_INVAL);
	rec.type = MPT_REC_CONTEXT;
	assert_int_equal(mpt_writer_put(w, &rec), MPT_E_INVAL);
	rec.type = MPT_REC_END;
	assert_int_equal(mpt_writer_put(w, &rec), MPT_E_INVAL);
	rec.type = 0x7e;
	assert_int_equal(mpt_writer_put(w, &rec), MPT_E_INVAL);

	/* Time going backwards is refused; the writer carries on. */
	nth_record(1, &rec);
	rec.time = 499;
	assert_int_equal(mpt_writer_put(w, &rec), MPT_E_ORDER);
	assert_non_null(strstr(mpt_writer_errmsg(w), "499"));
	rec.time = 500;
	assert_int_equal(mpt_writer_put(w, &rec), 0);
	rec.type = MPT_REC_FREE;
	rec.time = 10;
	assert_int_equal(mpt_writer_put(w, &rec), MPT_E_ORDER);

	assert_int_equal(mpt_writer_finish(w, 3), 0);
	assert_int_equal(mpt_writer_put(w, &rec), MPT_E_INVAL);
	assert_int_equal(mpt_writer_finish(w, 3), MPT_E_INVAL);
	assert_true(mpt_writer_records(w) == 2);
	mpt_writer_free(w);
	mpt_writer_free(NULL);
	close(fd);
}

/* A record larger than a frame is refused, not split. */
static void test_writer__record_too_big(void **state)
{
	struct mpt_writer_opts o = { .frame_max = 128 };
	static char label[200];
	struct mpt_writer *w;
	struct mpt_record rec;
	int fd = open_out(), err;

	w = mpt_writer_new(fd, &o, &err);
	put_header(w, 0);
	memset(&rec, 0, sizeof(rec));
	rec.type = MPT_REC_MARKER;
	rec.u.marker.label.ptr = label;
	rec.u.marker.label.len = sizeof(label);
	assert_int_equal(mpt_writer_put(w, &rec), MPT_E_LIMIT);
	rec.u.marker.label.len = 100;
	assert_int_equal(mpt_writer_put(w, &rec), 0);
	assert_int_equal(mpt_writer_finish(w, 0), 0);
	mpt_writer_free(w);
	close(fd);
}

static void test_writer__io_error(void **state)
{
	struct mpt_writer *w;
	int fd = open("/dev/null", O_RDONLY), err;

	assert_true(fd >= 0);
	w = mpt_writer_new(fd, NULL, &err);
	assert_non_null(w);
	put_header(w, 0);
	errno = 0;
	assert_int_equal(mpt_writer_flush(w), MPT_E_IO);
	assert_int_equal(errno, EBADF);
	assert_non_null(strstr(mpt_writer_errmsg(w), "write failed at byte 0"));
	/* The error sticks. */
	assert_int_equal(mpt_writer_finish(w, 0), MPT_E_IO);
	mpt_writer_free(w);
	close(fd);
}

/* zstd itself accepts the trace, index frame included. */
static void test_writer__zstd_accepts(void **state)
{
	struct mpt_writer_opts o = { .frame_max = 1000 };
	struct mpt_writer *w;
	struct mpt_record rec;
	char cmd[128];
	int fd = open_out(), err, i;

	w = mpt_writer_new(fd, &o, &err);
	put_header(w, 0);
	for (i = 0; i < 2000; i++) {
		nth_record(i, &rec);
		assert_int_equal(mpt_writer_put(w, &rec), 0);
	}
	assert_int_equal(mpt_writer_finish(w, 0), 0);
	mpt_writer_free(w);
	close(fd);
	snprintf(cmd, sizeof(cmd), "zstd -q -t '%s'", path);
	assert_int_equal(system(cmd), 0);
}

/* Written to a pipe, the trace still carries its index, offsets from 0. */
static void test_writer__pipe(void **state)
{
	struct mpt_writer *w;
	struct mpt_reader *r;
	struct mpt_record rec;
	int p[2], err, i;

	assert_int_equal(pipe(p), 0);
	w = mpt_writer_new(p[1], NULL, &err);
	assert_non_null(w);
	put_header(w, 0);
	for (i = 0; i < 100; i++) {
		nth_record(i, &rec);
		assert_int_equal(mpt_writer_put(w, &rec), 0);
	}
	assert_int_equal(mpt_writer_finish(w, 0), 0);
	mpt_writer_free(w);
	close(p[1]);

	r = mpt_reader_fdopen(p[0], 0, &err);
	assert_non_null(r);
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	for (i = 0; i < 100; i++) {
		assert_int_equal(mpt_reader_next(r, &rec), 1);
		check_nth(i, &rec);
	}
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(rec.type, MPT_REC_END);
	assert_int_equal(mpt_reader_next(r, &rec), 0);
	assert_int_equal(mpt_reader_has_index(r), 1);
	assert_int_equal(mpt_reader_is_cut(r), 0);
	mpt_reader_close(r);
	close(p[0]);
}

/* A trace need not start at offset 0 of its file; no_index is honoured. */
static void test_writer__offset_and_no_index(void **state)
{
	struct mpt_writer_opts o = { .no_index = 1 };
	struct mpt_writer *w;
	struct mpt_reader *r;
	struct mpt_record rec;
	int fd = open_out(), err;
	uint8_t *buf;
	size_t len;

	assert_int_equal(write(fd, "junk", 4), 4);
	w = mpt_writer_new(fd, &o, &err);
	put_header(w, 0);
	assert_int_equal(mpt_writer_finish(w, 0), 0);
	mpt_writer_free(w);
	close(fd);

	buf = slurp(&len);
	assert_true(memcmp(buf + len - 8, MPT_INDEX_TRAILER_MAGIC, 8) != 0);
	fd = open(path, O_RDONLY);
	assert_int_equal(lseek(fd, 4, SEEK_SET), 4);
	r = mpt_reader_fdopen(fd, 0, &err);
	assert_int_equal(mpt_reader_seek(r, 0), 0);
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(rec.type, MPT_REC_HEADER);
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(rec.type, MPT_REC_END);
	assert_int_equal(mpt_reader_next(r, &rec), 0);
	assert_int_equal(mpt_reader_has_index(r), 0);
	mpt_reader_close(r);
	close(fd);
	free(buf);

	/* With an index: its offsets are file offsets, 4 and up. */
	fd = open_out();
	assert_int_equal(write(fd, "junk", 4), 4);
	w = mpt_writer_new(fd, NULL, &err);
	put_header(w, 0);
	nth_record(0, &rec);
	assert_int_equal(mpt_writer_put(w, &rec), 0);
	assert_int_equal(mpt_writer_finish(w, 0), 0);
	mpt_writer_free(w);
	close(fd);
	fd = open(path, O_RDONLY);
	assert_int_equal(lseek(fd, 4, SEEK_SET), 4);
	r = mpt_reader_fdopen(fd, 0, &err);
	assert_int_equal(mpt_reader_seek(r, rec.time), 0);
	assert_int_equal(mpt_reader_has_index(r), 1);
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(rec.type, MPT_REC_HEADER);
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	check_nth(0, &rec);
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(rec.type, MPT_REC_END);
	assert_int_equal(mpt_reader_next(r, &rec), 0);
	mpt_reader_close(r);
	close(fd);
}

/*
 * The first frames are small: 64 KiB at most, then half as much again
 * each, up to frame_max; full frames come close to their cap.  A record
 * too big for a small frame (here the header, with long arguments) gets a
 * frame of its own.
 */
static void test_writer__first_frames_small(void **state)
{
	static char arg[40000];
	struct mpt_bytes argv[3];
	struct mpt_writer *w;
	struct mpt_reader *r;
	struct mpt_record rec;
	int fd = open_out(), err, i, n = 400000, k = 0;
	uint8_t *buf, *dec;
	size_t len, off, d, cap = 64 * 1024;

	(void)state;
	w = mpt_writer_new(fd, NULL, &err);
	assert_non_null(w);
	memset(arg, 'x', sizeof(arg));
	for (i = 0; i < 3; i++) {
		argv[i].ptr = arg;
		argv[i].len = sizeof(arg);
	}
	memset(&rec, 0, sizeof(rec));
	rec.type = MPT_REC_HEADER;
	rec.u.header.argc = 3;
	rec.u.header.argv = argv;
	assert_int_equal(mpt_writer_put(w, &rec), 0);
	for (i = 0; i < n; i++) {
		nth_record(i, &rec);
		assert_int_equal(mpt_writer_put(w, &rec), 0);
	}
	assert_int_equal(mpt_writer_finish(w, 0), 0);
	mpt_writer_free(w);
	close(fd);

	buf = slurp(&len);
	dec = malloc(MPT_FRAME_MAX);
	assert_non_null(dec);
	off = 0;
	while ((d = next_data_frame(buf, len, &off, dec)) != (size_t)-1) {
		if (k == 0) {
			/* The header alone, over the first frame's cap. */
			assert_int_equal(dec[0], MPT_REC_HEADER);
			assert_true(d > 3 * sizeof(arg) && d < cap + cap);
		} else if (off < len - 200000) {
			/* Full, but for the last frames. */
			assert_true(d <= cap);
			assert_true(d > cap - 128);
		}
		k++;
		cap = cap + cap / 2 < MPT_FRAME_MAX ? cap + cap / 2 :
						      MPT_FRAME_MAX;
	}
	/* It reaches 1 MiB frames: 64K 96K ... 729K, then 1 MiB. */
	assert_true(cap == MPT_FRAME_MAX);
	assert_true(k > 9);
	free(dec);

	r = mpt_reader_memopen(buf, len, MPT_OPEN_STRICT, &err);
	assert_non_null(r);
	assert_int_equal(mpt_reader_next(r, &rec), 1);
	assert_int_equal(rec.type, MPT_REC_HEADER);
	assert_int_equal(rec.u.header.argc, 3);
	assert_memory_equal(rec.u.header.argv[2].ptr, arg, sizeof(arg));
	for (i = 0; i < n; i++) {
		assert_int_equal(mpt_reader_next(r, &rec), 1);
		check_nth(i, &rec);
	}
	mpt_reader_close(r);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_writer__frame_boundaries,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer__first_frames_small,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_writer__context_only_on_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer__order_and_misuse,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer__record_too_big,
						setup, teardown),
		cmocka_unit_test(test_writer__io_error),
		cmocka_unit_test_setup_teardown(test_writer__zstd_accepts,
						setup, teardown),
		cmocka_unit_test(test_writer__pipe),
		cmocka_unit_test_setup_teardown(
			test_writer__offset_and_no_index, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
