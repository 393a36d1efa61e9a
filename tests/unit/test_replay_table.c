/*
 * test_replay_table.c - the replay's live-block tables against a plain
 * model: random inserts, frees, reallocs and address reuse of colliding
 * keys, across growth and shrinking, in the heap and GPU domains, and the
 * copy a fork makes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mptrace.h"
#include "replay.h"

/* Keys: NADDR addresses, each in the heap and on NDEV GPU devices. */
#define NADDR 6000
#define NDEV 3
#define NKEY (NADDR * (1 + NDEV))

/* Threads of process p are p * 100 + 0 .. NTHR - 1. */
#define NTHR 3

struct model {
	uint64_t size[NKEY]; /* 0: not live */
	uint32_t stack[NKEY];
	uint32_t tid[NKEY];
	uint64_t last[NTHR]; /* each thread's latest heap block, 0: none */
	uint64_t heap_bytes, heap_blocks;
	uint64_t nlive[3];
};

/* Key k: heap for k < NADDR, else GPU device (k / NADDR - 1). */
static int key_domain(uint32_t k)
{
	return k < NADDR ? MPT_DOMAIN_HEAP : MPT_DOMAIN_GPU;
}

static uint32_t key_device(uint32_t k)
{
	return k < NADDR ? 0 : k / NADDR - 1;
}

/*
 * Addresses that collide on purpose: runs of neighbours 16 bytes apart,
 * and others that differ only above bit 20.
 */
static uint64_t key_addr(uint32_t k)
{
	uint32_t a = k % NADDR;

	if (a % 2)
		return 0x550000000000ull + ((uint64_t)a << 20);
	return 0x7f0000001000ull + (uint64_t)a * 16;
}

/* What the callbacks check: a freed block is what the model holds. */
static struct {
	struct model *m; /* the model of the process being checked */
	uint32_t pid;
	uint64_t allocs, frees;
} cb;

static uint32_t key_of(const struct mpt_block *b)
{
	uint32_t a;

	if (b->addr >= 0x7f0000000000ull)
		a = (uint32_t)((b->addr - 0x7f0000001000ull) / 16);
	else
		a = (uint32_t)((b->addr - 0x550000000000ull) >> 20);
	assert_true(a < NADDR);
	assert_int_equal(key_addr(a), b->addr);
	return b->domain == MPT_DOMAIN_HEAP ?
		       a :
		       (uint32_t)(b->device + 1) * NADDR + a;
}

static int on_alloc(void *ctx, struct mpt_process *p, const struct mpt_block *b,
		    const struct mpt_record *rec)
{
	(void)ctx;
	(void)rec;
	if (mpt_process_info(p)->pid == cb.pid)
		cb.allocs++;
	return 0;
}

static int on_free(void *ctx, struct mpt_process *p, const struct mpt_block *b,
		   const struct mpt_free_info *fi)
{
	uint32_t k, j = b->tid % 100;
	int temporary;

	(void)ctx;
	if (mpt_process_info(p)->pid != cb.pid || !cb.m)
		return 0;
	k = key_of(b);
	/* The model still holds the block: it is updated after the call. */
	assert_int_equal(cb.m->size[k], b->size);
	assert_int_equal(cb.m->stack[k], b->stack);
	assert_int_equal(cb.m->tid[k], b->tid);
	/*
	 * Temporary: a heap block its thread (of this process: inherited
	 * blocks name the parent's) allocated last.
	 */
	temporary = key_domain(k) == MPT_DOMAIN_HEAP &&
		    b->tid / 100 == cb.pid && j < NTHR &&
		    cb.m->last[j] == b->addr;
	assert_int_equal(fi->temporary, temporary);
	if (temporary)
		cb.m->last[j] = 0;
	cb.frees++;
	return 0;
}

static const struct mpt_replay_ops ops = {
	.alloc = on_alloc,
	.free = on_free,
};

static uint64_t now;

static int put_tid(struct mpt_replay *r, int type, uint32_t pid, uint32_t tid,
		   struct mpt_record *x)
{
	x->type = (uint8_t)type;
	x->pid = pid;
	x->tid = tid;
	x->time = ++now;
	return mpt_replay_record(r, x);
}

static int put(struct mpt_replay *r, int type, uint32_t pid,
	       struct mpt_record *x)
{
	x->type = (uint8_t)type;
	x->pid = x->tid = pid;
	x->time = ++now;
	return mpt_replay_record(r, x);
}

static void define_stacks(struct mpt_replay *r)
{
	static const uint64_t frame[1] = { 0x401000 };
	struct mpt_record x;
	uint64_t id;

	for (id = 1; id <= 8; id++) {
		memset(&x, 0, sizeof(x));
		x.u.stack.id = id;
		x.u.stack.nframe = 1;
		x.u.stack.frame = frame;
		assert_int_equal(put(r, MPT_REC_STACK, 0, &x), 0);
	}
}

static void start(struct mpt_replay *r, uint32_t pid, uint32_t ppid,
		  uint32_t kind)
{
	struct mpt_record x;

	memset(&x, 0, sizeof(x));
	x.u.process_start.ppid = ppid;
	x.u.process_start.kind = kind;
	assert_int_equal(put(r, MPT_REC_PROCESS_START, pid, &x), 0);
}

static void model_set(struct model *m, uint32_t k, uint64_t size,
		      uint32_t stack, uint32_t tid)
{
	int d = key_domain(k);

	if (m->size[k]) {
		m->nlive[d]--;
		if (d == MPT_DOMAIN_HEAP) {
			m->heap_bytes -= m->size[k];
			m->heap_blocks--;
		}
	}
	m->size[k] = size;
	m->stack[k] = stack;
	m->tid[k] = tid;
	if (size) {
		m->nlive[d]++;
		if (d == MPT_DOMAIN_HEAP) {
			m->heap_bytes += size;
			m->heap_blocks++;
		}
	}
}

static uint64_t rnd(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
	return *seed >> 33;
}

/*
 * `n` random events on process `pid`; `grow` in [0, 100] is the chance in
 * percent that an event makes a block rather than frees one.
 */
static void churn(struct mpt_replay *r, struct model *m, uint32_t pid, int n,
		  int grow, uint64_t *seed)
{
	struct mpt_record x;
	int i;

	cb.m = m;
	cb.pid = pid;
	for (i = 0; i < n; i++) {
		uint32_t k = (uint32_t)(rnd(seed) % NKEY);
		uint64_t size = 1 + rnd(seed) % 4096;
		uint32_t stack = 1 + (uint32_t)(rnd(seed) % 8);
		uint32_t j = (uint32_t)(rnd(seed) % NTHR), tid = pid * 100 + j;
		int make = (int)(rnd(seed) % 100) < grow;
		int heap = key_domain(k) == MPT_DOMAIN_HEAP;

		memset(&x, 0, sizeof(x));
		if (!make && !m->size[k]) {
			/* Frees of dead addresses: a few, then a live one. */
			if (rnd(seed) % 8 == 0 && heap) {
				x.u.free.addr = key_addr(k);
				assert_int_equal(put_tid(r, MPT_REC_FREE, pid,
							 tid, &x),
						 0);
				continue;
			}
			make = 1;
		}
		if (!make) {
			if (heap) {
				x.u.free.func = MPT_FN_FREE;
				x.u.free.addr = key_addr(k);
				assert_int_equal(put_tid(r, MPT_REC_FREE, pid,
							 tid, &x),
						 0);
			} else {
				x.u.gpu_free.addr = key_addr(k);
				x.u.gpu_free.device = key_device(k);
				assert_int_equal(put_tid(r, MPT_REC_GPU_FREE,
							 pid, tid, &x),
						 0);
			}
			model_set(m, k, 0, 0, 0);
			continue;
		}
		if (!heap) {
			/* A live address again: the old buffer ends. */
			x.u.gpu_alloc.addr = key_addr(k);
			x.u.gpu_alloc.device = key_device(k);
			x.u.gpu_alloc.size = size;
			x.u.gpu_alloc.stack = stack;
			assert_int_equal(
				put_tid(r, MPT_REC_GPU_ALLOC, pid, tid, &x), 0);
			model_set(m, k, size, stack, tid);
			continue;
		}
		x.u.alloc.func = MPT_FN_MALLOC;
		x.u.alloc.addr = key_addr(k);
		x.u.alloc.size = size;
		x.u.alloc.stack = stack;
		if (rnd(seed) % 4 == 0) {
			/* A realloc from another address, live or not. */
			uint32_t o = (uint32_t)(rnd(seed) % NADDR);

			x.u.alloc.func = MPT_FN_REALLOC;
			x.u.alloc.old_addr = key_addr(o);
			assert_int_equal(
				put_tid(r, MPT_REC_ALLOC, pid, tid, &x), 0);
			if (o != k)
				model_set(m, o, 0, 0, 0);
			model_set(m, k, size, stack, tid);
			m->last[j] = key_addr(k);
			continue;
		}
		/* A live address again: the first block ended unseen. */
		assert_int_equal(put_tid(r, MPT_REC_ALLOC, pid, tid, &x), 0);
		model_set(m, k, size, stack, tid);
		m->last[j] = key_addr(k);
	}
	cb.m = NULL;
}

static struct {
	const struct model *m;
	uint64_t n;
	int inherited; /* every block must be, or none */
} walk;

static int check_block(void *ctx, const struct mpt_block *b)
{
	uint32_t k = key_of(b);

	(void)ctx;
	assert_int_equal(walk.m->size[k], b->size);
	assert_int_equal(walk.m->stack[k], b->stack);
	assert_int_equal(b->domain, key_domain(k));
	assert_int_equal(b->device, key_device(k));
	if (walk.inherited >= 0)
		assert_int_equal(!!(b->flags & MPT_BLOCK_INHERITED),
				 walk.inherited);
	walk.n++;
	return 0;
}

/* The process holds exactly the model's blocks. */
static void check(struct mpt_replay *r, const struct model *m, uint32_t pid,
		  int inherited)
{
	struct mpt_process *p = mpt_replay_find_pid(r, pid);
	const struct mpt_process_info *in;
	uint32_t k;

	assert_non_null(p);
	in = mpt_process_info(p);
	assert_int_equal(in->heap_bytes, m->heap_bytes);
	assert_int_equal(in->heap_blocks, m->heap_blocks);
	assert_int_equal(mpt_process_nlive(p, MPT_DOMAIN_BIT(MPT_DOMAIN_HEAP)),
			 m->nlive[MPT_DOMAIN_HEAP]);
	assert_int_equal(mpt_process_nlive(p, MPT_DOMAIN_BIT(MPT_DOMAIN_GPU)),
			 m->nlive[MPT_DOMAIN_GPU]);
	for (k = 0; k < NKEY; k++) {
		const struct mpt_block *b = mpt_process_lookup(
			p, key_domain(k), key_device(k), key_addr(k));

		if (!m->size[k]) {
			assert_null(b);
			continue;
		}
		assert_non_null(b);
		assert_int_equal(b->addr, key_addr(k));
		assert_int_equal(b->size, m->size[k]);
		assert_int_equal(b->stack, m->stack[k]);
	}
	walk.m = m;
	walk.n = 0;
	walk.inherited = inherited;
	assert_int_equal(
		mpt_process_foreach(p, MPT_DOMAIN_ALL, check_block, NULL), 0);
	assert_int_equal(walk.n,
			 m->nlive[MPT_DOMAIN_HEAP] + m->nlive[MPT_DOMAIN_GPU]);
}

/* A new replay with the stacks defined and process 1 started. */
static struct mpt_replay *new_replay(void)
{
	struct mpt_replay *r = mpt_replay_new(&ops, NULL);

	assert_non_null(r);
	memset(&cb, 0, sizeof(cb));
	define_stacks(r);
	start(r, 1, 0, MPT_PROC_INITIAL);
	return r;
}

/* Grow to thousands of blocks, churn, shrink to a few, grow again. */
static void test_replay_table__phases(void **state)
{
	static struct model m;
	struct mpt_replay *r;
	uint64_t seed = 7;
	static const int grow[] = { 90, 50, 10, 50, 95, 5, 50 };
	size_t i;

	(void)state;
	memset(&m, 0, sizeof(m));
	r = new_replay();
	for (i = 0; i < sizeof(grow) / sizeof(*grow); i++) {
		churn(r, &m, 1, 30000, grow[i], &seed);
		check(r, &m, 1, 0);
	}
	assert_true(cb.frees > 10000);
	mpt_replay_free(r);
}

/* Deleting every block in address order, then in reverse, empties runs. */
static void test_replay_table__ordered_deletes(void **state)
{
	static struct model m;
	struct mpt_replay *r = new_replay();
	struct mpt_record x;
	int pass;
	uint32_t k;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		memset(&m, 0, sizeof(m));
		cb.m = &m;
		cb.pid = 1;
		for (k = 0; k < NADDR; k++) {
			memset(&x, 0, sizeof(x));
			x.u.alloc.addr = key_addr(k);
			x.u.alloc.size = k + 1;
			x.u.alloc.stack = 1 + k % 8;
			assert_int_equal(put_tid(r, MPT_REC_ALLOC, 1, 100, &x),
					 0);
			model_set(&m, k, k + 1, 1 + k % 8, 100);
			m.last[0] = key_addr(k);
		}
		check(r, &m, 1, 0);
		for (k = 0; k < NADDR; k++) {
			uint32_t d = pass ? NADDR - 1 - k : k;

			/* Every third kept, to leave holes in the runs. */
			if (d % 3 == 0)
				continue;
			memset(&x, 0, sizeof(x));
			x.u.free.addr = key_addr(d);
			assert_int_equal(put_tid(r, MPT_REC_FREE, 1, 100, &x),
					 0);
			model_set(&m, d, 0, 0, 0);
		}
		check(r, &m, 1, 0);
		for (k = 0; k < NADDR; k += 3) {
			memset(&x, 0, sizeof(x));
			x.u.free.addr = key_addr(k);
			assert_int_equal(put_tid(r, MPT_REC_FREE, 1, 100, &x),
					 0);
			model_set(&m, k, 0, 0, 0);
		}
		check(r, &m, 1, 0);
	}
	assert_int_equal(cb.frees, 2 * NADDR);
	mpt_replay_free(r);
}

/* A fork copies the heap; then parent and child go their own ways. */
static void test_replay_table__fork_copies(void **state)
{
	static struct model parent, child, early;
	struct mpt_replay *r;
	uint64_t seed = 11;
	uint32_t k;

	(void)state;
	memset(&parent, 0, sizeof(parent));
	r = new_replay();
	churn(r, &parent, 1, 20000, 70, &seed);
	churn(r, &parent, 1, 20000, 45, &seed);
	start(r, 2, 1, MPT_PROC_FORK);
	/* The child inherits the heap only. */
	child = parent;
	memset(child.last, 0, sizeof(child.last));
	for (k = NADDR; k < NKEY; k++)
		model_set(&child, k, 0, 0, 0);
	check(r, &child, 2, 1);
	check(r, &parent, 1, 0);
	churn(r, &child, 2, 20000, 50, &seed);
	churn(r, &parent, 1, 20000, 50, &seed);
	check(r, &child, 2, -1);
	check(r, &parent, 1, 0);

	/*
	 * A child seen before its start record keeps its own blocks and
	 * adds the parent's other ones.
	 */
	memset(&early, 0, sizeof(early));
	{
		struct mpt_record x;

		memset(&x, 0, sizeof(x));
		x.u.alloc.addr = key_addr(2);
		x.u.alloc.size = 4242;
		x.u.alloc.stack = 3;
		assert_int_equal(put_tid(r, MPT_REC_ALLOC, 3, 300, &x), 0);
	}
	start(r, 3, 1, MPT_PROC_FORK);
	early = parent;
	for (k = NADDR; k < NKEY; k++)
		model_set(&early, k, 0, 0, 0);
	memset(early.last, 0, sizeof(early.last));
	model_set(&early, 2, 4242, 3, 300);
	early.last[0] = key_addr(2);
	check(r, &early, 3, -1);
	churn(r, &early, 3, 5000, 50, &seed);
	check(r, &early, 3, -1);
	check(r, &parent, 1, 0);
	mpt_replay_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_table__phases),
		cmocka_unit_test(test_replay_table__ordered_deletes),
		cmocka_unit_test(test_replay_table__fork_copies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
