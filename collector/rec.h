/*
 * rec.h - libmprec.so internals shared by its transport (rec.c) and its
 * hooks (hooks.c).  Nothing here is exported from the shared object.
 */
#ifndef MPREC_REC_H
#define MPREC_REC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ring.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define HIDDEN __attribute__((visibility("hidden")))
#define EXPORT __attribute__((visibility("default")))

/* Per-thread recording mode. */
enum rec_mode {
	MODE_NONE = 0, /* no slot yet: the next event sets the thread up */
	MODE_REC,      /* recording into its slot */
	MODE_BUSY,     /* inside the recorder: events are its own, ignored */
	MODE_LOST,     /* cannot record (no slot, mprec gone): count as lost */
};

/* Process-wide state. */
enum rec_state {
	STATE_UNINIT = 0,
	STATE_INIT,   /* one thread is initializing */
	STATE_ACTIVE, /* recording */
	STATE_OFF,    /* not recording (no mprec, --no-follow child) */
};

/* Where a thread writes: its slot, or its second slot for signal handlers. */
struct wctx {
	struct mpr_slot *slot;
	char *ring;
	uint64_t *cache;
	struct mpr_ucache *ucache;
	uint64_t head, tail;
};

struct tstate {
	int mode;	 /* enum rec_mode */
	int in_unwind;	 /* inside the unwinder: nested events get no stack */
	int nest;	 /* a record is being written */
	int dtor_rounds; /* thread-exit destructor rounds seen */
	struct mpr_slot *slot;
	char *ring;
	uint64_t *cache;
	struct mpr_ucache *ucache;
	uint64_t head; /* local copy of slot->head */
	uint64_t tail; /* last seen slot->tail */
	uint64_t stack_lo, stack_hi;
	/*
	 * A signal handler that records while a record is being written
	 * writes into a second slot (same thread), swapped in for its
	 * duration.
	 */
	struct wctx sec;
	int has_sec;
	int in_sec;
	int64_t sample_left; /* bytes until the next sampled allocation */
	uint64_t rng;
	uint32_t tid;
};

extern __thread struct tstate rec_t __attribute__((tls_model("initial-exec")));
extern int rec_state;
extern struct mpr_region *rec_region;

/* Options from MPREC_OPTS. */
struct rec_opts {
	int depth;	       /* frames kept per stack */
	int fp;		       /* 1: frame-pointer unwinding */
	uint64_t sample_bytes; /* 0: record everything */
	int follow;	       /* 0: children are not recorded */
	int leak_scan;	       /* 1: scan at normal exit */
	int freeres;	       /* 1: the runtimes free their own memory first */
	int no_ucache;	       /* 1: always unwind (for testing the memo) */
};
extern struct rec_opts rec_opts;

/* The allocator functions that the hooks forward to. */
struct rec_real {
	void *(*malloc)(size_t);
	void (*free)(void *);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	void *(*reallocarray)(void *, size_t, size_t);
	void *(*memalign)(size_t, size_t);
	int (*posix_memalign)(void **, size_t, size_t);
	void *(*aligned_alloc)(size_t, size_t);
	void *(*valloc)(size_t);
	void *(*pvalloc)(size_t);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	int (*munmap)(void *, size_t);
	void *(*mremap)(void *, size_t, size_t, int, ...);
	int (*brk)(void *);
	void *(*sbrk)(intptr_t);
	void *(*dlopen)(const char *, int);
	void *(*dlmopen)(long, const char *, int);
	int (*dlclose)(void *);
	int (*pthread_create)(void *, const void *, void *(*)(void *), void *);
	int (*pthread_setname_np)(unsigned long, const char *);
	int (*prctl)(int, unsigned long, unsigned long, unsigned long,
		     unsigned long);
	pid_t (*fork)(void);
	void (*exit)(int) __attribute__((noreturn));
	void (*_exit)(int) __attribute__((noreturn));
	void (*_Exit)(int) __attribute__((noreturn));
	pid_t (*waitpid)(pid_t, int *, int);
	pid_t (*wait4)(pid_t, int *, int, void *);
	pid_t (*wait3)(int *, int, void *);
	pid_t (*wait)(int *);
	int (*waitid)(int, unsigned, void *, int);
	void *(*new_)(size_t);
	void *(*new_array)(size_t);
	void *(*new_align)(size_t, size_t);
	void *(*new_array_align)(size_t, size_t);
};
extern struct rec_real rec_real;

/*
 * Make the calling thread ready to record.  Returns the mode it ends up in
 * (MODE_REC, MODE_BUSY, MODE_LOST) or -1 when the real functions are not
 * known yet (during bootstrap: serve from the static arena).
 */
int rec_prepare(struct tstate *t);

/* Static bootstrap arena for allocations made while dlsym resolves. */
void *rec_boot_alloc(size_t n, size_t align);
int rec_is_boot(const void *p);
/* Bytes of the arena from p to its end (a bound for copying a block). */
size_t rec_boot_room(const void *p);

extern int rec_tsc;

/*
 * The time of an event, in mprec's raw clock: TSC ticks when mprec found the
 * TSC usable (invariant and the kernel's own clock source; mprec converts),
 * else CLOCK_MONOTONIC nanoseconds.  rec_now() waits for the instructions
 * before it (lfence), as an allocation must be stamped after the allocator
 * returned; rec_now_early() may run early, which only makes the stamp of a
 * free (taken before the real free) earlier.
 */
static inline uint64_t rec_mono(void)
{
	struct timespec ts;
	extern int clock_gettime(clockid_t, struct timespec *);

	clock_gettime(1 /* CLOCK_MONOTONIC */, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t rec_now(void)
{
	if (likely(rec_tsc)) {
		uint32_t lo, hi;

		__asm__ __volatile__("lfence\n\trdtsc"
				     : "=a"(lo), "=d"(hi)
				     :
				     : "memory");
		return ((uint64_t)hi << 32) | lo;
	}
	return rec_mono();
}

static inline uint64_t rec_now_early(void)
{
	if (likely(rec_tsc)) {
		uint32_t lo, hi;

		__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
		return ((uint64_t)hi << 32) | lo;
	}
	return rec_mono();
}

/*
 * Record writers.  Each takes the thread state of the caller, which must be
 * in MODE_REC.  `time` is the event's time (0: now).
 */
void rec_alloc(struct tstate *t, int func, uint32_t flags, uint64_t size,
	       void *addr, uint64_t align, void *old_addr, uint64_t time);
void rec_free(struct tstate *t, int func, void *addr, uint64_t time);
void rec_mmap(struct tstate *t, void *addr, size_t len, int prot, int flags,
	      int fd, off_t off);
void rec_munmap(struct tstate *t, void *addr, size_t len);
void rec_mremap(struct tstate *t, void *old_addr, size_t old_len,
		void *new_addr, size_t new_len, int flags);
void rec_brk(struct tstate *t, void *old_end, void *new_end);
void rec_string(struct tstate *t, int type, int aux, uint32_t tid,
		const char *s);
void rec_simple(struct tstate *t, int type);
void rec_lost(uint64_t n);
void rec_child(struct tstate *t, pid_t pid, int status);

/* Modules: report what changed since the last call (all: report all). */
void rec_modules_sync(int all);

/* Thread lifecycle. */
void rec_thread_setup_new(void);
uint32_t rec_tid_of(unsigned long pthread);

/* Set while fork() or vfork() of ours calls the real fork. */
extern __thread int rec_in_fork;

/* Before fork(): note how many threads the parent has (see rec.c). */
void rec_before_fork(void);

/*
 * The time of the fork under way, taken before the real fork() (0: none):
 * the child's start, so that it inherits its parent's heap as of then.
 */
extern uint64_t rec_fork_time;

/* After fork in the child (origin enum mpr_origin). */
void rec_after_fork_child(int origin);

/*
 * exit()/_exit() called with `code`, or main() returned it; `sp`: the
 * frame of the hook, above which the program's stack is live.
 */
void rec_note_exit(int code, uint64_t sp);

/* _exit() or _Exit(): the leak scan the destructors would have asked for. */
void rec_exit_now(void);

int rec_sample_slow(struct tstate *t, uint64_t size);

/* Should an allocation of `size` bytes be recorded (byte sampling)? */
static inline int rec_sampled(struct tstate *t, uint64_t size)
{
	if (likely(rec_opts.sample_bytes == 0))
		return 1;
	return rec_sample_slow(t, size);
}

#endif /* MPREC_REC_H */
