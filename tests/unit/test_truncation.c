/* Unit tests of cut traces: exactly the records of the complete frames. */
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
#include <zstd.h>

#include "mptrace.h"

#define NREC 400

/* What a reader should deliver, record by record. */
struct expect {
	uint8_t type;
	uint64_t time;
	uint32_t pid, tid;
	uint64_t key;
};

static uint8_t *trace;
static size_t trace_len;
static struct expect want[NREC + 2];
static size_t nwant;
/* File offset where the frame holding record i ends. */
static size_t frame_end_of[NREC + 2];
/* End of the frame holding END; the index frame follows. */
static size_t end_frame_end;

static uint64_t key_of(const struct mpt_record *r)
{
	switch (r->type) {
	case MPT_REC_ALLOC:
		return r->u.alloc.addr ^ r->u.alloc.size;
	case MPT_REC_FREE:
		return r->u.free.addr;
	case MPT_REC_STACK:
		return r->u.stack.id * 1000 + r->u.stack.nframe;
	case MPT_REC_END:
		return r->u.end.records;
	default:
		return 0;
	}
}

static int setup(void **state)
{
	char path[] = "/tmp/test_truncation.XXXXXX";
	struct mpt_writer_opts o = { .frame_max = 256 };
	static uint64_t frames[40];
	struct mpt_writer *w;
	struct mpt_reader *r;
	struct mpt_record rec;
	int fd = mkstemp(path), err, i;
	uint64_t t = 10;
	size_t off, k;

	assert_true(fd >= 0);
	w = mpt_writer_new(fd, &o, &err);
	assert_non_null(w);
	memset(&rec, 0, sizeof(rec));
	rec.type = MPT_REC_HEADER;
	assert_int_equal(mpt_writer_put(w, &rec), 0);
	for (i = 0; i < 40; i++)
		frames[i] = 0x400000 + (uint64_t)i * 0x111;
	for (i = 0; i < NREC; i++) {
		memset(&rec, 0, sizeof(rec));
		t += (uint64_t)(i % 13) * (uint64_t)(i % 5) * 100;
		rec.time = t;
		rec.pid = 1 + (uint32_t)(i / 40);
		rec.tid = rec.pid;
		if (i % 10 == 0) {
			rec.type = MPT_REC_STACK;
			rec.u.stack.id = (uint64_t)i + 1;
			rec.u.stack.nframe = 1 + (uint32_t)(i % 37);
			rec.u.stack.frame = frames;
		} else if (i % 3) {
			rec.type = MPT_REC_ALLOC;
			rec.u.alloc.size = (uint64_t)i * 3;
			rec.u.alloc.addr = 0x7f0000000000ull + (uint64_t)i * 48;
		} else {
			rec.type = MPT_REC_FREE;
			rec.u.free.addr = 0x7f0000000000ull + (uint64_t)i * 40;
		}
		assert_int_equal(mpt_writer_put(w, &rec), 0);
	}
	assert_int_equal(mpt_writer_finish(w, 0), 0);
	mpt_writer_free(w);
	trace_len = (size_t)lseek(fd, 0, SEEK_END);
	trace = malloc(trace_len);
	assert_int_equal(pread(fd, trace, trace_len, 0), (ssize_t)trace_len);
	close(fd);
	unlink(path);

	/* The full trace gives the reference, and the frame of each record. */
	r = mpt_reader_memopen(trace, trace_len, MPT_OPEN_STRICT, &err);
	nwant = 0;
	while (mpt_reader_next(r, &rec) > 0) {
		want[nwant].type = rec.type;
		want[nwant].time = rec.time;
		want[nwant].pid = rec.pid;
		want[nwant].tid = rec.tid;
		want[nwant].key = key_of(&rec);
		/* Offset of this record's frame: find its end by zstd. */
		off = mpt_reader_offset(r);
		k = ZSTD_findFrameCompressedSize(trace + off, trace_len - off);
		assert_false(ZSTD_isError(k));
		frame_end_of[nwant] = off + k;
		nwant++;
	}
	assert_int_equal(nwant, NREC + 2);
	assert_int_equal(mpt_reader_is_cut(r), 0);
	assert_true(mpt_reader_frames(r) > 20);
	end_frame_end = frame_end_of[nwant - 1];
	assert_true(end_frame_end < trace_len); /* the index follows */
	mpt_reader_close(r);
	return 0;
}

static int teardown(void **state)
{
	free(trace);
	return 0;
}

/* Read a prefix of `cut` bytes and check it against the reference. */
static void check_cut(struct mpt_reader *r, size_t cut)
{
	struct mpt_record rec;
	size_t n = 0, expect_n = 0;
	int rc;

	while (expect_n < nwant && frame_end_of[expect_n] <= cut)
		expect_n++;
	while ((rc = mpt_reader_next(r, &rec)) > 0) {
		assert_true(n < expect_n);
		assert_int_equal(rec.type, want[n].type);
		assert_true(rec.time == want[n].time);
		assert_int_equal(rec.pid, want[n].pid);
		assert_int_equal(rec.tid, want[n].tid);
		assert_true(key_of(&rec) == want[n].key);
		n++;
	}
	if (rc != 0)
		fail_msg("cut at %zu: %s", cut, mpt_reader_errmsg(r));
	if (n != expect_n)
		fail_msg("cut at %zu: %zu records, expected %zu", cut, n,
			 expect_n);
	assert_int_equal(mpt_reader_is_cut(r), cut < end_frame_end);
}

/* Cut at every byte offset, in memory. */
static void test_truncation__every_offset(void **state)
{
	struct mpt_reader *r;
	struct mpt_record rec;
	size_t cut;
	int err;

	/* Nothing at all is an empty file, not a cut trace. */
	r = mpt_reader_memopen(trace, 0, 0, &err);
	assert_int_equal(mpt_reader_next(r, &rec), MPT_E_EMPTY);
	mpt_reader_close(r);
	for (cut = 1; cut <= trace_len; cut++) {
		r = mpt_reader_memopen(trace, cut, 0, &err);
		assert_non_null(r);
		check_cut(r, cut);
		mpt_reader_close(r);
	}
}

/* The same through a file descriptor, at frame edges and inside frames. */
static void test_truncation__file(void **state)
{
	char path[] = "/tmp/test_truncation.XXXXXX";
	int fd = mkstemp(path), err;
	size_t i, cuts[] = { 1, 3, 4, 5, 9, 50, 0, 0, 0, 0, 0, 0 };
	struct mpt_reader *r;

	assert_true(fd >= 0);
	cuts[6] = frame_end_of[0];
	cuts[7] = frame_end_of[0] + 1;
	cuts[8] = frame_end_of[nwant / 2] - 1;
	cuts[9] = end_frame_end;
	cuts[10] = end_frame_end + 7;
	cuts[11] = trace_len;
	for (i = 0; i < sizeof(cuts) / sizeof(*cuts); i++) {
		assert_int_equal(ftruncate(fd, 0), 0);
		assert_int_equal(pwrite(fd, trace, cuts[i], 0),
				 (ssize_t)cuts[i]);
		r = mpt_reader_open(path, 0, &err);
		assert_non_null(r);
		check_cut(r, cuts[i]);
		mpt_reader_close(r);

		/* Seeking to 0 on a cut file falls back to a linear read. */
		r = mpt_reader_open(path, 0, &err);
		assert_int_equal(mpt_reader_seek(r, 0), 0);
		check_cut(r, cuts[i]);
		assert_int_equal(mpt_reader_has_index(r), cuts[i] == trace_len);
		mpt_reader_close(r);
	}
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncation__every_offset),
		cmocka_unit_test(test_truncation__file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
