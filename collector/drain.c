/* drain.c - copy the app's thread rings out and merge them into the trace. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch.h"

#define MPR_PAD 0xffff

uint64_t emitted_raw(void)
{
	return M.last_raw;
}

struct region *region_attach(struct proc *p, struct mpr_region *map,
			     uint64_t map_size)
{
	struct region *rg = calloc(1, sizeof(*rg));

	if (!rg)
		return NULL;
	rg->p = p;
	rg->map = map;
	rg->map_size = map_size;
	rg->next = p->rg;
	p->rg = rg;
	return rg;
}

void region_free(struct region *rg)
{
	for (unsigned i = 0; i < rg->nstream; i++)
		free(rg->stream[i]);
	if (rg->map)
		munmap(rg->map, rg->map_size);
	free(rg);
}

void sev_push(const struct sev *e)
{
	if (M.nsev == M.capsev) {
		size_t cap = M.capsev ? M.capsev * 2 : 64;
		struct sev *n = realloc(M.sev, cap * sizeof(*n));

		if (!n)
			return;
		M.sev = n;
		M.capsev = cap;
	}
	M.sev[M.nsev] = *e;
	M.sev[M.nsev].seq = M.sev_seq++;
	M.nsev++;
}

int emit(struct mpt_record *r, uint64_t raw_time, struct proc *p, uint32_t tid)
{
	uint64_t t = raw_time > M.t0 ? raw_ns(raw_time - M.t0) : 0;
	int rc;

	if (M.write_failed)
		return -1;
	/* A record that arrives after later ones went out is clamped. */
	if (t < M.last)
		t = M.last;
	M.last = t;
	if (raw_time > M.last_raw)
		M.last_raw = raw_time;
	r->time = t;
	r->pid = p ? (uint32_t)p->pid : 0;
	r->tid = tid;
	rc = mpt_writer_put(M.w, r);
	if (rc < 0) {
		M.write_failed = 1;
		M.write_errno = rc == MPT_E_IO ? errno : EIO;
		fatal_write();
		return -1;
	}
	return 0;
}

/* Take note of what the slot published since the last pass. */
static void stream_read(struct region *rg, unsigned i)
{
	struct mpr_slot *sl = &rg->map->slot[i];
	struct stream *s = rg->stream[i];
	uint32_t state = atomic_load_explicit(&sl->state, memory_order_acquire);
	uint64_t head = atomic_load_explicit(&sl->head, memory_order_acquire);

	if (!s) {
		uint64_t tail =
			atomic_load_explicit(&sl->tail, memory_order_relaxed);

		if (head == tail && state == MPR_SLOT_FREE)
			return;
		s = calloc(1, sizeof(*s));
		if (!s)
			return;
		s->rg = rg;
		s->idx = i;
		s->ring = mpr_ring(rg->map, i);
		s->pos = s->end = tail;
		rg->stream[i] = s;
		if (i >= rg->nstream)
			rg->nstream = i + 1;
	}
	if (head - s->pos > MPR_RING_SIZE)
		return; /* corrupt: ignore */
	M.moved += head - s->end;
	s->end = head;
	/*
	 * The thread ended and wrote everything before saying so: the slot
	 * may take a new thread, which continues this stream.
	 */
	if (state == MPR_SLOT_ENDED)
		atomic_store_explicit(&sl->state, MPR_SLOT_FREE,
				      memory_order_release);
}

/* Next record of the stream (pads skipped), or NULL. */
static const struct mpr_hdr *stream_peek(struct stream *s)
{
	while (s->end - s->pos >= 8) {
		uint64_t off = s->pos & (MPR_RING_SIZE - 1);
		const struct mpr_hdr *h = (const void *)(s->ring + off);

		if (h->len < 8 || h->len > s->end - s->pos || (h->len & 7) ||
		    off + h->len > MPR_RING_SIZE) {
			/* Malformed: drop what we have. */
			s->pos = s->end;
			return NULL;
		}
		if (h->type == MPR_PAD) {
			s->pos += h->len;
			continue;
		}
		if (h->len < sizeof(*h)) {
			s->pos = s->end;
			return NULL;
		}
		return h;
	}
	return NULL;
}

/* Give the emitted part of each ring back to its thread. */
static void streams_release(void)
{
	for (struct proc *p = M.procs; p; p = p->next)
		for (struct region *rg = p->rg; rg; rg = rg->next)
			for (unsigned i = 0; i < rg->nstream; i++) {
				struct stream *s = rg->stream[i];

				struct mpr_slot *sl = &rg->map->slot[i];

				if (!s)
					continue;
				atomic_store_explicit(&sl->tail, s->pos,
						      memory_order_release);
				atomic_thread_fence(memory_order_seq_cst);
				if (atomic_load(&sl->waiting)) {
					atomic_fetch_add(&sl->wseq, 1);
					syscall(SYS_futex, &sl->wseq,
						FUTEX_WAKE, INT_MAX, NULL, NULL,
						0);
					M.waiters = 1;
					M.wakes++;
				}
			}
}

static struct thread_ent *thread_find(struct proc *p, uint32_t tid, int add)
{
	for (size_t i = 0; i < p->nthr; i++)
		if (p->thr[i].tid == tid)
			return &p->thr[i];
	if (!add)
		return NULL;
	if (p->nthr == p->capthr) {
		size_t cap = p->capthr ? p->capthr * 2 : 16;
		struct thread_ent *n = realloc(p->thr, cap * sizeof(*n));

		if (!n)
			return NULL;
		p->thr = n;
		p->capthr = cap;
	}
	memset(&p->thr[p->nthr], 0, sizeof(p->thr[0]));
	p->thr[p->nthr].tid = tid;
	return &p->thr[p->nthr++];
}

/*
 * The threads of `parent` in the fork child p, as ended ones (the one that
 * forked goes on in the child on the same stack, which the child's live
 * thread then overlaps).
 */
static void inherit_threads(struct proc *p, const struct proc *parent)
{
	for (size_t i = 0; i < parent->nthr; i++) {
		const struct thread_ent *src = &parent->thr[i];
		struct thread_ent *te;

		if (src->hi <= src->lo)
			continue;
		te = thread_find(p, src->tid, 1);
		if (!te)
			return;
		if (te->alive)
			continue;
		te->lo = src->lo;
		te->hi = src->hi;
	}
}

/* Resolve a transport stack to a trace stack id, writing STACK if new. */
static uint64_t stack_id(const struct mpr_stack *st, uint64_t raw_time,
			 const char *end)
{
	struct mpt_record r;
	uint64_t id;
	uint32_t n = st->nframe;

	if (n == 0 || !st->hash)
		return 0;
	if (u64map_get(&M.stacks, st->hash, &id))
		return id;
	if (n == MPR_STACK_REF || (const char *)(st + 1) + 8ull * n > end)
		return 0; /* unknown reference: malformed */
	id = ++M.next_stack;
	if (u64map_put(&M.stacks, st->hash, id) < 0)
		return 0;
	memset(&r, 0, sizeof(r));
	r.type = MPT_REC_STACK;
	r.u.stack.id = id;
	r.u.stack.nframe = n;
	r.u.stack.frame = (const uint64_t *)(st + 1);
	emit(&r, raw_time, NULL, 0);
	return id;
}

static uint64_t module_id(struct proc *p, uint64_t base, int add)
{
	for (size_t i = 0; i < p->nmod; i++)
		if (p->mod[i].base == base) {
			uint64_t id = p->mod[i].id;

			if (!add)
				p->mod[i] = p->mod[--p->nmod];
			return add ? 0 : id;
		}
	if (!add)
		return 0;
	if (p->nmod == p->capmod) {
		size_t cap = p->capmod ? p->capmod * 2 : 32;
		struct module_ent *n = realloc(p->mod, cap * sizeof(*n));

		if (!n)
			return 0;
		p->mod = n;
		p->capmod = cap;
	}
	p->mod[p->nmod].base = base;
	p->mod[p->nmod].id = ++M.next_module;
	return p->mod[p->nmod++].id;
}

static void emit_lost(struct proc *p, uint64_t count, uint32_t reason,
		      uint64_t raw)
{
	struct mpt_record r;

	memset(&r, 0, sizeof(r));
	r.type = MPT_REC_LOST;
	r.u.lost.count = count;
	r.u.lost.reason = reason;
	emit(&r, raw, p, 0);
}

/* Convert one transport record of stream `s` and write it. */
static void emit_transport(struct stream *s, const struct mpr_hdr *h)
{
	struct proc *p = s->rg->p;
	const char *end = (const char *)h + h->len;
	struct mpt_record r;
	uint64_t v;

	/* The two hot kinds set every field they use; the rest start at 0. */
	if (h->type != MPR_ALLOC && h->type != MPR_FREE)
		memset(&r, 0, sizeof(r));
	switch (h->type) {
	case MPR_ALLOC: {
		const struct mpr_alloc *a = (const void *)h;

		if (h->len < sizeof(*a))
			break;
		r.type = MPT_REC_ALLOC;
		r.u.alloc.func = h->aux;
		r.u.alloc.flags = a->flags;
		r.u.alloc.size = a->size;
		r.u.alloc.addr = a->addr;
		r.u.alloc.align = a->align;
		r.u.alloc.old_addr = a->old_addr;
		r.u.alloc.stack = stack_id(&a->st, h->time, end);
		if (a->addr && (M.o.leak_scan || M.o.sample_bytes))
			u64map_put(&p->live, a->addr, a->size);
		emit(&r, h->time, p, s->tid);
		break;
	}
	case MPR_FREE: {
		const struct mpr_free *f = (const void *)h;

		if (h->len < sizeof(*f))
			break;
		/*
		 * A free of a block never recorded is dropped: one sampling
		 * skipped, or one the recorder itself allocated while it set
		 * up (its own blocks are not the app's).  Without the live set
		 * (no leak scan, no sampling) frees pass as they come.
		 */
		if ((M.o.leak_scan || M.o.sample_bytes) &&
		    !u64map_del(&p->live, f->addr, NULL))
			break;
		r.type = MPT_REC_FREE;
		r.u.free.func = h->aux;
		r.u.free.addr = f->addr;
		emit(&r, h->time, p, s->tid);
		break;
	}
	case MPR_MMAP: {
		const struct mpr_mmap *m = (const void *)h;

		if (h->len < sizeof(*m))
			break;
		r.type = MPT_REC_MMAP;
		r.u.mmap.addr = m->addr;
		r.u.mmap.len = m->len;
		r.u.mmap.prot = m->prot;
		r.u.mmap.flags = m->flags;
		r.u.mmap.fd = m->fd;
		r.u.mmap.offset = m->offset;
		r.u.mmap.stack = stack_id(&m->st, h->time, end);
		emit(&r, h->time, p, s->tid);
		break;
	}
	case MPR_MUNMAP: {
		const struct mpr_munmap *m = (const void *)h;

		if (h->len < sizeof(*m))
			break;
		r.type = MPT_REC_MUNMAP;
		r.u.munmap.addr = m->addr;
		r.u.munmap.len = m->len;
		r.u.munmap.stack = stack_id(&m->st, h->time, end);
		emit(&r, h->time, p, s->tid);
		break;
	}
	case MPR_MREMAP: {
		const struct mpr_mremap *m = (const void *)h;

		if (h->len < sizeof(*m))
			break;
		r.type = MPT_REC_MREMAP;
		r.u.mremap.old_addr = m->old_addr;
		r.u.mremap.old_len = m->old_len;
		r.u.mremap.new_addr = m->new_addr;
		r.u.mremap.new_len = m->new_len;
		r.u.mremap.flags = m->flags;
		r.u.mremap.stack = stack_id(&m->st, h->time, end);
		emit(&r, h->time, p, s->tid);
		break;
	}
	case MPR_BRK: {
		const struct mpr_brk *b = (const void *)h;

		if (h->len < sizeof(*b))
			break;
		r.type = MPT_REC_BRK;
		r.u.brk.old_end = b->old_end;
		r.u.brk.new_end = b->new_end;
		r.u.brk.stack = stack_id(&b->st, h->time, end);
		emit(&r, h->time, p, s->tid);
		break;
	}
	case MPR_THREAD_START: {
		const struct mpr_thread_start *t = (const void *)h;
		struct thread_ent *te;

		if (h->len < sizeof(*t))
			break;
		s->tid = t->tid;
		te = thread_find(p, t->tid, 1);
		if (te) {
			te->alive = 1;
			te->lo = t->stack_lo;
			te->hi = t->stack_hi;
		}
		r.type = MPT_REC_THREAD_START;
		r.u.thread_start.stack_lo = t->stack_lo;
		r.u.thread_start.stack_hi = t->stack_hi;
		emit(&r, h->time, p, s->tid);
		break;
	}
	case MPR_THREAD_END: {
		struct thread_ent *te = thread_find(p, s->tid, 0);

		if (te)
			te->alive = 0;
		r.type = MPT_REC_THREAD_END;
		emit(&r, h->time, p, s->tid);
		break;
	}
	case MPR_THREAD_NAME:
	case MPR_MARKER: {
		const struct mpr_str *st = (const void *)h;

		if (h->len < sizeof(*st) ||
		    sizeof(*st) + (uint64_t)st->slen > h->len)
			break;
		r.type = h->type == MPR_THREAD_NAME ? MPT_REC_THREAD_NAME :
						      h->aux;
		if (r.type != MPT_REC_THREAD_NAME &&
		    (r.type < MPT_REC_MARKER || r.type > MPT_REC_TAG_PUSH))
			break;
		r.u.marker.label.ptr = (const char *)(st + 1);
		r.u.marker.label.len = st->slen;
		emit(&r, h->time, p,
		     h->type == MPR_THREAD_NAME ? st->tid : s->tid);
		break;
	}
	case MPR_STREAM_TID: {
		const struct mpr_child *c = (const void *)h;

		if (h->len >= sizeof(*c))
			s->tid = c->pid;
		break;
	}
	case MPR_CHILD: {
		const struct mpr_child *c = (const void *)h;

		if (h->len >= sizeof(*c))
			child_status_note((pid_t)c->pid, c->status);
		break;
	}
	case MPR_TAG_POP:
		r.type = MPT_REC_TAG_POP;
		emit(&r, h->time, p, s->tid);
		break;
	case MPR_MODULE_LOAD: {
		const struct mpr_module *m = (const void *)h;
		const char *q = (const char *)(m + 1);
		struct mpt_segment seg[64];
		const struct mpr_seg *ms;
		uint64_t need;

		if (h->len < sizeof(*m))
			break;
		need = sizeof(*m) + ((m->path_len + 7ull) & ~7ull) +
		       ((m->bid_len + 7ull) & ~7ull) +
		       (uint64_t)m->nseg * sizeof(*ms);
		if (need > h->len || m->nseg > 64)
			break;
		r.type = MPT_REC_MODULE_LOAD;
		r.u.module_load.module = module_id(p, m->base, 1);
		if (!r.u.module_load.module)
			break;
		r.u.module_load.base = m->base;
		r.u.module_load.path.ptr = q;
		r.u.module_load.path.len = m->path_len;
		q += (m->path_len + 7) & ~7u;
		r.u.module_load.build_id.ptr = q;
		r.u.module_load.build_id.len = m->bid_len;
		q += (m->bid_len + 7) & ~7u;
		ms = (const struct mpr_seg *)q;
		for (uint32_t i = 0; i < m->nseg; i++) {
			seg[i].vaddr = ms[i].vaddr;
			seg[i].memsz = ms[i].memsz;
			seg[i].offset = ms[i].offset;
			seg[i].flags = (uint32_t)ms[i].flags;
		}
		r.u.module_load.nseg = m->nseg;
		r.u.module_load.seg = seg;
		emit(&r, h->time, p, s->tid);
		break;
	}
	case MPR_MODULE_UNLOAD: {
		const struct mpr_module_unload *m = (const void *)h;

		if (h->len < sizeof(*m))
			break;
		v = module_id(p, m->base, 0);
		if (!v)
			break;
		r.type = MPT_REC_MODULE_UNLOAD;
		r.u.module_unload.module = v;
		emit(&r, h->time, p, s->tid);
		break;
	}
	default:
		break;
	}
}

static void sev_emit(struct sev *e)
{
	struct mpt_record r;
	struct proc *p = e->p;
	struct mpt_bytes argv[256];

	memset(&r, 0, sizeof(r));
	r.type = (uint8_t)e->type;
	if (e->type == MPT_REC_PROCESS_START) {
		uint32_t n = e->argc < 256 ? e->argc : 256;

		r.u.process_start.ppid = e->ppid;
		r.u.process_start.kind = e->kind;
		r.u.process_start.path.ptr = e->path ? e->path : "";
		r.u.process_start.path.len =
			e->path ? (uint32_t)strlen(e->path) : 0;
		for (uint32_t i = 0; i < n; i++) {
			argv[i].ptr = e->argv[i];
			argv[i].len = (uint32_t)strlen(e->argv[i]);
		}
		r.u.process_start.argc = n;
		r.u.process_start.argv = argv;
		M.nprocs++;
		if (e->inherit) {
			/*
			 * A fork child starts with its parent's heap, and the
			 * stacks of its parent's threads, of which only the
			 * forking one runs on in the child: the others are
			 * ended threads' stacks to the leak scan.
			 */
			for (struct proc *q = M.procs; q; q = q->next)
				if (q != p && q->pid == (pid_t)e->ppid &&
				    q->state != PROC_DONE) {
					u64map_copy(&p->live, &q->live);
					inherit_threads(p, q);
				}
		} else if (e->kind == MPT_PROC_EXEC) {
			/* A new image: nothing of the old one is left. */
			u64map_clear(&p->live);
			p->nmod = 0;
			p->nthr = 0;
		}
	} else {
		r.u.process_end.kind = e->kind;
		r.u.process_end.code = e->code;
		r.u.process_end.core = e->core;
		p->state = PROC_DONE;
	}
	emit(&r, e->time, p, (uint32_t)p->pid);
	free(e->path);
	for (uint32_t i = 0; i < e->argc; i++)
		free(e->argv[i]);
	free(e->argv);
}

static int sev_cmp(const void *a, const void *b)
{
	const struct sev *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * One pass.  The watermark W is read from the clock BEFORE the rings: every
 * record committed before that instant is copied in this pass, and records
 * committed later carry a later time (frees and allocations are stamped on
 * the right side of the real call), except a realloc in progress, whose
 * start time each thread publishes in its slot: W is lowered to the oldest
 * such time read AFTER the rings.  Records older than W go out in time order.
 */
void drain_pass(int final)
{
	uint64_t W = final ? UINT64_MAX : raw_now();
	struct stream **act = NULL;
	size_t nact = 0, capact = 0, si = 0, nemit = 0;

	M.moved = 0;
	M.waiters = 0;
	for (struct proc *p = M.procs; p; p = p->next) {
		for (struct region *rg = p->rg; rg; rg = rg->next) {
			unsigned n = atomic_load(&rg->map->nslot);

			if (n > rg->map->max_slots)
				n = rg->map->max_slots;
			for (unsigned i = 0; i < n; i++)
				stream_read(rg, i);
		}
	}
	for (struct proc *p = M.procs; p && !final; p = p->next) {
		if (p->state != PROC_ALIVE)
			continue;
		for (struct region *rg = p->rg; rg; rg = rg->next) {
			unsigned n = atomic_load(&rg->map->nslot);

			if (rg->final)
				continue;
			if (n > rg->map->max_slots)
				n = rg->map->max_slots;
			for (unsigned i = 0; i < n; i++) {
				uint64_t v = atomic_load_explicit(
					&rg->map->slot[i].inflight,
					memory_order_acquire);

				if (v && v < W)
					W = v;
			}
		}
	}
	M.watermark = W;
	/* Streams with data. */
	for (struct proc *p = M.procs; p; p = p->next)
		for (struct region *rg = p->rg; rg; rg = rg->next)
			for (unsigned i = 0; i < rg->nstream; i++) {
				struct stream *s = rg->stream[i];

				if (!s || !stream_peek(s))
					continue;
				if (nact == capact) {
					capact = capact ? capact * 2 : 16;
					act = realloc(act,
						      capact * sizeof(*act));
					if (!act)
						return;
				}
				act[nact++] = s;
			}
	if (M.nsev > 1)
		qsort(M.sev, M.nsev, sizeof(*M.sev), sev_cmp);
	/* k-way merge by time; ties keep stream order. */
	for (;;) {
		const struct mpr_hdr *best = NULL;
		struct stream *bs = NULL;
		size_t bi = 0;
		uint64_t bt = UINT64_MAX;

		for (size_t i = 0; i < nact; i++) {
			const struct mpr_hdr *h = stream_peek(act[i]);

			if (!h) {
				act[i--] = act[--nact];
				continue;
			}
			if (h->time < bt) {
				bt = h->time;
				best = h;
				bs = act[i];
				bi = i;
			}
		}
		(void)bi;
		if (si < M.nsev && M.sev[si].time <= bt && M.sev[si].time < W) {
			sev_emit(&M.sev[si++]);
			continue;
		}
		if (!best || bt >= W)
			break;
		emit_transport(bs, best);
		bs->pos += best->len;
		if (M.write_failed)
			break;
		/* Give room back as we go: a full ring stalls its thread. */
		if (++nemit % 4096 == 0)
			streams_release();
	}
	if (si) {
		memmove(M.sev, M.sev + si, (M.nsev - si) * sizeof(*M.sev));
		M.nsev -= si;
	}
	free(act);
	streams_release();
	/* Events that could not be recorded, per region. */
	for (struct proc *p = M.procs; p; p = p->next)
		for (struct region *rg = p->rg; rg; rg = rg->next) {
			uint64_t lost = atomic_load(&rg->map->lost);

			if (lost > rg->lost_seen) {
				emit_lost(p, lost - rg->lost_seen,
					  MPT_LOST_NO_TRACKING, emitted_raw());
				rg->lost_seen = lost;
			}
		}
	/* Drop regions of images that are gone and fully written. */
	for (struct proc *p = M.procs; p; p = p->next) {
		struct region **pp = &p->rg;

		while (*pp) {
			struct region *rg = *pp;
			int empty = 1;

			for (unsigned i = 0; i < rg->nstream && empty; i++)
				if (rg->stream[i] &&
				    rg->stream[i]->pos < rg->stream[i]->end)
					empty = 0;
			if ((rg->final || p->state == PROC_DONE) && empty) {
				*pp = rg->next;
				region_free(rg);
			} else {
				pp = &rg->next;
			}
		}
	}
}
