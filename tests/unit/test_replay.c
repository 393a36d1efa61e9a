/* test_replay.c - the replay model, on traces written with the formats writer.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "hash.h"
#include "mptrace.h"
#include "replay.h"

/*
 * A trace under construction: records are kept in memory, then written with
 * mpt_writer into a memfd and read back, so the replay sees exactly what a
 * reader delivers.
 */
#define MAXREC 4096
static struct mpt_record rec[MAXREC];
static size_t nrec;
static uint64_t now;
static uint32_t cur_pid = 100, cur_tid = 100;

static struct mpt_record *add(int type)
{
	struct mpt_record *r;

	assert_true(nrec < MAXREC);
	r = &rec[nrec++];
	memset(r, 0, sizeof(*r));
	r->type = (uint8_t)type;
	r->time = ++now;
	r->pid = cur_pid;
	r->tid = cur_tid;
	return r;
}

static void ctx(uint32_t pid, uint32_t tid)
{
	cur_pid = pid;
	cur_tid = tid;
}

static void header(uint64_t sample_bytes)
{
	struct mpt_record *r;

	nrec = 0;
	now = 0;
	ctx(0, 0);
	r = add(MPT_REC_HEADER);
	r->time = 0;
	r->u.header.major = MPT_VERSION_MAJOR;
	r->u.header.clock_id = 1;
	r->u.header.page_size = 4096;
	r->u.header.sample_bytes = sample_bytes;
	ctx(100, 100);
}

static void start(uint32_t pid, uint32_t ppid, uint32_t kind)
{
	struct mpt_record *r;

	ctx(pid, pid);
	r = add(MPT_REC_PROCESS_START);
	r->u.process_start.ppid = ppid;
	r->u.process_start.kind = kind;
	r->u.process_start.path.ptr = "/bin/app";
	r->u.process_start.path.len = 8;
}

static void pend(uint32_t kind, int32_t code)
{
	struct mpt_record *r = add(MPT_REC_PROCESS_END);

	r->u.process_end.kind = kind;
	r->u.process_end.code = code;
}

static void alloc_full(uint64_t addr, uint64_t size, uint64_t stack,
		       uint32_t func, uint32_t flags, uint64_t old)
{
	struct mpt_record *r = add(MPT_REC_ALLOC);

	r->u.alloc.func = func;
	r->u.alloc.flags = flags;
	r->u.alloc.size = size;
	r->u.alloc.addr = addr;
	r->u.alloc.stack = stack;
	r->u.alloc.old_addr = old;
}

static void alloc(uint64_t addr, uint64_t size, uint64_t stack)
{
	alloc_full(addr, size, stack, MPT_FN_MALLOC, 0, 0);
}

static void free_(uint64_t addr, uint32_t func)
{
	struct mpt_record *r = add(MPT_REC_FREE);

	r->u.free.func = func;
	r->u.free.addr = addr;
}

static void stack(uint64_t id, uint64_t parent, uint32_t n,
		  const uint64_t *frames)
{
	struct mpt_record *r;
	uint32_t p = cur_pid, t = cur_tid;

	ctx(0, 0);
	r = add(MPT_REC_STACK);
	r->u.stack.id = id;
	r->u.stack.parent = parent;
	r->u.stack.nframe = n;
	r->u.stack.frame = frames;
	ctx(p, t);
}

static void leak_block(uint64_t addr, uint64_t size, uint32_t kind)
{
	struct mpt_record *r = add(MPT_REC_LEAK_BLOCK);

	r->u.leak_block.addr = addr;
	r->u.leak_block.size = size;
	r->u.leak_block.kind = kind;
}

static void leak_scan(void)
{
	add(MPT_REC_LEAK_SCAN);
}

static void tag_push(const char *label)
{
	struct mpt_record *r = add(MPT_REC_TAG_PUSH);

	r->u.marker.label.ptr = label;
	r->u.marker.label.len = (uint32_t)strlen(label);
}

/*
 * What the callbacks saw.
 */
#define MAXLIVE 256
struct ended {
	uint32_t pid, image, reason, start_kind, end_kind;
	int scanned;
	size_t nmod;
	size_t n;
	struct mpt_block b[MAXLIVE];
};

static struct seen {
	int allocs, frees, failed, realloc_frees, temporaries;
	uint64_t last_free_size, last_lifetime;
	int nend;
	struct ended end[8];
} seen;

static int cb_alloc(void *c, struct mpt_process *p, const struct mpt_block *b,
		    const struct mpt_record *r)
{
	seen.allocs++;
	return 0;
}

static int cb_free(void *c, struct mpt_process *p, const struct mpt_block *b,
		   const struct mpt_free_info *fi)
{
	seen.frees++;
	seen.realloc_frees += fi->realloc;
	seen.temporaries += fi->temporary;
	seen.last_free_size = b->size;
	seen.last_lifetime = fi->lifetime;
	return 0;
}

static int cb_failed(void *c, struct mpt_process *p, const struct mpt_record *r)
{
	seen.failed++;
	return 0;
}

static int collect(void *c, const struct mpt_block *b)
{
	struct ended *e = c;

	assert_true(e->n < MAXLIVE);
	e->b[e->n++] = *b;
	return 0;
}

static int cmp_addr(const void *a, const void *b)
{
	const struct mpt_block *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cb_end(void *c, struct mpt_process *p)
{
	const struct mpt_process_info *in = mpt_process_info(p);
	struct ended *e;

	assert_true(seen.nend < 8);
	e = &seen.end[seen.nend++];
	memset(e, 0, sizeof(*e));
	e->pid = in->pid;
	e->image = in->image;
	e->reason = in->end_reason;
	e->start_kind = in->start_kind;
	e->end_kind = in->end_kind;
	e->scanned = in->scanned;
	e->nmod = mpt_process_nmodules(p);
	mpt_process_foreach(p, MPT_DOMAIN_ALL, collect, e);
	qsort(e->b, e->n, sizeof(e->b[0]), cmp_addr);
	return 0;
}

static const struct mpt_replay_ops ops = {
	.alloc = cb_alloc,
	.free = cb_free,
	.failed = cb_failed,
	.process_end = cb_end,
};

/*
 * Write the records, read them back into a new replay with `o` (the heap
 * untracked if `untracked`).
 */
static struct mpt_replay *replay_with(const struct mpt_replay_ops *o,
				      int untracked)
{
	struct mpt_writer *w;
	struct mpt_reader *rd;
	struct mpt_replay *r;
	int fd = memfd_create("trace", 0), err = 0;
	size_t i;

	assert_true(fd >= 0);
	w = mpt_writer_new(fd, NULL, &err);
	assert_non_null(w);
	for (i = 0; i < nrec; i++)
		assert_int_equal(mpt_writer_put(w, &rec[i]), 0);
	assert_int_equal(mpt_writer_finish(w, 0), 0);
	mpt_writer_free(w);
	assert_true(lseek(fd, 0, SEEK_SET) == 0);
	rd = mpt_reader_fdopen(fd, 0, &err);
	assert_non_null(rd);
	r = mpt_replay_new(o, NULL);
	assert_non_null(r);
	if (untracked)
		mpt_replay_untrack_heap(r);
	assert_int_equal(mpt_replay_run(r, rd), 0);
	assert_true(mpt_replay_complete(r));
	mpt_reader_close(rd);
	close(fd);
	return r;
}

/* The same with the callbacks that fill `seen`. */
static struct mpt_replay *replay(void)
{
	memset(&seen, 0, sizeof(seen));
	return replay_with(&ops, 0);
}

static void test_replay__alloc_free(void **state)
{
	struct mpt_replay *r;

	header(0);
	start(100, 0, MPT_PROC_INITIAL);
	alloc(0x1000, 10, 0);
	alloc(0x2000, 20, 0);
	free_(0x1000, MPT_FN_FREE);
	free_(0x9999, MPT_FN_FREE); /* never allocated */
	pend(MPT_END_EXIT, 0);
	r = replay();
	assert_int_equal(seen.allocs, 2);
	assert_int_equal(seen.frees, 1);
	assert_int_equal(seen.nend, 1);
	assert_int_equal(seen.end[0].reason, MPT_REPLAY_EXIT);
	assert_int_equal(seen.end[0].n, 1);
	assert_int_equal(seen.end[0].b[0].addr, 0x2000);
	assert_int_equal(seen.end[0].b[0].size, 20);
	assert_int_equal(seen.end[0].b[0].kind, MPT_LEAK_UNKNOWN);
	assert_int_equal(
		mpt_process_info(mpt_replay_find_pid(r, 100))->unknown_frees,
		1);
	assert_int_equal(
		mpt_process_info(mpt_replay_find_pid(r, 100))->heap_peak, 30);
	mpt_replay_free(r);
}

static void test_replay__realloc_halves(void **state)
{
	struct mpt_replay *r;
	const struct mpt_process_info *in;

	header(0);
	start(100, 0, MPT_PROC_INITIAL);
	alloc(0x1000, 100, 0);
	/* realloc(0x1000, 200) = 0x3000: the free half, then the alloc half */
	free_(0x1000, MPT_FN_REALLOC);
	alloc_full(0x3000, 200, 0, MPT_FN_REALLOC, 0, 0x1000);
	/* a failed realloc leaves the old block live */
	alloc_full(0, 1u << 30, 0, MPT_FN_REALLOC, MPT_ALLOC_FAILED, 0x3000);
	/* realloc(p, n) in place: same address in both halves */
	free_(0x3000, MPT_FN_REALLOC);
	alloc_full(0x3000, 50, 0, MPT_FN_REALLOC, 0, 0x3000);
	pend(MPT_END_EXIT, 0);
	r = replay();
	assert_int_equal(seen.realloc_frees, 2);
	assert_int_equal(seen.failed, 1);
	assert_int_equal(seen.end[0].n, 1);
	assert_int_equal(seen.end[0].b[0].addr, 0x3000);
	assert_int_equal(seen.end[0].b[0].size, 50);
	assert_true(seen.end[0].b[0].flags & MPT_BLOCK_REALLOC);
	in = mpt_process_info(mpt_replay_find_pid(r, 100));
	assert_int_equal(in->reallocs, 3);
	assert_int_equal(in->failed, 1);
	assert_int_equal(in->heap_bytes, 50);
	assert_int_equal(in->heap_peak, 200);
	mpt_replay_free(r);
}

static void test_replay__realloc_free_half_lost(void **state)
{
	struct mpt_replay *r;

	header(0);
	start(100, 0, MPT_PROC_INITIAL);
	alloc(0x1000, 100, 0);
	alloc_full(0x3000, 200, 0, MPT_FN_REALLOC, 0, 0x1000);
	pend(MPT_END_EXIT, 0);
	r = replay();
	assert_int_equal(seen.end[0].n, 1);
	assert_int_equal(seen.end[0].b[0].addr, 0x3000);
	assert_int_equal(seen.realloc_frees, 1);
	mpt_replay_free(r);
}

static void test_replay__failed_alloc(void **state)
{
	struct mpt_replay *r;
	const struct mpt_process_info *in;

	header(0);
	start(100, 0, MPT_PROC_INITIAL);
	alloc_full(0, 1ull << 40, 0, MPT_FN_MALLOC, MPT_ALLOC_FAILED, 0);
	alloc_full(0, 1ull << 40, 0, MPT_FN_CALLOC, MPT_ALLOC_FAILED, 0);
	alloc(0x1000, 8, 0);
	pend(MPT_END_EXIT, 0);
	r = replay();
	in = mpt_process_info(mpt_replay_find_pid(r, 100));
	assert_int_equal(seen.failed, 2);
	assert_int_equal(seen.allocs, 1);
	assert_int_equal(in->failed, 2);
	assert_int_equal(in->allocs, 3);
	assert_int_equal(seen.end[0].n, 1);
	mpt_replay_free(r);
}

static void test_replay__fork_inherits(void **state)
{
	struct mpt_replay *r;
	int i;

	header(0);
	start(100, 0, MPT_PROC_INITIAL);
	alloc(0x9000, 99, 0);
	free_(0x9000, MPT_FN_FREE); /* gone before the fork */
	alloc(0x1000, 10, 0);
	alloc(0x2000, 20, 0);
	start(101, 100, MPT_PROC_FORK); /* child: a copy of {0x1000, 0x2000} */
	free_(0x1000, MPT_FN_FREE);
	alloc(0x5000, 50, 0);
	ctx(100, 100);
	free_(0x2000, MPT_FN_FREE); /* the parent's copy only */
	alloc(0x3000, 30, 0);	    /* after the fork: not the child's */
	pend(MPT_END_EXIT, 0);
	leak_scan();
	ctx(101, 101);
	pend(MPT_END_EXIT, 0);
	leak_scan();
	r = replay();
	assert_int_equal(seen.nend, 2);
	for (i = 0; i < 2; i++) {
		struct ended *e = &seen.end[i];

		if (e->pid == 100) {
			assert_int_equal(e->n, 2);
			assert_int_equal(e->b[0].addr, 0x1000);
			assert_int_equal(e->b[1].addr, 0x3000);
		} else {
			assert_int_equal(e->pid, 101);
			assert_int_equal(e->start_kind, MPT_PROC_FORK);
			assert_int_equal(e->n, 2);
			assert_int_equal(e->b[0].addr, 0x2000);
			assert_true(e->b[0].flags & MPT_BLOCK_INHERITED);
			assert_int_equal(e->b[1].addr, 0x5000);
			assert_false(e->b[1].flags & MPT_BLOCK_INHERITED);
		}
	}
	assert_int_equal(mpt_process_info(mpt_replay_find_pid(r, 101))->ppid,
			 100);
	/* 30 bytes inherited, 10 freed, 50 allocated */
	assert_int_equal(
		mpt_process_info(mpt_replay_find_pid(r, 101))->heap_bytes, 70);
	assert_int_equal(
		mpt_process_info(mpt_replay_find_pid(r, 101))->heap_blocks, 2);
	mpt_replay_free(r);
}

static void test_replay__exec_resets(void **state)
{
	static const struct mpt_segment seg = { 0, 0x1000, 0, 5 };
	struct mpt_replay *r;
	struct mpt_record *m;

	header(0);
	start(100, 0, MPT_PROC_INITIAL);
	m = add(MPT_REC_MODULE_LOAD);
	m->u.module_load.module = 1;
	m->u.module_load.base = 0x400000;
	m->u.module_load.path.ptr = "/bin/app";
	m->u.module_load.path.len = 8;
	m->u.module_load.nseg = 1;
	m->u.module_load.seg = &seg;
	alloc(0x1000, 10, 0);
	start(100, 99, MPT_PROC_EXEC);
	alloc(0x2000, 20, 0);
	pend(MPT_END_EXIT, 0);
	leak_scan();
	r = replay();
	assert_int_equal(seen.nend, 2);
	assert_int_equal(seen.end[0].reason, MPT_REPLAY_EXEC);
	assert_int_equal(seen.end[0].nmod, 1);
	assert_int_equal(seen.end[0].n, 1);
	assert_int_equal(seen.end[0].b[0].addr, 0x1000);
	assert_int_equal(seen.end[1].reason, MPT_REPLAY_EXIT);
	assert_int_equal(seen.end[1].start_kind, MPT_PROC_EXEC);
	assert_int_equal(seen.end[1].nmod, 0);
	assert_int_equal(seen.end[1].n, 1);
	assert_int_equal(seen.end[1].b[0].addr, 0x2000);
	assert_int_equal(mpt_replay_nprocesses(r), 2);
	assert_int_equal(mpt_process_module_at(mpt_replay_process(r, 0),
					       0x400010, UINT64_MAX)
				 ->id,
			 1);
	mpt_replay_free(r);
}

static void test_replay__leak_kinds(void **state)
{
	struct mpt_replay *r;
	struct ended *e;

	header(0);
	start(100, 0, MPT_PROC_INITIAL);
	alloc(0x1000, 10, 0);
	alloc(0x2000, 20, 0);
	alloc(0x3000, 30, 0);
	alloc(0x4000, 40, 0);
	alloc(0x5000, 50, 0);
	/* The scan comes after the end record: the end waits for it. */
	pend(MPT_END_EXIT, 0);
	leak_block(0x1000, 10, MPT_LEAK_DEFINITE);
	leak_block(0x2000, 20, MPT_LEAK_INDIRECT);
	leak_block(0x3000, 30, MPT_LEAK_POSSIBLE);
	leak_block(0x4000, 40, MPT_LEAK_REACHABLE);
	leak_block(0x7777, 40, MPT_LEAK_REACHABLE); /* no such block */
	leak_scan();
	/* A second process killed by a signal: no scan, kinds unknown. */
	start(200, 0, MPT_PROC_INITIAL);
	alloc(0x1000, 5, 0);
	pend(MPT_END_SIGNAL, 9);
	/* A third never ends: the trace is cut for it. */
	start(300, 0, MPT_PROC_INITIAL);
	alloc(0x1000, 7, 0);
	r = replay();
	assert_int_equal(seen.nend, 3);
	e = &seen.end[0];
	assert_int_equal(e->pid, 100);
	assert_true(e->scanned);
	assert_int_equal(e->n, 5);
	assert_int_equal(e->b[0].kind, MPT_LEAK_DEFINITE);
	assert_int_equal(e->b[1].kind, MPT_LEAK_INDIRECT);
	assert_int_equal(e->b[2].kind, MPT_LEAK_POSSIBLE);
	assert_int_equal(e->b[3].kind, MPT_LEAK_REACHABLE);
	assert_int_equal(e->b[4].kind, MPT_LEAK_UNKNOWN);
	assert_int_equal(
		mpt_process_info(mpt_replay_process(r, 0))->leak_unmatched, 1);
	/* pid 200 ended when the next image started or at the end */
	e = seen.end[1].pid == 200 ? &seen.end[1] : &seen.end[2];
	assert_int_equal(e->pid, 200);
	assert_false(e->scanned);
	assert_int_equal(e->reason, MPT_REPLAY_EXIT);
	assert_int_equal(e->end_kind, MPT_END_SIGNAL);
	assert_int_equal(e->b[0].kind, MPT_LEAK_UNKNOWN);
	e = seen.end[1].pid == 300 ? &seen.end[1] : &seen.end[2];
	assert_int_equal(e->pid, 300);
	assert_int_equal(e->reason, MPT_REPLAY_CUT);
	assert_int_equal(e->n, 1);
	mpt_replay_free(r);
}

static void test_replay__scan_before_end(void **state)
{
	struct mpt_replay *r;

	header(0);
	start(100, 0, MPT_PROC_INITIAL);
	alloc(0x1000, 10, 0);
	leak_block(0x1000, 10, MPT_LEAK_DEFINITE);
	leak_scan();
	pend(MPT_END_EXIT, 3);
	r = replay();
	assert_int_equal(seen.nend, 1);
	assert_int_equal(seen.end[0].b[0].kind, MPT_LEAK_DEFINITE);
	assert_int_equal(mpt_process_info(mpt_replay_process(r, 0))->end_code,
			 3);
	mpt_replay_free(r);
}

static void test_replay__tags(void **state)
{
	struct mpt_replay *r;
	struct ended *e;

	header(0);
	start(100, 0, MPT_PROC_INITIAL);
	tag_push("parser");
	alloc(0x1000, 1, 0);
	tag_push("strings");
	alloc(0x2000, 2, 0);
	add(MPT_REC_TAG_POP);
	alloc(0x3000, 3, 0);
	ctx(100, 101); /* another thread: its own tag stack */
	alloc(0x4000, 4, 0);
	ctx(100, 100);
	add(MPT_REC_TAG_POP);
	alloc(0x5000, 5, 0);
	add(MPT_REC_TAG_POP); /* unbalanced pop: ignored */
	pend(MPT_END_EXIT, 0);
	r = replay();
	e = &seen.end[0];
	assert_int_equal(e->n, 5);
	assert_string_equal(mpt_replay_tag_name(r, e->b[0].tag), "parser");
	assert_string_equal(mpt_replay_tag_name(r, e->b[1].tag), "strings");
	assert_string_equal(mpt_replay_tag_name(r, e->b[2].tag), "parser");
	assert_int_equal(e->b[3].tag, 0);
	assert_int_equal(e->b[3].tid, 101);
	assert_int_equal(e->b[4].tag, 0);
	assert_null(mpt_replay_tag_name(r, 0));
	mpt_replay_free(r);
}

static void test_replay__sampling_weight(void **state)
{
	struct mpt_replay *r;
	struct ended *e;
	double w;

	header(1000);
	start(100, 0, MPT_PROC_INITIAL);
	alloc_full(0x1000, 100, 0, MPT_FN_MALLOC, MPT_ALLOC_SAMPLED, 0);
	alloc_full(0x2000, 100000, 0, MPT_FN_MALLOC, MPT_ALLOC_SAMPLED, 0);
	alloc(0x3000, 100, 0); /* recorded unconditionally */
	pend(MPT_END_EXIT, 0);
	r = replay();
	e = &seen.end[0];
	assert_int_equal(e->n, 3);
	/* p = 1 - exp(-s/N); weight = 1/p (FORMAT.md section 4) */
	w = mpt_replay_weight(r, &e->b[0]);
	assert_true(fabs(w - 1.0 / (1.0 - exp(-0.1))) < 1e-9);
	assert_int_equal(mpt_replay_bytes(r, &e->b[0]),
			 (uint64_t)llround(100.0 / (1.0 - exp(-0.1))));
	assert_int_equal(mpt_replay_bytes(r, &e->b[0]), 1051);
	w = mpt_replay_weight(r, &e->b[1]);
	assert_true(fabs(w - 1.0) < 1e-12);
	assert_true(mpt_replay_weight(r, &e->b[2]) == 1.0);
	assert_int_equal(mpt_replay_bytes(r, &e->b[2]), 100);
	mpt_replay_free(r);
}

static void test_replay__stacks(void **state)
{
	static const uint64_t outer[] = { 0x400100, 0x400200 };
	static const uint64_t inner[] = { 0x400010, 0x400020, 0x400030 };
	struct mpt_replay *r;
	uint64_t out[8];
	uint32_t idx;
	struct ended *e;

	header(0);
	start(100, 0, MPT_PROC_INITIAL);
	stack(7, 0, 2, outer);
	stack(9, 7, 3, inner);
	alloc(0x1000, 1, 9);
	alloc(0x2000, 1, 7);
	pend(MPT_END_EXIT, 0);
	r = replay();
	assert_int_equal(mpt_replay_nstacks(r), 2);
	idx = mpt_replay_stack_index(r, 9);
	assert_int_not_equal(idx, 0);
	assert_int_equal(mpt_replay_stack_id(r, idx), 9);
	assert_int_equal(mpt_replay_stack_frames(r, idx, out, 8), 5);
	assert_int_equal(out[0], 0x400010);
	assert_int_equal(out[2], 0x400030);
	assert_int_equal(out[3], 0x400100);
	assert_int_equal(out[4], 0x400200);
	/* a short buffer gets the innermost frames, the depth is still 5 */
	assert_int_equal(mpt_replay_stack_frames(r, idx, out, 2), 5);
	assert_int_equal(out[1], 0x400020);
	e = &seen.end[0];
	assert_int_equal(e->b[0].stack, idx);
	assert_int_equal(e->b[1].stack, mpt_replay_stack_index(r, 7));
	assert_int_equal(mpt_replay_stack_index(r, 12345), 0);
	mpt_replay_free(r);
}

static void test_replay__temporary(void **state)
{
	struct mpt_replay *r;

	header(0);
	start(100, 0, MPT_PROC_INITIAL);
	alloc(0x1000, 1, 0);
	free_(0x1000, MPT_FN_FREE); /* temporary */
	alloc(0x2000, 1, 0);
	alloc(0x3000, 1, 0);
	free_(0x2000, MPT_FN_FREE); /* not: 0x3000 came in between */
	ctx(100, 101);
	alloc(0x4000, 1, 0); /* another thread's allocation ... */
	ctx(100, 100);
	free_(0x3000, MPT_FN_FREE); /* ... does not count: temporary */
	pend(MPT_END_EXIT, 0);
	r = replay();
	assert_int_equal(seen.frees, 3);
	assert_int_equal(seen.temporaries, 2);
	mpt_replay_free(r);
}

static void test_replay__mmap_and_gpu(void **state)
{
	struct mpt_replay *r;
	struct mpt_record *m;
	struct ended *e;

	header(0);
	start(100, 0, MPT_PROC_INITIAL);
	m = add(MPT_REC_MMAP);
	m->u.mmap.addr = 0x10000;
	m->u.mmap.len = 0x4000;
	m = add(MPT_REC_MUNMAP); /* a hole in the middle */
	m->u.munmap.addr = 0x11000;
	m->u.munmap.len = 0x1000;
	m = add(MPT_REC_GPU_ALLOC);
	m->u.gpu_alloc.device = 1;
	m->u.gpu_alloc.addr = 0x7000;
	m->u.gpu_alloc.size = 4096;
	m = add(MPT_REC_GPU_ALLOC);
	m->u.gpu_alloc.device = 0;
	m->u.gpu_alloc.addr = 0x7000; /* same address, other device */
	m->u.gpu_alloc.size = 8192;
	m = add(MPT_REC_GPU_FREE);
	m->u.gpu_free.device = 1;
	m->u.gpu_free.addr = 0x7000;
	pend(MPT_END_EXIT, 0);
	r = replay();
	e = &seen.end[0];
	assert_int_equal(seen.frees, 2);
	assert_int_equal(e->n, 3);
	/* sorted by address: gpu 0x7000, then the two pieces of the map */
	assert_int_equal(e->b[0].domain, MPT_DOMAIN_GPU);
	assert_int_equal(e->b[0].device, 0);
	assert_int_equal(e->b[0].size, 8192);
	assert_int_equal(e->b[1].domain, MPT_DOMAIN_MMAP);
	assert_int_equal(e->b[1].addr, 0x10000);
	assert_int_equal(e->b[1].size, 0x1000);
	assert_int_equal(e->b[2].addr, 0x12000);
	assert_int_equal(e->b[2].size, 0x2000);
	mpt_replay_free(r);
}

/* The address table against a plain reference, with many deletions. */
static void test_replay__table_stress(void **state)
{
	enum { N = 20000, OPS = 400000 };
	static uint64_t size[N];
	struct mpt_replay *r = mpt_replay_new(NULL, NULL);
	struct mpt_record x;
	struct mpt_process *p;
	uint64_t live = 0, seed = 42;
	int i;

	memset(&x, 0, sizeof(x));
	x.type = MPT_REC_PROCESS_START;
	x.pid = x.tid = 1;
	assert_int_equal(mpt_replay_record(r, &x), 0);
	for (i = 0; i < OPS; i++) {
		uint32_t k;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		k = (uint32_t)(seed >> 33) % N;
		memset(&x.u, 0, sizeof(x.u));
		x.time = (uint64_t)i;
		if (size[k]) {
			x.type = MPT_REC_FREE;
			x.u.free.addr = 0x10000 + (uint64_t)k * 16;
			live--;
			size[k] = 0;
		} else {
			x.type = MPT_REC_ALLOC;
			x.u.alloc.addr = 0x10000 + (uint64_t)k * 16;
			x.u.alloc.size = 1 + (seed >> 40) % 1000;
			size[k] = x.u.alloc.size;
			live++;
		}
		assert_int_equal(mpt_replay_record(r, &x), 0);
	}
	p = mpt_replay_find_pid(r, 1);
	assert_int_equal(mpt_process_nlive(p, MPT_DOMAIN_ALL), live);
	for (i = 0; i < N; i++) {
		const struct mpt_block *b = mpt_process_lookup(
			p, MPT_DOMAIN_HEAP, 0, 0x10000 + (uint64_t)i * 16);

		if (size[i]) {
			assert_non_null(b);
			assert_int_equal(b->size, size[i]);
		} else {
			assert_null(b);
		}
	}
	mpt_replay_free(r);
}

/*
 * Without the heap table (mpt_replay_untrack_heap()) the alloc callback
 * sees the same blocks, in the same order, as with it: on a random mix of
 * processes, threads, reallocs, failed allocations, addresses allocated
 * twice and frees of addresses never allocated; frees are only counted.
 */
struct alloc_seen {
	uint32_t pid, tid, stack;
	uint64_t addr, size, time;
	uint16_t tag;
	uint8_t func, flags, domain;
};

static struct alloc_seen alog[2][MAXREC];
static size_t nalog[2];
static int alog_side;

static int cb_alloc_log(void *c, struct mpt_process *p,
			const struct mpt_block *b, const struct mpt_record *r)
{
	struct alloc_seen *a = &alog[alog_side][nalog[alog_side]++];

	(void)c;
	(void)r;
	memset(a, 0, sizeof(*a));
	a->pid = mpt_process_info(p)->pid;
	a->tid = b->tid;
	a->stack = b->stack;
	a->addr = b->addr;
	a->size = b->size;
	a->time = b->time;
	a->tag = b->tag;
	a->func = b->func;
	a->flags = b->flags;
	a->domain = b->domain;
	return 0;
}

static struct mpt_replay *replay_untracked(int untracked)
{
	static const struct mpt_replay_ops log_ops = { .alloc = cb_alloc_log };

	alog_side = untracked;
	nalog[untracked] = 0;
	return replay_with(&log_ops, untracked);
}

static void test_replay__untracked_heap(void **state)
{
	static const uint64_t frames[2] = { 0x401000, 0x402000 };
	struct mpt_replay *tr, *ur;
	uint64_t seed = 7, live[16] = { 0 };
	uint64_t nfree[2] = { 0, 0 }, nalloc[2] = { 0, 0 };
	uint64_t nfailed[2] = { 0, 0 }, nrealloc[2] = { 0, 0 };
	int i, k;

	(void)state;
	header(0);
	start(100, 0, MPT_PROC_INITIAL);
	stack(1, 0, 2, frames);
	tag_push("phase");
	for (i = 0; i < 3000; i++) {
		uint32_t pid;
		uint64_t x;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		x = seed >> 20;
		if (i == 1500)
			start(101, 100, MPT_PROC_FORK);
		pid = i >= 1500 && (x & 1) ? 101 : 100;
		ctx(pid, pid + (uint32_t)((x >> 1) % 3));
		k = (int)((x >> 4) % 16);
		switch ((x >> 8) % 10) {
		case 0: /* a failed allocation */
			alloc_full(0, 64, 1, MPT_FN_MALLOC, MPT_ALLOC_FAILED,
				   0);
			nfailed[pid - 100]++;
			nalloc[pid - 100]++;
			break;
		case 1: /* a free of an address never allocated */
			free_(0x900000 + (uint64_t)k * 16, MPT_FN_FREE);
			nfree[pid - 100]++;
			break;
		case 2: /* a realloc of a live block, or a fresh one */
			alloc_full(0x100000 + (uint64_t)k * 64 + 8, 1 + x % 999,
				   1, MPT_FN_REALLOC, 0, live[k] ? live[k] : 0);
			live[k] = 0x100000 + (uint64_t)k * 64 + 8;
			nalloc[pid - 100]++;
			nrealloc[pid - 100] += rec[nrec - 1].u.alloc.old_addr !=
					       0;
			break;
		case 3: /* an address allocated twice */
		case 4:
		case 5:
			alloc(0x100000 + (uint64_t)k * 64, 1 + x % 4096,
			      (x >> 13) % 2);
			live[k] = 0x100000 + (uint64_t)k * 64;
			nalloc[pid - 100]++;
			break;
		default:
			if (live[k]) {
				free_(live[k], MPT_FN_FREE);
				nfree[pid - 100]++;
				live[k] = 0;
			}
			break;
		}
	}
	ctx(100, 100);
	pend(MPT_END_EXIT, 0);
	ctx(101, 101);
	pend(MPT_END_EXIT, 0);
	tr = replay_untracked(0);
	ur = replay_untracked(1);
	assert_true(nalog[0] > 1000);
	assert_int_equal(nalog[0], nalog[1]);
	assert_memory_equal(alog[0], alog[1], nalog[0] * sizeof(alog[0][0]));
	for (k = 0; k < 2; k++) {
		const struct mpt_process_info *t =
			mpt_process_info(mpt_replay_find_pid(tr, 100 + k));
		const struct mpt_process_info *u =
			mpt_process_info(mpt_replay_find_pid(ur, 100 + k));

		assert_int_equal(t->allocs, nalloc[k]);
		assert_int_equal(u->allocs, nalloc[k]);
		assert_int_equal(u->failed, nfailed[k]);
		assert_int_equal(u->reallocs, nrealloc[k]);
		assert_int_equal(t->reallocs, nrealloc[k]);
		assert_int_equal(u->frees, nfree[k]);
		assert_int_equal(u->heap_blocks, 0);
		assert_int_equal(u->heap_bytes, 0);
	}
	mpt_replay_free(tr);
	mpt_replay_free(ur);
}

/*
 * Heap events of a process after it ended (its image still the latest of
 * its pid) change nothing, with the heap tracked or not: the fast paths
 * must know that the process is finished.
 */
static void test_replay__events_after_end(void **state)
{
	int untracked;

	(void)state;
	for (untracked = 0; untracked < 2; untracked++) {
		struct mpt_replay *r;
		const struct mpt_process_info *in;

		header(0);
		start(100, 0, MPT_PROC_INITIAL);
		alloc(0x1000, 10, 0);
		alloc(0x2000, 20, 0);
		free_(0x1000, MPT_FN_FREE);
		pend(MPT_END_EXIT, 0);
		leak_scan();
		alloc(0x3000, 30, 0);
		alloc(0x4000, 40, 0);
		free_(0x2000, MPT_FN_FREE);
		memset(&seen, 0, sizeof(seen));
		r = replay_with(&ops, untracked);
		in = mpt_process_info(mpt_replay_find_pid(r, 100));
		assert_int_equal(seen.nend, 1);
		assert_int_equal(seen.allocs, 2);
		assert_int_equal(in->allocs, 2);
		assert_int_equal(in->frees, 1);
		if (!untracked) {
			assert_int_equal(seen.frees, 1);
			assert_int_equal(seen.end[0].n, 1);
			assert_int_equal(seen.end[0].b[0].addr, 0x2000);
		}
		mpt_replay_free(r);
	}
}

/*
 * A realloc without its free half, of an address freed and then allocated
 * again (by another thread, through the general path): the old block is
 * still live, and the realloc ends it.
 */
static void test_replay__realloc_of_reused_address(void **state)
{
	struct mpt_replay *r;

	(void)state;
	header(0);
	start(100, 0, MPT_PROC_INITIAL);
	alloc(0x1000, 10, 0);
	alloc(0x2000, 20, 0);
	free_(0x1000, MPT_FN_FREE);
	ctx(100, 101);
	alloc(0x1000, 30, 0);
	alloc_full(0x5000, 50, 0, MPT_FN_REALLOC, 0, 0x1000);
	ctx(100, 100);
	pend(MPT_END_EXIT, 0);
	r = replay();
	assert_int_equal(seen.nend, 1);
	assert_int_equal(seen.end[0].n, 2);
	assert_int_equal(seen.end[0].b[0].addr, 0x2000);
	assert_int_equal(seen.end[0].b[1].addr, 0x5000);
	assert_int_equal(seen.frees, 2);
	mpt_replay_free(r);
}

static void test_hash__put_get_del(void **state)
{
	struct mpt_hmap m;
	uint64_t key, val, pos = 0;
	int i, n = 0;

	mpt_hmap_init(&m);
	for (i = 0; i < 5000; i++)
		*mpt_hmap_put(&m, (uint64_t)i * 7, NULL) = (uint64_t)i;
	for (i = 0; i < 5000; i += 2)
		assert_int_equal(mpt_hmap_del(&m, (uint64_t)i * 7), 1);
	assert_int_equal(mpt_hmap_del(&m, 3), 0);
	for (i = 0; i < 5000; i++) {
		uint64_t *v = mpt_hmap_get(&m, (uint64_t)i * 7);

		if (i % 2) {
			assert_non_null(v);
			assert_int_equal(*v, i);
		} else {
			assert_null(v);
		}
	}
	while (mpt_hmap_next(&m, &pos, &key, &val))
		n++;
	assert_int_equal(n, 2500);
	assert_int_equal(m.n, 2500);
	mpt_hmap_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay__alloc_free),
		cmocka_unit_test(test_replay__realloc_halves),
		cmocka_unit_test(test_replay__realloc_free_half_lost),
		cmocka_unit_test(test_replay__failed_alloc),
		cmocka_unit_test(test_replay__fork_inherits),
		cmocka_unit_test(test_replay__exec_resets),
		cmocka_unit_test(test_replay__leak_kinds),
		cmocka_unit_test(test_replay__scan_before_end),
		cmocka_unit_test(test_replay__tags),
		cmocka_unit_test(test_replay__sampling_weight),
		cmocka_unit_test(test_replay__stacks),
		cmocka_unit_test(test_replay__temporary),
		cmocka_unit_test(test_replay__mmap_and_gpu),
		cmocka_unit_test(test_replay__table_stress),
		cmocka_unit_test(test_replay__untracked_heap),
		cmocka_unit_test(test_replay__events_after_end),
		cmocka_unit_test(test_replay__realloc_of_reused_address),
		cmocka_unit_test(test_hash__put_get_del),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
