/* Leak classification of live heap blocks, following valgrind memcheck. */
#include "leakscan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Per-block scan state, kept in the block's `kind` field until the end, so
 * that the extra memory is a few words per block (mark stack, batch,
 * lookup index).  The states are memcheck's Reachedness values
 * (mc_include.h): Unreached ends as definitely lost.
 */
enum {
	ST_UNREACHED = 0,
	ST_POSSIBLE = 1,
	ST_REACHABLE = 2,
	ST_INDIRECT = 3,
	ST_MASK = 3,
	ST_PENDING = 1 << 2,
	ST_HEUR_SHIFT = 3, /* H_* of the heuristic that matched, 3 bits */
	ST_HEUR_MASK = 7 << 3,
};

enum { H_NONE, H_STDSTRING, H_LENGTH64, H_NEWARRAY, H_MULTI };

#define WIN_SHIFT 16 /* reads of up to 64 KiB */
#define WIN_SIZE ((size_t)1 << WIN_SHIFT)
#define LINE 32u /* line of the small cache the heuristics read through */
#define NLINES 1024
#define PAGE 4096u
#define WORD 8u
#define GAP ((uint64_t)16 << 20) /* address gap that starts a segment */
#define MAXSEG 1024

/*
 * Blocks [i0, i1) cover [lo, ...); bucket[first + k] is the first of them
 * starting at or after lo + (k << shift), bucket[first + nbucket] is i1.
 */
struct seg {
	uint64_t lo;
	size_t i0, i1, first, nbucket;
	unsigned shift;
};

struct line {
	uint64_t tag; /* line address + 1; 0: empty */
	unsigned char data[LINE];
};

struct scan {
	struct leakscan_block *b;
	size_t n;
	uint64_t lo, span; /* quick filter: [lo, lo + span) holds every block */
	struct seg *seg;   /* the blocks cut at large address gaps */
	size_t nseg;
	uint32_t *bucket; /* per segment: first block of each bucket */
	uint32_t *stack;  /* the mark stack (also radix sort scratch) */
	size_t top;
	uint32_t *batch; /* blocks being scanned, in address order */
	leakscan_read_fn read;
	void *ctx;
	uint32_t heur;
	const struct leakscan_map *maps;
	size_t nmaps;
	unsigned char *buf; /* words being scanned */
	unsigned char *ra;  /* read-ahead of blocks [ra_lo, ra_hi) */
	uint64_t ra_lo, ra_hi;
	uint64_t last_lo; /* start of the previous read of blocks */
	struct line *line;
	struct leakscan_stats st;
};

static inline uint32_t state(const struct scan *s, size_t i)
{
	return s->b[i].kind & ST_MASK;
}

static inline void set_state(struct scan *s, size_t i, uint32_t st)
{
	s->b[i].kind = (s->b[i].kind & ~(uint32_t)ST_MASK) | st;
}

static inline uint32_t heur_of(const struct scan *s, size_t i)
{
	return (s->b[i].kind & ST_HEUR_MASK) >> ST_HEUR_SHIFT;
}

static inline void set_heur(struct scan *s, size_t i, uint32_t h)
{
	s->b[i].kind = (s->b[i].kind & ~(uint32_t)ST_HEUR_MASK) |
		       (h << ST_HEUR_SHIFT);
}

static inline uint64_t end_of(const struct scan *s, size_t i)
{
	return s->b[i].addr + s->b[i].size;
}

/*
 * The block that `p` points at or into, or -1.  A zero-size block covers
 * its start address, as in memcheck's find_chunk_for(), so that a pointer
 * to it is not missed.
 */
static inline long find_block(const struct scan *s, uint64_t p)
{
	const struct leakscan_block *b = s->b;
	const struct seg *g;
	size_t lo = 0, hi = s->nseg, k;

	if (p - s->lo >= s->span)
		return -1;
	while (hi - lo > 1) { /* last segment starting at or below p */
		size_t mid = lo + (hi - lo) / 2;
		if (s->seg[mid].lo <= p)
			lo = mid;
		else
			hi = mid;
	}
	g = &s->seg[lo];
	/*
	 * Blocks starting before p's bucket ends, and the last one starting
	 * before it begins (it may reach into it): the answer is the last of
	 * them whose start is <= p.
	 */
	k = (size_t)((p - g->lo) >> g->shift);
	if (k >= g->nbucket)
		k = g->nbucket - 1;
	lo = s->bucket[g->first + k];
	hi = s->bucket[g->first + k + 1];
	if (lo > g->i0)
		lo--;
	if (hi <= lo)
		return -1;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (b[mid].addr <= p)
			lo = mid;
		else
			hi = mid;
	}
	if (p < b[lo].addr)
		return -1;
	if (p - b[lo].addr < (b[lo].size ? b[lo].size : 1))
		return (long)lo;
	return -1;
}

static void push(struct scan *s, size_t i)
{
	if (s->b[i].kind & ST_PENDING)
		return;
	s->b[i].kind |= ST_PENDING;
	s->stack[s->top++] = (uint32_t)i;
}

static int rd(struct scan *s, uint64_t addr, void *dst, size_t len)
{
	s->st.read_calls++;
	return s->read(s->ctx, addr, dst, len);
}

/*
 * One aligned word of the scanned process, for the heuristics: they read
 * the first words of blocks and vtables, through a small cache of 32-byte
 * lines.
 */
static int read_word(struct scan *s, uint64_t addr, uint64_t *w)
{
	uint64_t la = addr & ~(uint64_t)(LINE - 1);
	struct line *l = &s->line[(la / LINE) % NLINES];

	if (l->tag != la + 1) {
		if (rd(s, la, l->data, LINE) < 0) {
			l->tag = 0;
			return rd(s, addr, w, sizeof(*w));
		}
		l->tag = la + 1;
	}
	memcpy(w, l->data + (addr - la), sizeof(*w));
	return 0;
}

static const struct leakscan_map *find_map(const struct scan *s, uint64_t p)
{
	size_t lo = 0, hi = s->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p < s->maps[mid].lo)
			hi = mid;
		else if (p >= s->maps[mid].hi)
			lo = mid + 1;
		else
			return &s->maps[mid];
	}
	return NULL;
}

/*
 * memcheck's aligned_ptr_above_page0_is_vtable_addr(): `p` lies in a
 * readable file mapping and, among its next 21 words (within the mapping),
 * two non-null words point into executable file mappings before any
 * non-null word points elsewhere.
 */
static int is_vtable(struct scan *s, uint64_t p)
{
	const struct leakscan_map *m = find_map(s, p);
	uint64_t scan, scan_max;
	unsigned nfn = 0;

	if (!m || !(m->prot & LEAKSCAN_PROT_R))
		return 0;
	scan_max = p + 20 * WORD;
	/* memcheck: seg->end (last byte) - sizeof(Addr) */
	if (m->hi >= 1 + WORD && scan_max > m->hi - 1 - WORD)
		scan_max = m->hi - 1 - WORD;
	for (scan = p; scan <= scan_max; scan += WORD) {
		uint64_t fn;
		const struct leakscan_map *fm;

		if (read_word(s, scan, &fn) < 0)
			return 0;
		if (fn == 0)
			continue;
		fm = find_map(s, fn);
		if (!fm || !(fm->prot & LEAKSCAN_PROT_X))
			return 0;
		if (++nfn == 2)
			return 1;
	}
	return 0;
}

/*
 * memcheck's heuristic_reachedness() for an interior pointer `p` into block
 * `i`.  "A valid aligned word" there means addressable and defined; here it
 * means inside the block and readable.
 */
static uint32_t heuristic(struct scan *s, uint64_t p, size_t i)
{
	uint64_t data = s->b[i].addr, size = s->b[i].size, w0, w1;

	if ((s->heur & LEAKSCAN_HEUR_STDSTRING) && p == data + 3 * WORD &&
	    size >= 2 * WORD && read_word(s, data + WORD, &w1) == 0) {
		/* length capacity refcount chars[] NUL */
		if (3 * WORD + w1 + 1 == size && read_word(s, data, &w0) == 0 &&
		    w0 <= w1)
			return H_STDSTRING;
	}
	if ((s->heur & LEAKSCAN_HEUR_LENGTH64) && p == data + WORD &&
	    size >= WORD && read_word(s, data, &w0) == 0) {
		if (w0 > 0 && size - WORD == w0)
			return H_LENGTH64;
	}
	if ((s->heur & LEAKSCAN_HEUR_NEWARRAY) && p == data + WORD &&
	    size >= WORD && read_word(s, data, &w0) == 0) {
		/* new[] of objects with a destructor: count, then elements */
		if (w0 > 0 && (size - WORD) % w0 == 0)
			return H_NEWARRAY;
	}
	if ((s->heur & LEAKSCAN_HEUR_MULTIPLE_INHERITANCE) && s->nmaps &&
	    p % WORD == 0 && p + WORD <= data + size &&
	    read_word(s, p, &w1) == 0) {
		/* vtable pointers at the object's start and at p */
		if (w1 % WORD == 0 && w1 >= PAGE && size >= WORD &&
		    read_word(s, data, &w0) == 0 && w0 % WORD == 0 &&
		    w0 >= PAGE && is_vtable(s, w1) && is_vtable(s, w0))
			return H_MULTI;
	}
	return H_NONE;
}

/* memcheck's lc_push_without_clique_if_a_chunk_ptr(). */
static void mark(struct scan *s, uint64_t p, int prior_definite)
{
	long i = find_block(s, p);
	int via_start;

	if (i < 0)
		return;
	if (state(s, i) == ST_REACHABLE) {
		if (heur_of(s, i) && p == s->b[i].addr)
			set_heur(s, i, H_NONE);
		return;
	}
	if (p == s->b[i].addr) {
		via_start = 1;
	} else if (s->heur) {
		uint32_t h = heuristic(s, p, i);
		set_heur(s, i, h);
		via_start = h != H_NONE;
	} else {
		via_start = 0;
	}
	if (via_start && prior_definite) {
		set_state(s, i, ST_REACHABLE);
		push(s, i);
	} else if (state(s, i) == ST_UNREACHED) {
		set_state(s, i, ST_POSSIBLE);
		push(s, i);
	}
}

/*
 * memcheck's lc_push_with_clique_if_a_chunk_ptr(): start and interior
 * pointers alike pull an unreached block into the clique of `leader`.
 */
static void gather(struct scan *s, uint64_t p, size_t leader)
{
	long i = find_block(s, p);

	if (i < 0 || (size_t)i == leader || state(s, i) != ST_UNREACHED)
		return;
	push(s, i);
	set_state(s, i, ST_INDIRECT);
}

/* Visit the words at p[0, len) (len a multiple of WORD). */
static void visit(struct scan *s, const unsigned char *p, size_t len,
		  long clique, int prior_definite)
{
	const unsigned char *end = p + len;

	for (; p < end; p += WORD) {
		uint64_t w;

		memcpy(&w, p, sizeof(w));
		if (w - s->lo >= s->span)
			continue;
		if (clique < 0)
			mark(s, w, prior_definite);
		else
			gather(s, w, (size_t)clique);
	}
}

/*
 * Scan the aligned words of [lo, hi), as memcheck's lc_scan_memory():
 * read 64 KiB at a time; a piece that does not read is retried page by
 * page and its unreadable pages are skipped.
 */
static void scan_mem(struct scan *s, uint64_t lo, uint64_t hi, long clique,
		     int prior_definite)
{
	uint64_t a = (lo + WORD - 1) & ~(uint64_t)(WORD - 1);
	uint64_t end = hi & ~(uint64_t)(WORD - 1);

	if (hi < lo || lo > UINT64_MAX - WORD)
		return;
	while (a < end) {
		uint64_t next = ((a >> WIN_SHIFT) + 1) << WIN_SHIFT;
		size_t len;

		if (next == 0 || next > end)
			next = end;
		len = (size_t)(next - a);
		if (rd(s, a, s->buf, len) == 0) {
			s->st.scanned_bytes += len;
			visit(s, s->buf, len, clique, prior_definite);
		} else {
			uint64_t q = a;
			while (q < next) {
				uint64_t pe = (q / PAGE + 1) * PAGE;
				size_t plen;
				if (pe > next)
					pe = next;
				plen = (size_t)(pe - q);
				if (rd(s, q, s->buf, plen) == 0) {
					s->st.scanned_bytes += plen;
					visit(s, s->buf, plen, clique,
					      prior_definite);
				} else {
					s->st.skipped_bytes += plen;
				}
				q = pe;
			}
		}
		a = next;
	}
}

/* Sort a[0, k) of block indices, using tmp[0, k) (LSD radix sort). */
static void sort_idx(uint32_t *a, uint32_t *tmp, size_t k, size_t n)
{
	size_t cnt[2048], i, shift;
	uint32_t *src = a, *dst = tmp, *t;

	if (k < 64) {
		for (i = 1; i < k; i++) {
			uint32_t v = a[i];
			size_t j = i;
			for (; j > 0 && a[j - 1] > v; j--)
				a[j] = a[j - 1];
			a[j] = v;
		}
		return;
	}
	for (shift = 0; shift < 32 && (n - 1) >> shift; shift += 11) {
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < k; i++)
			cnt[(src[i] >> shift) & 2047]++;
		for (i = 1; i < 2048; i++)
			cnt[i] += cnt[i - 1];
		for (i = k; i-- > 0;)
			dst[--cnt[(src[i] >> shift) & 2047]] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, k * sizeof(*a));
}

/*
 * The contents of blocks [lo, hi) (at most 64 KiB): from the read-ahead, or
 * with one read into buf.  NULL when something in the range is unreadable.
 */
static const unsigned char *read_blocks(struct scan *s, uint64_t lo,
					uint64_t hi)
{
	if (lo >= s->ra_lo && hi <= s->ra_hi)
		return s->ra + (lo - s->ra_lo);
	if (rd(s, lo, s->buf, (size_t)(hi - lo)) == 0)
		return s->buf;
	return NULL;
}

/* Scan block i whose bytes are at data (NULL: read them page by page). */
static void scan_block(struct scan *s, size_t i, const unsigned char *data,
		       long clique)
{
	uint64_t a = (s->b[i].addr + WORD - 1) & ~(uint64_t)(WORD - 1);
	uint64_t e = end_of(s, i) & ~(uint64_t)(WORD - 1);
	int prior_definite;

	s->b[i].kind &= ~(uint32_t)ST_PENDING;
	prior_definite = state(s, i) != ST_POSSIBLE;
	if (!data) {
		scan_mem(s, s->b[i].addr, end_of(s, i), clique, prior_definite);
	} else if (e > a) {
		s->st.scanned_bytes += e - a;
		visit(s, data + (a - s->b[i].addr), (size_t)(e - a), clique,
		      prior_definite);
	}
}

/*
 * Read ahead the blocks from i on, up to 64 KiB: clique leaders are taken
 * in address order, so one read serves many of them.
 */
static void read_ahead(struct scan *s, size_t i)
{
	uint64_t lo = s->b[i].addr, hi = end_of(s, i);
	size_t j = i + 1;

	if (lo >= s->ra_lo && hi <= s->ra_hi)
		return;
	s->ra_lo = s->ra_hi = 0;
	if (s->b[i].size > WIN_SIZE)
		return;
	while (j < s->n && end_of(s, j) - lo <= WIN_SIZE)
		hi = end_of(s, j++);
	if (rd(s, lo, s->ra, (size_t)(hi - lo)) == 0) {
		s->ra_lo = lo;
		s->ra_hi = hi;
	}
}

/*
 * memcheck's lc_process_markstack(), in rounds: each round takes every
 * block on the mark stack and scans them in address order, blocks close
 * together with one read.  The order of scanning does not change the
 * result (phase 1 computes a fixpoint; in a clique every unreached block
 * reachable from the leader joins it), and reads stay few and large.
 */
static void drain(struct scan *s, long clique)
{
	while (s->top) {
		size_t k = s->top, g, j;

		memcpy(s->batch, s->stack, k * sizeof(*s->batch));
		s->top = 0;
		sort_idx(s->batch, s->stack, k, s->n);
		for (g = 0; g < k; g = j) {
			size_t first = s->batch[g], m;
			uint64_t lo = s->b[first].addr, hi = end_of(s, first);
			const unsigned char *data;

			j = g + 1;
			if (s->b[first].size > WIN_SIZE) {
				scan_block(s, first, NULL, clique);
				continue;
			}
			while (j < k && end_of(s, s->batch[j]) - lo <= WIN_SIZE)
				hi = end_of(s, s->batch[j++]);
			/*
			 * Walking forward through nearby blocks, one at a time
			 * (a list in allocation order): read ahead.
			 */
			if (!(lo >= s->ra_lo && hi <= s->ra_hi) &&
			    lo > s->last_lo && lo - s->last_lo <= WIN_SIZE)
				read_ahead(s, first);
			s->last_lo = lo;
			data = read_blocks(s, lo, hi);
			for (m = g; m < j; m++) {
				size_t i = s->batch[m];
				scan_block(s, i,
					   data ? data + (s->b[i].addr - lo) :
						  NULL,
					   clique);
			}
		}
	}
}

static int check_blocks(const struct leakscan_block *b, size_t n)
{
	size_t i;

	if (n > UINT32_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (b[i].addr + b[i].size < b[i].addr)
			return -EINVAL;
		if (i &&
		    b[i].addr <
			    b[i - 1].addr + (b[i - 1].size ? b[i - 1].size : 1))
			return -EINVAL;
	}
	return 0;
}

/*
 * The lookup index: blocks cut into segments at address gaps (the brk heap,
 * each arena, each mmapped chunk), each segment split into about one bucket
 * per two blocks, so that finding a pointer's block touches a bucket entry
 * and a few neighbouring blocks instead of a binary search over millions.
 */
static int build_index(struct scan *s)
{
	uint64_t gap = GAP;
	size_t nseg, i, nb = 0, k;

	for (;;) { /* widen the gap until the segments are few */
		nseg = 1;
		for (i = 1; i < s->n && nseg <= MAXSEG; i++)
			if (s->b[i].addr - end_of(s, i - 1) > gap)
				nseg++;
		if (nseg <= MAXSEG)
			break;
		gap *= 4;
	}
	s->seg = calloc(nseg, sizeof(*s->seg));
	if (!s->seg)
		return -ENOMEM;
	s->nseg = 0;
	for (i = 0; i < s->n; i++) {
		struct seg *g;
		if (i && s->b[i].addr - end_of(s, i - 1) <= gap)
			continue;
		if (s->nseg)
			s->seg[s->nseg - 1].i1 = i;
		g = &s->seg[s->nseg++];
		g->lo = s->b[i].addr;
		g->i0 = i;
	}
	s->seg[s->nseg - 1].i1 = s->n;
	for (k = 0; k < s->nseg; k++) {
		struct seg *g = &s->seg[k];
		size_t m = g->i1 - g->i0, want = m / 2 ? m / 2 : 1;
		uint64_t span = end_of(s, g->i1 - 1) - g->lo + 1;
		g->shift = 0;
		while (g->shift < 63 && (span >> g->shift) > want)
			g->shift++;
		g->nbucket = (size_t)((span - 1) >> g->shift) + 1;
		g->first = nb;
		nb += g->nbucket + 1;
	}
	s->bucket = malloc(nb * sizeof(*s->bucket));
	if (!s->bucket)
		return -ENOMEM;
	for (k = 0; k < s->nseg; k++) {
		struct seg *g = &s->seg[k];
		size_t j = g->i0, q;
		for (q = 0; q < g->nbucket; q++) {
			uint64_t start = g->lo + ((uint64_t)q << g->shift);
			while (j < g->i1 && s->b[j].addr < start)
				j++;
			s->bucket[g->first + q] = (uint32_t)j;
		}
		s->bucket[g->first + g->nbucket] = (uint32_t)g->i1;
	}
	return 0;
}

int leakscan_classify_ex(struct leakscan_block *blocks, size_t nblocks,
			 const struct leakscan_range *roots, size_t nroots,
			 const uint64_t *regs, size_t nregs,
			 leakscan_read_fn read, void *ctx,
			 const struct leakscan_opts *opts,
			 struct leakscan_stats *out_stats)
{
	static const uint32_t kind_of[4] = {
		[ST_UNREACHED] = MPT_LEAK_DEFINITE,
		[ST_POSSIBLE] = MPT_LEAK_POSSIBLE,
		[ST_REACHABLE] = MPT_LEAK_REACHABLE,
		[ST_INDIRECT] = MPT_LEAK_INDIRECT,
	};
	struct scan s;
	size_t i;
	int err, k;

	memset(&s, 0, sizeof(s));
	if (out_stats)
		memset(out_stats, 0, sizeof(*out_stats));
	if (nblocks == 0)
		return 0;
	if (!blocks || !read || (nroots && !roots) || (nregs && !regs))
		return -EINVAL;
	err = check_blocks(blocks, nblocks);
	if (err)
		return err;
	s.b = blocks;
	s.n = nblocks;
	s.lo = blocks[0].addr;
	s.span = blocks[nblocks - 1].addr +
		 (blocks[nblocks - 1].size ? blocks[nblocks - 1].size : 1) -
		 s.lo;
	s.read = read;
	s.ctx = ctx;
	s.heur = LEAKSCAN_HEUR_ALL;
	if (opts) {
		if (opts->heuristics & LEAKSCAN_HEUR_NONE)
			s.heur = 0;
		else if (opts->heuristics)
			s.heur = opts->heuristics & LEAKSCAN_HEUR_ALL;
		s.maps = opts->maps;
		s.nmaps = opts->maps ? opts->nmaps : 0;
	}
	s.stack = malloc(nblocks * sizeof(*s.stack));
	s.batch = malloc(nblocks * sizeof(*s.batch));
	s.buf = malloc(2 * WIN_SIZE);
	s.line = calloc(NLINES, sizeof(*s.line));
	if (!s.stack || !s.batch || !s.buf || !s.line) {
		free(s.stack);
		free(s.batch);
		free(s.buf);
		free(s.line);
		return -ENOMEM;
	}
	s.ra = s.buf + WIN_SIZE;
	err = build_index(&s);
	if (err) {
		free(s.stack);
		free(s.batch);
		free(s.buf);
		free(s.line);
		return err;
	}
	for (i = 0; i < nblocks; i++)
		blocks[i].kind = ST_UNREACHED;

	/* Roots, then registers, then everything reachable from them. */
	for (i = 0; i < nroots; i++)
		scan_mem(&s, roots[i].lo, roots[i].hi, -1, 1);
	for (i = 0; i < nregs; i++)
		mark(&s, regs[i], 1);
	drain(&s, -1);

	/*
	 * Cliques, in address order: each still unreached block leads one and
	 * pulls in every unreached block it reaches, including earlier leaders
	 * (which become indirectly lost).  In a cycle with nothing outside
	 * pointing in, the lowest block therefore stays definitely lost.
	 */
	for (i = 0; i < nblocks; i++) {
		if (state(&s, i) != ST_UNREACHED)
			continue;
		read_ahead(&s, i);
		push(&s, i);
		drain(&s, (long)i);
	}

	for (i = 0; i < nblocks; i++) {
		uint32_t h = heur_of(&s, i);
		k = (int)kind_of[state(&s, i)];
		if (h)
			s.st.heuristic_blocks[h - 1]++;
		blocks[i].kind = (uint32_t)k;
		s.st.blocks[k]++;
		s.st.bytes[k] += blocks[i].size;
	}
	if (out_stats)
		*out_stats = s.st;
	free(s.stack);
	free(s.batch);
	free(s.buf);
	free(s.line);
	free(s.seg);
	free(s.bucket);
	return 0;
}

int leakscan_classify(struct leakscan_block *blocks, size_t nblocks,
		      const struct leakscan_range *roots, size_t nroots,
		      const uint64_t *regs, size_t nregs, leakscan_read_fn read,
		      void *ctx, struct leakscan_stats *out_stats)
{
	return leakscan_classify_ex(blocks, nblocks, roots, nroots, regs, nregs,
				    read, ctx, NULL, out_stats);
}

const char *leakscan_kind_name(uint32_t kind)
{
	switch (kind) {
	case MPT_LEAK_DEFINITE:
		return "definitely lost";
	case MPT_LEAK_INDIRECT:
		return "indirectly lost";
	case MPT_LEAK_POSSIBLE:
		return "possibly lost";
	case MPT_LEAK_REACHABLE:
		return "still reachable";
	default:
		return "unknown";
	}
}

/*
 * /proc/PID/maps parsing.
 */

struct map_line {
	uint64_t lo, hi;
	char perms[5];
	unsigned long inode;
	const char *path; /* not NUL-terminated; plen bytes */
	size_t plen;
};

static const char *parse_hex(const char *p, const char *end, uint64_t *v)
{
	uint64_t x = 0;
	const char *start = p;

	for (; p < end; p++) {
		int d;
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return p == start ? NULL : p;
}

static const char *skip_field(const char *p, const char *end)
{
	while (p < end && *p != ' ')
		p++;
	while (p < end && *p == ' ')
		p++;
	return p;
}

/* Parse one line [p, end); returns 0 or -1 when malformed. */
static int parse_line(const char *p, const char *end, struct map_line *m)
{
	size_t i;

	p = parse_hex(p, end, &m->lo);
	if (!p || p >= end || *p != '-')
		return -1;
	p = parse_hex(p + 1, end, &m->hi);
	if (!p || p >= end || *p != ' ' || m->hi < m->lo)
		return -1;
	p++;
	for (i = 0; i < 4; i++)
		m->perms[i] = p + i < end ? p[i] : '-';
	m->perms[4] = 0;
	p = skip_field(p, end); /* perms */
	p = skip_field(p, end); /* offset */
	p = skip_field(p, end); /* dev */
	m->inode = 0;
	while (p < end && *p >= '0' && *p <= '9')
		m->inode = m->inode * 10 + (unsigned long)(*p++ - '0');
	while (p < end && *p == ' ')
		p++;
	m->path = p;
	m->plen = (size_t)(end - p);
	return 0;
}

static int path_has(const struct map_line *m, const char *needle)
{
	size_t nl = strlen(needle), i;

	if (nl == 0 || nl > m->plen)
		return 0;
	for (i = 0; i + nl <= m->plen; i++)
		if (memcmp(m->path + i, needle, nl) == 0)
			return 1;
	return 0;
}

static int path_starts(const struct map_line *m, const char *prefix)
{
	size_t nl = strlen(prefix);
	return m->plen >= nl && memcmp(m->path, prefix, nl) == 0;
}

static int is_anon(const struct map_line *m)
{
	return m->inode == 0 && (m->plen == 0 || m->path[0] != '/');
}

/* Is m the data of glibc (…/libc.so.6, …/libc-2.NN.so)? */
static int is_libc(const struct map_line *m)
{
	size_t i;

	for (i = m->plen; i > 0 && m->path[i - 1] != '/'; i--)
		;
	return m->plen - i >= 7 && (memcmp(m->path + i, "libc.so", 7) == 0 ||
				    memcmp(m->path + i, "libc-", 5) == 0);
}

/* glibc's heap layout (64-bit, 2.26 and later). */
#define ARENA_HEAP_MAX ((uint64_t)64 << 20) /* HEAP_MAX_SIZE */
#define CHUNK_IS_MMAPPED 2u
#define CHUNK_NON_MAIN_ARENA 4u
/* struct malloc_state: mutex, flags, have_fastchunks, fastbinsY[10], top,
 * last_remainder, bins[254], binmap[4], next, next_free, attached_threads,
 * system_mem, max_system_mem. */
#define ARENA_TOP 96
#define ARENA_BINS 112
#define ARENA_NEXT 2160
#define ARENA_SIZE 2200

struct area {
	uint64_t lo, hi;
};

struct areas {
	struct area *a;
	size_t n, cap;
};

static int add_area(struct areas *as, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return 0;
	if (as->n == as->cap) {
		size_t nc = as->cap ? 2 * as->cap : 64;
		struct area *na = realloc(as->a, nc * sizeof(*na));
		if (!na)
			return -ENOMEM;
		as->a = na;
		as->cap = nc;
	}
	as->a[as->n].lo = lo;
	as->a[as->n].hi = hi;
	as->n++;
	return 0;
}

static int cmp_area(const void *x, const void *y)
{
	const struct area *a = x, *b = y;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static const struct map_line *line_at(const struct map_line *l, size_t n,
				      uint64_t p)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p < l[mid].lo)
			hi = mid;
		else if (p >= l[mid].hi)
			lo = mid + 1;
		else
			return &l[mid];
	}
	return NULL;
}

/*
 * The malloc heap around the live blocks: one area per mmapped chunk, per
 * secondary arena heap, or (main arena, unknown layout) per mapping.
 */
static int heap_areas(const struct leakscan_block *b, size_t n,
		      const struct map_line *l, size_t nl,
		      const struct leakscan_roots_opts *o, struct areas *as)
{
	size_t i = 0;

	while (i < n) {
		uint64_t a = b[i].addr, hdr[2], lo, hi;
		const struct map_line *m = line_at(l, nl, a);

		lo = m ? m->lo : a;
		hi = m ? m->hi : a + (b[i].size ? b[i].size : 1);
		if (m && path_starts(m, "[heap]")) {
			/* the whole brk heap */
		} else if (o && o->read && a >= 16 &&
			   o->read(o->ctx, a - 16, hdr, sizeof(hdr)) == 0) {
			uint64_t chunk = a - 16, csize = hdr[1] & ~(uint64_t)7;
			if ((hdr[1] & CHUNK_IS_MMAPPED) && hdr[0] <= chunk &&
			    chunk + csize >= a + b[i].size) {
				lo = chunk - hdr[0];
				hi = chunk + csize;
			} else if (hdr[1] & CHUNK_NON_MAIN_ARENA) {
				lo = a & ~(ARENA_HEAP_MAX - 1);
				hi = lo + ARENA_HEAP_MAX;
			}
		}
		if (add_area(as, lo, hi) < 0)
			return -ENOMEM;
		for (i++; i < n && b[i].addr < hi; i++)
			;
	}
	return 0;
}

/*
 * Find glibc's main_arena in libc's writable data [lo, hi): the place there
 * where the most of its 126 bins are empty, i.e. point at themselves, and
 * whose `next` arena is itself or one at the start of a secondary heap
 * (the bin pattern alone matches shifted by whole bins too).
 */
static int find_main_arena(const struct leakscan_roots_opts *o, uint64_t lo,
			   uint64_t hi, struct areas *as)
{
	unsigned char buf[4096 + ARENA_SIZE];
	uint64_t base, best = 0;
	unsigned best_n = 0;

	for (base = lo; base + ARENA_SIZE <= hi; base += 4096) {
		size_t len = (size_t)(hi - base < sizeof(buf) ? hi - base :
								sizeof(buf));
		size_t off;

		if (o->read(o->ctx, base, buf, len) < 0)
			continue;
		for (off = 0; off + ARENA_SIZE <= len && off < 4096; off += 8) {
			uint64_t a = base + off, next;
			unsigned bin, empty = 0;

			memcpy(&next, buf + off + ARENA_NEXT, 8);
			if (next != a &&
			    (next < ARENA_HEAP_MAX ||
			     (next & (ARENA_HEAP_MAX - 1)) >= PAGE))
				continue;
			for (bin = 1; bin < 127; bin++) {
				uint64_t fd, bk,
					self = a + ARENA_TOP + (bin - 1) * 16;
				size_t o2 = off + ARENA_BINS + (bin - 1) * 16;
				memcpy(&fd, buf + o2, 8);
				memcpy(&bk, buf + o2 + 8, 8);
				empty += fd == self && bk == self;
			}
			if (empty > best_n) {
				best_n = empty;
				best = a;
			}
		}
	}
	return best_n >= 32 ? add_area(as, best, best + ARENA_SIZE) : 0;
}

/* Append [lo, hi) minus the areas (sorted, merged) to the roots. */
static void add_root(uint64_t lo, uint64_t hi, const struct areas *as,
		     struct leakscan_range *roots, size_t cap, size_t *nr)
{
	size_t j;

	for (j = 0; j < as->n && lo < hi; j++) {
		const struct area *a = &as->a[j];
		if (a->hi <= lo)
			continue;
		if (a->lo >= hi)
			break;
		if (a->lo > lo) {
			if (*nr < cap) {
				roots[*nr].lo = lo;
				roots[*nr].hi = a->lo;
			}
			(*nr)++;
		}
		lo = a->hi;
	}
	if (lo < hi) {
		if (*nr < cap) {
			roots[*nr].lo = lo;
			roots[*nr].hi = hi;
		}
		(*nr)++;
	}
}

int leakscan_roots_from_maps(const char *text, size_t len,
			     const struct leakscan_block *blocks,
			     size_t nblocks,
			     const struct leakscan_roots_opts *opts,
			     struct leakscan_range *roots, size_t cap,
			     size_t *nroots, struct leakscan_map *maps,
			     size_t mapcap, size_t *nmaps)
{
	const struct leakscan_roots_opts *o = opts;
	const char *p, *end = text + len;
	struct map_line *l = NULL;
	struct areas as = { NULL, 0, 0 };
	size_t nl = 0, maxl = 1, nr = 0, nm = 0, i, k;
	int err = 0;

	if (!text || !nroots || (cap && !roots) || (nblocks && !blocks) ||
	    (maps && !nmaps) || (o && o->nexclude && !o->exclude) ||
	    (o && o->nsps && !o->sps))
		return -EINVAL;
	for (p = text; p < end; p++)
		maxl += *p == '\n';
	l = malloc(maxl * sizeof(*l));
	if (!l)
		return -ENOMEM;
	for (p = text; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (parse_line(p, eol, &l[nl]) == 0 &&
		    (nl == 0 || l[nl].lo >= l[nl - 1].hi))
			nl++;
		p = eol + (eol < end);
	}

	err = heap_areas(blocks, nblocks, l, nl, o, &as);
	for (k = 0; o && k < o->nexclude && !err; k++)
		err = add_area(&as, o->exclude[k].lo, o->exclude[k].hi);
	for (i = 0; i < nl && !err; i++) {
		struct map_line *m = &l[i];

		if (maps && !is_anon(m) && m->plen && m->path[0] == '/') {
			if (nm < mapcap) {
				maps[nm].lo = m->lo;
				maps[nm].hi = m->hi;
				maps[nm].prot =
					(m->perms[0] == 'r' ? LEAKSCAN_PROT_R :
							      0) |
					(m->perms[1] == 'w' ? LEAKSCAN_PROT_W :
							      0) |
					(m->perms[2] == 'x' ? LEAKSCAN_PROT_X :
							      0);
			}
			nm++;
		}
		if (path_starts(m, "[heap]"))
			err = add_area(&as, m->lo, m->hi);
		/* libc's data, and its .bss continued anonymously */
		if (!err && o && o->read && m->perms[0] == 'r' &&
		    m->perms[1] == 'w' &&
		    (is_libc(m) || (i > 0 && is_libc(&l[i - 1]) && is_anon(m) &&
				    m->plen == 0 && l[i - 1].hi == m->lo)))
			err = find_main_arena(o, m->lo, m->hi, &as);
		/* An empty secondary arena heap and its reservation. */
		if (is_anon(m) && m->plen == 0 && m->perms[1] == 'w' &&
		    m->lo % ARENA_HEAP_MAX == 0 && i + 1 < nl &&
		    l[i + 1].lo == m->hi && is_anon(&l[i + 1]) &&
		    l[i + 1].plen == 0 &&
		    memcmp(l[i + 1].perms, "---", 3) == 0 &&
		    l[i + 1].hi <= m->lo + ARENA_HEAP_MAX && !err)
			err = add_area(&as, m->lo, m->hi);
	}
	if (err)
		goto out;
	qsort(as.a, as.n, sizeof(*as.a), cmp_area);
	for (i = 0, k = 0; i < as.n; i++) { /* merge */
		if (k && as.a[i].lo <= as.a[k - 1].hi) {
			if (as.a[i].hi > as.a[k - 1].hi)
				as.a[k - 1].hi = as.a[i].hi;
		} else {
			as.a[k++] = as.a[i];
		}
	}
	as.n = k;

	for (i = 0; i < nl; i++) {
		struct map_line *m = &l[i];
		uint64_t lo = m->lo;
		int skip = 0;

		if (m->perms[0] != 'r' || m->perms[1] != 'w')
			continue;
		if (path_starts(m, "/dev/") && !path_starts(m, "/dev/zero") &&
		    !path_starts(m, "/dev/shm/"))
			continue; /* device memory: memcheck skips it */
		for (k = 0;
		     o && o->exclude_paths && o->exclude_paths[k] && !skip; k++)
			skip = path_has(m, o->exclude_paths[k]);
		if (skip)
			continue;
		for (k = 0; o && k < o->nsps; k++) {
			uint64_t sp = o->sps[k];
			if (sp >= m->lo && sp < m->hi && sp >= m->lo + 128 &&
			    ((sp - 128) & ~(uint64_t)(WORD - 1)) > lo)
				lo = (sp - 128) & ~(uint64_t)(WORD - 1);
		}
		add_root(lo, m->hi, &as, roots, cap, &nr);
	}
	*nroots = nr;
	if (nmaps)
		*nmaps = nm;
out:
	free(l);
	free(as.a);
	return err;
}
