/*
 * replay.h - replay a trace into a live-block model per process.
 *
 * The replay consumes decoded records (from the formats reader) in order and
 * keeps, for each process image, the blocks that are live: heap blocks
 * keyed by address, the app's own mappings, and GPU buffers.  It interns
 * the trace's stacks, follows threads, their names and allocation tags,
 * modules, fork (the child starts with a copy of the parent's live set),
 * exec (a new image with an empty live set) and process end, and attaches
 * leak-scan kinds to blocks.  Analyses register callbacks and stay short.
 *
 * Memory is bounded by the live set and the number of distinct stacks,
 * threads and modules, not by the length of the trace: a process's blocks
 * are dropped once its end callback returns.
 *
 * Errors: functions return 0 or a negative MPT_E_* code; nothing prints.
 */
#ifndef MPT_REPLAY_H
#define MPT_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "mptrace.h" /* struct mpt_record, struct mpt_reader */

enum mpt_domain {
	MPT_DOMAIN_HEAP = 0, /* malloc family */
	MPT_DOMAIN_MMAP = 1, /* the app's own anonymous/file mappings */
	MPT_DOMAIN_GPU = 2,  /* GPU buffers (device in mpt_block.device) */
};

/* Bit masks of domains, for mpt_process_foreach(). */
#define MPT_DOMAIN_BIT(d) (1u << (d))
#define MPT_DOMAIN_ALL 7u

enum mpt_block_flags {
	MPT_BLOCK_SAMPLED = 1 << 0,   /* recorded by byte sampling */
	MPT_BLOCK_REALLOC = 1 << 1,   /* made by realloc from an older block */
	MPT_BLOCK_INHERITED = 1 << 2, /* copied from the parent at fork */
};

/* One live block: 40 bytes, stored in a pool the address index points to. */
struct mpt_block {
	uint64_t addr;
	uint64_t size;	/* bytes asked for (mapping: length) */
	uint64_t time;	/* allocation time, ns since trace start */
	uint32_t stack; /* interned stack index, 0: none (see below) */
	uint32_t tid;	/* allocating thread */
	uint16_t tag;	/* allocation tag, 0: none; mpt_replay_tag_name() */
	uint8_t kind; /* enum mpt_leak_kind (MPT_LEAK_UNKNOWN until scanned) */
	uint8_t domain;	 /* enum mpt_domain */
	uint8_t func;	 /* enum mpt_func; GPU: enum mpt_gpu_kind */
	uint8_t flags;	 /* enum mpt_block_flags */
	uint16_t device; /* GPU device */
};

/* Why a process image ended (mpt_process_info.end_reason). */
enum mpt_end_reason {
	MPT_REPLAY_RUNNING = 0, /* not ended yet */
	MPT_REPLAY_EXIT = 1,	/* PROCESS_END seen (exit or signal) */
	MPT_REPLAY_EXEC = 2,	/* replaced by exec: its blocks went with it */
	MPT_REPLAY_CUT = 3,	/* the trace ended without its PROCESS_END */
};

/* What the replay knows about one process image.  Read-only for callers. */
struct mpt_process_info {
	uint32_t pid, ppid;
	uint32_t image;	     /* serial of this image in the trace, from 1 */
	uint32_t start_kind; /* enum mpt_process_kind */
	uint64_t start_time, end_time;
	uint32_t end_reason;  /* enum mpt_end_reason */
	uint32_t end_kind;    /* enum mpt_end_kind, when end_reason is EXIT */
	int32_t end_code;     /* exit status or signal */
	uint32_t end_core;    /* a core was dumped */
	int scanned;	      /* a LEAK_SCAN record was seen */
	uint32_t scan_status; /* its status: 0 done, else errno */
	uint32_t scan_flags;  /* its enum mpt_scan_flags */
	const char *path;     /* executable, "" if unknown */
	/* Heap domain, as recorded (not weighted by sampling). */
	uint64_t heap_bytes, heap_blocks; /* live now */
	uint64_t heap_peak, heap_peak_time;
	uint64_t allocs, frees, failed, reallocs;
	uint64_t unknown_frees;	 /* frees of addresses never seen allocated */
	uint64_t leak_unmatched; /* LEAK_BLOCK records naming no live block */
};

/* Extra facts about a free, passed to the free callback. */
struct mpt_free_info {
	uint64_t time;	   /* when it was freed */
	uint64_t lifetime; /* time - block->time */
	uint32_t tid;	   /* freeing thread */
	int realloc;	   /* the free half of a realloc */
	int temporary;	   /* the allocating thread made no other allocation
			      between this block's allocation and its free */
};

struct mpt_replay;
struct mpt_process;

/*
 * Callbacks; any may be NULL.  `ctx` is the pointer given to
 * mpt_replay_new().  Blocks are borrowed for the duration of the call.
 * A callback returning nonzero stops the replay: mpt_replay_record() then
 * returns that value (make it positive to tell it from MPT_E_* codes).
 */
struct mpt_replay_ops {
	/* A block became live (rec: its ALLOC, MMAP, MREMAP or GPU_ALLOC). */
	int (*alloc)(void *ctx, struct mpt_process *p,
		     const struct mpt_block *b, const struct mpt_record *rec);
	/* A block stopped being live (for a partial munmap, the part). */
	int (*free)(void *ctx, struct mpt_process *p, const struct mpt_block *b,
		    const struct mpt_free_info *fi);
	/* An allocation failed (ALLOC with the failed flag, GPU_ALLOC 0). */
	int (*failed)(void *ctx, struct mpt_process *p,
		      const struct mpt_record *rec);
	/*
	 * A process image ended; its live set is still there for
	 * mpt_process_foreach(), and is dropped when this returns.  Called
	 * after the leak scan of the process, when there is one: a
	 * PROCESS_END is held back until the LEAK_SCAN, another image of the
	 * same pid, or the end of the trace.
	 */
	int (*process_end)(void *ctx, struct mpt_process *p);
	/* Every record, after the model has applied it (p: NULL for
	 * trace-wide records). */
	int (*record)(void *ctx, struct mpt_process *p,
		      const struct mpt_record *rec);
	/* A module was loaded or unloaded in image p (rec: MODULE_LOAD or
	 * MODULE_UNLOAD), e.g. to tell a symbolizer. */
	int (*module)(void *ctx, struct mpt_process *p,
		      const struct mpt_record *rec);
};

/* A new replay, or NULL when memory runs out.  `ops` is copied. */
struct mpt_replay *mpt_replay_new(const struct mpt_replay_ops *ops, void *ctx);

struct mpt_symbolizer;

/*
 * Keep `sym` (may be NULL) told of every module load and unload, fork and
 * exec, so that it can resolve the addresses of any process afterwards.
 * The symbolizer stays the caller's.
 */
void mpt_replay_set_symbolizer(struct mpt_replay *r,
			       struct mpt_symbolizer *sym);

/*
 * Keep no heap blocks: each heap allocation is told to the alloc callback
 * (with a block that lives for the call) and heap frees are only counted,
 * never told.  For callers that need neither the live heap nor its frees,
 * such as counting allocations by stack: the replay does about half the
 * work.  Then heap_bytes, heap_blocks, heap_peak and unknown_frees of
 * mpt_process_info stay 0, frees counts every FREE of an address, and
 * leak records match no block.  Call it before the first record.
 */
void mpt_replay_untrack_heap(struct mpt_replay *r);

/* Free everything, processes included.  NULL is a no-op. */
void mpt_replay_free(struct mpt_replay *r);

/*
 * Apply one record.  Returns 0, a negative MPT_E_* code (MPT_E_NOMEM,
 * MPT_E_CORRUPT for a stack whose parent is not defined), or the nonzero
 * value a callback returned.
 */
int mpt_replay_record(struct mpt_replay *r, const struct mpt_record *rec);

/*
 * End of input: end every image still running (reason MPT_REPLAY_CUT, or
 * EXIT for one whose PROCESS_END waits for a scan).  Idempotent.
 */
int mpt_replay_finish(struct mpt_replay *r);

/*
 * Read every record of `rd` into the replay, then finish, taking the records
 * in runs (mpt_reader_next_run()): decoded on the reader's worker threads
 * when it has them (mpt_reader_set_threads()); callbacks run on the
 * caller's thread.  Returns 0, the reader's negative error (the
 * caller asks mpt_reader_errmsg()), or a callback's value.
 */
int mpt_replay_run(struct mpt_replay *r, struct mpt_reader *rd);

/* The trace header (NULL before it was seen). */
const struct mpt_record *mpt_replay_header(const struct mpt_replay *r);
/* Time of the last record seen. */
uint64_t mpt_replay_time(const struct mpt_replay *r);
/* 1 if the END record was seen. */
int mpt_replay_complete(const struct mpt_replay *r);
/* Sum of LOST counts so far. */
uint64_t mpt_replay_lost(const struct mpt_replay *r);

/*
 * Sampling weight of a block: 1 for a block recorded unconditionally, else
 * 1/p with p = 1 - exp(-size/N) for the header's sample_bytes N (FORMAT.md
 * section 4): the number of allocations it stands for.  size * weight
 * estimates the bytes.
 */
double mpt_replay_weight(const struct mpt_replay *r, const struct mpt_block *b);

/* Estimated bytes a block stands for, rounded (its size when unsampled). */
uint64_t mpt_replay_bytes(const struct mpt_replay *r,
			  const struct mpt_block *b);

/*
 * Stacks.  Trace stack ids are interned into dense indexes 1..n; index 0 is
 * "no stack".  Frames are return addresses, innermost first.
 */
uint32_t mpt_replay_nstacks(const struct mpt_replay *r);
/* The trace-wide id of an index (0 for index 0 or out of range). */
uint64_t mpt_replay_stack_id(const struct mpt_replay *r, uint32_t idx);
/* The index of a trace stack id, 0 if it was never defined. */
uint32_t mpt_replay_stack_index(const struct mpt_replay *r, uint64_t id);
/*
 * Copy the full stack of index `idx` (its own frames, then its parents'),
 * innermost first, into out[0..max).  Returns the full depth (which may
 * exceed max: only max frames are copied).
 */
size_t mpt_replay_stack_frames(const struct mpt_replay *r, uint32_t idx,
			       uint64_t *out, size_t max);

/* Label of tag `tag` (1..), or NULL. */
const char *mpt_replay_tag_name(const struct mpt_replay *r, uint16_t tag);

/* Process images, in order of their start (index 0..n-1). */
size_t mpt_replay_nprocesses(const struct mpt_replay *r);
struct mpt_process *mpt_replay_process(const struct mpt_replay *r, size_t i);
/* The current (latest) image of `pid`, or NULL. */
struct mpt_process *mpt_replay_find_pid(const struct mpt_replay *r,
					uint32_t pid);

const struct mpt_process_info *mpt_process_info(const struct mpt_process *p);

/* The block at `addr` live in `domain` (GPU: of `device`), or NULL. */
const struct mpt_block *mpt_process_lookup(const struct mpt_process *p,
					   int domain, uint32_t device,
					   uint64_t addr);

/*
 * Call fn for every live block of the domains in `mask`.  A nonzero return
 * from fn stops the walk and is returned.  The process must not change
 * meanwhile (do not call from inside another callback of the same process
 * unless that callback does not change it: process_end is fine).
 */
int mpt_process_foreach(const struct mpt_process *p, unsigned mask,
			int (*fn)(void *ctx, const struct mpt_block *b),
			void *ctx);

/* Live blocks in the domains of `mask`. */
uint64_t mpt_process_nlive(const struct mpt_process *p, unsigned mask);

/* Name of thread `tid` of the image (the last THREAD_NAME), or NULL. */
const char *mpt_process_thread_name(const struct mpt_process *p, uint32_t tid);

/* A module of an image; strings are NUL-terminated copies. */
struct mpt_module {
	uint64_t id;
	uint64_t base;
	const char *path;
	const uint8_t *build_id;
	uint32_t build_id_len;
	uint32_t nseg;
	const struct mpt_segment *seg;
	uint64_t load_time;
	uint64_t unload_time; /* 0: still loaded */
};

/* Modules of the image, loaded and unloaded, in load order. */
size_t mpt_process_nmodules(const struct mpt_process *p);
const struct mpt_module *mpt_process_module(const struct mpt_process *p,
					    size_t i);
/*
 * The module whose segment holds `addr` and that was loaded at `time`
 * (UINT64_MAX: the latest module that ever held it).  NULL if none.
 */
const struct mpt_module *mpt_process_module_at(const struct mpt_process *p,
					       uint64_t addr, uint64_t time);

#endif /* MPT_REPLAY_H */
