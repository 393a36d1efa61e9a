/* Unit tests of collector/leakscan.c against a fake address space. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "leakscan.h"

/*
 * The fake process: a few readable regions.  A read must fall entirely
 * inside one region, as process_vm_readv(2) fails across a hole.
 */
struct region {
	uint64_t base;
	size_t len;
	unsigned char *mem;
};

struct fake {
	struct region r[8];
	int n;
	unsigned long reads;
};

#define HEAP 0x10000000ull /* 64 KiB aligned */
#define DATA 0x00600000ull
#define DATA2 0x00700000ull

static void fake_region(struct fake *f, uint64_t base, size_t len)
{
	assert_true(f->n < 8);
	f->r[f->n].base = base;
	f->r[f->n].len = len;
	f->r[f->n].mem = calloc(1, len);
	assert_non_null(f->r[f->n].mem);
	f->n++;
}

static void fake_free(struct fake *f)
{
	int i;
	for (i = 0; i < f->n; i++)
		free(f->r[i].mem);
	f->n = 0;
}

static unsigned char *at(struct fake *f, uint64_t addr, size_t len)
{
	int i;
	for (i = 0; i < f->n; i++)
		if (addr >= f->r[i].base &&
		    addr - f->r[i].base <= f->r[i].len &&
		    len <= f->r[i].len - (addr - f->r[i].base))
			return f->r[i].mem + (addr - f->r[i].base);
	return NULL;
}

static void put(struct fake *f, uint64_t addr, uint64_t val)
{
	unsigned char *p = at(f, addr, 8);
	assert_non_null(p);
	memcpy(p, &val, 8);
}

static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake *f = ctx;
	unsigned char *p = at(f, addr, len);

	f->reads++;
	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

static void blk(struct leakscan_block *b, uint64_t addr, uint64_t size)
{
	b->addr = addr;
	b->size = size;
	b->kind = 99;
}

static struct leakscan_range root_data = { DATA, DATA + 4096 };

static void test_leakscan__start_pointer_reachable(void **state)
{
	struct fake f = { 0 };
	struct leakscan_block b[2];
	struct leakscan_stats st;

	fake_region(&f, DATA, 4096);
	fake_region(&f, HEAP, 4096);
	blk(&b[0], HEAP + 16, 32);
	blk(&b[1], HEAP + 64, 32);
	put(&f, DATA + 8, HEAP + 16);
	assert_int_equal(leakscan_classify(b, 2, &root_data, 1, NULL, 0,
					   fake_read, &f, &st),
			 0);
	assert_int_equal(b[0].kind, MPT_LEAK_REACHABLE);
	assert_int_equal(b[1].kind, MPT_LEAK_DEFINITE);
	assert_int_equal(st.blocks[MPT_LEAK_REACHABLE], 1);
	assert_int_equal(st.bytes[MPT_LEAK_DEFINITE], 32);
	fake_free(&f);
}

static void test_leakscan__interior_pointer_possible(void **state)
{
	struct fake f = { 0 };
	struct leakscan_block b[1];

	fake_region(&f, DATA, 4096);
	fake_region(&f, HEAP, 4096);
	blk(&b[0], HEAP + 16, 48);
	put(&f, DATA + 16, HEAP + 16 + 20);
	assert_int_equal(leakscan_classify(b, 1, &root_data, 1, NULL, 0,
					   fake_read, &f, NULL),
			 0);
	assert_int_equal(b[0].kind, MPT_LEAK_POSSIBLE);
	fake_free(&f);
}

/* A lost list: the head is definitely lost, the nodes indirectly. */
static void test_leakscan__lost_list(void **state)
{
	struct fake f = { 0 };
	struct leakscan_block b[5];
	struct leakscan_stats st;
	int i;

	fake_region(&f, DATA, 4096);
	fake_region(&f, HEAP, 4096);
	/* Nodes below the head so that earlier cliques get merged. */
	for (i = 0; i < 4; i++)
		blk(&b[i], HEAP + 64 * (uint64_t)i, 24);
	blk(&b[4], HEAP + 1024, 16);
	put(&f, HEAP + 1024, HEAP + 0); /* head -> node 0 */
	for (i = 0; i < 3; i++)		/* node i -> node i+1 */
		put(&f, HEAP + 64 * (uint64_t)i, HEAP + 64 * (uint64_t)(i + 1));
	assert_int_equal(leakscan_classify(b, 5, &root_data, 1, NULL, 0,
					   fake_read, &f, &st),
			 0);
	assert_int_equal(b[4].kind, MPT_LEAK_DEFINITE);
	for (i = 0; i < 4; i++)
		assert_int_equal(b[i].kind, MPT_LEAK_INDIRECT);
	assert_int_equal(st.blocks[MPT_LEAK_DEFINITE], 1);
	assert_int_equal(st.bytes[MPT_LEAK_DEFINITE], 16);
	assert_int_equal(st.blocks[MPT_LEAK_INDIRECT], 4);
	assert_int_equal(st.bytes[MPT_LEAK_INDIRECT], 96);
	fake_free(&f);
}

/* memcheck: in a lost 2-cycle the lower block leads the clique. */
static void test_leakscan__lost_cycle(void **state)
{
	struct fake f = { 0 };
	struct leakscan_block b[2];

	fake_region(&f, DATA, 4096);
	fake_region(&f, HEAP, 4096);
	blk(&b[0], HEAP + 16, 16);
	blk(&b[1], HEAP + 48, 16);
	put(&f, HEAP + 16, HEAP + 48);
	put(&f, HEAP + 48, HEAP + 16);
	assert_int_equal(leakscan_classify(b, 2, &root_data, 1, NULL, 0,
					   fake_read, &f, NULL),
			 0);
	assert_int_equal(b[0].kind, MPT_LEAK_DEFINITE);
	assert_int_equal(b[1].kind, MPT_LEAK_INDIRECT);
	fake_free(&f);
}

/* A->C and B->C lost: cliques do not overlap, C counts once. */
static void test_leakscan__shared_child(void **state)
{
	struct fake f = { 0 };
	struct leakscan_block b[3];
	struct leakscan_stats st;

	fake_region(&f, DATA, 4096);
	fake_region(&f, HEAP, 4096);
	blk(&b[0], HEAP + 0, 16);  /* A */
	blk(&b[1], HEAP + 32, 16); /* B */
	blk(&b[2], HEAP + 64, 16); /* C */
	put(&f, HEAP + 0, HEAP + 64);
	put(&f, HEAP + 32, HEAP + 64 + 8); /* interior pointers count too */
	assert_int_equal(leakscan_classify(b, 3, &root_data, 1, NULL, 0,
					   fake_read, &f, &st),
			 0);
	assert_int_equal(b[0].kind, MPT_LEAK_DEFINITE);
	assert_int_equal(b[1].kind, MPT_LEAK_DEFINITE);
	assert_int_equal(b[2].kind, MPT_LEAK_INDIRECT);
	assert_int_equal(st.blocks[MPT_LEAK_INDIRECT], 1);
	fake_free(&f);
}

/*
 * From a reachable block, an interior pointer gives "possible", and so does
 * a start pointer out of a possible block.
 */
static void test_leakscan__interior_from_reachable(void **state)
{
	struct fake f = { 0 };
	struct leakscan_block b[3];

	fake_region(&f, DATA, 4096);
	fake_region(&f, HEAP, 4096);
	blk(&b[0], HEAP + 0, 32);
	blk(&b[1], HEAP + 64, 32);
	blk(&b[2], HEAP + 128, 32);
	put(&f, DATA, HEAP + 0);	   /* root -> R */
	put(&f, HEAP + 0, HEAP + 64 + 16); /* R -> inside P */
	put(&f, HEAP + 64, HEAP + 128);	   /* P -> start of Q */
	assert_int_equal(leakscan_classify(b, 3, &root_data, 1, NULL, 0,
					   fake_read, &f, NULL),
			 0);
	assert_int_equal(b[0].kind, MPT_LEAK_REACHABLE);
	assert_int_equal(b[1].kind, MPT_LEAK_POSSIBLE);
	assert_int_equal(b[2].kind, MPT_LEAK_POSSIBLE);
	fake_free(&f);
}

/* Possible first, reachable later: what it points to is rescanned. */
static void test_leakscan__possible_upgraded(void **state)
{
	struct fake f = { 0 };
	struct leakscan_block b[2];

	fake_region(&f, DATA, 4096);
	fake_region(&f, HEAP, 4096);
	blk(&b[0], HEAP + 0, 32);
	blk(&b[1], HEAP + 64, 32);
	put(&f, DATA, HEAP + 8);     /* interior first */
	put(&f, DATA + 8, HEAP + 0); /* then the start */
	put(&f, HEAP + 0, HEAP + 64);
	assert_int_equal(leakscan_classify(b, 2, &root_data, 1, NULL, 0,
					   fake_read, &f, NULL),
			 0);
	assert_int_equal(b[0].kind, MPT_LEAK_REACHABLE);
	assert_int_equal(b[1].kind, MPT_LEAK_REACHABLE);
	fake_free(&f);
}

static void test_leakscan__register_roots(void **state)
{
	struct fake f = { 0 };
	struct leakscan_block b[3];
	uint64_t regs[3] = { 12345, HEAP + 0, HEAP + 64 + 4 };

	fake_region(&f, HEAP, 4096);
	blk(&b[0], HEAP + 0, 32);
	blk(&b[1], HEAP + 64, 32);
	blk(&b[2], HEAP + 128, 32);
	put(&f, HEAP + 0, HEAP + 128);
	assert_int_equal(leakscan_classify(b, 3, NULL, 0, regs, 3, fake_read,
					   &f, NULL),
			 0);
	assert_int_equal(b[0].kind, MPT_LEAK_REACHABLE);
	assert_int_equal(b[1].kind, MPT_LEAK_POSSIBLE);
	assert_int_equal(b[2].kind, MPT_LEAK_REACHABLE);
	fake_free(&f);
}

/* A root range with a hole: the hole is skipped, the rest scanned. */
static void test_leakscan__unreadable_root(void **state)
{
	struct fake f = { 0 };
	struct leakscan_block b[2];
	struct leakscan_range r[2] = {
		{ DATA, DATA + 3 * 4096 },	      /* middle page unmapped */
		{ 0x7000000000ull, 0x7000010000ull }, /* not mapped at all */
	};
	struct leakscan_stats st;

	fake_region(&f, DATA, 4096);
	fake_region(&f, DATA + 2 * 4096, 4096);
	fake_region(&f, HEAP, 4096);
	blk(&b[0], HEAP + 0, 32);
	blk(&b[1], HEAP + 64, 32);
	put(&f, DATA + 2 * 4096 + 8, HEAP + 64);
	assert_int_equal(
		leakscan_classify(b, 2, r, 2, NULL, 0, fake_read, &f, &st), 0);
	assert_int_equal(b[0].kind, MPT_LEAK_DEFINITE);
	assert_int_equal(b[1].kind, MPT_LEAK_REACHABLE);
	assert_int_equal(st.skipped_bytes, 4096 + 0x10000);
	assert_true(st.scanned_bytes >= 2 * 4096);
	fake_free(&f);
}

/* memcheck treats a zero-size block as covering its start address. */
static void test_leakscan__zero_size(void **state)
{
	struct fake f = { 0 };
	struct leakscan_block b[3];

	fake_region(&f, DATA, 4096);
	fake_region(&f, HEAP, 4096);
	blk(&b[0], HEAP + 0, 0);
	blk(&b[1], HEAP + 32, 0);
	blk(&b[2], HEAP + 64, 0);
	put(&f, DATA, HEAP + 0);
	put(&f, DATA + 8, HEAP + 33); /* one past: not a pointer to it */
	assert_int_equal(leakscan_classify(b, 3, &root_data, 1, NULL, 0,
					   fake_read, &f, NULL),
			 0);
	assert_int_equal(b[0].kind, MPT_LEAK_REACHABLE);
	assert_int_equal(b[1].kind, MPT_LEAK_DEFINITE);
	assert_int_equal(b[2].kind, MPT_LEAK_DEFINITE);
	fake_free(&f);
}

/* Only aligned words are scanned, in roots and in blocks. */
static void test_leakscan__unaligned_ignored(void **state)
{
	struct fake f = { 0 };
	struct leakscan_block b[3];
	uint64_t v = HEAP + 0;
	struct leakscan_range r = { DATA + 4, DATA + 28 }; /* words 8..24 */

	fake_region(&f, DATA, 4096);
	fake_region(&f, HEAP, 4096);
	blk(&b[0], HEAP + 0, 32);
	blk(&b[1], HEAP + 64, 32);
	blk(&b[2], HEAP + 128, 20);
	memcpy(at(&f, DATA + 12, 8), &v, 8); /* unaligned: ignored */
	put(&f, DATA + 16, HEAP + 128);
	v = HEAP + 64;
	memcpy(at(&f, HEAP + 128 + 4, 8), &v, 8); /* unaligned in a block */
	put(&f, DATA + 24, HEAP + 0); /* outside the range's last word */
	assert_int_equal(leakscan_classify(b, 3, &r, 1, NULL, 0, fake_read, &f,
					   NULL),
			 0);
	assert_int_equal(b[0].kind, MPT_LEAK_DEFINITE);
	assert_int_equal(b[1].kind, MPT_LEAK_DEFINITE);
	assert_int_equal(b[2].kind, MPT_LEAK_REACHABLE);
	fake_free(&f);
}

/* A block's words past its size are not its contents. */
static void test_leakscan__block_size_bounds_scan(void **state)
{
	struct fake f = { 0 };
	struct leakscan_block b[2];

	fake_region(&f, DATA, 4096);
	fake_region(&f, HEAP, 4096);
	blk(&b[0], HEAP + 0, 12); /* scanned words: [0, 8) only */
	blk(&b[1], HEAP + 64, 32);
	put(&f, DATA, HEAP + 0);
	put(&f, HEAP + 8, HEAP + 64);
	assert_int_equal(leakscan_classify(b, 2, &root_data, 1, NULL, 0,
					   fake_read, &f, NULL),
			 0);
	assert_int_equal(b[0].kind, MPT_LEAK_REACHABLE);
	assert_int_equal(b[1].kind, MPT_LEAK_DEFINITE);
	fake_free(&f);
}

/* memcheck's default heuristics (all), and none. */
static void test_leakscan__heuristics(void **state)
{
	struct fake f = { 0 };
	struct leakscan_block b[4];
	struct leakscan_opts none = { .heuristics = LEAKSCAN_HEUR_NONE };
	struct leakscan_stats st;
	int i;

	fake_region(&f, DATA, 4096);
	fake_region(&f, HEAP, 4096);
	/* newarray: count 3, then 3 elements of 8 bytes */
	blk(&b[0], HEAP + 0, 32);
	put(&f, HEAP + 0, 3);
	put(&f, DATA, HEAP + 8);
	/* length64: 8-byte length of the rest, pointer after it */
	blk(&b[1], HEAP + 64, 8 + 13);
	put(&f, HEAP + 64, 13);
	put(&f, DATA + 8, HEAP + 64 + 8);
	/* stdstring: length capacity refcount chars NUL */
	blk(&b[2], HEAP + 128, 24 + 10 + 1);
	put(&f, HEAP + 128, 5);
	put(&f, HEAP + 128 + 8, 10);
	put(&f, DATA + 16, HEAP + 128 + 24);
	/* none of them: a zero count */
	blk(&b[3], HEAP + 256, 32);
	put(&f, DATA + 24, HEAP + 256 + 8);

	assert_int_equal(leakscan_classify(b, 4, &root_data, 1, NULL, 0,
					   fake_read, &f, &st),
			 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(b[i].kind, MPT_LEAK_REACHABLE);
	assert_int_equal(b[3].kind, MPT_LEAK_POSSIBLE);
	assert_int_equal(st.heuristic_blocks[0], 1);
	assert_int_equal(st.heuristic_blocks[1], 1); /* tried before newarray */
	assert_int_equal(st.heuristic_blocks[2], 1);

	assert_int_equal(leakscan_classify_ex(b, 4, &root_data, 1, NULL, 0,
					      fake_read, &f, &none, &st),
			 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(b[i].kind, MPT_LEAK_POSSIBLE);
	fake_free(&f);
}

/* Two vtable pointers (multiple inheritance) make an interior pointer
 * count, given the file mappings. */
static void test_leakscan__multiple_inheritance(void **state)
{
	struct fake f = { 0 };
	struct leakscan_block b[1];
	struct leakscan_map maps[2] = {
		{ DATA2, DATA2 + 4096, LEAKSCAN_PROT_R | LEAKSCAN_PROT_X },
		{ DATA2 + 4096, DATA2 + 8192, LEAKSCAN_PROT_R },
	};
	struct leakscan_opts opts = { .maps = maps, .nmaps = 2 };

	fake_region(&f, DATA, 4096);
	fake_region(&f, DATA2, 8192);
	fake_region(&f, HEAP, 4096);
	/* two vtables in the read-only mapping, each of two code pointers */
	put(&f, DATA2 + 4096, DATA2 + 0x100);
	put(&f, DATA2 + 4096 + 8, DATA2 + 0x200);
	put(&f, DATA2 + 4096 + 64, 0);
	put(&f, DATA2 + 4096 + 72, DATA2 + 0x300);
	put(&f, DATA2 + 4096 + 80, DATA2 + 0x400);
	blk(&b[0], HEAP + 0, 48);
	put(&f, HEAP + 0, DATA2 + 4096);
	put(&f, HEAP + 16, DATA2 + 4096 + 64);
	put(&f, DATA, HEAP + 16);
	assert_int_equal(leakscan_classify(b, 1, &root_data, 1, NULL, 0,
					   fake_read, &f, NULL),
			 0);
	assert_int_equal(b[0].kind, MPT_LEAK_POSSIBLE); /* no maps given */
	assert_int_equal(leakscan_classify_ex(b, 1, &root_data, 1, NULL, 0,
					      fake_read, &f, &opts, NULL),
			 0);
	assert_int_equal(b[0].kind, MPT_LEAK_REACHABLE);
	fake_free(&f);
}

/* Many small blocks share 64 KiB reads. */
static void test_leakscan__windowed_reads(void **state)
{
	struct fake f = { 0 };
	enum { N = 2000 };
	struct leakscan_block *b = calloc(N, sizeof(*b));
	struct leakscan_stats st;
	int i;

	assert_non_null(b);
	fake_region(&f, DATA, 4096);
	fake_region(&f, HEAP, 0x20000);
	for (i = 0; i < N; i++) {
		blk(&b[i], HEAP + 64 * (uint64_t)i, 48);
		if (i + 1 < N)
			put(&f, HEAP + 64 * (uint64_t)i + 8,
			    HEAP + 64 * (uint64_t)(i + 1));
	}
	put(&f, DATA, HEAP);
	f.reads = 0;
	assert_int_equal(leakscan_classify(b, N, &root_data, 1, NULL, 0,
					   fake_read, &f, &st),
			 0);
	assert_int_equal(st.blocks[MPT_LEAK_REACHABLE], N);
	assert_true(st.read_calls < 20);
	assert_int_equal(st.read_calls, f.reads);
	free(b);
	fake_free(&f);
}

/*
 * A plain transliteration of memcheck's algorithm (mc_leakcheck.c: a mark
 * stack, one block at a time, linear search), without the multiple
 * inheritance heuristic, to check the batched scan against.
 */
enum { R_UNREACHED, R_POSSIBLE, R_REACHABLE, R_INDIRECT };

struct ref {
	struct fake *f;
	struct leakscan_block *b;
	int n, *state, *pending, *stack, top;
};

static int ref_find(struct ref *r, uint64_t p)
{
	int i;
	for (i = 0; i < r->n; i++)
		if (p >= r->b[i].addr &&
		    p < r->b[i].addr + (r->b[i].size ? r->b[i].size : 1))
			return i;
	return -1;
}

static int ref_word(struct ref *r, uint64_t a, uint64_t *w)
{
	unsigned char *p = at(r->f, a, 8);
	if (!p)
		return -1;
	memcpy(w, p, 8);
	return 0;
}

static int ref_heur(struct ref *r, uint64_t p, int i)
{
	uint64_t d = r->b[i].addr, sz = r->b[i].size, w0, w1;

	if (p == d + 24 && sz >= 16 && !ref_word(r, d + 8, &w1) &&
	    24 + w1 + 1 == sz && !ref_word(r, d, &w0) && w0 <= w1)
		return 1;
	if (p == d + 8 && sz >= 8 && !ref_word(r, d, &w0) && w0 > 0 &&
	    sz - 8 == w0)
		return 1;
	if (p == d + 8 && sz >= 8 && !ref_word(r, d, &w0) && w0 > 0 &&
	    (sz - 8) % w0 == 0)
		return 1;
	return 0;
}

static void ref_push(struct ref *r, int i)
{
	if (!r->pending[i]) {
		r->pending[i] = 1;
		r->stack[r->top++] = i;
	}
}

static void ref_ptr(struct ref *r, uint64_t p, int clique, int definite)
{
	int i = ref_find(r, p), via;

	if (i < 0)
		return;
	if (clique >= 0) {
		if (r->state[i] == R_UNREACHED && i != clique) {
			ref_push(r, i);
			r->state[i] = R_INDIRECT;
		}
		return;
	}
	if (r->state[i] == R_REACHABLE)
		return;
	via = p == r->b[i].addr || ref_heur(r, p, i);
	if (via && definite) {
		r->state[i] = R_REACHABLE;
		ref_push(r, i);
	} else if (r->state[i] == R_UNREACHED) {
		r->state[i] = R_POSSIBLE;
		ref_push(r, i);
	}
}

static void ref_scan(struct ref *r, uint64_t lo, uint64_t hi, int clique,
		     int definite)
{
	uint64_t a = (lo + 7) & ~7ull, w;

	for (; a + 8 <= (hi & ~7ull); a += 8)
		if (!ref_word(r, a, &w))
			ref_ptr(r, w, clique, definite);
}

static void ref_drain(struct ref *r, int clique)
{
	while (r->top) {
		int i = r->stack[--r->top];
		r->pending[i] = 0;
		ref_scan(r, r->b[i].addr, r->b[i].addr + r->b[i].size, clique,
			 r->state[i] != R_POSSIBLE);
	}
}

static void ref_classify(struct fake *f, struct leakscan_block *b, int n,
			 const struct leakscan_range *roots, int nroots,
			 const uint64_t *regs, int nregs, uint32_t *kind)
{
	static const uint32_t k[4] = { MPT_LEAK_DEFINITE, MPT_LEAK_POSSIBLE,
				       MPT_LEAK_REACHABLE, MPT_LEAK_INDIRECT };
	struct ref r = { f,
			 b,
			 n,
			 calloc(n, sizeof(int)),
			 calloc(n, sizeof(int)),
			 calloc(n, sizeof(int)),
			 0 };
	int i;

	for (i = 0; i < nroots; i++)
		ref_scan(&r, roots[i].lo, roots[i].hi, -1, 1);
	for (i = 0; i < nregs; i++)
		ref_ptr(&r, regs[i], -1, 1);
	ref_drain(&r, -1);
	for (i = 0; i < n; i++) {
		if (r.state[i] == R_UNREACHED) {
			ref_push(&r, i);
			ref_drain(&r, i);
		}
	}
	for (i = 0; i < n; i++)
		kind[i] = k[r.state[i]];
	free(r.state);
	free(r.pending);
	free(r.stack);
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Random heaps in three far-apart clusters, against the reference. */
static void test_leakscan__matches_reference(void **state)
{
	static const uint64_t base[3] = { HEAP, HEAP + (1ull << 30),
					  HEAP + (40ull << 30) };
	enum { MAXN = 400, CL = 64 << 10 };
	struct leakscan_block *b = calloc(MAXN, sizeof(*b));
	uint32_t *want = calloc(MAXN, sizeof(*want));
	uint64_t x = 0x2545f4914f6cdd1dull, seen[4] = { 0 };
	int round;

	assert_non_null(b);
	assert_non_null(want);
	for (round = 0; round < 300; round++) {
		struct fake f = { 0 };
		struct leakscan_range roots[2] = {
			{ DATA, DATA + 2048 }, { DATA + 4096, DATA + 8192 }
		};
		uint64_t regs[4], next[3];
		int n = 1 + (int)(rnd(&x) % MAXN), i, c;

		fake_region(&f, DATA, 2048);
		for (c = 0; c < 3; c++) {
			fake_region(&f, base[c], CL);
			next[c] = base[c];
		}
		/* blocks in address order, cluster by cluster */
		for (i = 0; i < n; i++) {
			uint64_t size = rnd(&x) % 8 ? rnd(&x) % 200 : 0;
			c = i * 3 / n;
			next[c] += 16 * (rnd(&x) % 3);
			if (next[c] + size + 16 > base[c] + CL)
				size = 0;
			blk(&b[i], next[c], size);
			next[c] += (size + 15) / 16 * 16 + 16;
			assert_true(next[c] <= base[c] + CL);
		}
		/* contents: start and interior pointers, counts, noise */
		for (i = 0; i < n; i++) {
			uint64_t a;
			for (a = b[i].addr; a + 8 <= b[i].addr + b[i].size;
			     a += 8) {
				uint64_t r = rnd(&x) % 100, t = rnd(&x) % n;
				uint64_t v = rnd(&x) % 50;
				if (r < 12)
					v = b[t].addr;
				else if (r < 20)
					v = b[t].addr + rnd(&x) % 40;
				else if (r < 30)
					v = rnd(&x) % 4;
				put(&f, a, v);
			}
		}
		for (i = 0; i < 256; i++) {
			uint64_t r = rnd(&x) % 100, t = rnd(&x) % n;
			if (r < 3)
				put(&f, DATA + 8 * (uint64_t)i, b[t].addr);
			else if (r < 6)
				put(&f, DATA + 8 * (uint64_t)i,
				    b[t].addr + rnd(&x) % 32);
		}
		for (i = 0; i < 4; i++)
			regs[i] = rnd(&x) % 2 ?
					  b[rnd(&x) % n].addr + rnd(&x) % 2 :
					  0;
		ref_classify(&f, b, n, roots, 2, regs, 4, want);
		assert_int_equal(leakscan_classify(b, (size_t)n, roots, 2, regs,
						   4, fake_read, &f, NULL),
				 0);
		for (i = 0; i < n; i++) {
			if (b[i].kind != want[i])
				print_error("round %d block %d: %u, want %u\n",
					    round, i, b[i].kind, want[i]);
			assert_int_equal(b[i].kind, want[i]);
			seen[want[i]]++;
		}
		fake_free(&f);
	}
	/* every kind came up, many times */
	for (round = 0; round < 4; round++)
		assert_true(seen[round] > 1000);
	free(b);
	free(want);
}

static void test_leakscan__bad_blocks(void **state)
{
	struct fake f = { 0 };
	struct leakscan_block b[2];

	blk(&b[0], HEAP + 64, 16);
	blk(&b[1], HEAP + 0, 16);
	assert_int_equal(leakscan_classify(b, 2, NULL, 0, NULL, 0, fake_read,
					   &f, NULL),
			 -EINVAL);
	blk(&b[0], HEAP + 0, 32);
	blk(&b[1], HEAP + 16, 16);
	assert_int_equal(leakscan_classify(b, 2, NULL, 0, NULL, 0, fake_read,
					   &f, NULL),
			 -EINVAL);
	assert_int_equal(leakscan_classify(b, 1, NULL, 0, NULL, 0, NULL, &f,
					   NULL),
			 -EINVAL);
	assert_int_equal(leakscan_classify(NULL, 0, NULL, 0, NULL, 0, NULL,
					   NULL, NULL),
			 0);
}

static void test_leakscan__roots_from_maps(void **state)
{
	static const char text[] =
		"555555554000-555555555000 r--p 00000000 fd:01 123 /usr/bin/app\n"
		"555555555000-555555556000 r-xp 00001000 fd:01 123 /usr/bin/app\n"
		"555555557000-555555558000 rw-p 00003000 fd:01 123 /usr/bin/app\n"
		"555555558000-555555559000 rw-p 00000000 00:00 0 \n"
		"555555559000-55555557a000 rw-p 00000000 00:00 0          [heap]\n"
		"7ffff0000000-7ffff0021000 rw-p 00000000 00:00 0 \n"
		"7ffff0021000-7ffff4000000 ---p 00000000 00:00 0 \n"
		"7ffff4000000-7ffff4021000 rw-p 00000000 00:00 0 \n"
		"7ffff4021000-7ffff6000000 ---p 00000000 00:00 0 \n"
		"7ffff7000000-7ffff7100000 rw-p 00000000 00:00 0 \n"
		"7ffff7a00000-7ffff7a01000 rw-s 00000000 00:05 77 /memfd:mprec (deleted)\n"
		"7ffff7b00000-7ffff7b01000 rw-s 00000000 00:05 78 /dev/dri/card0\n"
		"7ffff7b01000-7ffff7b02000 rw-p 00000000 00:05 79 /dev/zero\n"
		"7ffff7c00000-7ffff7c01000 rw-p 00000000 00:00 0 \n"
		"7ffff7d00000-7ffff7d01000 rw-p 00001000 fd:01 9 /usr/lib/libmprec.so\n"
		"7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0          [stack]\n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]\n";
	struct leakscan_block b[2];
	struct leakscan_range r[16],
		ex = { 0x7ffff7c00000ull, 0x7ffff7c00008ull };
	struct leakscan_map m[16];
	const char *paths[] = { "libmprec", "memfd:mprec", NULL };
	uint64_t sp = 0x7fffffffe000ull;
	struct leakscan_roots_opts o = { &ex, 1, paths, &sp, 1, NULL, NULL };
	size_t nr, nm;

	blk(&b[0], 0x7ffff4000100ull, 64);	/* a used secondary arena */
	blk(&b[1], 0x7ffff7000010ull, 0x80000); /* an mmapped chunk */
	assert_int_equal(leakscan_roots_from_maps(text, sizeof(text) - 1, b, 2,
						  &o, r, 16, &nr, m, 16, &nm),
			 0);
	/* without a reader, mappings holding blocks go entirely */
	assert_int_equal(nr, 5); /* no [heap], arenas, chunk, memfd, dri */
	assert_int_equal(r[0].lo, 0x555555557000ull); /* .data */
	assert_int_equal(r[1].lo, 0x555555558000ull); /* .bss */
	assert_int_equal(r[2].lo, 0x7ffff7b01000ull); /* /dev/zero */
	assert_int_equal(r[3].lo, 0x7ffff7c00008ull); /* after the excluded */
	assert_int_equal(r[3].hi, 0x7ffff7c01000ull);
	assert_int_equal(r[4].lo, sp - 128); /* stack from SP */
	assert_int_equal(r[4].hi, 0x7ffffffff000ull);
	assert_int_equal(nm, 7);
	assert_int_equal(m[1].prot, LEAKSCAN_PROT_R | LEAKSCAN_PROT_X);
	assert_int_equal(leakscan_roots_from_maps(text, sizeof(text) - 1, b, 2,
						  NULL, r, 2, &nr, NULL, 0,
						  NULL),
			 0);
	assert_int_equal(nr, 7); /* more than the room given */
}

/*
 * With a reader: an mmapped chunk and a secondary arena heap are cut out of
 * the mappings the kernel merged them into, and main_arena out of libc.
 */
static void test_leakscan__roots_from_maps_chunks(void **state)
{
	static const char text[] =
		"7ffff0000000-7ffff0300000 rw-p 00000000 00:00 0 \n"
		"7ffff4000000-7ffff4100000 rw-p 00000000 00:00 0 \n"
		"7ffff7e00000-7ffff7e04000 rw-p 001f0000 fd:01 5 /usr/lib/x86_64-linux-gnu/libc.so.6\n";
	const uint64_t arena = 0x7ffff0000000ull, mm = 0x7ffff4001000ull;
	const uint64_t libc = 0x7ffff7e00000ull, ma = libc + 0x1c40;
	struct fake f = { 0 };
	struct leakscan_block b[2];
	struct leakscan_range r[16];
	struct leakscan_roots_opts o = { 0 };
	size_t nr;
	unsigned bin;

	fake_region(&f, arena, 0x1000);
	fake_region(&f, mm, 0x1000);
	fake_region(&f, libc, 0x4000);
	/* a secondary arena chunk: NON_MAIN_ARENA | PREV_INUSE */
	blk(&b[0], arena + 0x8a0 + 16, 40);
	put(&f, arena + 0x8a0 + 8, 48 | 4 | 1);
	/* an mmapped chunk of 0x21000 bytes at mm + 16 (alignment slack) */
	blk(&b[1], mm + 32, 0x20000);
	put(&f, mm + 16, 16);	       /* prev_size: the slack */
	put(&f, mm + 24, 0x21000 | 2); /* size | IS_MMAPPED */
	/* main_arena: every bin empty, pointing at itself; the only arena */
	for (bin = 1; bin < 127; bin++) {
		uint64_t self = ma + 96 + (bin - 1) * 16;
		put(&f, ma + 112 + (bin - 1) * 16, self);
		put(&f, ma + 112 + (bin - 1) * 16 + 8, self);
	}
	put(&f, ma + 2160, ma);
	o.read = fake_read;
	o.ctx = &f;
	assert_int_equal(leakscan_roots_from_maps(text, sizeof(text) - 1, b, 2,
						  &o, r, 16, &nr, NULL, 0,
						  NULL),
			 0);
	assert_int_equal(nr, 4);
	/* the arena heap reaches 64 MiB from its start: all of the first */
	assert_int_equal(r[0].lo, 0x7ffff4000000ull);
	assert_int_equal(r[0].hi, mm);
	assert_int_equal(r[1].lo, mm + 16 + 0x21000);
	assert_int_equal(r[1].hi, 0x7ffff4100000ull);
	assert_int_equal(r[2].lo, libc);
	assert_int_equal(r[2].hi, ma);
	assert_int_equal(r[3].lo, ma + 2200);
	assert_int_equal(r[3].hi, 0x7ffff7e04000ull);
	fake_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leakscan__start_pointer_reachable),
		cmocka_unit_test(test_leakscan__interior_pointer_possible),
		cmocka_unit_test(test_leakscan__lost_list),
		cmocka_unit_test(test_leakscan__lost_cycle),
		cmocka_unit_test(test_leakscan__shared_child),
		cmocka_unit_test(test_leakscan__interior_from_reachable),
		cmocka_unit_test(test_leakscan__possible_upgraded),
		cmocka_unit_test(test_leakscan__register_roots),
		cmocka_unit_test(test_leakscan__unreadable_root),
		cmocka_unit_test(test_leakscan__zero_size),
		cmocka_unit_test(test_leakscan__unaligned_ignored),
		cmocka_unit_test(test_leakscan__block_size_bounds_scan),
		cmocka_unit_test(test_leakscan__heuristics),
		cmocka_unit_test(test_leakscan__multiple_inheritance),
		cmocka_unit_test(test_leakscan__windowed_reads),
		cmocka_unit_test(test_leakscan__matches_reference),
		cmocka_unit_test(test_leakscan__bad_blocks),
		cmocka_unit_test(test_leakscan__roots_from_maps),
		cmocka_unit_test(test_leakscan__roots_from_maps_chunks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
