/* rec.c - libmprec.so transport: shared region, thread rings, stacks, modules.
 */
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <libunwind.h>

#include "mptrace.h" /* MPT_FN_*, MPT_REC_*, MPT_LOST_* */
#include "rec.h"

__thread struct tstate rec_t __attribute__((tls_model("initial-exec")));
HIDDEN int rec_state;
HIDDEN struct mpr_region *rec_region;
HIDDEN struct rec_opts rec_opts = { .depth = 64,
				    .follow = 1,
				    .leak_scan = 1,
				    .freeres = 1 };
HIDDEN struct rec_real rec_real;
HIDDEN int rec_tsc;

static pthread_key_t thread_key;
static char sock_name[108];
static size_t sock_name_len;
static pid_t my_pid;
/* The forking parent, for a fork child's HELLO: getppid() is mprec once
 * the parent exited (daemon(3) exits right after its fork). */
static pid_t fork_parent;
/* The size of our region's mapping (MPR_REGION_BYTES of its slots). */
static uint64_t region_bytes;
static pid_t mprec_pid;
static atomic_int init_tid;

/* Text ranges whose frames are the recorder's own (trimmed from stacks). */
static struct {
	uintptr_t lo, hi;
} self_text[4];
static int nself_text;

/*
 * Bootstrap arena: dlsym() may allocate before we know where the real
 * malloc is.  Those few blocks come from here and are never freed.
 */
static char boot_arena[64 << 10] __attribute__((aligned(64)));
static size_t boot_used;

void *rec_boot_alloc(size_t n, size_t align)
{
	size_t off;

	if (align < 16)
		align = 16;
	off = (boot_used + align - 1) & ~(align - 1);
	if (off + n > sizeof(boot_arena))
		return NULL;
	boot_used = off + n;
	return boot_arena + off;
}

size_t rec_boot_room(const void *p)
{
	return (size_t)(boot_arena + sizeof(boot_arena) - (const char *)p);
}

int rec_is_boot(const void *p)
{
	return (const char *)p >= boot_arena &&
	       (const char *)p < boot_arena + sizeof(boot_arena);
}

static uint32_t sys_gettid(void)
{
	return (uint32_t)syscall(SYS_gettid);
}

/* Events dropped for a reason other than a full ring. */
void rec_lost(uint64_t n)
{
	if (rec_region)
		atomic_fetch_add_explicit(&rec_region->lost, n,
					  memory_order_relaxed);
}

/*
 * Ring writing.  A record is written in place at the thread's head: the
 * space up to the end of the ring must hold the largest record we may write,
 * else the rest of the ring is skipped with a pad header.  The record
 * becomes visible to mprec with the one release store of slot->head.
 */
#define MPR_PAD 0xffff

static int wait_space(struct tstate *t, uint64_t need)
{
	struct mpr_slot *sl = t->slot;
	unsigned spin;

	for (spin = 0;; spin++) {
		uint32_t seq;

		t->tail = atomic_load_explicit(&sl->tail, memory_order_acquire);
		if (MPR_RING_SIZE - (t->head - t->tail) >= need)
			return 1;
		if (atomic_load_explicit(&rec_region->disabled,
					 memory_order_relaxed))
			return 0;
		if (spin < 4) {
			sched_yield();
			continue;
		}
		/*
		 * Sleep until mprec releases room (it wakes waiters); ring its
		 * doorbell first, it may be napping.
		 */
		seq = atomic_load(&sl->wseq);
		atomic_store(&sl->waiting, 1);
		atomic_thread_fence(memory_order_seq_cst);
		t->tail = atomic_load_explicit(&sl->tail, memory_order_acquire);
		if (MPR_RING_SIZE - (t->head - t->tail) < need) {
			struct timespec ts = { 0, 20000000 };

			if (mprec_pid)
				kill(mprec_pid, SIGUSR1);
			syscall(SYS_futex, &sl->wseq, FUTEX_WAIT, seq, &ts,
				NULL, 0);
		}
		atomic_store(&sl->waiting, 0);
		/* Do not wait for a recorder that is gone. */
		if ((spin & 63) == 63 && mprec_pid && kill(mprec_pid, 0) < 0 &&
		    errno == ESRCH) {
			atomic_store(&rec_region->disabled, 1);
			return 0;
		}
	}
}

/* Reserve `max` contiguous bytes; returns where to write, or NULL. */
static inline char *ring_reserve(struct tstate *t, uint32_t max)
{
	uint64_t pos = t->head & (MPR_RING_SIZE - 1);
	uint64_t pad = 0;

	if (unlikely(pos + max > MPR_RING_SIZE))
		pad = MPR_RING_SIZE - pos;
	if (unlikely(MPR_RING_SIZE - (t->head - t->tail) < pad + max) &&
	    !wait_space(t, pad + max))
		return NULL;
	if (pad) {
		struct mpr_hdr *h = (struct mpr_hdr *)(t->ring + pos);

		h->type = MPR_PAD;
		h->len = (uint32_t)pad;
		t->head += pad;
		pos = 0;
	}
	return t->ring + pos;
}

static inline void ring_commit(struct tstate *t, uint32_t len)
{
	t->head += len;
	atomic_store_explicit(&t->slot->head, t->head, memory_order_release);
}

static int slot_take(struct mpr_region *r);
static int rec_enter_nested(struct tstate *t);

/*
 * Enter record writing.  A signal handler that interrupts a record being
 * written gets the thread's second slot; 0 when even that is busy (the event
 * is counted as lost).
 */
static inline int rec_enter(struct tstate *t)
{
	if (unlikely(t->nest))
		return rec_enter_nested(t);
	t->nest = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return 1;
}

static void ctx_swap(struct tstate *t)
{
	struct wctx w = t->sec;

	t->sec.slot = t->slot;
	t->sec.ring = t->ring;
	t->sec.cache = t->cache;
	t->sec.ucache = t->ucache;
	t->sec.head = t->head;
	t->sec.tail = t->tail;
	t->slot = w.slot;
	t->ring = w.ring;
	t->cache = w.cache;
	t->ucache = w.ucache;
	t->head = w.head;
	t->tail = w.tail;
}

static inline void rec_leave(struct tstate *t)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (unlikely(t->in_sec)) {
		/* Only the handler runs while it holds the second slot. */
		ctx_swap(t);
		t->in_sec = 0;
		return;
	}
	t->nest = 0;
}

/*
 * Stacks.  Frames are unwound straight into the record; the thread's cache
 * of stack hashes lets it send a known stack as a reference only.
 */
static inline int is_self(uintptr_t ip)
{
	for (int i = 0; i < nself_text; i++)
		if (ip >= self_text[i].lo && ip < self_text[i].hi)
			return 1;
	return 0;
}

__attribute__((noinline)) static int unwind_fp(struct tstate *t, uint64_t *out,
					       int max)
{
	uintptr_t *fp = __builtin_frame_address(0);
	uintptr_t lo = (uintptr_t)fp, hi = t->stack_hi;
	int n = 0;

	if (!hi || hi <= lo)
		hi = lo + (8u << 20);
	while (n < max) {
		uintptr_t next, ret;

		if ((uintptr_t)fp < lo || (uintptr_t)fp + 16 > hi ||
		    ((uintptr_t)fp & 7))
			break;
		next = fp[0];
		ret = fp[1];
		if (!ret)
			break;
		out[n++] = ret;
		if (next <= (uintptr_t)fp)
			break;
		fp = (uintptr_t *)next;
	}
	return n;
}

/*
 * Remember where the frames of a freshly unwound stack sit on the thread's
 * stack.  Each return address is looked for upwards from the previous one;
 * the call instructions pushed them there, in this order.
 */
static void ucache_fill(struct tstate *t, struct mpr_ucache *e, uint64_t slot0,
			const uint64_t *f, int n, uint64_t h)
{
	const uint64_t *p = (const uint64_t *)slot0 + 1;
	const uint64_t *hi = (const uint64_t *)t->stack_hi;

	e->n = 0;
	if (n > MPR_UC_DEPTH || n < 1)
		return;
	for (int i = 1; i < n; i++) {
		while (p < hi && *p != f[i])
			p++;
		if (p >= hi)
			return;
		e->off[i] = (uint32_t)((uint64_t)p - slot0);
		e->frame[i] = f[i];
		p++;
	}
	e->off[0] = 0;
	e->frame[0] = f[0];
	e->slot0 = slot0;
	e->ret0 = f[0];
	e->hash = h;
	e->n = (uint32_t)n;
}

static inline uint64_t stack_hash(const uint64_t *f, int n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull;

	for (int i = 0; i < n; i++)
		h = (h ^ f[i]) * 0x100000001b3ull + (h >> 29);
	return h | 1; /* 0 means none */
}

/*
 * Fill st (and the frames after it); returns the bytes used after st.
 *
 * The same call chain recurs: the innermost return address and where it
 * sits on the stack pick a remembered stack, and the remembered return
 * addresses, still in place at their remembered stack slots, prove the
 * chain is the same (a different chain would have to have pushed the same
 * return addresses at the same places).  Only a miss unwinds.
 */
__attribute__((noinline)) static uint32_t capture_stack(struct tstate *t,
							struct mpr_stack *st)
{
	uint64_t *f = (uint64_t *)(st + 1);
	int n, skip = 0, max = rec_opts.depth + 8;
	uintptr_t *fp = __builtin_frame_address(0);
	uint64_t h, slot0 = 0, ret0 = 0;
	struct mpr_ucache *e = NULL;

	if (unlikely(t->in_unwind)) {
		/* A signal handler interrupted unwinding: no stack. */
		st->nframe = 0;
		st->hash = 0;
		return 0;
	}
	/* Our own frames all keep frame pointers: find the app's call. */
	for (int k = 0; k < 8; k++) {
		if ((uintptr_t)fp < (uintptr_t)&f ||
		    (uintptr_t)fp >= t->stack_hi)
			break;
		if (!is_self(fp[1])) {
			slot0 = (uint64_t)(uintptr_t)&fp[1];
			ret0 = fp[1];
			break;
		}
		fp = (uintptr_t *)fp[0];
	}
	if (slot0 && slot0 >= t->stack_lo && slot0 < t->stack_hi &&
	    !rec_opts.no_ucache) {
		uint64_t k = (slot0 >> 3) ^ (ret0 * 0x9e3779b97f4a7c15ull);

		e = &t->ucache[(k ^ (k >> 40)) & (MPR_UC_ENTRIES - 1)];
		if (e->n && e->slot0 == slot0 && e->ret0 == ret0) {
			uint32_t i;

			for (i = 1; i < e->n; i++)
				if (*(const uint64_t *)(slot0 + e->off[i]) !=
				    e->frame[i])
					break;
			if (i == e->n) {
				h = e->hash;
				n = (int)e->n;
				goto known;
			}
		}
	}
	t->in_unwind = 1;
	if (rec_opts.fp)
		n = unwind_fp(t, f, max);
	else
		n = unw_backtrace((void **)f, max);
	t->in_unwind = 0;
	/*
	 * The recorder's frames go, leading ones (the hook) and inner ones
	 * too: main and thread start routines run under our wrappers.
	 */
	for (int i = 0; i < n; i++)
		if (!is_self(f[i]))
			f[skip++] = f[i];
	n = skip;
	if (n > rec_opts.depth)
		n = rec_opts.depth;
	if (n <= 0) {
		st->nframe = 0;
		st->hash = 0;
		return 0;
	}
	h = stack_hash(f, n);
	if (e && f[0] == ret0)
		ucache_fill(t, e, slot0, f, n, h);
	e = NULL;
known:
	st->hash = h;
	uint64_t *c = &t->cache[(h ^ (h >> 32)) & (MPR_CACHE_ENTRIES - 1)];
	if (*c == h) {
		st->nframe = MPR_STACK_REF;
		return 0;
	}
	*c = h;
	if (e)
		memcpy(f, e->frame, (size_t)n * 8);
	st->nframe = (uint32_t)n;
	return (uint32_t)n * 8;
}

#define STACK_MAX_BYTES ((uint32_t)(rec_opts.depth + 8) * 8)

void rec_alloc(struct tstate *t, int func, uint32_t flags, uint64_t size,
	       void *addr, uint64_t align, void *old_addr, uint64_t time)
{
	struct mpr_alloc *r;
	uint32_t len;

	if (!rec_enter(t))
		return;
	r = (struct mpr_alloc *)ring_reserve(t, sizeof(*r) + STACK_MAX_BYTES);
	if (unlikely(!r)) {
		rec_lost(1);
		goto out;
	}
	len = sizeof(*r) + capture_stack(t, &r->st);
	r->h.type = MPR_ALLOC;
	r->h.aux = (uint16_t)func;
	r->h.len = len;
	r->h.time = time ? time : rec_now();
	r->flags = flags;
	r->size = size;
	r->addr = (uint64_t)(uintptr_t)addr;
	r->align = align;
	r->old_addr = (uint64_t)(uintptr_t)old_addr;
	ring_commit(t, len);
out:
	rec_leave(t);
}

void rec_free(struct tstate *t, int func, void *addr, uint64_t time)
{
	struct mpr_free *r;

	if (!rec_enter(t))
		return;
	r = (struct mpr_free *)ring_reserve(t, sizeof(*r));
	if (unlikely(!r)) {
		rec_lost(1);
		goto out;
	}
	r->h.type = MPR_FREE;
	r->h.aux = (uint16_t)func;
	r->h.len = sizeof(*r);
	r->h.time = time ? time : rec_now_early();
	r->addr = (uint64_t)(uintptr_t)addr;
	ring_commit(t, sizeof(*r));
out:
	rec_leave(t);
}

void rec_mmap(struct tstate *t, void *addr, size_t len, int prot, int flags,
	      int fd, off_t off)
{
	struct mpr_mmap *r;
	uint32_t n;

	if (!rec_enter(t))
		return;
	r = (struct mpr_mmap *)ring_reserve(t, sizeof(*r) + STACK_MAX_BYTES);
	if (r) {
		n = sizeof(*r) + capture_stack(t, &r->st);
		r->h.type = MPR_MMAP;
		r->h.aux = 0;
		r->h.len = n;
		r->h.time = rec_now();
		r->addr = (uint64_t)(uintptr_t)addr;
		r->len = len;
		r->offset = (uint64_t)off;
		r->prot = (uint32_t)prot;
		r->flags = (uint32_t)flags;
		r->fd = fd;
		ring_commit(t, n);
	}
	rec_leave(t);
}

void rec_munmap(struct tstate *t, void *addr, size_t len)
{
	struct mpr_munmap *r;
	uint32_t n;

	if (!rec_enter(t))
		return;
	r = (struct mpr_munmap *)ring_reserve(t, sizeof(*r) + STACK_MAX_BYTES);
	if (r) {
		n = sizeof(*r) + capture_stack(t, &r->st);
		r->h.type = MPR_MUNMAP;
		r->h.aux = 0;
		r->h.len = n;
		r->h.time = rec_now();
		r->addr = (uint64_t)(uintptr_t)addr;
		r->len = len;
		ring_commit(t, n);
	}
	rec_leave(t);
}

void rec_mremap(struct tstate *t, void *old_addr, size_t old_len,
		void *new_addr, size_t new_len, int flags)
{
	struct mpr_mremap *r;
	uint32_t n;

	if (!rec_enter(t))
		return;
	r = (struct mpr_mremap *)ring_reserve(t, sizeof(*r) + STACK_MAX_BYTES);
	if (r) {
		n = sizeof(*r) + capture_stack(t, &r->st);
		r->h.type = MPR_MREMAP;
		r->h.aux = 0;
		r->h.len = n;
		r->h.time = rec_now();
		r->old_addr = (uint64_t)(uintptr_t)old_addr;
		r->old_len = old_len;
		r->new_addr = new_addr == MAP_FAILED ?
				      0 :
				      (uint64_t)(uintptr_t)new_addr;
		r->new_len = new_len;
		r->flags = (uint32_t)flags;
		ring_commit(t, n);
	}
	rec_leave(t);
}

void rec_brk(struct tstate *t, void *old_end, void *new_end)
{
	struct mpr_brk *r;
	uint32_t n;

	if (!rec_enter(t))
		return;
	r = (struct mpr_brk *)ring_reserve(t, sizeof(*r) + STACK_MAX_BYTES);
	if (r) {
		n = sizeof(*r) + capture_stack(t, &r->st);
		r->h.type = MPR_BRK;
		r->h.aux = 0;
		r->h.len = n;
		r->h.time = rec_now();
		r->old_end = (uint64_t)(uintptr_t)old_end;
		r->new_end = (uint64_t)(uintptr_t)new_end;
		ring_commit(t, n);
	}
	rec_leave(t);
}

static inline uint32_t pad8(uint32_t n)
{
	return (n + 7) & ~7u;
}

void rec_string(struct tstate *t, int type, int aux, uint32_t tid,
		const char *s)
{
	size_t slen = strnlen(s, 4096);
	uint32_t n = sizeof(struct mpr_str) + pad8((uint32_t)slen);
	struct mpr_str *r;

	if (!rec_enter(t))
		return;
	r = (struct mpr_str *)ring_reserve(t, n);
	if (r) {
		r->h.type = (uint16_t)type;
		r->h.aux = (uint16_t)aux;
		r->h.len = n;
		r->h.time = rec_now();
		r->tid = tid;
		r->slen = (uint32_t)slen;
		memcpy(r + 1, s, slen);
		ring_commit(t, n);
	}
	rec_leave(t);
}

void rec_child(struct tstate *t, pid_t pid, int status)
{
	struct mpr_child *r;

	if (!rec_enter(t))
		return;
	r = (struct mpr_child *)ring_reserve(t, sizeof(*r));
	if (r) {
		r->h.type = MPR_CHILD;
		r->h.aux = 0;
		r->h.len = sizeof(*r);
		r->h.time = rec_now();
		r->pid = (uint32_t)pid;
		r->status = status;
		ring_commit(t, sizeof(*r));
	}
	rec_leave(t);
}

void rec_simple(struct tstate *t, int type)
{
	struct mpr_hdr *r;

	if (!rec_enter(t))
		return;
	r = (struct mpr_hdr *)ring_reserve(t, sizeof(*r));
	if (r) {
		r->type = (uint16_t)type;
		r->aux = 0;
		r->len = sizeof(*r);
		r->time = rec_now();
		ring_commit(t, sizeof(*r));
	}
	rec_leave(t);
}

/*
 * Byte sampling: the bytes between two samples are exponentially
 * distributed with mean sample_bytes, so an allocation of s bytes is
 * recorded with probability 1 - exp(-s/N) (FORMAT.md section 4).
 */
static double ln_unit(double u)
{
	/* ln(u) for u in (0, 1], without libm: u = m * 2^e, m in [1, 2). */
	union {
		double d;
		uint64_t i;
	} v = { u };
	int e = (int)((v.i >> 52) & 0x7ff) - 1023;
	double m, z, z2, s;

	v.i = (v.i & ((1ull << 52) - 1)) | (1023ull << 52);
	m = v.d;
	z = (m - 1) / (m + 1);
	z2 = z * z;
	s = z *
	    (2 + z2 * (2.0 / 3 +
		       z2 * (2.0 / 5 +
			     z2 * (2.0 / 7 +
				   z2 * (2.0 / 9 +
					 z2 * (2.0 / 11 + z2 * 2.0 / 13))))));
	return s + e * 0.69314718055994530942;
}

static int64_t next_sample_gap(struct tstate *t)
{
	uint64_t x = t->rng;
	double u;

	if (!x)
		x = rec_now() ^ ((uint64_t)t->tid << 32) ^
		    0x2545f4914f6cdd1dull;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	t->rng = x;
	u = ((x >> 11) + 1) * (1.0 / 9007199254740993.0);
	return (int64_t)(-ln_unit(u) * (double)rec_opts.sample_bytes) + 1;
}

HIDDEN int rec_sample_slow(struct tstate *t, uint64_t size)
{
	if (t->sample_left == 0)
		t->sample_left = next_sample_gap(t);
	if ((int64_t)size < t->sample_left) {
		t->sample_left -= (int64_t)size;
		return 0;
	}
	t->sample_left = next_sample_gap(t);
	return 1;
}

/*
 * Modules.  The loaded objects are diffed against what was reported before
 * (dlopen and dlclose can load and unload dependencies too).
 */
#define MAX_MODULES 1024
static struct {
	uintptr_t base;
	const void *phdr;
	int seen;
} module[MAX_MODULES];
static int nmodule;
static atomic_int module_lock;

struct sync_ctx {
	int all;
	int first;
};

static void put_module(struct tstate *t, struct dl_phdr_info *info,
		       const char *path)
{
	const uint8_t *bid = NULL;
	uint32_t bid_len = 0, nseg = 0;
	uint32_t plen = (uint32_t)strnlen(path, 4096);
	uint32_t n;
	struct mpr_module *r;

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD)
			nseg++;
		if (ph->p_type == PT_NOTE && !bid) {
			const char *p =
				(const char *)(info->dlpi_addr + ph->p_vaddr);
			const char *end = p + ph->p_memsz;

			while (p + sizeof(ElfW(Nhdr)) <= end) {
				const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
				const char *name = p + sizeof(*nh);
				const char *desc =
					name + ((nh->n_namesz + 3) & ~3u);

				if (desc + nh->n_descsz > end)
					break;
				if (nh->n_type == NT_GNU_BUILD_ID &&
				    nh->n_namesz == 4 &&
				    memcmp(name, "GNU", 4) == 0) {
					bid = (const uint8_t *)desc;
					bid_len = nh->n_descsz;
					break;
				}
				p = desc + ((nh->n_descsz + 3) & ~3u);
			}
		}
	}
	if (bid_len > 64)
		bid_len = 64;
	if (nseg > 64)
		nseg = 64;
	n = sizeof(*r) + pad8(plen) + pad8(bid_len) +
	    nseg * sizeof(struct mpr_seg);
	if (!rec_enter(t))
		return;
	r = (struct mpr_module *)ring_reserve(t, n);
	if (r) {
		char *p = (char *)(r + 1);
		struct mpr_seg *s;
		uint32_t k = 0;

		r->h.type = MPR_MODULE_LOAD;
		r->h.aux = 0;
		r->h.len = n;
		r->h.time = rec_now();
		r->base = info->dlpi_addr;
		r->path_len = plen;
		r->bid_len = bid_len;
		r->nseg = nseg;
		memcpy(p, path, plen);
		p += pad8(plen);
		if (bid_len)
			memcpy(p, bid, bid_len);
		p += pad8(bid_len);
		s = (struct mpr_seg *)p;
		for (int i = 0; i < info->dlpi_phnum && k < nseg; i++) {
			const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

			if (ph->p_type != PT_LOAD)
				continue;
			s[k].vaddr = ph->p_vaddr;
			s[k].memsz = ph->p_memsz;
			s[k].offset = ph->p_offset;
			s[k].flags = ph->p_flags;
			k++;
		}
		ring_commit(t, n);
	}
	rec_leave(t);
}

static int sync_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct sync_ctx *c = arg;
	struct tstate *t = &rec_t;
	char exe[4096];
	const char *path = info->dlpi_name;
	int i;

	(void)size;
	for (i = 0; i < nmodule; i++)
		if (module[i].base == info->dlpi_addr &&
		    module[i].phdr == info->dlpi_phdr)
			break;
	if (i < nmodule) {
		module[i].seen = 1;
		if (!c->all) {
			c->first = 0;
			return 0;
		}
	} else if (nmodule < MAX_MODULES) {
		module[nmodule].base = info->dlpi_addr;
		module[nmodule].phdr = info->dlpi_phdr;
		module[nmodule].seen = 1;
		nmodule++;
	}
	if (c->first && (!path || !*path)) {
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		exe[n > 0 ? n : 0] = 0;
		path = exe;
	}
	c->first = 0;
	if (!path)
		path = "";
	put_module(t, info, path);
	return 0;
}

void rec_modules_sync(int all)
{
	struct tstate *t = &rec_t;
	struct sync_ctx c = { all, 1 };
	int saved = t->mode;

	if (t->mode != MODE_REC)
		return;
	while (atomic_exchange(&module_lock, 1))
		sched_yield();
	t->mode = MODE_BUSY;
	for (int i = 0; i < nmodule; i++)
		module[i].seen = 0;
	t->mode = MODE_REC;
	dl_iterate_phdr(sync_cb, &c);
	for (int i = 0; i < nmodule;) {
		if (module[i].seen) {
			i++;
			continue;
		}
		if (rec_enter(t)) {
			struct mpr_module_unload *r;

			r = (struct mpr_module_unload *)ring_reserve(
				t, sizeof(*r));
			if (r) {
				r->h.type = MPR_MODULE_UNLOAD;
				r->h.aux = 0;
				r->h.len = sizeof(*r);
				r->h.time = rec_now();
				r->base = module[i].base;
				ring_commit(t, sizeof(*r));
			}
			rec_leave(t);
		}
		module[i] = module[--nmodule];
	}
	t->mode = saved;
	atomic_store(&module_lock, 0);
}

/*
 * Control socket: mprec listens on an abstract unix socket, so a process
 * can reach it without holding any inherited fd (the app may close them).
 */
static int ctl_connect(void)
{
	struct sockaddr_un sa;
	int fd;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path + 1, sock_name, sock_name_len);
	if (connect(fd, (struct sockaddr *)&sa,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				sock_name_len)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Send a message (with an fd when memfd >= 0), wait for the answer. */
static int ctl_call(struct mpr_msg *m, int memfd)
{
	struct iovec iov = { m, sizeof(*m) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh;
	struct mpr_ack ack;
	int fd = ctl_connect();
	ssize_t n;

	if (fd < 0)
		return -1;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (memfd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &memfd, sizeof(int));
	}
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*m)) {
		close(fd);
		return -1;
	}
	do
		n = recv(fd, &ack, sizeof(ack), 0);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n != (ssize_t)sizeof(ack) || ack.magic != MPR_MAGIC)
		return -1;
	return (int)ack.status;
}

/* Create this process's region and announce it.  0 or -1. */
static int region_open(int origin, uint64_t start_time)
{
	struct mpr_msg m;
	struct mpr_region *r;
	unsigned nslots;
	int fd, rc;

	fd = (int)syscall(SYS_memfd_create, "mprec", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	/*
	 * MAP_NORESERVE costs no memory but address space: under `ulimit -v`
	 * take fewer slots (fewer threads recorded at once) rather than
	 * record nothing.
	 */
	r = MAP_FAILED;
	for (nslots = MPR_SLOTS; nslots >= 4 && rec_real.mmap; nslots /= 2) {
		if (ftruncate(fd, (off_t)MPR_REGION_BYTES(nslots)) < 0)
			break;
		r = rec_real.mmap(NULL, MPR_REGION_BYTES(nslots),
				  PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_NORESERVE, fd, 0);
		if (r != MAP_FAILED || errno != ENOMEM)
			break;
	}
	if (r == MAP_FAILED) {
		static const char msg[] =
			"libmprec: cannot map the recording region "
			"(address space limit?): this process is not recorded\n";

		close(fd);
		(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
		return -1;
	}
	region_bytes = MPR_REGION_BYTES(nslots);
	r->max_slots = nslots;
	r->magic = MPR_MAGIC;
	r->version = MPR_VERSION;
	r->pid = (uint32_t)my_pid;
	r->region_size_mb = (uint32_t)(region_bytes >> 20);
	memset(&m, 0, sizeof(m));
	m.magic = MPR_MAGIC;
	m.type = MPR_MSG_HELLO;
	m.pid = (uint32_t)my_pid;
	m.ppid = (uint32_t)(origin != MPR_ORIGIN_IMAGE && fork_parent ?
				    fork_parent :
				    getppid());
	m.tid = sys_gettid();
	m.origin = (uint32_t)origin;
	m.time = start_time;
	rc = ctl_call(&m, fd);
	close(fd);
	if (rc != 0) {
		rec_real.munmap(r, region_bytes);
		return -1;
	}
	rec_region = r;
	return 0;
}

static void parse_opts(const char *s)
{
	/* "depth=64,unwind=cfi,sample=0,follow=1,scan=1" */
	while (s && *s) {
		const char *v = strchr(s, '=');
		const char *end = strchr(s, ',');
		uint64_t n = 0;

		if (!end)
			end = s + strlen(s);
		if (!v || v > end)
			break;
		for (const char *p = v + 1; p < end && *p >= '0' && *p <= '9';
		     p++)
			n = n * 10 + (uint64_t)(*p - '0');
		if (!strncmp(s, "depth=", 6))
			rec_opts.depth = n < 1		   ? 1 :
					 n > MPR_DEPTH_MAX ? MPR_DEPTH_MAX :
							     (int)n;
		else if (!strncmp(s, "unwind=", 7))
			rec_opts.fp = !strncmp(v + 1, "fp", 2);
		else if (!strncmp(s, "sample=", 7))
			rec_opts.sample_bytes = n;
		else if (!strncmp(s, "follow=", 7))
			rec_opts.follow = (int)n;
		else if (!strncmp(s, "scan=", 5))
			rec_opts.leak_scan = (int)n;
		else if (!strncmp(s, "freeres=", 8))
			rec_opts.freeres = (int)n;
		else if (!strncmp(s, "tsc=", 4))
			rec_tsc = n == 1;
		else if (!strncmp(s, "ucache=", 7))
			rec_opts.no_ucache = n == 0;
		else if (!strncmp(s, "mprec=", 6))
			mprec_pid = (pid_t)n;
		s = *end ? end + 1 : end;
	}
}

static int self_text_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t want = (uintptr_t)arg;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && want >= lo &&
		    want < lo + ph->p_memsz) {
			for (int k = 0; k < info->dlpi_phnum && nself_text < 4;
			     k++) {
				ph = &info->dlpi_phdr[k];
				if (ph->p_type == PT_LOAD &&
				    (ph->p_flags & PF_X)) {
					self_text[nself_text].lo =
						info->dlpi_addr + ph->p_vaddr;
					self_text[nself_text].hi =
						self_text[nself_text].lo +
						ph->p_memsz;
					nself_text++;
				}
			}
			return 1;
		}
	}
	return 0;
}

static void thread_dtor(void *arg);

static void thread_stack_range(struct tstate *t)
{
	pthread_attr_t a;
	void *addr;
	size_t size;

	t->stack_lo = t->stack_hi = 0;
	if (pthread_getattr_np(pthread_self(), &a) == 0) {
		if (pthread_attr_getstack(&a, &addr, &size) == 0) {
			t->stack_lo = (uintptr_t)addr;
			t->stack_hi = (uintptr_t)addr + size;
		}
		pthread_attr_destroy(&a);
	}
}

/* Take a free slot (lock-free: signal handlers may get here); -1: none. */
static int slot_take(struct mpr_region *r)
{
	for (;;) {
		unsigned i, n = atomic_load(&r->nslot);

		if (n > r->max_slots)
			n = r->max_slots;
		for (i = 0; i < n; i++) {
			uint32_t want = MPR_SLOT_FREE;

			if (atomic_load_explicit(&r->slot[i].state,
						 memory_order_relaxed) ==
				    MPR_SLOT_FREE &&
			    atomic_compare_exchange_strong(
				    &r->slot[i].state, &want, MPR_SLOT_USED))
				return (int)i;
		}
		if (n >= r->max_slots)
			return -1;
		/* Open one more slot; whoever CASes it first owns it. */
		atomic_compare_exchange_strong(&r->nslot, &n, n + 1);
	}
}

/* The handler's side of rec_enter(): swap in the second slot. */
static int rec_enter_nested(struct tstate *t)
{
	struct mpr_region *r = rec_region;
	int fresh = 0;

	if (t->in_sec || !t->slot) {
		rec_lost(1);
		return 0;
	}
	if (!t->has_sec) {
		int i = slot_take(r);

		if (i < 0) {
			rec_lost(1);
			return 0;
		}
		t->sec.slot = &r->slot[i];
		t->sec.slot->tid = t->tid;
		t->sec.slot->pthread = (uint64_t)pthread_self();
		t->sec.ring = mpr_ring(r, (unsigned)i);
		t->sec.cache = mpr_cache(r, (unsigned)i);
		t->sec.ucache = mpr_ucache(r, (unsigned)i);
		t->sec.head = atomic_load(&t->sec.slot->head);
		t->sec.tail = atomic_load(&t->sec.slot->tail);
		t->has_sec = 1;
		fresh = 1;
	}
	t->in_sec = 1;
	ctx_swap(t);
	if (fresh) {
		/* Tell mprec whose stream this is (no THREAD_START). */
		struct mpr_child *c =
			(struct mpr_child *)ring_reserve(t, sizeof(*c));

		if (c) {
			c->h.type = MPR_STREAM_TID;
			c->h.aux = 0;
			c->h.len = sizeof(*c);
			c->h.time = rec_now();
			c->pid = t->tid;
			c->status = 0;
			ring_commit(t, sizeof(*c));
		}
	}
	return 2;
}

/* Give the calling thread a slot and announce it.  Mode is MODE_BUSY. */
static int thread_setup(struct tstate *t)
{
	struct mpr_region *r = rec_region;
	struct mpr_thread_start *ts;
	int i = slot_take(r);

	if (i < 0)
		return MODE_LOST;
	t->has_sec = 0;
	t->in_sec = 0;
	t->tid = sys_gettid();
	t->slot = &r->slot[i];
	t->slot->tid = t->tid;
	t->slot->pthread = (uint64_t)pthread_self();
	t->ring = mpr_ring(r, (unsigned)i);
	t->cache = mpr_cache(r, (unsigned)i);
	t->ucache = mpr_ucache(r, (unsigned)i);
	t->head = atomic_load(&t->slot->head);
	t->tail = atomic_load(&t->slot->tail);
	t->nest = 0;
	t->in_unwind = 0;
	thread_stack_range(t);
	pthread_setspecific(thread_key, t);

	if (rec_enter(t)) {
		ts = (struct mpr_thread_start *)ring_reserve(t, sizeof(*ts));
		if (ts) {
			ts->h.type = MPR_THREAD_START;
			ts->h.aux = 0;
			ts->h.len = sizeof(*ts);
			ts->h.time = rec_now();
			ts->tid = t->tid;
			ts->stack_lo = t->stack_lo;
			ts->stack_hi = t->stack_hi;
			ring_commit(t, sizeof(*ts));
		}
		rec_leave(t);
	}
	return MODE_REC;
}

static void thread_end(struct tstate *t)
{
	rec_simple(t, MPR_THREAD_END);
	if (t->has_sec)
		atomic_store_explicit(&t->sec.slot->state, MPR_SLOT_ENDED,
				      memory_order_release);
	t->has_sec = 0;
	atomic_store_explicit(&t->slot->state, MPR_SLOT_ENDED,
			      memory_order_release);
	t->mode = MODE_LOST;
}

static void thread_dtor(void *arg)
{
	struct tstate *t = &rec_t;

	(void)arg;
	if (t->mode != MODE_REC)
		return;
	/* Come back in a later round: other destructors may still free. */
	if (++t->dtor_rounds < 3) {
		pthread_setspecific(thread_key, t);
		return;
	}
	thread_end(t);
}

uint32_t rec_tid_of(unsigned long pth)
{
	struct mpr_region *r = rec_region;
	unsigned n = atomic_load(&r->nslot);

	for (unsigned i = 0; i < n && i < MPR_SLOTS; i++)
		if (atomic_load(&r->slot[i].state) == MPR_SLOT_USED &&
		    r->slot[i].pthread == pth)
			return r->slot[i].tid;
	return 0;
}

#define RESOLVE(name) (*(void **)&rec_real.name = dlsym(RTLD_NEXT, #name))

static void resolve_real(void)
{
	RESOLVE(malloc);
	RESOLVE(free);
	RESOLVE(calloc);
	RESOLVE(realloc);
	RESOLVE(reallocarray);
	RESOLVE(memalign);
	RESOLVE(posix_memalign);
	RESOLVE(aligned_alloc);
	RESOLVE(valloc);
	RESOLVE(pvalloc);
	RESOLVE(mmap);
	RESOLVE(munmap);
	RESOLVE(mremap);
	RESOLVE(brk);
	RESOLVE(sbrk);
	RESOLVE(dlopen);
	RESOLVE(dlmopen);
	RESOLVE(dlclose);
	RESOLVE(pthread_create);
	RESOLVE(pthread_setname_np);
	RESOLVE(prctl);
	RESOLVE(fork);
	RESOLVE(exit);
	RESOLVE(_exit);
	RESOLVE(_Exit);
	RESOLVE(waitpid);
	RESOLVE(wait4);
	RESOLVE(wait3);
	RESOLVE(wait);
	RESOLVE(waitid);
	*(void **)&rec_real.new_ = dlsym(RTLD_NEXT, "_Znwm");
	*(void **)&rec_real.new_array = dlsym(RTLD_NEXT, "_Znam");
	*(void **)&rec_real.new_align =
		dlsym(RTLD_NEXT, "_ZnwmSt11align_val_t");
	*(void **)&rec_real.new_array_align =
		dlsym(RTLD_NEXT, "_ZnamSt11align_val_t");
}

/* Remove our variables from the environment of the programs we exec. */
static void strip_env(void)
{
	extern char **environ;
	const char *ld = getenv("LD_PRELOAD");

	unsetenv(MPR_ENV_SOCK);
	unsetenv(MPR_ENV_OPTS);
	if (ld && strstr(ld, "libmprec"))
		unsetenv("LD_PRELOAD");
	(void)environ;
}

static void atfork_child(void);

static void init_global(struct tstate *t)
{
	const char *s;
	int expected = STATE_UNINIT;

	if (!__atomic_compare_exchange_n(&rec_state, &expected, STATE_INIT, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		/* Another thread initializes: wait for it. */
		while (__atomic_load_n(&rec_state, __ATOMIC_ACQUIRE) ==
		       STATE_INIT) {
			if (atomic_load(&init_tid) == (int)sys_gettid())
				return;
			sched_yield();
		}
		return;
	}
	atomic_store(&init_tid, (int)sys_gettid());
	t->mode = MODE_BUSY;
	resolve_real();
	my_pid = getpid();
	s = getenv(MPR_ENV_SOCK);
	if (!s || !*s || strlen(s) >= sizeof(sock_name) - 1 ||
	    !rec_real.malloc || !rec_real.free) {
		t->mode = MODE_NONE;
		__atomic_store_n(&rec_state, STATE_OFF, __ATOMIC_RELEASE);
		return;
	}
	sock_name_len = strlen(s);
	memcpy(sock_name, s, sock_name_len);
	parse_opts(getenv(MPR_ENV_OPTS));
	if (!rec_opts.follow)
		strip_env();
	dl_iterate_phdr(self_text_cb, (void *)(uintptr_t)&init_global);
	dl_iterate_phdr(self_text_cb, (void *)(uintptr_t)&unw_backtrace);
	unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
	pthread_key_create(&thread_key, thread_dtor);
	pthread_atfork(NULL, NULL, atfork_child);
	if (region_open(MPR_ORIGIN_IMAGE, rec_now()) < 0) {
		t->mode = MODE_NONE;
		__atomic_store_n(&rec_state, STATE_OFF, __ATOMIC_RELEASE);
		return;
	}
	t->mode = thread_setup(t);
	__atomic_store_n(&rec_state, STATE_ACTIVE, __ATOMIC_RELEASE);
	rec_modules_sync(1);
}

int rec_prepare(struct tstate *t)
{
	int st = __atomic_load_n(&rec_state, __ATOMIC_ACQUIRE);

	if (unlikely(st != STATE_ACTIVE)) {
		if (st == STATE_UNINIT || st == STATE_INIT)
			init_global(t);
		st = __atomic_load_n(&rec_state, __ATOMIC_ACQUIRE);
		if (st != STATE_ACTIVE)
			return rec_real.malloc ? MODE_BUSY : -1;
	}
	if (t->mode == MODE_NONE) {
		t->mode = MODE_BUSY;
		t->mode = thread_setup(t);
	}
	if (t->mode == MODE_BUSY && !rec_real.malloc)
		return -1;
	return t->mode;
}

void rec_thread_setup_new(void)
{
	rec_prepare(&rec_t);
}

__thread int rec_in_fork;

/*
 * A fork that libc makes itself, not through the fork() symbol (daemon(3)
 * calls its internal __fork): without this its child would write into its
 * parent's rings, and be recorded as part of its parent or not at all.
 * Our own fork() and vfork() set rec_in_fork and set the child up
 * themselves.
 */
static void atfork_child(void)
{
	if (rec_in_fork ||
	    __atomic_load_n(&rec_state, __ATOMIC_ACQUIRE) != STATE_ACTIVE)
		return;
	rec_after_fork_child(MPR_ORIGIN_FORK);
}

/*
 * Threads of the parent when this process (or one of its forked ancestors,
 * since the last exec) was forked: glibc's freeing routines take locks
 * that another thread of the parent may have held then, which nobody
 * releases in the child.  Set in the child only, and never back to 1.
 */
static int fork_threads = 1, fork_threads_next = 1;

uint64_t rec_fork_time;

/* In the child of fork/vfork: a new region, a new slot, all modules. */
void rec_after_fork_child(int origin)
{
	struct tstate *t = &rec_t;
	struct mpr_region *old = rec_region;
	uint64_t now = rec_fork_time ? rec_fork_time : rec_now();

	rec_fork_time = 0;
	fork_parent = my_pid;
	my_pid = getpid();
	if (fork_threads_next != 1)
		fork_threads = fork_threads_next;
	t->mode = MODE_BUSY;
	t->slot = NULL;
	t->has_sec = 0;
	t->in_sec = 0;
	rec_region = NULL;
	if (old)
		rec_real.munmap(old, region_bytes);
	if (!rec_opts.follow || region_open(origin, now) < 0) {
		__atomic_store_n(&rec_state, STATE_OFF, __ATOMIC_RELEASE);
		t->mode = MODE_NONE;
		return;
	}
	atomic_store(&module_lock, 0);
	t->dtor_rounds = 0;
	t->mode = thread_setup(t);
	rec_modules_sync(1);
}

/*
 * Where the program's stack ended when it began to exit, and on which
 * thread.  The frames below are exit()'s own and the destructors' (or
 * main()'s, returned): the leak scan leaves them out, with the copies of
 * pointers that their slots still hold from the program's last calls,
 * our hooks' among them (they run on the program's stack; memcheck's
 * allocator runs on its own).  Which stale copies survive there changes
 * with any frame's layout, and blocks came and went with them.
 */
static uint64_t exit_sp;
static uint32_t exit_tid;

void rec_note_exit(int code, uint64_t sp)
{
	if (!exit_sp) {
		exit_tid = sys_gettid();
		exit_sp = sp;
	}
	if (rec_region) {
		atomic_store(&rec_region->exit_code, code);
		atomic_store(&rec_region->exit_called, 1);
	}
}

__attribute__((constructor(101))) static void rec_ctor(void)
{
	rec_prepare(&rec_t);
}

/* Threads of this process (/proc/self/stat), or 0 if that cannot be read. */
static int count_threads(void)
{
	char buf[1024], *p;
	ssize_t n;
	int fd, i;

	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	/* After "pid (comm) ", num_threads is the 18th field. */
	p = strrchr(buf, ')');
	for (i = 0; p && i < 18; i++)
		p = strchr(p + 1, ' ');
	return p ? atoi(p + 1) : 0;
}

void rec_before_fork(void)
{
	if (rec_opts.leak_scan && rec_opts.freeres)
		fork_threads_next = count_threads();
}

/*
 * What valgrind does before its leak check: have libstdc++ and glibc free
 * the memory they keep for good (locale data, stdio buffers, name service
 * and resolver state, the emergency exception pool, ...), so that it is
 * neither reported nor taken for the roots of the blocks it points to.
 * Only in a process that is single-threaded and was forked from one (if at
 * all): other threads could still use that state.
 */
extern void __libc_freeres(void) __attribute__((weak));
/* __gnu_cxx::__freeres(), when libstdc++ is loaded */
extern void _ZN9__gnu_cxx9__freeresEv(void) __attribute__((weak));

static uint32_t run_freeres(void)
{
	/*
	 * Weak references, as valgrind's: dlsym() would allocate for its
	 * error message when libstdc++ is not there.
	 */
	if (!rec_opts.freeres || fork_threads != 1 || count_threads() != 1 ||
	    !__libc_freeres)
		return 0;
	if (_ZN9__gnu_cxx9__freeresEv)
		_ZN9__gnu_cxx9__freeresEv();
	__libc_freeres();
	return MPT_SCAN_FREERES;
}

/*
 * The process ends: ask mprec for the leak scan, and wait until it has read
 * our memory.  `sp` bounds the calling thread's live stack.
 */
static void exit_scan(uint64_t sp, int freeres)
{
	struct tstate *t = &rec_t;
	struct mpr_msg m;
	int saved;

	if (__atomic_load_n(&rec_state, __ATOMIC_ACQUIRE) != STATE_ACTIVE ||
	    !rec_opts.leak_scan)
		return;
	/* A child that shares our memory without being set up as one. */
	if ((pid_t)syscall(SYS_getpid) != my_pid)
		return;
	saved = t->mode;
	if (saved == MODE_NONE)
		saved = rec_prepare(t);
	memset(&m, 0, sizeof(m));
	/* Not under sampling: mprec classifies nothing then. */
	if (freeres && !rec_opts.sample_bytes)
		m.flags = run_freeres();
	m.magic = MPR_MAGIC;
	m.type = MPR_MSG_EXIT;
	m.pid = (uint32_t)my_pid;
	m.tid = sys_gettid();
	m.time = rec_now();
	m.sp = exit_tid == m.tid && exit_sp > sp ? exit_sp : sp;
	m.stack_hi = t->stack_hi;
	t->mode = MODE_BUSY;
	ctl_call(&m, -1);
	t->mode = saved;
}

/*
 * _exit() and _Exit(): the process ends without running destructors.  No
 * freeing by the runtimes here: _exit() is what a signal handler may call,
 * perhaps while the thread it interrupted holds malloc's lock.
 */
void rec_exit_now(void)
{
	/* Called from inside the recorder: its state is not ours to use. */
	if (rec_t.mode == MODE_BUSY)
		return;
	exit_scan((uint64_t)(uintptr_t)__builtin_frame_address(0), 0);
}

/* At a normal exit, after the program's own destructors. */
__attribute__((destructor(101))) static void rec_dtor(void)
{
	exit_scan((uint64_t)(uintptr_t)__builtin_frame_address(0), 1);
}
