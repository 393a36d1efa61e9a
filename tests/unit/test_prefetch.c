/*
 * Unit tests of analyzer/prefetch.c: through the decoding threads a trace
 * gives the records, end, cut and errors of mpt_reader_next() alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <zstd.h>

#include "mptrace.h"
#include "unit_trace.h"
#include "prefetch.h"

#define ZSTD_MAGIC 0xFD2FB528u

static uint64_t rng = 0x853c49e6748fea9bull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static char big[MPT_STRING_MAX];
static uint64_t frames[MPT_STACK_MAX];

/*
 * A trace of `n` records in frames of `frame_max` bytes: mostly events,
 * some stacks and markers, a few of them big enough to fill a batch's
 * arena on their own.
 */
static uint8_t *make_trace(int n, uint32_t frame_max, size_t *len)
{
	struct mpt_writer_opts opts = { 0, frame_max, 0 };
	struct mpt_writer *w;
	struct mpt_record r;
	int fd = memfd_create("trace", 0), err = 0, i;
	/* Big labels, as big as the frames allow. */
	uint64_t lmax = frame_max / 2 < MPT_STRING_MAX - 26 ?
				frame_max / 2 :
				MPT_STRING_MAX - 26;

	assert_true(fd >= 0);
	for (i = 0; i < MPT_STRING_MAX; i++)
		big[i] = (char)('a' + i % 26);
	for (i = 0; i < MPT_STACK_MAX; i++)
		frames[i] = 0x400000 + (uint64_t)i * 64;
	w = mpt_writer_new(fd, &opts, &err);
	assert_non_null(w);
	memset(&r, 0, sizeof(r));
	r.type = MPT_REC_HEADER;
	r.u.header.host.ptr = "h";
	r.u.header.host.len = 1;
	assert_int_equal(mpt_writer_put(w, &r), 0);
	for (i = 0; i < n; i++) {
		uint64_t x = rnd();

		memset(&r, 0, sizeof(r));
		r.time = (uint64_t)i * 10;
		r.pid = r.tid = 5 + (uint32_t)(x % 2);
		switch (x >> 56) {
		case 0:
		case 1:
			r.type = MPT_REC_STACK;
			r.pid = r.tid = 0;
			r.u.stack.id = (uint64_t)i + 1;
			r.u.stack.nframe =
				1 + (uint32_t)((x >> 8) %
					       (x >> 56 ? MPT_STACK_MAX : 8));
			r.u.stack.frame = frames;
			break;
		case 2:
		case 3:
			r.type = MPT_REC_MARKER;
			r.u.marker.label.ptr = big + (x >> 8) % 26;
			r.u.marker.label.len =
				(uint32_t)((x >> 16) %
					   (x >> 56 == 2 ? 16 : lmax));
			break;
		default:
			if (x & 4) {
				r.type = MPT_REC_FREE;
				r.u.free.addr = 0x10000 + ((x >> 8) & 0xfff0);
			} else {
				r.type = MPT_REC_ALLOC;
				r.u.alloc.size = (x >> 20) % 999;
				r.u.alloc.addr = 0x10000 + ((x >> 8) & 0xfff0);
			}
			break;
		}
		assert_int_equal(mpt_writer_put(w, &r), 0);
	}
	return unit_finish_slurp(w, fd, len);
}

static void assert_rec_same(const struct mpt_record *a,
			    const struct mpt_record *b)
{
	assert_int_equal(a->type, b->type);
	assert_true(a->time == b->time);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->tid, b->tid);
	switch (a->type) {
	case MPT_REC_ALLOC:
		assert_true(a->u.alloc.size == b->u.alloc.size);
		assert_true(a->u.alloc.addr == b->u.alloc.addr);
		break;
	case MPT_REC_FREE:
		assert_true(a->u.free.addr == b->u.free.addr);
		break;
	case MPT_REC_STACK:
		assert_true(a->u.stack.id == b->u.stack.id);
		assert_int_equal(a->u.stack.nframe, b->u.stack.nframe);
		assert_memory_equal(a->u.stack.frame, b->u.stack.frame,
				    a->u.stack.nframe * sizeof(uint64_t));
		break;
	case MPT_REC_MARKER:
		assert_int_equal(a->u.marker.label.len, b->u.marker.label.len);
		if (a->u.marker.label.len)
			assert_memory_equal(a->u.marker.label.ptr,
					    b->u.marker.label.ptr,
					    a->u.marker.label.len);
		break;
	case MPT_REC_HEADER:
		assert_int_equal(a->u.header.host.len, b->u.header.host.len);
		break;
	}
}

/*
 * All records of `buf` through a prefetcher, against a reader alone; both
 * end the same way.  Returns the records before the end; *rc the end.
 */
static int compare(const uint8_t *buf, size_t len, int *rc, char *msg,
		   size_t msg_size)
{
	struct mpt_reader *a, *b;
	struct mpt_prefetch *pf;
	const struct mpt_record *got;
	struct mpt_record want;
	int err, ra, rb, n = 0;

	a = mpt_reader_memopen(buf, len, 0, &err);
	b = mpt_reader_memopen(buf, len, 0, &err);
	assert_non_null(a);
	assert_non_null(b);
	pf = mpt_prefetch_new(b, &err);
	assert_non_null(pf);
	for (;;) {
		ra = mpt_reader_next(a, &want);
		rb = mpt_prefetch_next(pf, &got);
		assert_int_equal(ra, rb);
		if (ra <= 0)
			break;
		assert_rec_same(&want, got);
		n++;
	}
	/* The end stays. */
	assert_int_equal(mpt_prefetch_next(pf, &got), 0);
	mpt_prefetch_free(pf);
	assert_string_equal(mpt_reader_errmsg(a), mpt_reader_errmsg(b));
	assert_int_equal(mpt_reader_is_cut(a), mpt_reader_is_cut(b));
	*rc = ra;
	snprintf(msg, msg_size, "%s", mpt_reader_errmsg(a));
	mpt_reader_close(a);
	mpt_reader_close(b);
	return n;
}

/* Many frames, records big and small, in order. */
static void test_prefetch__many_frames(void **state)
{
	size_t len;
	uint8_t *buf;
	char msg[256];
	int rc;

	(void)state;
	buf = make_trace(200000, 16384, &len);
	assert_int_equal(compare(buf, len, &rc, msg, sizeof(msg)), 200002);
	assert_int_equal(rc, 0);
	free(buf);
}

/* A cut trace: the records of the whole frames, then the end, "cut". */
static void test_prefetch__cut(void **state)
{
	size_t len;
	uint8_t *buf;
	char msg[256];
	int rc, n, prev = 0, i;

	(void)state;
	buf = make_trace(50000, 4096, &len);
	for (i = 1; i <= 8; i++) {
		n = compare(buf, len * (size_t)i / 9, &rc, msg, sizeof(msg));
		assert_int_equal(rc, 0);
		assert_true(n > prev);
		prev = n;
	}
	free(buf);
}

/*
 * A frame in the middle that does not decompress (a flipped bit) or holds
 * a bad record: the records before it, then the reader's error.
 */
static void test_prefetch__corrupt_frame(void **state)
{
	size_t len, pos = 0, off[4096], nf = 0, k;
	uint8_t *buf, *bad;
	char msg[256], where[64];
	int rc, n, all;

	(void)state;
	buf = make_trace(100000, 4096, &len);
	while (pos < len) {
		size_t c = ZSTD_findFrameCompressedSize(buf + pos, len - pos);
		uint32_t magic;

		assert_false(ZSTD_isError(c));
		memcpy(&magic, buf + pos, 4);
		if (magic == ZSTD_MAGIC && nf < 4096)
			off[nf++] = pos;
		pos += c;
	}
	assert_true(nf > 20);
	all = compare(buf, len, &rc, msg, sizeof(msg));
	bad = malloc(len);
	assert_non_null(bad);
	for (k = 5; k < nf - 1; k += nf / 7) {
		memcpy(bad, buf, len);
		bad[(off[k] + off[k + 1]) / 2] ^= 0x10;
		n = compare(bad, len, &rc, msg, sizeof(msg));
		assert_true(rc < 0);
		assert_true(n > 0 && n < all);
		snprintf(where, sizeof(where), "byte %zu: ", off[k]);
		assert_true(!strncmp(msg, where, strlen(where)));
	}
	free(bad);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefetch__many_frames),
		cmocka_unit_test(test_prefetch__cut),
		cmocka_unit_test(test_prefetch__corrupt_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
