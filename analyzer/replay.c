/* replay.c - the live-block model every analysis command is built on. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "replay.h"
#include "symbolize.h"

/*
 * Live blocks of one domain.  The blocks sit in a pool that never moves
 * them between an insert and a remove (freed entries are chained for
 * reuse, the last freed first, so a churning program keeps touching the
 * same few cache lines); an open-addressing index of 16-byte slots maps
 * (address, device) to a pool entry.  Probes and the backward shift of a
 * removal touch only the small slots.  No allocation per event.
 */
struct bslot {
	uint64_t addr; /* 0: empty */
	uint32_t idx;  /* into pool[] */
	uint32_t device;
};

struct blocktab {
	struct bslot *slot;
	uint32_t cap;		/* slots: a power of two, or 0 */
	uint32_t shift;		/* 64 - log2(cap) */
	uint32_t n;		/* live blocks */
	uint32_t limit;		/* n that makes the index grow */
	struct mpt_block *pool; /* entries with addr 0 are free */
	uint32_t npool, poolcap;
	uint32_t freelist; /* index + 1 of a free entry, 0: none */
};

struct thread {
	uint32_t tid;
	char *name;
	uint16_t *tag; /* tag stack, innermost last */
	size_t ntag, tagcap;
	uint64_t last_addr; /* this thread's latest heap allocation */
};

struct module {
	struct mpt_module pub;
	char *path;
	uint8_t *build_id;
	struct mpt_segment *seg;
};

struct mpt_process {
	struct mpt_process_info info;
	struct mpt_replay *r;
	struct blocktab heap, gpu;
	struct mpt_block *map; /* the app's mappings, few: a plain array */
	size_t nmap, mapcap;
	struct thread *thr;
	size_t nthr, thrcap;
	struct mpt_hmap tidmap; /* tid -> index + 1 */
	struct thread *cur;	/* the thread of the latest thread_get() */
	struct module *mod;
	size_t nmod, modcap;
	char *path;
	/*
	 * The address of the latest free of the fast path, 0 after any heap
	 * block is added: until then that address is not live.
	 */
	uint64_t just_freed;
	int implicit;	 /* created by an event, not by PROCESS_START */
	int end_pending; /* PROCESS_END seen, waiting for the leak scan */
	int finished;	 /* end callback done, live set dropped */
};

/* Stack ids below this are also kept in a dense array. */
#define DENSE_MAX (1u << 24)

struct stk {
	uint64_t id;
	uint64_t off; /* into frame[] */
	uint32_t parent;
	uint32_t nframe;
};

struct mpt_replay {
	struct mpt_replay_ops ops;
	void *ctx;
	struct mpt_symbolizer *sym;
	struct mpt_record header;
	int have_header, complete, done;
	uint64_t now, lost;
	double sample_n;

	struct stk *stk; /* index 0 unused */
	uint32_t nstk;
	size_t stkcap;
	uint64_t *frame;
	size_t nframe, framecap;
	struct mpt_hmap stkid; /* trace id -> index */
	/*
	 * Recorders number stacks 1, 2, 3...: small ids also go in a plain
	 * array, so the lookup per event is one load.
	 */
	uint32_t *dense;
	size_t ndense;

	char **tag; /* index 0 unused */
	uint32_t ntag;
	size_t tagcap;

	struct mpt_process **proc;
	size_t nproc, proccap;
	struct mpt_hmap pidmap; /* pid -> index + 1 of its latest image */
	struct mpt_process *lastp;
	/*
	 * lastp's pid while it is running, else a value no pid has: the one
	 * test of the fast path (fast_pid_update()).
	 */
	uint64_t fast_pid;
	int heap_untracked; /* mpt_replay_untrack_heap() */
};

/* Grow an array to hold at least `need` elements. */
static int grow_array(void **arr, size_t *cap, size_t need, size_t elsize)
{
	size_t ncap;
	void *n;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	n = realloc(*arr, ncap * elsize);
	if (!n)
		return MPT_E_NOMEM;
	*arr = n;
	*cap = ncap;
	return 0;
}

#define GROW(arr, cap, need) \
	grow_array((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/*
 * Block tables.
 */

/* A free pool entry keeps the index + 1 of the next free one in `size`. */
#define POOL_NEXT(b) ((b)->size)

static inline uint32_t bt_home(const struct blocktab *t, uint64_t addr,
			       uint32_t device)
{
	uint64_t k = addr ^ ((uint64_t)device << 48);

	return (uint32_t)((k * 0x9e3779b97f4a7c15ull) >> t->shift);
}

/* The slot of (addr, device), or NULL. */
static inline struct bslot *bt_find(const struct blocktab *t, uint64_t addr,
				    uint32_t device)
{
	uint32_t i, mask = t->cap - 1;

	if (!t->cap)
		return NULL;
	for (i = bt_home(t, addr, device);; i = (i + 1) & mask) {
		struct bslot *s = &t->slot[i];

		if (s->addr == addr && s->device == device)
			return s;
		if (!s->addr)
			return NULL;
	}
}

static inline struct mpt_block *bt_block(const struct blocktab *t,
					 const struct bslot *s)
{
	return &t->pool[s->idx];
}

/*
 * How many blocks `cap` slots hold before the index grows.  A sparse index
 * has short runs: a free seldom has anything to shift back, and the loops
 * that probe and shift end on their first test, which the branch predictor
 * learns.  Small indexes (up to 256 KiB) are kept at 1/8, larger ones at
 * 1/4, then 1/2 past 16 MiB to bound the memory of huge live sets.
 */
static uint32_t bt_limit(uint32_t cap)
{
	if (cap <= (1u << 14))
		return cap / 8;
	if (cap <= (1u << 20))
		return cap / 4;
	return cap / 2;
}

/* Rebuild the index with `ncap` slots (a power of two). */
static int bt_resize(struct blocktab *t, uint32_t ncap)
{
	struct bslot *ns;
	uint32_t i, bits = 0, mask, nshift;

	while ((1u << bits) < ncap)
		bits++;
	ncap = 1u << bits;
	nshift = 64 - bits;
	mask = ncap - 1;
	/*
	 * Not calloc(): a large one hands out the zero page, which the probes
	 * would read first and then write, a second fault and a TLB
	 * shootdown of the other threads per page.  memset() writes first;
	 * the empty asm keeps gcc from making the pair a calloc() again.
	 */
	ns = malloc((size_t)ncap * sizeof(*ns));
	if (!ns)
		return MPT_E_NOMEM;
	__asm__ volatile("" : : "r"(ns) : "memory");
	memset(ns, 0, (size_t)ncap * sizeof(*ns));
	for (i = 0; i < t->cap; i++) {
		const struct bslot *s = &t->slot[i];
		uint64_t k = s->addr ^ ((uint64_t)s->device << 48);
		uint32_t j;

		if (!s->addr)
			continue;
		for (j = (uint32_t)((k * 0x9e3779b97f4a7c15ull) >> nshift);
		     ns[j].addr; j = (j + 1) & mask)
			;
		ns[j] = *s;
	}
	free(t->slot);
	t->slot = ns;
	t->cap = ncap;
	t->shift = nshift;
	t->limit = bt_limit(ncap);
	return 0;
}

/* The index of a pool entry for a new block; *err set when memory runs out. */
static inline uint32_t bt_take(struct blocktab *t, int *err)
{
	uint32_t idx;

	if (t->freelist) {
		idx = t->freelist - 1;
		t->freelist = (uint32_t)POOL_NEXT(&t->pool[idx]);
		return idx;
	}
	if (t->npool == t->poolcap) {
		uint32_t ncap = t->poolcap ? t->poolcap * 2 : 256;
		struct mpt_block *np;

		if (ncap < t->poolcap ||
		    !(np = realloc(t->pool, (size_t)ncap * sizeof(*np)))) {
			*err = MPT_E_NOMEM;
			return 0;
		}
		t->pool = np;
		t->poolcap = ncap;
	}
	return t->npool++;
}

/*
 * The block of (addr, device), made if absent: then *isnew is 1 and only
 * its addr and device are set.  NULL with *err set when memory runs out.
 * The pointer is valid until the next put.
 */
static inline struct mpt_block *bt_put(struct blocktab *t, uint64_t addr,
				       uint32_t device, int *isnew, int *err)
{
	uint32_t i, mask;
	struct bslot *s;
	struct mpt_block *b;

	if (t->n >= t->limit) {
		*err = t->cap >= (1u << 31) ?
			       MPT_E_NOMEM :
			       bt_resize(t, t->cap ? t->cap * 2 : 1024);
		if (*err)
			return NULL;
	}
	mask = t->cap - 1;
	for (i = bt_home(t, addr, device);; i = (i + 1) & mask) {
		s = &t->slot[i];
		if (!s->addr)
			break;
		if (s->addr == addr && s->device == device) {
			*isnew = 0;
			return &t->pool[s->idx];
		}
	}
	*err = 0;
	s->idx = bt_take(t, err);
	if (*err)
		return NULL;
	s->addr = addr;
	s->device = device;
	t->n++;
	*isnew = 1;
	b = &t->pool[s->idx];
	b->addr = addr;
	b->device = (uint16_t)device;
	return b;
}

/*
 * Take the block of slot `s` out of the index; its pool entry stays as it
 * is until bt_release_entry(), so it can be read in between.
 */
static inline void bt_unlink(struct blocktab *t, struct bslot *s)
{
	uint32_t mask = t->cap - 1;
	uint32_t i = (uint32_t)(s - t->slot), j;

	/* Backward shift: pull later members of the run into the hole. */
	for (j = (i + 1) & mask; t->slot[j].addr; j = (j + 1) & mask) {
		uint32_t h = bt_home(t, t->slot[j].addr, t->slot[j].device);

		if (((j - h) & mask) >= ((j - i) & mask)) {
			t->slot[i] = t->slot[j];
			i = j;
		}
	}
	t->slot[i].addr = 0;
	t->n--;
}

/* Give the pool entry `b` (unlinked) back for reuse. */
static inline void bt_release_entry(struct blocktab *t, struct mpt_block *b)
{
	b->addr = 0;
	POOL_NEXT(b) = t->freelist;
	t->freelist = (uint32_t)(b - t->pool) + 1;
}

/* Remove the block of slot `s`. */
static inline void bt_remove(struct blocktab *t, struct bslot *s)
{
	struct mpt_block *b = bt_block(t, s);

	bt_unlink(t, s);
	bt_release_entry(t, b);
}

static void bt_release(struct blocktab *t)
{
	free(t->slot);
	free(t->pool);
	memset(t, 0, sizeof(*t));
}

/* dst (empty) becomes a copy of src, every block inherited. */
static int bt_copy(struct blocktab *dst, const struct blocktab *src)
{
	uint32_t i;

	bt_release(dst);
	if (!src->cap)
		return 0;
	dst->slot = malloc((size_t)src->cap * sizeof(*dst->slot));
	dst->pool = malloc((size_t)(src->poolcap ? src->poolcap : 1) *
			   sizeof(*dst->pool));
	if (!dst->slot || !dst->pool) {
		bt_release(dst);
		return MPT_E_NOMEM;
	}
	memcpy(dst->slot, src->slot, (size_t)src->cap * sizeof(*dst->slot));
	if (src->npool)
		memcpy(dst->pool, src->pool,
		       (size_t)src->npool * sizeof(*dst->pool));
	dst->cap = src->cap;
	dst->shift = src->shift;
	dst->limit = src->limit;
	dst->n = src->n;
	dst->npool = src->npool;
	dst->poolcap = src->poolcap ? src->poolcap : 1;
	dst->freelist = src->freelist;
	for (i = 0; i < dst->npool; i++) {
		if (!dst->pool[i].addr)
			continue;
		dst->pool[i].kind = MPT_LEAK_UNKNOWN;
		dst->pool[i].flags |= MPT_BLOCK_INHERITED;
	}
	return 0;
}

/*
 * Lifecycle.
 */

struct mpt_replay *mpt_replay_new(const struct mpt_replay_ops *ops, void *ctx)
{
	struct mpt_replay *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (ops)
		r->ops = *ops;
	r->ctx = ctx;
	mpt_hmap_init(&r->stkid);
	mpt_hmap_init(&r->pidmap);
	r->fast_pid = UINT64_MAX;
	r->nstk = 1;
	r->ntag = 1;
	return r;
}

void mpt_replay_untrack_heap(struct mpt_replay *r)
{
	r->heap_untracked = 1;
}

void mpt_replay_set_symbolizer(struct mpt_replay *r, struct mpt_symbolizer *sym)
{
	r->sym = sym;
}

static void process_drop_live(struct mpt_process *p)
{
	bt_release(&p->heap);
	bt_release(&p->gpu);
	free(p->map);
	p->map = NULL;
	p->nmap = p->mapcap = 0;
}

static void process_free(struct mpt_process *p)
{
	size_t i;

	if (!p)
		return;
	process_drop_live(p);
	for (i = 0; i < p->nthr; i++) {
		free(p->thr[i].name);
		free(p->thr[i].tag);
	}
	free(p->thr);
	mpt_hmap_release(&p->tidmap);
	for (i = 0; i < p->nmod; i++) {
		free(p->mod[i].path);
		free(p->mod[i].build_id);
		free(p->mod[i].seg);
	}
	free(p->mod);
	free(p->path);
	free(p);
}

void mpt_replay_free(struct mpt_replay *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nproc; i++)
		process_free(r->proc[i]);
	free(r->proc);
	mpt_hmap_release(&r->pidmap);
	free(r->stk);
	free(r->dense);
	free(r->frame);
	mpt_hmap_release(&r->stkid);
	for (i = 1; i < r->ntag; i++)
		free(r->tag[i]);
	free(r->tag);
	free(r);
}

/*
 * Processes and threads.
 */

/* After lastp changes or ends. */
static void fast_pid_update(struct mpt_replay *r)
{
	struct mpt_process *p = r->lastp;

	r->fast_pid = p && !p->finished ? p->info.pid : UINT64_MAX;
}

static struct mpt_process *process_new(struct mpt_replay *r, uint32_t pid)
{
	struct mpt_process *p;
	uint64_t *slot;

	if (GROW(r->proc, r->proccap, r->nproc + 1))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	slot = mpt_hmap_put(&r->pidmap, pid, NULL);
	if (!slot) {
		free(p);
		return NULL;
	}
	p->r = r;
	p->info.pid = pid;
	p->info.image = (uint32_t)r->nproc + 1;
	p->info.start_time = r->now;
	p->info.path = "";
	mpt_hmap_init(&p->tidmap);
	r->proc[r->nproc++] = p;
	*slot = r->nproc;
	r->lastp = p;
	fast_pid_update(r);
	return p;
}

/* The current image of `pid`, created implicitly when never seen. */
static struct mpt_process *process_get(struct mpt_replay *r, uint32_t pid)
{
	struct mpt_process *p = r->lastp;
	uint64_t *slot;

	if (p && p->info.pid == pid)
		return p;
	slot = mpt_hmap_get(&r->pidmap, pid);
	if (slot) {
		p = r->proc[*slot - 1];
		r->lastp = p;
		fast_pid_update(r);
		return p;
	}
	p = process_new(r, pid);
	if (p)
		p->implicit = 1;
	return p;
}

static struct thread *thread_get(struct mpt_process *p, uint32_t tid)
{
	uint64_t *slot;
	int isnew;

	if (p->cur && p->cur->tid == tid)
		return p->cur;
	slot = mpt_hmap_put(&p->tidmap, tid, &isnew);
	if (!slot)
		return NULL;
	if (isnew) {
		if (GROW(p->thr, p->thrcap, p->nthr + 1)) {
			mpt_hmap_del(&p->tidmap, tid);
			return NULL;
		}
		memset(&p->thr[p->nthr], 0, sizeof(p->thr[0]));
		p->thr[p->nthr].tid = tid;
		*slot = ++p->nthr;
	}
	/* Set after any growth of thr[], which moves the threads. */
	p->cur = &p->thr[*slot - 1];
	return p->cur;
}

/* The thread `tid` of p if known, without creating it. */
static inline struct thread *thread_find(struct mpt_process *p, uint32_t tid)
{
	uint64_t *slot;

	if (p->cur && p->cur->tid == tid)
		return p->cur;
	slot = mpt_hmap_get(&p->tidmap, tid);
	return slot ? &p->thr[*slot - 1] : NULL;
}

/* Run the end callback once, then drop the live set. */
static int process_finish(struct mpt_replay *r, struct mpt_process *p,
			  uint32_t reason)
{
	int ret = 0;

	if (p->finished)
		return 0;
	p->finished = 1;
	fast_pid_update(r);
	p->end_pending = 0;
	p->info.end_reason = reason;
	if (reason != MPT_REPLAY_EXIT || !p->info.end_time)
		p->info.end_time = r->now;
	if (r->ops.process_end)
		ret = r->ops.process_end(r->ctx, p);
	process_drop_live(p);
	return ret;
}

static int copy_modules(struct mpt_process *dst, const struct mpt_process *src)
{
	size_t i;

	for (i = 0; i < src->nmod; i++) {
		const struct module *m = &src->mod[i];
		struct module *d;

		if (m->pub.unload_time)
			continue;
		if (GROW(dst->mod, dst->modcap, dst->nmod + 1))
			return MPT_E_NOMEM;
		d = &dst->mod[dst->nmod];
		*d = *m;
		d->path = strdup(m->path);
		d->build_id = malloc(m->pub.build_id_len + 1);
		d->seg = malloc((m->pub.nseg + 1) * sizeof(*d->seg));
		if (!d->path || !d->build_id || !d->seg) {
			free(d->path);
			free(d->build_id);
			free(d->seg);
			return MPT_E_NOMEM;
		}
		if (m->pub.build_id_len)
			memcpy(d->build_id, m->build_id, m->pub.build_id_len);
		if (m->pub.nseg)
			memcpy(d->seg, m->seg, m->pub.nseg * sizeof(*d->seg));
		d->pub.path = d->path;
		d->pub.build_id = d->build_id;
		d->pub.seg = d->seg;
		dst->nmod++;
	}
	return 0;
}

static char *bytes_dup(struct mpt_bytes b)
{
	char *s = malloc((size_t)b.len + 1);

	if (!s)
		return NULL;
	if (b.len)
		memcpy(s, b.ptr, b.len);
	s[b.len] = 0;
	return s;
}

static int on_process_start(struct mpt_replay *r, const struct mpt_record *rec)
{
	uint32_t kind = rec->u.process_start.kind;
	struct mpt_process *old = NULL, *p, *parent = NULL;
	uint64_t *slot = mpt_hmap_get(&r->pidmap, rec->pid);
	int err;

	if (slot)
		old = r->proc[*slot - 1];
	if (kind == MPT_PROC_FORK || kind == MPT_PROC_VFORK) {
		slot = mpt_hmap_get(&r->pidmap, rec->u.process_start.ppid);
		if (slot && r->proc[*slot - 1]->info.pid != rec->pid)
			parent = r->proc[*slot - 1];
		if (parent && parent->finished)
			parent = NULL;
	}
	if (old && old->implicit && !old->finished && kind != MPT_PROC_EXEC) {
		/* Events came before the start record: adopt that image. */
		p = old;
		p->implicit = 0;
	} else {
		if (old && !old->finished) {
			uint32_t why = kind == MPT_PROC_EXEC ? MPT_REPLAY_EXEC :
				       old->end_pending	     ? MPT_REPLAY_EXIT :
							       MPT_REPLAY_CUT;

			err = process_finish(r, old, why);
			if (err)
				return err;
		}
		p = process_new(r, rec->pid);
		if (!p)
			return MPT_E_NOMEM;
	}
	p->info.ppid = rec->u.process_start.ppid;
	if (kind == MPT_PROC_EXEC && old && !p->info.ppid)
		p->info.ppid = old->info.ppid;
	p->info.start_kind = kind;
	p->info.start_time = rec->time;
	free(p->path);
	p->path = bytes_dup(rec->u.process_start.path);
	if (!p->path)
		return MPT_E_NOMEM;
	p->info.path = p->path;
	if (parent) {
		err = copy_modules(p, parent);
		if (err)
			return err;
		if (r->sym) {
			err = mpt_sym_fork(r->sym, parent->info.pid,
					   p->info.pid, rec->time);
			if (err)
				return err;
		}
	}
	if (kind == MPT_PROC_EXEC && r->sym)
		mpt_sym_exec(r->sym, p->info.pid, rec->time);
	if (parent && kind == MPT_PROC_FORK) {
		/*
		 * fork() copies the address space: the child owns a copy of
		 * every block live in the parent at this moment.
		 */
		if (p->heap.n == 0) {
			err = bt_copy(&p->heap, &parent->heap);
		} else {
			uint32_t i;
			int isnew;

			err = 0;
			for (i = 0; !err && i < parent->heap.npool; i++) {
				const struct mpt_block *pb =
					&parent->heap.pool[i];
				struct mpt_block *b;

				if (!pb->addr)
					continue;
				b = bt_put(&p->heap, pb->addr, 0, &isnew, &err);
				if (!b || !isnew)
					continue;
				*b = *pb;
				b->kind = MPT_LEAK_UNKNOWN;
				b->flags |= MPT_BLOCK_INHERITED;
			}
		}
		if (err)
			return err;
		if (parent->nmap) {
			size_t i;

			if (GROW(p->map, p->mapcap, p->nmap + parent->nmap))
				return MPT_E_NOMEM;
			for (i = 0; i < parent->nmap; i++) {
				p->map[p->nmap] = parent->map[i];
				p->map[p->nmap].kind = MPT_LEAK_UNKNOWN;
				p->map[p->nmap++].flags |= MPT_BLOCK_INHERITED;
			}
		}
		p->info.heap_bytes = 0;
		p->info.heap_blocks = p->heap.n;
		for (uint32_t i = 0; i < p->heap.npool; i++)
			if (p->heap.pool[i].addr)
				p->info.heap_bytes += p->heap.pool[i].size;
		if (p->info.heap_bytes > p->info.heap_peak) {
			p->info.heap_peak = p->info.heap_bytes;
			p->info.heap_peak_time = rec->time;
		}
	}
	return 0;
}

/*
 * Stacks and tags.
 */

static int on_stack(struct mpt_replay *r, const struct mpt_record *rec)
{
	uint64_t *slot;
	struct stk *s;
	int isnew;
	uint32_t n = rec->u.stack.nframe, parent = 0;

	if (!rec->u.stack.id)
		return 0;
	if (rec->u.stack.parent) {
		uint64_t *ps = mpt_hmap_get(&r->stkid, rec->u.stack.parent);

		/* An undefined parent breaks the invariant; keep the frames. */
		if (ps)
			parent = (uint32_t)*ps;
	}
	if (r->nstk == UINT32_MAX)
		return MPT_E_LIMIT;
	slot = mpt_hmap_put(&r->stkid, rec->u.stack.id, &isnew);
	if (!slot)
		return MPT_E_NOMEM;
	if (!isnew)
		return 0; /* defined twice: the first definition stands */
	if (GROW(r->stk, r->stkcap, (size_t)r->nstk + 1) ||
	    GROW(r->frame, r->framecap, r->nframe + n + 1)) {
		mpt_hmap_del(&r->stkid, rec->u.stack.id);
		return MPT_E_NOMEM;
	}
	s = &r->stk[r->nstk];
	s->id = rec->u.stack.id;
	s->off = r->nframe;
	s->parent = parent;
	s->nframe = n;
	if (n)
		memcpy(&r->frame[r->nframe], rec->u.stack.frame,
		       n * sizeof(uint64_t));
	r->nframe += n;
	*slot = r->nstk;
	if (rec->u.stack.id < DENSE_MAX) {
		size_t id = (size_t)rec->u.stack.id;

		if (id >= r->ndense) {
			size_t cap = r->ndense ? r->ndense : 1024;
			uint32_t *nd;

			while (cap <= id)
				cap *= 2;
			nd = realloc(r->dense, cap * sizeof(*nd));
			if (!nd)
				return MPT_E_NOMEM;
			memset(nd + r->ndense, 0,
			       (cap - r->ndense) * sizeof(*nd));
			r->dense = nd;
			r->ndense = cap;
		}
		r->dense[id] = r->nstk;
	}
	r->nstk++;
	return 0;
}

static inline uint32_t stack_index(const struct mpt_replay *r, uint64_t id)
{
	uint64_t *slot;

	if (id < r->ndense)
		return r->dense[id];
	if (id < DENSE_MAX)
		return 0;
	slot = mpt_hmap_get(&r->stkid, id);
	return slot ? (uint32_t)*slot : 0;
}

static int tag_intern(struct mpt_replay *r, struct mpt_bytes label,
		      uint16_t *out)
{
	uint32_t i;

	for (i = r->ntag - 1; i >= 1; i--) {
		if (strlen(r->tag[i]) == label.len &&
		    !memcmp(r->tag[i], label.ptr, label.len)) {
			*out = (uint16_t)i;
			return 0;
		}
	}
	if (r->ntag > UINT16_MAX) {
		*out = 0; /* too many distinct tags: untagged */
		return 0;
	}
	if (GROW(r->tag, r->tagcap, (size_t)r->ntag + 1))
		return MPT_E_NOMEM;
	r->tag[r->ntag] = bytes_dup(label);
	if (!r->tag[r->ntag])
		return MPT_E_NOMEM;
	*out = (uint16_t)r->ntag++;
	return 0;
}

/*
 * Heap, mappings, GPU.
 */

static int call_free(struct mpt_replay *r, struct mpt_process *p,
		     const struct mpt_block *b, uint32_t tid, int realloc,
		     int temporary)
{
	struct mpt_free_info fi;

	fi.time = r->now;
	fi.lifetime = r->now >= b->time ? r->now - b->time : 0;
	fi.tid = tid;
	fi.realloc = realloc;
	fi.temporary = temporary;
	return r->ops.free(r->ctx, p, b, &fi);
}

static int emit_free(struct mpt_replay *r, struct mpt_process *p,
		     const struct mpt_block *b, uint32_t tid, int realloc)
{
	int temporary = 0;

	if (!r->ops.free)
		return 0;
	if (b->domain == MPT_DOMAIN_HEAP) {
		struct thread *t = thread_find(p, b->tid);

		temporary = t && t->last_addr == b->addr;
	}
	return call_free(r, p, b, tid, realloc, temporary);
}

/*
 * A heap block is gone: count, judge "temporary", tell the callback.  Only
 * the callback reads "temporary" (and the thread's last allocation is kept
 * for it alone), so without one there is nothing to judge.
 */
static inline int heap_gone(struct mpt_replay *r, struct mpt_process *p,
			    const struct mpt_block *b, uint32_t tid,
			    int realloc)
{
	struct thread *t;
	int temporary;

	p->info.heap_bytes -= b->size;
	p->info.heap_blocks--;
	p->info.frees++;
	if (!r->ops.free)
		return 0;
	t = thread_find(p, b->tid);
	temporary = t && t->last_addr == b->addr;
	if (temporary)
		t->last_addr = 0;
	return call_free(r, p, b, tid, realloc, temporary);
}

/*
 * Remove the heap block of slot `s` and tell the free callback.  Inlined
 * into the fast path of every free (gcc would call it, and the call and
 * its saved registers cost a sixth of a free).
 */
static inline __attribute__((always_inline)) int
heap_free(struct mpt_replay *r, struct mpt_process *p, struct bslot *s,
	  uint32_t tid, int realloc)
{
	struct mpt_block *b = bt_block(&p->heap, s);
	int ret;

	/* The callback reads the entry in place; it is reused only after. */
	bt_unlink(&p->heap, s);
	ret = heap_gone(r, p, b, tid, realloc);
	bt_release_entry(&p->heap, b);
	return ret;
}

/*
 * A new live block of `domain` made by thread `t` at `time` from stack id
 * `stack`; the caller sets what its domain adds.
 */
static inline void block_init(struct mpt_replay *r, struct mpt_block *b,
			      const struct thread *t, uint64_t addr,
			      uint64_t size, uint64_t time, uint64_t stack,
			      uint8_t domain)
{
	b->addr = addr;
	b->size = size;
	b->time = time;
	b->stack = stack_index(r, stack);
	b->tid = t->tid;
	b->tag = t->ntag ? t->tag[t->ntag - 1] : 0;
	b->kind = MPT_LEAK_UNKNOWN;
	b->domain = domain;
	b->func = 0;
	b->flags = 0;
	b->device = 0;
}

/*
 * A new heap block `b` of thread `t` is in the table: count it, note it for
 * "temporary", tell the callback.
 */
static inline int heap_added(struct mpt_replay *r, struct mpt_process *p,
			     struct thread *t, const struct mpt_block *b,
			     const struct mpt_record *rec)
{
	t->last_addr = b->addr;
	p->info.heap_bytes += b->size;
	p->info.heap_blocks++;
	if (p->info.heap_bytes > p->info.heap_peak) {
		p->info.heap_peak = p->info.heap_bytes;
		p->info.heap_peak_time = rec->time;
	}
	return r->ops.alloc ? r->ops.alloc(r->ctx, p, b, rec) : 0;
}

/*
 * A heap allocation without the table (mpt_replay_untrack_heap()): the
 * callback gets a block that lives for the call.
 */
static int alloc_untracked(struct mpt_replay *r, struct mpt_process *p,
			   struct thread *t, const struct mpt_record *rec)
{
	struct mpt_block b;

	block_init(r, &b, t, rec->u.alloc.addr, rec->u.alloc.size, rec->time,
		   rec->u.alloc.stack, MPT_DOMAIN_HEAP);
	b.func = (uint8_t)rec->u.alloc.func;
	if (rec->u.alloc.flags & MPT_ALLOC_SAMPLED)
		b.flags |= MPT_BLOCK_SAMPLED;
	if (rec->u.alloc.old_addr)
		b.flags |= MPT_BLOCK_REALLOC;
	t->last_addr = b.addr;
	return r->ops.alloc ? r->ops.alloc(r->ctx, p, &b, rec) : 0;
}

static int on_alloc(struct mpt_replay *r, struct mpt_process *p,
		    const struct mpt_record *rec)
{
	struct mpt_block *b, old;
	struct thread *t;
	int err, isnew;
	uint64_t addr = rec->u.alloc.addr;

	p->info.allocs++;
	if (rec->u.alloc.old_addr)
		p->info.reallocs++;
	if (rec->u.alloc.flags & MPT_ALLOC_FAILED || !addr) {
		p->info.failed++;
		return r->ops.failed ? r->ops.failed(r->ctx, p, rec) : 0;
	}
	t = thread_get(p, rec->tid);
	if (!t)
		return MPT_E_NOMEM;
	if (r->heap_untracked)
		return alloc_untracked(r, p, t, rec);
	if (rec->u.alloc.old_addr) {
		struct bslot *s;

		/* The free half should have come first; tolerate its loss. */
		if (rec->u.alloc.old_addr != addr &&
		    (s = bt_find(&p->heap, rec->u.alloc.old_addr, 0))) {
			err = heap_free(r, p, s, rec->tid, 1);
			if (err)
				return err;
		}
	}
	b = bt_put(&p->heap, addr, 0, &isnew, &err);
	if (!b)
		return err;
	p->just_freed = 0;
	if (!isnew)
		old = *b;
	block_init(r, b, t, addr, rec->u.alloc.size, rec->time,
		   rec->u.alloc.stack, MPT_DOMAIN_HEAP);
	b->func = (uint8_t)rec->u.alloc.func;
	if (rec->u.alloc.flags & MPT_ALLOC_SAMPLED)
		b->flags |= MPT_BLOCK_SAMPLED;
	if (rec->u.alloc.old_addr)
		b->flags |= MPT_BLOCK_REALLOC;
	if (!isnew) {
		/*
		 * An address allocated twice: the first block ended unseen.
		 * Callbacks leave the table alone, so b stays valid.
		 */
		err = heap_gone(r, p, &old, rec->tid, 0);
		if (err)
			return err;
	}
	return heap_added(r, p, t, b, rec);
}

static int on_free(struct mpt_replay *r, struct mpt_process *p,
		   const struct mpt_record *rec)
{
	struct bslot *s;

	if (!rec->u.free.addr)
		return 0;
	if (r->heap_untracked) {
		p->info.frees++;
		return 0;
	}
	s = bt_find(&p->heap, rec->u.free.addr, 0);
	if (!s) {
		p->info.unknown_frees++;
		return 0;
	}
	return heap_free(r, p, s, rec->tid,
			 rec->u.free.func == MPT_FN_REALLOC ||
				 rec->u.free.func == MPT_FN_REALLOCARRAY);
}

static int map_add(struct mpt_replay *r, struct mpt_process *p, uint64_t addr,
		   uint64_t len, uint64_t stack, uint32_t tid,
		   const struct mpt_record *rec)
{
	struct mpt_block *b;
	struct thread *t = thread_get(p, tid);

	if (!t || GROW(p->map, p->mapcap, p->nmap + 1))
		return MPT_E_NOMEM;
	b = &p->map[p->nmap++];
	block_init(r, b, t, addr, len, r->now, stack, MPT_DOMAIN_MMAP);
	return r->ops.alloc ? r->ops.alloc(r->ctx, p, b, rec) : 0;
}

/* Unmap [lo, hi): trim, split or drop the mappings it overlaps. */
static int map_remove(struct mpt_replay *r, struct mpt_process *p, uint64_t lo,
		      uint64_t hi, uint32_t tid)
{
	size_t i = 0;
	int err;

	while (i < p->nmap) {
		struct mpt_block *m = &p->map[i];
		uint64_t mlo = m->addr, mhi = m->addr + m->size;
		uint64_t clo = mlo > lo ? mlo : lo, chi = mhi < hi ? mhi : hi;
		struct mpt_block piece;

		if (clo >= chi) {
			i++;
			continue;
		}
		piece = *m;
		piece.addr = clo;
		piece.size = chi - clo;
		err = emit_free(r, p, &piece, tid, 0);
		if (err)
			return err;
		m = &p->map[i];
		if (clo == mlo && chi == mhi) {
			p->map[i] = p->map[--p->nmap];
			continue;
		}
		if (clo == mlo) {
			m->addr = chi;
			m->size = mhi - chi;
		} else if (chi == mhi) {
			m->size = clo - mlo;
		} else {
			/* A hole in the middle: the tail becomes its own entry.
			 */
			struct mpt_block tail = *m;

			m->size = clo - mlo;
			tail.addr = chi;
			tail.size = mhi - chi;
			if (GROW(p->map, p->mapcap, p->nmap + 1))
				return MPT_E_NOMEM;
			p->map[p->nmap++] = tail;
		}
		i++;
	}
	return 0;
}

static int on_gpu_alloc(struct mpt_replay *r, struct mpt_process *p,
			const struct mpt_record *rec)
{
	struct mpt_block b, *s;
	struct thread *t;
	int err, isnew;

	if (!rec->u.gpu_alloc.addr)
		return r->ops.failed ? r->ops.failed(r->ctx, p, rec) : 0;
	t = thread_get(p, rec->tid);
	if (!t)
		return MPT_E_NOMEM;
	block_init(r, &b, t, rec->u.gpu_alloc.addr, rec->u.gpu_alloc.size,
		   rec->time, rec->u.gpu_alloc.stack, MPT_DOMAIN_GPU);
	b.func = (uint8_t)rec->u.gpu_alloc.kind;
	b.device = (uint16_t)rec->u.gpu_alloc.device;
	{
		struct bslot *slot = bt_find(&p->gpu, b.addr, b.device);

		if (slot) {
			struct mpt_block gone = *bt_block(&p->gpu, slot);

			bt_remove(&p->gpu, slot);
			err = emit_free(r, p, &gone, rec->tid, 0);
			if (err)
				return err;
		}
	}
	s = bt_put(&p->gpu, b.addr, b.device, &isnew, &err);
	if (!s)
		return err;
	*s = b;
	return r->ops.alloc ? r->ops.alloc(r->ctx, p, s, rec) : 0;
}

static int on_gpu_free(struct mpt_replay *r, struct mpt_process *p,
		       const struct mpt_record *rec)
{
	struct bslot *s;
	struct mpt_block b;

	s = bt_find(&p->gpu, rec->u.gpu_free.addr,
		    (uint16_t)rec->u.gpu_free.device);
	if (!s)
		return 0;
	b = *bt_block(&p->gpu, s);
	bt_remove(&p->gpu, s);
	return emit_free(r, p, &b, rec->tid, 0);
}

/*
 * Modules.
 */

static int on_module_load(struct mpt_process *p, const struct mpt_record *rec)
{
	struct module *m;
	uint32_t n = rec->u.module_load.nseg;

	if (GROW(p->mod, p->modcap, p->nmod + 1))
		return MPT_E_NOMEM;
	m = &p->mod[p->nmod];
	memset(m, 0, sizeof(*m));
	m->path = bytes_dup(rec->u.module_load.path);
	m->build_id = malloc(rec->u.module_load.build_id.len + 1);
	m->seg = malloc(((size_t)n + 1) * sizeof(*m->seg));
	if (!m->path || !m->build_id || !m->seg) {
		free(m->path);
		free(m->build_id);
		free(m->seg);
		return MPT_E_NOMEM;
	}
	if (rec->u.module_load.build_id.len)
		memcpy(m->build_id, rec->u.module_load.build_id.ptr,
		       rec->u.module_load.build_id.len);
	if (n)
		memcpy(m->seg, rec->u.module_load.seg, n * sizeof(*m->seg));
	m->pub.id = rec->u.module_load.module;
	m->pub.base = rec->u.module_load.base;
	m->pub.path = m->path;
	m->pub.build_id = m->build_id;
	m->pub.build_id_len = rec->u.module_load.build_id.len;
	m->pub.nseg = n;
	m->pub.seg = m->seg;
	m->pub.load_time = rec->time;
	p->nmod++;
	return 0;
}

static void on_module_unload(struct mpt_process *p,
			     const struct mpt_record *rec)
{
	size_t i;

	for (i = p->nmod; i-- > 0;) {
		struct module *m = &p->mod[i];

		if (m->pub.id == rec->u.module_unload.module &&
		    !m->pub.unload_time) {
			/* A module unloaded at time 0 still counts as gone. */
			m->pub.unload_time = rec->time ? rec->time : 1;
			return;
		}
	}
}

/*
 * The record dispatcher.
 */

static int is_process_record(int type)
{
	switch (type) {
	case MPT_REC_HEADER:
	case MPT_REC_END:
	case MPT_REC_CONTEXT:
	case MPT_REC_LOST:
	case MPT_REC_STACK:
	case MPT_REC_NUMA_TOPOLOGY:
	case MPT_REC_GPU_DEVICE:
		return 0;
	case MPT_REC_COUNTER_DEF:
	case MPT_REC_COUNTER_SAMPLE:
	case MPT_REC_MARKER:
	case MPT_REC_SPAN_BEGIN:
	case MPT_REC_SPAN_END:
		return -1; /* per process when it has a pid */
	default:
		return 1;
	}
}

/*
 * The heap fast paths: a new block at a free address, from the current
 * thread, with room in the table; a free of a live block.  Anything else
 * (realloc, failure, reuse of a live address, growth) returns 1 before
 * changing anything, and the general path handles it.
 */
static inline __attribute__((always_inline)) int
fast_alloc(struct mpt_replay *r, struct mpt_process *p,
	   const struct mpt_record *rec, int untracked, int *ret)
{
	struct blocktab *t = &p->heap;
	struct thread *th = p->cur;
	uint64_t addr = rec->u.alloc.addr;
	uint32_t i, mask = t->cap - 1, idx;
	struct mpt_block *b;

	if (__builtin_expect(!th || th->tid != rec->tid, 0)) {
		/* Another known thread: it becomes the current one. */
		th = thread_find(p, rec->tid);
		if (!th)
			return 1;
		p->cur = th;
	}
	if (__builtin_expect(untracked, 0)) {
		if (!addr || (rec->u.alloc.flags & MPT_ALLOC_FAILED))
			return 1;
		p->info.allocs++;
		p->info.reallocs += rec->u.alloc.old_addr != 0;
		*ret = alloc_untracked(r, p, th, rec);
		return 0;
	}
	if (__builtin_expect(!addr || (rec->u.alloc.flags & MPT_ALLOC_FAILED) ||
				     t->n >= t->limit ||
				     (!t->freelist && t->npool == t->poolcap),
			     0))
		return 1;
	/*
	 * A realloc whose free half came first, as recorders write it (most
	 * often right before, which spares the lookup).
	 */
	if (rec->u.alloc.old_addr && rec->u.alloc.old_addr != addr &&
	    rec->u.alloc.old_addr != p->just_freed &&
	    bt_find(t, rec->u.alloc.old_addr, 0))
		return 1;
	for (i = bt_home(t, addr, 0); t->slot[i].addr; i = (i + 1) & mask)
		if (t->slot[i].addr == addr)
			return 1;
	idx = bt_take(t, ret); /* cannot fail: there is room */
	t->slot[i].addr = addr;
	t->slot[i].idx = idx;
	t->slot[i].device = 0;
	t->n++;
	p->just_freed = 0;
	b = &t->pool[idx];
	block_init(r, b, th, addr, rec->u.alloc.size, rec->time,
		   rec->u.alloc.stack, MPT_DOMAIN_HEAP);
	b->func = (uint8_t)rec->u.alloc.func;
	if (rec->u.alloc.flags & MPT_ALLOC_SAMPLED)
		b->flags |= MPT_BLOCK_SAMPLED;
	p->info.allocs++;
	if (rec->u.alloc.old_addr) {
		b->flags |= MPT_BLOCK_REALLOC;
		p->info.reallocs++;
	}
	*ret = heap_added(r, p, th, b, rec);
	return 0;
}

static inline __attribute__((always_inline)) int
fast_free(struct mpt_replay *r, struct mpt_process *p,
	  const struct mpt_record *rec, int untracked, int *ret)
{
	struct bslot *s;

	if (__builtin_expect(untracked, 0)) {
		p->info.frees += rec->u.free.addr != 0;
		*ret = 0;
		return 0;
	}
	if (__builtin_expect(!rec->u.free.addr, 0) ||
	    !(s = bt_find(&p->heap, rec->u.free.addr, 0)))
		return 1;
	*ret = heap_free(r, p, s, rec->tid,
			 rec->u.free.func == MPT_FN_REALLOC ||
				 rec->u.free.func == MPT_FN_REALLOCARRAY);
	p->just_freed = rec->u.free.addr;
	return 0;
}

static int record_general(struct mpt_replay *r, const struct mpt_record *rec);

/*
 * One record: the fast paths inline, the rest a call.  `untracked` is
 * r->heap_untracked and `record` whether there is a record callback,
 * constants in the copy that a run of records goes through, so that it
 * tests neither per record.
 */
static inline __attribute__((always_inline)) int
replay_one_k(struct mpt_replay *r, const struct mpt_record *rec, int untracked,
	     int record)
{
	struct mpt_process *p = r->lastp;
	int err;

	/* The common case first: a heap event of the current process. */
	if (__builtin_expect(rec->pid == r->fast_pid, 1)) {
		/* Before the event: a free's lifetime ends now. */
		if (rec->time > r->now)
			r->now = rec->time;
		if (rec->type == MPT_REC_ALLOC) {
			if (fast_alloc(r, p, rec, untracked, &err))
				goto general;
		} else if (rec->type == MPT_REC_FREE) {
			if (fast_free(r, p, rec, untracked, &err))
				goto general;
		} else {
			goto general;
		}
		if (err || !record)
			return err;
		return r->ops.record(r->ctx, p, rec);
	}
general:
	return record_general(r, rec);
}

/* n records, in a copy of the loop for each of the constants. */
static int replay_records(struct mpt_replay *r, const struct mpt_record *rec,
			  int n)
{
	int i, ret;

#define REPLAY_LOOP(untracked, record)                             \
	for (i = 0; i < n; i++) {                                  \
		ret = replay_one_k(r, &rec[i], untracked, record); \
		if (ret)                                           \
			return ret;                                \
	}
	if (!r->heap_untracked && !r->ops.record)
		REPLAY_LOOP(0, 0)
	else if (!r->ops.record)
		REPLAY_LOOP(1, 0)
	else
		REPLAY_LOOP(r->heap_untracked, 1)
#undef REPLAY_LOOP
	return 0;
}

int mpt_replay_record(struct mpt_replay *r, const struct mpt_record *rec)
{
	return replay_one_k(r, rec, r->heap_untracked, r->ops.record != NULL);
}

/* Every other record, and heap events off the fast paths. */
static __attribute__((noinline)) int
record_general(struct mpt_replay *r, const struct mpt_record *rec)
{
	struct mpt_process *p = NULL;
	struct thread *t;
	int kind, err = 0;

	if (rec->time > r->now)
		r->now = rec->time;
	p = r->lastp;
	if (p && p->info.pid == rec->pid && !p->finished) {
		if (rec->type == MPT_REC_ALLOC)
			err = on_alloc(r, p, rec);
		else if (rec->type == MPT_REC_FREE)
			err = on_free(r, p, rec);
		else
			goto general;
		if (err || !r->ops.record)
			return err;
		return r->ops.record(r->ctx, p, rec);
	}
general:
	p = NULL;
	kind = is_process_record(rec->type);
	if (kind > 0 || (kind < 0 && rec->pid)) {
		if (rec->type != MPT_REC_PROCESS_START) {
			p = process_get(r, rec->pid);
			if (!p)
				return MPT_E_NOMEM;
		}
	}
	switch (rec->type) {
	case MPT_REC_ALLOC:
		if (!p->finished)
			err = on_alloc(r, p, rec);
		break;
	case MPT_REC_FREE:
		if (!p->finished)
			err = on_free(r, p, rec);
		break;
	case MPT_REC_HEADER:
		r->header = *rec;
		r->header.u.header.host.ptr = NULL;
		r->header.u.header.host.len = 0;
		r->header.u.header.argc = 0;
		r->header.u.header.argv = NULL;
		r->header.u.header.nopts = 0;
		r->header.u.header.opts = NULL;
		r->have_header = 1;
		r->sample_n = (double)rec->u.header.sample_bytes;
		break;
	case MPT_REC_END:
		r->complete = 1;
		break;
	case MPT_REC_LOST:
		r->lost += rec->u.lost.count;
		break;
	case MPT_REC_STACK:
		err = on_stack(r, rec);
		break;
	case MPT_REC_PROCESS_START:
		err = on_process_start(r, rec);
		p = mpt_replay_find_pid(r, rec->pid);
		break;
	case MPT_REC_PROCESS_END:
		if (p->finished)
			break;
		p->info.end_kind = rec->u.process_end.kind;
		p->info.end_code = rec->u.process_end.code;
		p->info.end_core = rec->u.process_end.core;
		p->info.end_time = rec->time;
		if (p->info.scanned)
			err = process_finish(r, p, MPT_REPLAY_EXIT);
		else
			p->end_pending = 1;
		break;
	case MPT_REC_THREAD_START:
		if (!thread_get(p, rec->tid))
			err = MPT_E_NOMEM;
		break;
	case MPT_REC_THREAD_NAME:
		t = thread_get(p, rec->tid);
		if (!t) {
			err = MPT_E_NOMEM;
			break;
		}
		free(t->name);
		t->name = bytes_dup(rec->u.thread_name.name);
		if (!t->name)
			err = MPT_E_NOMEM;
		break;
	case MPT_REC_MODULE_LOAD:
		err = on_module_load(p, rec);
		if (!err && r->sym)
			err = mpt_sym_add_module(
				r->sym, rec->pid, rec->u.module_load.module,
				rec->u.module_load.path.ptr,
				rec->u.module_load.path.len,
				(const uint8_t *)rec->u.module_load.build_id.ptr,
				rec->u.module_load.build_id.len,
				rec->u.module_load.base, rec->u.module_load.seg,
				rec->u.module_load.nseg, rec->time);
		/* A module the symbolizer refuses only loses its names. */
		if (err == MPT_E_INVAL)
			err = 0;
		if (!err && r->ops.module)
			err = r->ops.module(r->ctx, p, rec);
		break;
	case MPT_REC_MODULE_UNLOAD:
		on_module_unload(p, rec);
		/* An unload of a module never loaded is not fatal. */
		if (r->sym)
			mpt_sym_remove_module(r->sym, rec->pid,
					      rec->u.module_unload.module,
					      rec->time);
		if (r->ops.module)
			err = r->ops.module(r->ctx, p, rec);
		break;
	case MPT_REC_MMAP:
		if (p->finished || !rec->u.mmap.len ||
		    rec->u.mmap.addr == UINT64_MAX)
			break;
		err = map_add(r, p, rec->u.mmap.addr, rec->u.mmap.len,
			      rec->u.mmap.stack, rec->tid, rec);
		break;
	case MPT_REC_MUNMAP:
		if (p->finished)
			break;
		err = map_remove(r, p, rec->u.munmap.addr,
				 rec->u.munmap.addr + rec->u.munmap.len,
				 rec->tid);
		break;
	case MPT_REC_MREMAP:
		if (p->finished || !rec->u.mremap.new_addr ||
		    rec->u.mremap.new_addr == UINT64_MAX)
			break;
		err = map_remove(r, p, rec->u.mremap.old_addr,
				 rec->u.mremap.old_addr + rec->u.mremap.old_len,
				 rec->tid);
		if (!err)
			err = map_add(r, p, rec->u.mremap.new_addr,
				      rec->u.mremap.new_len,
				      rec->u.mremap.stack, rec->tid, rec);
		break;
	case MPT_REC_GPU_ALLOC:
		if (!p->finished)
			err = on_gpu_alloc(r, p, rec);
		break;
	case MPT_REC_GPU_FREE:
		if (!p->finished)
			err = on_gpu_free(r, p, rec);
		break;
	case MPT_REC_TAG_PUSH:
		t = thread_get(p, rec->tid);
		if (!t || GROW(t->tag, t->tagcap, t->ntag + 1)) {
			err = MPT_E_NOMEM;
			break;
		}
		err = tag_intern(r, rec->u.marker.label, &t->tag[t->ntag]);
		if (!err)
			t->ntag++;
		break;
	case MPT_REC_TAG_POP:
		t = thread_get(p, rec->tid);
		if (!t)
			err = MPT_E_NOMEM;
		else if (t->ntag)
			t->ntag--;
		break;
	case MPT_REC_LEAK_BLOCK:
		if (!p->finished) {
			struct bslot *s =
				bt_find(&p->heap, rec->u.leak_block.addr, 0);

			if (s && rec->u.leak_block.kind <= MPT_LEAK_UNKNOWN)
				bt_block(&p->heap, s)->kind =
					(uint8_t)rec->u.leak_block.kind;
			else
				p->info.leak_unmatched++;
		}
		break;
	case MPT_REC_LEAK_SCAN:
		if (p->finished)
			break;
		p->info.scanned = 1;
		p->info.scan_status = rec->u.leak_scan.status;
		p->info.scan_flags = rec->u.leak_scan.flags;
		if (p->end_pending)
			err = process_finish(r, p, MPT_REPLAY_EXIT);
		break;
	default:
		break;
	}
	if (err)
		return err;
	if (r->ops.record)
		return r->ops.record(r->ctx, p, rec);
	return 0;
}

int mpt_replay_finish(struct mpt_replay *r)
{
	size_t i;
	int err;

	if (r->done)
		return 0;
	r->done = 1;
	for (i = 0; i < r->nproc; i++) {
		struct mpt_process *p = r->proc[i];

		if (p->finished)
			continue;
		err = process_finish(r, p,
				     p->end_pending ? MPT_REPLAY_EXIT :
						      MPT_REPLAY_CUT);
		if (err)
			return err;
	}
	return 0;
}

int mpt_replay_run(struct mpt_replay *r, struct mpt_reader *rd)
{
	const struct mpt_record *rec;
	int n, ret;

	/* Runs of records, in place (some decoded ahead by the reader's
	 * helper thread, when it has one). */
	while ((n = mpt_reader_next_run(rd, &rec)) > 0) {
		ret = replay_records(r, rec, n);
		if (ret)
			return ret;
	}
	if (n < 0)
		return n;
	return mpt_replay_finish(r);
}

/*
 * Accessors.
 */

const struct mpt_record *mpt_replay_header(const struct mpt_replay *r)
{
	return r->have_header ? &r->header : NULL;
}

uint64_t mpt_replay_time(const struct mpt_replay *r)
{
	return r->now;
}

int mpt_replay_complete(const struct mpt_replay *r)
{
	return r->complete;
}

uint64_t mpt_replay_lost(const struct mpt_replay *r)
{
	return r->lost;
}

double mpt_replay_weight(const struct mpt_replay *r, const struct mpt_block *b)
{
	double p;

	if (!(b->flags & MPT_BLOCK_SAMPLED) || r->sample_n <= 0)
		return 1.0;
	p = -expm1(-(double)b->size / r->sample_n);
	if (!(p > 0))
		return 1.0;
	return 1.0 / p;
}

uint64_t mpt_replay_bytes(const struct mpt_replay *r, const struct mpt_block *b)
{
	if (!(b->flags & MPT_BLOCK_SAMPLED) || r->sample_n <= 0)
		return b->size;
	return (uint64_t)llround((double)b->size * mpt_replay_weight(r, b));
}

uint32_t mpt_replay_nstacks(const struct mpt_replay *r)
{
	return r->nstk - 1;
}

uint64_t mpt_replay_stack_id(const struct mpt_replay *r, uint32_t idx)
{
	return idx && idx < r->nstk ? r->stk[idx].id : 0;
}

uint32_t mpt_replay_stack_index(const struct mpt_replay *r, uint64_t id)
{
	uint64_t *slot = id ? mpt_hmap_get(&r->stkid, id) : NULL;

	return slot ? (uint32_t)*slot : 0;
}

size_t mpt_replay_stack_frames(const struct mpt_replay *r, uint32_t idx,
			       uint64_t *out, size_t max)
{
	size_t depth = 0;

	/* Parents are defined earlier, so indexes fall: no cycles. */
	while (idx && idx < r->nstk) {
		const struct stk *s = &r->stk[idx];
		uint32_t i;

		for (i = 0; i < s->nframe; i++, depth++)
			if (depth < max)
				out[depth] = r->frame[s->off + i];
		if (s->parent >= idx)
			break;
		idx = s->parent;
	}
	return depth;
}

const char *mpt_replay_tag_name(const struct mpt_replay *r, uint16_t tag)
{
	return tag && tag < r->ntag ? r->tag[tag] : NULL;
}

size_t mpt_replay_nprocesses(const struct mpt_replay *r)
{
	return r->nproc;
}

struct mpt_process *mpt_replay_process(const struct mpt_replay *r, size_t i)
{
	return i < r->nproc ? r->proc[i] : NULL;
}

struct mpt_process *mpt_replay_find_pid(const struct mpt_replay *r,
					uint32_t pid)
{
	uint64_t *slot = mpt_hmap_get(&r->pidmap, pid);

	return slot ? r->proc[*slot - 1] : NULL;
}

const struct mpt_process_info *mpt_process_info(const struct mpt_process *p)
{
	return &p->info;
}

const struct mpt_block *mpt_process_lookup(const struct mpt_process *p,
					   int domain, uint32_t device,
					   uint64_t addr)
{
	size_t i;

	const struct bslot *s;

	switch (domain) {
	case MPT_DOMAIN_HEAP:
		s = bt_find(&p->heap, addr, 0);
		return s ? bt_block(&p->heap, s) : NULL;
	case MPT_DOMAIN_GPU:
		s = bt_find(&p->gpu, addr, (uint16_t)device);
		return s ? bt_block(&p->gpu, s) : NULL;
	case MPT_DOMAIN_MMAP:
		for (i = 0; i < p->nmap; i++)
			if (addr >= p->map[i].addr &&
			    addr - p->map[i].addr < p->map[i].size)
				return &p->map[i];
		return NULL;
	default:
		return NULL;
	}
}

static int bt_foreach(const struct blocktab *t,
		      int (*fn)(void *ctx, const struct mpt_block *b),
		      void *ctx)
{
	uint32_t i;
	int ret;

	for (i = 0; i < t->npool; i++) {
		if (!t->pool[i].addr)
			continue;
		ret = fn(ctx, &t->pool[i]);
		if (ret)
			return ret;
	}
	return 0;
}

int mpt_process_foreach(const struct mpt_process *p, unsigned mask,
			int (*fn)(void *ctx, const struct mpt_block *b),
			void *ctx)
{
	size_t i;
	int ret;

	if (mask & MPT_DOMAIN_BIT(MPT_DOMAIN_HEAP)) {
		ret = bt_foreach(&p->heap, fn, ctx);
		if (ret)
			return ret;
	}
	if (mask & MPT_DOMAIN_BIT(MPT_DOMAIN_MMAP)) {
		for (i = 0; i < p->nmap; i++) {
			ret = fn(ctx, &p->map[i]);
			if (ret)
				return ret;
		}
	}
	if (mask & MPT_DOMAIN_BIT(MPT_DOMAIN_GPU))
		return bt_foreach(&p->gpu, fn, ctx);
	return 0;
}

uint64_t mpt_process_nlive(const struct mpt_process *p, unsigned mask)
{
	uint64_t n = 0;

	if (mask & MPT_DOMAIN_BIT(MPT_DOMAIN_HEAP))
		n += p->heap.n;
	if (mask & MPT_DOMAIN_BIT(MPT_DOMAIN_MMAP))
		n += p->nmap;
	if (mask & MPT_DOMAIN_BIT(MPT_DOMAIN_GPU))
		n += p->gpu.n;
	return n;
}

const char *mpt_process_thread_name(const struct mpt_process *p, uint32_t tid)
{
	uint64_t *slot = mpt_hmap_get(&p->tidmap, tid);

	return slot ? p->thr[*slot - 1].name : NULL;
}

size_t mpt_process_nmodules(const struct mpt_process *p)
{
	return p->nmod;
}

const struct mpt_module *mpt_process_module(const struct mpt_process *p,
					    size_t i)
{
	return i < p->nmod ? &p->mod[i].pub : NULL;
}

const struct mpt_module *mpt_process_module_at(const struct mpt_process *p,
					       uint64_t addr, uint64_t time)
{
	size_t i;

	for (i = p->nmod; i-- > 0;) {
		const struct mpt_module *m = &p->mod[i].pub;
		uint32_t s;

		if (time != UINT64_MAX &&
		    (m->load_time > time ||
		     (m->unload_time && m->unload_time <= time)))
			continue;
		for (s = 0; s < m->nseg; s++) {
			uint64_t lo = m->base + m->seg[s].vaddr;

			if (addr >= lo && addr - lo < m->seg[s].memsz)
				return m;
		}
	}
	return NULL;
}
