/* hooks.c - the functions libmprec.so interposes in the app. */
#include <dlfcn.h>
#include <errno.h>
#include <sched.h> /* sched_yield */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h> /* nanosleep */
#include <unistd.h>

#include "mptrace.h" /* MPT_FN_*, MPT_ALLOC_*, MPT_REC_* */
#include "rec.h"

extern unsigned long pthread_self(void);

/*
 * Prototypes of interposed functions that the included headers do not
 * declare (pthread.h is left out on purpose: we define its functions with
 * plain types).
 */
EXPORT void *memalign(size_t align, size_t n);
EXPORT void *pvalloc(size_t n);
EXPORT int pthread_create(void *th, const void *attr, void *(*fn)(void *),
			  void *arg);
EXPORT int pthread_setname_np(unsigned long th, const char *name);

/*
 * The common shape: the fast path is one TLS load and compare; anything
 * unusual (first call, bootstrap, the recorder's own allocations, a thread
 * without a slot) goes through rec_prepare().
 */
static inline int mode(struct tstate *t)
{
	if (likely(t->mode == MODE_REC))
		return MODE_REC;
	return rec_prepare(t);
}

static inline void after_alloc(struct tstate *t, int m, int func, void *p,
			       uint64_t size, uint64_t align)
{
	if (m == MODE_REC) {
		if (likely(p != NULL)) {
			if (rec_sampled(t, size))
				rec_alloc(t, func,
					  rec_opts.sample_bytes ?
						  MPT_ALLOC_SAMPLED :
						  0,
					  size, p, align, NULL, 0);
		} else {
			rec_alloc(t, func, MPT_ALLOC_FAILED, size, NULL, align,
				  NULL, 0);
		}
	} else if (m == MODE_LOST) {
		rec_lost(1);
	}
}

static inline void before_free(struct tstate *t, int m, int func, void *p)
{
	if (m == MODE_REC)
		rec_free(t, func, p, 0);
	else if (m == MODE_LOST)
		rec_lost(1);
}

EXPORT void *malloc(size_t n)
{
	struct tstate *t = &rec_t;
	int m = mode(t);
	void *p;

	if (unlikely(m < 0))
		return rec_boot_alloc(n, 16);
	p = rec_real.malloc(n);
	after_alloc(t, m, MPT_FN_MALLOC, p, n, 0);
	return p;
}

EXPORT void free(void *p)
{
	struct tstate *t = &rec_t;
	int m;

	if (unlikely(!p))
		return;
	m = mode(t);
	if (unlikely(m < 0 || rec_is_boot(p)))
		return;
	before_free(t, m, MPT_FN_FREE, p);
	rec_real.free(p);
}

EXPORT void *calloc(size_t n, size_t size)
{
	struct tstate *t = &rec_t;
	int m = mode(t);
	uint64_t total;
	void *p;

	if (unlikely(m < 0)) {
		if (__builtin_mul_overflow(n, size, &total))
			return NULL;
		return rec_boot_alloc(total, 16); /* static: already zero */
	}
	p = rec_real.calloc(n, size);
	if (__builtin_mul_overflow(n, size, &total))
		total = UINT64_MAX;
	after_alloc(t, m, MPT_FN_CALLOC, p, total, 0);
	return p;
}

/*
 * The real realloc() of `nmemb` * `n` bytes.  reallocarray() is glibc's
 * realloc() after an overflow check, and glibc calls realloc() through the
 * PLT, so calling the real reallocarray() would run our realloc() hook
 * inside and record the call twice.
 */
static void *real_realloc(void *old, size_t n, int func, size_t nmemb)
{
	size_t bytes;

	if (func != MPT_FN_REALLOCARRAY)
		return rec_real.realloc(old, n);
	if (__builtin_mul_overflow(nmemb, n, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	return rec_real.realloc(old, bytes);
}

static void *do_realloc(void *old, size_t n, int func, size_t nmemb)
{
	struct tstate *t = &rec_t;
	int m = mode(t);
	uint64_t t0, size = n;
	int set_inflight = 0;
	void *p;

	if (unlikely(m < 0)) {
		/* Bootstrap: a copy from the arena (old block size unknown). */
		p = rec_boot_alloc(n, 16);
		if (p && old)
			memcpy(p, old,
			       rec_is_boot(old) && rec_boot_room(old) < n ?
				       rec_boot_room(old) :
				       n);
		return p;
	}
	if (old && rec_is_boot(old)) {
		size_t room = rec_boot_room(old);

		p = real_realloc(NULL, n, func, nmemb);
		/* The arena outlives the copy; its block size is unknown. */
		if (p)
			memcpy(p, old, n < room ? n : room);
		return p;
	}
	if (func == MPT_FN_REALLOCARRAY &&
	    __builtin_mul_overflow(nmemb, n, &size))
		size = UINT64_MAX;
	if (m != MODE_REC) {
		if (m == MODE_LOST)
			rec_lost(1);
		return real_realloc(old, n, func, nmemb);
	}
	/*
	 * The real realloc frees `old` inside, where we cannot see it: mprec
	 * must not emit anything later than t0 until our records are in.
	 */
	t0 = rec_now_early();
	if (old && atomic_load_explicit(&t->slot->inflight,
					memory_order_relaxed) == 0) {
		atomic_store_explicit(&t->slot->inflight, t0,
				      memory_order_seq_cst);
		set_inflight = 1;
	}
	p = real_realloc(old, n, func, nmemb);
	if (p) {
		if (old)
			rec_free(t, func, old, t0);
		if (rec_sampled(t, size))
			rec_alloc(t, func,
				  rec_opts.sample_bytes ? MPT_ALLOC_SAMPLED : 0,
				  size, p, 0, old, 0);
	} else if (old && size == 0) {
		/* realloc(p, 0) (and reallocarray() of 0 bytes) freed p. */
		rec_free(t, func, old, t0);
	} else {
		rec_alloc(t, func, MPT_ALLOC_FAILED, size, NULL, 0, old, 0);
	}
	if (set_inflight)
		atomic_store_explicit(&t->slot->inflight, 0,
				      memory_order_release);
	return p;
}

EXPORT void *realloc(void *old, size_t n)
{
	return do_realloc(old, n, MPT_FN_REALLOC, 1);
}

EXPORT void *reallocarray(void *old, size_t nmemb, size_t n)
{
	return do_realloc(old, n, MPT_FN_REALLOCARRAY, nmemb);
}

static void *aligned(int func, size_t align, size_t n)
{
	struct tstate *t = &rec_t;
	int m = mode(t);
	void *p = NULL;

	if (unlikely(m < 0))
		return rec_boot_alloc(n, align ? align : 16);
	switch (func) {
	case MPT_FN_MEMALIGN:
		p = rec_real.memalign(align, n);
		break;
	case MPT_FN_ALIGNED_ALLOC:
		p = rec_real.aligned_alloc(align, n);
		break;
	case MPT_FN_VALLOC:
		p = rec_real.valloc(n);
		break;
	case MPT_FN_PVALLOC:
		p = rec_real.pvalloc(n);
		break;
	}
	after_alloc(t, m, func, p, n, align);
	return p;
}

EXPORT void *memalign(size_t align, size_t n)
{
	return aligned(MPT_FN_MEMALIGN, align, n);
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
	return aligned(MPT_FN_ALIGNED_ALLOC, align, n);
}

EXPORT void *valloc(size_t n)
{
	return aligned(MPT_FN_VALLOC, (size_t)getpagesize(), n);
}

EXPORT void *pvalloc(size_t n)
{
	return aligned(MPT_FN_PVALLOC, (size_t)getpagesize(), n);
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	struct tstate *t = &rec_t;
	int m = mode(t);
	int rc;

	if (unlikely(m < 0)) {
		*out = rec_boot_alloc(n, align);
		return *out ? 0 : ENOMEM;
	}
	rc = rec_real.posix_memalign(out, align, n);
	if (rc == EINVAL)
		return rc;
	after_alloc(t, m, MPT_FN_POSIX_MEMALIGN, rc ? NULL : *out, n, align);
	return rc;
}

/*
 * glibc's own names of the allocator, which programs and libraries may call
 * directly (valgrind intercepts them too): the same hooks.
 */
EXPORT void *__libc_malloc(size_t n);
EXPORT void __libc_free(void *p);
EXPORT void *__libc_calloc(size_t n, size_t size);
EXPORT void *__libc_realloc(void *old, size_t n);
EXPORT void *__libc_memalign(size_t align, size_t n);
EXPORT void *__libc_valloc(size_t n);
EXPORT void *__libc_pvalloc(size_t n);

EXPORT void *__libc_malloc(size_t n)
{
	return malloc(n);
}

EXPORT void __libc_free(void *p)
{
	free(p);
}

EXPORT void *__libc_calloc(size_t n, size_t size)
{
	return calloc(n, size);
}

EXPORT void *__libc_realloc(void *old, size_t n)
{
	return do_realloc(old, n, MPT_FN_REALLOC, 1);
}

EXPORT void *__libc_memalign(size_t align, size_t n)
{
	return aligned(MPT_FN_MEMALIGN, align, n);
}

EXPORT void *__libc_valloc(size_t n)
{
	return valloc(n);
}

EXPORT void *__libc_pvalloc(size_t n)
{
	return pvalloc(n);
}

/*
 * C++ operator new and delete.  They allocate with the real malloc (as
 * libstdc++ does) so the trace can say which function allocated.  A failed
 * new is recorded, then handed to the library's own operator new, which runs
 * the new-handler and throws std::bad_alloc as the standard says.
 */
static inline void *cxx_new(int func, size_t n, size_t align, int nothrow)
{
	struct tstate *t = &rec_t;
	int m = mode(t);
	void *p;

	if (unlikely(m < 0))
		return rec_boot_alloc(n, align);
	if (align > 16) {
		if (rec_real.posix_memalign(&p, align, n ? n : 1))
			p = NULL;
	} else {
		p = rec_real.malloc(n ? n : 1);
	}
	after_alloc(t, m, func, p, n, align > 16 ? align : 0);
	if (unlikely(!p) && !nothrow) {
		/* libstdc++ may have come later, with a dlopen. */
		if (!rec_real.new_) {
			*(void **)&rec_real.new_ = dlsym(RTLD_NEXT, "_Znwm");
			*(void **)&rec_real.new_array =
				dlsym(RTLD_NEXT, "_Znam");
			*(void **)&rec_real.new_align =
				dlsym(RTLD_NEXT, "_ZnwmSt11align_val_t");
			*(void **)&rec_real.new_array_align =
				dlsym(RTLD_NEXT, "_ZnamSt11align_val_t");
			if (!rec_real.new_ || !rec_real.new_array ||
			    !rec_real.new_align || !rec_real.new_array_align)
				abort(); /* as an operator new without a handler
					  */
		}
		if (func == MPT_FN_NEW_ARRAY)
			return align > 16 ? rec_real.new_array_align(n, align) :
					    rec_real.new_array(n);
		return align > 16 ? rec_real.new_align(n, align) :
				    rec_real.new_(n);
	}
	return p;
}

static inline void cxx_delete(int func, void *p)
{
	struct tstate *t = &rec_t;
	int m;

	if (!p)
		return;
	m = mode(t);
	if (unlikely(m < 0 || rec_is_boot(p)))
		return;
	before_free(t, m, func, p);
	rec_real.free(p);
}

#define NEW_FN(sym, func, args, n, align, nothrow)       \
	EXPORT void *sym args                            \
	{                                                \
		return cxx_new(func, n, align, nothrow); \
	}
#define DEL_FN(sym, func, args)      \
	EXPORT void sym args         \
	{                            \
		cxx_delete(func, p); \
	}

/* Declarations keep -Wmissing-prototypes quiet for the mangled names. */
void *_Znwm(size_t);
void *_Znam(size_t);
void *_ZnwmRKSt9nothrow_t(size_t, const void *);
void *_ZnamRKSt9nothrow_t(size_t, const void *);
void *_ZnwmSt11align_val_t(size_t, size_t);
void *_ZnamSt11align_val_t(size_t, size_t);
void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t, size_t, const void *);
void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t, size_t, const void *);
void _ZdlPv(void *);
void _ZdaPv(void *);
void _ZdlPvm(void *, size_t);
void _ZdaPvm(void *, size_t);
void _ZdlPvRKSt9nothrow_t(void *, const void *);
void _ZdaPvRKSt9nothrow_t(void *, const void *);
void _ZdlPvSt11align_val_t(void *, size_t);
void _ZdaPvSt11align_val_t(void *, size_t);
void _ZdlPvmSt11align_val_t(void *, size_t, size_t);
void _ZdaPvmSt11align_val_t(void *, size_t, size_t);
void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *, size_t, const void *);
void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *, size_t, const void *);

NEW_FN(_Znwm, MPT_FN_NEW, (size_t n), n, 0, 0)
NEW_FN(_Znam, MPT_FN_NEW_ARRAY, (size_t n), n, 0, 0)
NEW_FN(_ZnwmRKSt9nothrow_t, MPT_FN_NEW, (size_t n, const void *nt), n, 0, 1)
NEW_FN(_ZnamRKSt9nothrow_t, MPT_FN_NEW_ARRAY, (size_t n, const void *nt), n, 0,
       1)
NEW_FN(_ZnwmSt11align_val_t, MPT_FN_NEW, (size_t n, size_t al), n, al, 0)
NEW_FN(_ZnamSt11align_val_t, MPT_FN_NEW_ARRAY, (size_t n, size_t al), n, al, 0)
NEW_FN(_ZnwmSt11align_val_tRKSt9nothrow_t, MPT_FN_NEW,
       (size_t n, size_t al, const void *nt), n, al, 1)
NEW_FN(_ZnamSt11align_val_tRKSt9nothrow_t, MPT_FN_NEW_ARRAY,
       (size_t n, size_t al, const void *nt), n, al, 1)
DEL_FN(_ZdlPv, MPT_FN_DELETE, (void *p))
DEL_FN(_ZdaPv, MPT_FN_DELETE_ARRAY, (void *p))
DEL_FN(_ZdlPvm, MPT_FN_DELETE, (void *p, size_t n))
DEL_FN(_ZdaPvm, MPT_FN_DELETE_ARRAY, (void *p, size_t n))
DEL_FN(_ZdlPvRKSt9nothrow_t, MPT_FN_DELETE, (void *p, const void *nt))
DEL_FN(_ZdaPvRKSt9nothrow_t, MPT_FN_DELETE_ARRAY, (void *p, const void *nt))
DEL_FN(_ZdlPvSt11align_val_t, MPT_FN_DELETE, (void *p, size_t al))
DEL_FN(_ZdaPvSt11align_val_t, MPT_FN_DELETE_ARRAY, (void *p, size_t al))
DEL_FN(_ZdlPvmSt11align_val_t, MPT_FN_DELETE, (void *p, size_t n, size_t al))
DEL_FN(_ZdaPvmSt11align_val_t, MPT_FN_DELETE_ARRAY,
       (void *p, size_t n, size_t al))
DEL_FN(_ZdlPvSt11align_val_tRKSt9nothrow_t, MPT_FN_DELETE,
       (void *p, size_t al, const void *nt))
DEL_FN(_ZdaPvSt11align_val_tRKSt9nothrow_t, MPT_FN_DELETE_ARRAY,
       (void *p, size_t al, const void *nt))

/*
 * Memory mappings made by the app.  glibc's allocator maps through its
 * internal __mmap, which does not pass through here; calls made while the
 * recorder itself runs (the unwinder's caches) are not recorded.
 */
static inline int map_mode(struct tstate *t)
{
	if (t->mode != MODE_REC || t->in_unwind || t->nest)
		return t->mode == MODE_REC ? MODE_BUSY :
		       rec_real.mmap	   ? rec_prepare(t) :
					     -1;
	return MODE_REC;
}

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	struct tstate *t = &rec_t;
	int m;
	void *p;

	if (unlikely(!rec_real.mmap)) {
		m = rec_prepare(t);
		if (!rec_real.mmap)
			return (void *)syscall(SYS_mmap, addr, len, prot, flags,
					       fd, off);
	}
	m = map_mode(t);
	p = rec_real.mmap(addr, len, prot, flags, fd, off);
	if (m == MODE_REC && p != MAP_FAILED)
		rec_mmap(t, p, len, prot, flags, fd, off);
	return p;
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
		    off_t off) __attribute__((alias("mmap")));

EXPORT int munmap(void *addr, size_t len)
{
	struct tstate *t = &rec_t;
	int m, rc;

	if (unlikely(!rec_real.munmap)) {
		rec_prepare(t);
		if (!rec_real.munmap)
			return (int)syscall(SYS_munmap, addr, len);
	}
	m = map_mode(t);
	if (m == MODE_REC)
		rec_munmap(t, addr, len);
	rc = rec_real.munmap(addr, len);
	return rc;
}

EXPORT void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	struct tstate *t = &rec_t;
	void *new_addr = NULL;
	va_list ap;
	int m;
	void *p;

	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		new_addr = va_arg(ap, void *);
		va_end(ap);
	}
	if (unlikely(!rec_real.mremap)) {
		rec_prepare(t);
		if (!rec_real.mremap)
			return (void *)syscall(SYS_mremap, old, old_len,
					       new_len, flags, new_addr);
	}
	m = map_mode(t);
	p = rec_real.mremap(old, old_len, new_len, flags, new_addr);
	if (m == MODE_REC)
		rec_mremap(t, old, old_len, p, new_len, flags);
	return p;
}

EXPORT int brk(void *addr)
{
	struct tstate *t = &rec_t;
	int m, rc;
	void *old;

	if (unlikely(!rec_real.brk))
		rec_prepare(t);
	m = map_mode(t);
	old = rec_real.sbrk(0);
	rc = rec_real.brk(addr);
	if (m == MODE_REC && rc == 0)
		rec_brk(t, old, rec_real.sbrk(0));
	return rc;
}

EXPORT void *sbrk(intptr_t inc)
{
	struct tstate *t = &rec_t;
	int m;
	void *old;

	if (unlikely(!rec_real.sbrk))
		rec_prepare(t);
	m = map_mode(t);
	old = rec_real.sbrk(inc);
	if (m == MODE_REC && old != (void *)-1 && inc != 0)
		rec_brk(t, old, (char *)old + inc);
	return old;
}

/* Loading and unloading: report the modules that came or went. */
EXPORT void *dlopen(const char *file, int flags)
{
	struct tstate *t = &rec_t;
	void *h;

	if (unlikely(!rec_real.dlopen))
		rec_prepare(t);
	h = rec_real.dlopen(file, flags);
	if (h && mode(t) == MODE_REC)
		rec_modules_sync(0);
	return h;
}

EXPORT void *dlmopen(long lmid, const char *file, int flags)
{
	struct tstate *t = &rec_t;
	void *h;

	if (unlikely(!rec_real.dlmopen))
		rec_prepare(t);
	h = rec_real.dlmopen(lmid, file, flags);
	if (h && mode(t) == MODE_REC)
		rec_modules_sync(0);
	return h;
}

EXPORT int dlclose(void *h)
{
	struct tstate *t = &rec_t;
	int rc;

	if (unlikely(!rec_real.dlclose))
		rec_prepare(t);
	rc = rec_real.dlclose(h);
	if (rc == 0 && mode(t) == MODE_REC)
		rec_modules_sync(0);
	return rc;
}

/* Threads: announce each new thread at its start, even if it never allocates.
 */
struct start_arg {
	void *(*fn)(void *);
	void *arg;
};

static void *thread_start(void *p)
{
	struct start_arg sa = *(struct start_arg *)p;

	rec_real.free(p);
	rec_thread_setup_new();
	return sa.fn(sa.arg);
}

EXPORT int pthread_create(void *th, const void *attr, void *(*fn)(void *),
			  void *arg)
{
	struct tstate *t = &rec_t;
	struct start_arg *sa;
	int rc;

	if (mode(t) < 0 || !rec_real.pthread_create)
		return EAGAIN;
	if (__atomic_load_n(&rec_state, __ATOMIC_ACQUIRE) != STATE_ACTIVE)
		return rec_real.pthread_create(th, attr, fn, arg);
	sa = rec_real.malloc(sizeof(*sa));
	if (!sa)
		return EAGAIN;
	sa->fn = fn;
	sa->arg = arg;
	rc = rec_real.pthread_create(th, attr, thread_start, sa);
	if (rc)
		rec_real.free(sa);
	return rc;
}

EXPORT int pthread_setname_np(unsigned long th, const char *name)
{
	struct tstate *t = &rec_t;
	int rc;
	uint32_t tid;

	if (unlikely(!rec_real.pthread_setname_np))
		rec_prepare(t);
	rc = rec_real.pthread_setname_np(th, name);
	if (rc == 0 && name && mode(t) == MODE_REC) {
		tid = th == (unsigned long)pthread_self() ? t->tid :
							    rec_tid_of(th);
		if (tid)
			rec_string(t, MPR_THREAD_NAME, 0, tid, name);
	}
	return rc;
}

EXPORT int prctl(int option, ...)
{
	struct tstate *t = &rec_t;
	unsigned long a[4];
	va_list ap;
	int rc;

	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if (unlikely(!rec_real.prctl)) {
		rec_prepare(t);
		if (!rec_real.prctl)
			return (int)syscall(SYS_prctl, option, a[0], a[1], a[2],
					    a[3]);
	}
	rc = rec_real.prctl(option, a[0], a[1], a[2], a[3]);
	if (rc == 0 && option == PR_SET_NAME && a[0] && mode(t) == MODE_REC) {
		char name[17];

		memcpy(name, (const char *)a[0], 16);
		name[16] = 0;
		rec_string(t, MPR_THREAD_NAME, 0, t->tid, name);
	}
	return rc;
}

/* Processes. */

/*
 * Wait, a second at most, until mprec has taken in `ticket` children of
 * ours (their start records queued), or as many other ones.
 */
static void fork_wait_ack(uint32_t ticket)
{
	struct timespec pause = { 0, 20000 };
	int i;

	for (i = 0; i < 50000; i++) {
		if ((int32_t)(atomic_load_explicit(&rec_region->forks_acked,
						   memory_order_acquire) -
			      ticket) >= 0)
			return;
		if (i < 64)
			sched_yield();
		else
			nanosleep(&pause, NULL);
	}
}

static pid_t do_fork(int origin)
{
	struct tstate *t = &rec_t;
	int m = mode(t);
	uint32_t ticket = 0;
	int hold = 0;
	pid_t pid;

	if (m < 0 || !rec_real.fork)
		return (pid_t)syscall(SYS_fork);
	/* atfork handlers run inside: what they allocate is not seen. */
	if (m == MODE_REC)
		t->mode = MODE_BUSY;
	rec_before_fork();
	/*
	 * The child starts at the time of the fork and inherits our heap as
	 * of then; mprec must emit nothing of ours stamped later until it has
	 * the child's start, so the time is held as for a realloc in progress
	 * until mprec says it has taken the child in.
	 */
	if (m == MODE_REC && rec_opts.follow && rec_region && t->slot &&
	    !atomic_load_explicit(&t->slot->inflight, memory_order_relaxed)) {
		rec_fork_time = rec_now_early();
		atomic_store_explicit(&t->slot->inflight, rec_fork_time,
				      memory_order_seq_cst);
		ticket = atomic_fetch_add(&rec_region->forks, 1) + 1;
		hold = 1;
	}
	rec_in_fork = 1;
	pid = rec_real.fork();
	rec_in_fork = 0;
	if (pid == 0 && m == MODE_REC) {
		rec_after_fork_child(origin);
		return 0;
	}
	if (hold) {
		if (pid > 0)
			fork_wait_ack(ticket);
		else
			atomic_fetch_add(&rec_region->forks_acked, 1);
		rec_fork_time = 0;
		atomic_store_explicit(&t->slot->inflight, 0,
				      memory_order_release);
	}
	if (m == MODE_REC)
		t->mode = MODE_REC;
	return pid;
}

EXPORT pid_t fork(void)
{
	return do_fork(MPR_ORIGIN_FORK);
}

/*
 * vfork runs as fork: a vfork child shares our memory and would write into
 * its parent's rings.  Programs may not rely on vfork sharing memory.
 */
EXPORT pid_t vfork(void)
{
	return do_fork(MPR_ORIGIN_VFORK);
}

/*
 * Wrap main so that a return from it is seen with its status: exit() called
 * by libc itself does not pass through our exit hook, and a process that is
 * not mprec's child has no other way to tell mprec how it ended.
 */
static int (*real_main)(int, char **, char **);

static int main_wrapper(int argc, char **argv, char **envp)
{
	int code = real_main(argc, argv, envp);

	rec_note_exit(code, (uint64_t)(uintptr_t)__builtin_frame_address(0));
	return code;
}

EXPORT int __libc_start_main(int (*main)(int, char **, char **), int argc,
			     char **argv, void (*init)(void),
			     void (*fini)(void), void (*rtld_fini)(void),
			     void *stack_end);

EXPORT int __libc_start_main(int (*main)(int, char **, char **), int argc,
			     char **argv, void (*init)(void),
			     void (*fini)(void), void (*rtld_fini)(void),
			     void *stack_end)
{
	int (*real)(int (*)(int, char **, char **), int, char **,
		    void (*)(void), void (*)(void), void (*)(void), void *);

	*(void **)&real = dlsym(RTLD_NEXT, "__libc_start_main");
	real_main = main;
	return real(main_wrapper, argc, argv, init, fini, rtld_fini, stack_end);
}

/*
 * Reaping: a parent that reaps its child learns how it ended, which mprec
 * cannot see for a process that is not its own child.
 */
static inline void reaped(pid_t pid, int status)
{
	struct tstate *t = &rec_t;

	if (pid > 0 && (WIFEXITED(status) || WIFSIGNALED(status)) &&
	    mode(t) == MODE_REC)
		rec_child(t, pid, status);
}

EXPORT pid_t waitpid(pid_t pid, int *status, int options)
{
	int st = 0;
	pid_t r;

	if (unlikely(!rec_real.waitpid))
		rec_prepare(&rec_t);
	r = rec_real.waitpid(pid, &st, options);
	if (r > 0) {
		if (status)
			*status = st;
		reaped(r, st);
	}
	return r;
}

EXPORT pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}

EXPORT pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	int st = 0;
	pid_t r;

	if (unlikely(!rec_real.wait4))
		rec_prepare(&rec_t);
	r = rec_real.wait4(pid, &st, options, ru);
	if (r > 0) {
		if (status)
			*status = st;
		reaped(r, st);
	}
	return r;
}

EXPORT pid_t wait3(int *status, int options, struct rusage *ru)
{
	return wait4(-1, status, options, ru);
}

EXPORT int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	int r;

	if (unlikely(!rec_real.waitid))
		rec_prepare(&rec_t);
	r = rec_real.waitid((int)idtype, (unsigned)id, info, options);
	if (r == 0 && info && info->si_pid > 0 && !(options & WNOWAIT)) {
		if (info->si_code == CLD_EXITED)
			reaped(info->si_pid, (info->si_status & 0xff) << 8);
		else if (info->si_code == CLD_KILLED ||
			 info->si_code == CLD_DUMPED)
			reaped(info->si_pid,
			       (info->si_status & 0x7f) |
				       (info->si_code == CLD_DUMPED ? 0x80 :
								      0));
	}
	return r;
}

EXPORT void exit(int code)
{
	if (!rec_real.exit)
		rec_prepare(&rec_t);
	rec_note_exit(code, (uint64_t)(uintptr_t)__builtin_frame_address(0));
	rec_real.exit(code);
}

EXPORT void _exit(int code)
{
	if (!rec_real._exit)
		rec_prepare(&rec_t);
	rec_note_exit(code, (uint64_t)(uintptr_t)__builtin_frame_address(0));
	rec_exit_now();
	rec_real._exit(code);
}

EXPORT void _Exit(int code)
{
	if (!rec_real._Exit)
		rec_prepare(&rec_t);
	rec_note_exit(code, (uint64_t)(uintptr_t)__builtin_frame_address(0));
	rec_exit_now();
	rec_real._Exit(code);
}

/* The markers API (collector/mprec.h finds these with dlsym). */
EXPORT void mprec_rt_mark(const char *label, int type);
EXPORT void mprec_rt_tag_pop(void);

EXPORT void mprec_rt_mark(const char *label, int type)
{
	struct tstate *t = &rec_t;

	if (label && mode(t) == MODE_REC)
		rec_string(t, MPR_MARKER, type, t->tid, label);
}

EXPORT void mprec_rt_tag_pop(void)
{
	struct tstate *t = &rec_t;

	if (mode(t) == MODE_REC)
		rec_simple(t, MPR_TAG_POP);
}
