/*
 * launch.h - mprec internals: processes, their shared regions, and the
 * merge of all thread rings into one time-ordered trace.
 */
#ifndef MPREC_LAUNCH_H
#define MPREC_LAUNCH_H

#include <stdint.h>
#include <sys/types.h>

#include "mptrace.h" /* struct mpt_record, struct mpt_writer */
#include "ring.h"
#include "u64map.h"

/* One thread slot of a region, and what was copied out of it. */
struct stream {
	struct region *rg;
	unsigned idx;
	const char *ring;
	/*
	 * Records [pos, end) of the ring are published and not yet emitted;
	 * they are read in place, and the slot's tail follows pos after each
	 * pass, so the app reuses the space only once they are written out.
	 */
	uint64_t pos, end;
	uint32_t tid;
};

/* One process image's shared region. */
struct region {
	struct proc *p;
	struct mpr_region *map;
	uint64_t map_size; /* MPR_REGION_BYTES(map->max_slots) */
	int final;	   /* the image is gone: drop once drained */
	struct stream *stream[MPR_SLOTS];
	unsigned nstream;
	uint64_t lost_seen;
	struct region *next;
};

struct module_ent {
	uint64_t base, id;
};

struct thread_ent {
	uint32_t tid;
	int alive;
	uint64_t lo, hi;
};

enum proc_state {
	PROC_ALIVE = 0,
	PROC_DEAD, /* ended; its regions are being drained */
	PROC_DONE, /* PROCESS_END written */
};

struct proc {
	pid_t pid, ppid;
	int state;
	int pidfd;
	int started;	   /* PROCESS_START queued */
	struct region *rg; /* regions, current image first */
	struct module_ent *mod;
	size_t nmod, capmod;
	struct thread_ent *thr;
	size_t nthr, capthr;
	struct u64map live; /* address -> size, for the leak scan */
	int scanned;
	uint64_t gone_at; /* ended, waiting to learn how (raw time) */
	struct proc *next;
};

/* Events mprec makes itself (process start/end, leak scan). */
struct sev {
	uint64_t time; /* raw CLOCK_MONOTONIC */
	uint64_t seq;
	struct proc *p;
	int type; /* MPT_REC_PROCESS_START or MPT_REC_PROCESS_END */
	uint32_t kind, ppid;
	int32_t code;
	uint32_t core;
	char *path;
	char **argv;
	uint32_t argc;
	int inherit; /* a fork child inherits its parent's live set */
};

struct options {
	int depth;
	int fp;
	uint64_t sample_bytes;
	int follow;
	int leak_scan;
	int freeres; /* 1: __libc_freeres() etc. before the scan */
	const char *output;
};

struct mprec {
	struct options o;
	struct mpt_writer *w;
	uint64_t t0;	   /* raw time of trace time 0 */
	int tsc;	   /* the raw clock is the TSC */
	uint64_t tsc_mult; /* ns per tick, 32.32 fixed point */
	uint64_t last;	   /* last trace time emitted */
	uint64_t last_raw; /* the largest raw time emitted */
	struct proc *procs;
	struct sev *sev;
	size_t nsev, capsev;
	uint64_t sev_seq;
	struct u64map stacks; /* app stack hash -> stack id */
	uint64_t next_stack, next_module;
	uint32_t nprocs;
	int write_failed;
	int write_errno;
	uint64_t moved;	    /* bytes published in rings since the last pass */
	int waiters;	    /* a thread waited for room in the last pass */
	uint64_t wakes;	    /* futex wakes of waiting threads */
	uint64_t watermark; /* everything older was emitted by the last pass */
};

extern struct mprec M;

/*
 * mprec's raw clock, the one the app stamps events with: TSC ticks (M.tsc)
 * or CLOCK_MONOTONIC ns.  raw_ns() turns a difference into nanoseconds.
 */
uint64_t raw_now(void);
uint64_t raw_ns(uint64_t delta);
uint64_t mono_ns(void);

/* drain.c */
struct region *region_attach(struct proc *p, struct mpr_region *map,
			     uint64_t map_size);
void region_free(struct region *rg);
/* One drain pass: copy rings, emit everything older than the watermark. */
void drain_pass(int final);
void sev_push(const struct sev *e);
/* Put a record (time is raw; clamped to keep order).  Returns 0 or -1. */
int emit(struct mpt_record *r, uint64_t raw_time, struct proc *p, uint32_t tid);
/* Time of the last emitted record, raw clock. */
uint64_t emitted_raw(void);

/* scan.c: classify the process's live blocks and write the leak records. */
/* `flags`: MPT_SCAN_* that the process reported with its EXIT. */
void leak_scan(struct proc *p, uint32_t tid, uint64_t sp, uint64_t stack_hi,
	       uint32_t flags);
void leak_scan_unavailable(struct proc *p, int err);

/* mprec.c */
void fatal_write(void);
/* A recorded process reaped child `pid` with wait status `status`. */
void child_status_note(pid_t pid, int status);

#endif /* MPREC_LAUNCH_H */
