/*
 * mptrace.h - the one public interface to the mptrace trace format.
 *
 * The byte layout is specified in formats/FORMAT.md; this header is the C
 * view of it.  Only formats/ knows how records are encoded; the collector and
 * the analyzers see decoded `struct mpt_record` values.
 *
 * Errors: every function returns 0 (or a positive count) on success and a
 * negative MPT_E_* code on failure.  The library never prints and never
 * exits.  mpt_strerror() turns a code into text; the reader and writer keep a
 * detailed message (with the byte offset) for their last error.
 */
#ifndef MPTRACE_H
#define MPTRACE_H

#include <stddef.h>
#include <stdint.h>

#define MPT_VERSION_MAJOR 1
#define MPT_VERSION_MINOR 0

/* The magic at the start of the header record's payload. */
#define MPT_MAGIC "MPTRACE\n"
#define MPT_MAGIC_LEN 8

/* Decoded size of one zstd frame (all its records together), at most. */
#define MPT_FRAME_MAX (1u << 20)
/* Payload of one record, at most (a record never spans frames). */
#define MPT_RECORD_MAX (MPT_FRAME_MAX - 16)
/* Frames per stack record, strings, array lengths: caps checked on read. */
#define MPT_STACK_MAX 1024
#define MPT_STRING_MAX 65536
#define MPT_ARRAY_MAX 65536

/* zstd skippable-frame magic that carries the trailing time index. */
#define MPT_INDEX_FRAME_MAGIC 0x184D2A5Eu
/* Last 16 bytes of an indexed trace: u64 LE index offset, then this. */
#define MPT_INDEX_TRAILER_MAGIC "MPTINDX1"

enum mpt_error {
	MPT_OK = 0,
	MPT_E_IO = -1,	      /* read/write failed; errno is kept */
	MPT_E_NOMEM = -2,     /* allocation failed */
	MPT_E_ZSTD = -3,      /* zstd reported an error (corrupt frame) */
	MPT_E_CORRUPT = -4,   /* a record or frame does not decode */
	MPT_E_LIMIT = -5,     /* a length exceeds a fixed cap */
	MPT_E_MAGIC = -6,     /* not an mptrace trace */
	MPT_E_VERSION = -7,   /* newer major version than this reader */
	MPT_E_TRUNCATED = -8, /* reserved: a cut trace is not an error,
			       * see mpt_reader_is_cut() */
	MPT_E_INVAL = -9,     /* bad argument from the caller */
	MPT_E_ORDER = -10,    /* a record's time goes backwards */
	MPT_E_EMPTY = -11,    /* the file holds no frame at all */
};

/* Text for an MPT_E_* code (never NULL). */
const char *mpt_strerror(int err);

/*
 * Record types.  The value is the type byte on disk.  A reader skips a type
 * it does not know (its length is in the record header).  Values are never
 * reused; new kinds get new numbers.
 */
enum mpt_type {
	MPT_REC_HEADER = 0x01,	/* first record of every trace */
	MPT_REC_END = 0x02,	/* clean end of trace, with totals */
	MPT_REC_CONTEXT = 0x03, /* sets pid/tid for following records */
	MPT_REC_LOST = 0x04,	/* data that could not be recorded */

	MPT_REC_PROCESS_START = 0x10, /* initial process, fork, spawn, exec */
	MPT_REC_PROCESS_END = 0x11,   /* exit status or signal */
	MPT_REC_THREAD_START = 0x12,
	MPT_REC_THREAD_NAME = 0x13,
	MPT_REC_THREAD_END = 0x14,
	MPT_REC_MODULE_LOAD = 0x15,
	MPT_REC_MODULE_UNLOAD = 0x16,
	MPT_REC_STACK = 0x17, /* interned call stack definition */

	MPT_REC_ALLOC = 0x20, /* heap allocation (or its failure) */
	MPT_REC_FREE = 0x21,  /* heap free */
	MPT_REC_MMAP = 0x22,  /* mmap done by the app */
	MPT_REC_MUNMAP = 0x23,
	MPT_REC_MREMAP = 0x24,
	MPT_REC_BRK = 0x25, /* brk/sbrk done by the app */

	MPT_REC_GPU_DEVICE = 0x30, /* GPU device definition */
	MPT_REC_GPU_ALLOC = 0x31,
	MPT_REC_GPU_FREE = 0x32,

	MPT_REC_COUNTER_DEF = 0x40,
	MPT_REC_COUNTER_SAMPLE = 0x41,
	MPT_REC_RSS_SAMPLE = 0x42,
	MPT_REC_NUMA_TOPOLOGY = 0x43,
	MPT_REC_NUMA_SAMPLE = 0x44,  /* page placement of a range */
	MPT_REC_SCHED_SAMPLE = 0x45, /* which cpu/node a thread ran on */

	MPT_REC_MARKER = 0x50,
	MPT_REC_SPAN_BEGIN = 0x51,
	MPT_REC_SPAN_END = 0x52,
	MPT_REC_TAG_PUSH = 0x53, /* allocation category, per thread */
	MPT_REC_TAG_POP = 0x54,

	MPT_REC_LEAK_BLOCK = 0x60, /* one live block's leak kind */
	MPT_REC_LEAK_SCAN = 0x61,  /* summary of one process's scan */
};

/* Name of a record type ("alloc", "free", ...), or NULL if unknown. */
const char *mpt_type_name(int type);

/*
 * Definition-class records: what a reader seeking to a time must still
 * deliver from before that time (see mpt_reader_seek()).
 */
int mpt_type_is_definition(int type);

/* Which function made an allocation or a free. */
enum mpt_func {
	MPT_FN_UNKNOWN = 0,
	MPT_FN_MALLOC = 1,
	MPT_FN_CALLOC = 2,
	MPT_FN_REALLOC = 3,
	MPT_FN_REALLOCARRAY = 4,
	MPT_FN_MEMALIGN = 5,
	MPT_FN_ALIGNED_ALLOC = 6,
	MPT_FN_POSIX_MEMALIGN = 7,
	MPT_FN_VALLOC = 8,
	MPT_FN_PVALLOC = 9,
	MPT_FN_NEW = 10,       /* operator new (all nothrow/align variants) */
	MPT_FN_NEW_ARRAY = 11, /* operator new[] */
	MPT_FN_FREE = 12,
	MPT_FN_DELETE = 13, /* operator delete (all sized/align variants) */
	MPT_FN_DELETE_ARRAY = 14,
	MPT_FN_STRDUP = 15, /* reserved: strdup family, if hooked */
	MPT_FN_COUNT_
};

/* Name of an mpt_func ("malloc", "operator new", ...); "?" if unknown. */
const char *mpt_func_name(int func);

enum mpt_alloc_flags {
	MPT_ALLOC_FAILED = 1 << 0,  /* the allocator returned NULL */
	MPT_ALLOC_SAMPLED = 1 << 1, /* recorded by byte sampling */
};

enum mpt_process_kind {
	MPT_PROC_INITIAL = 0, /* the program mprec started */
	MPT_PROC_FORK = 1,    /* fork() or clone without CLONE_VM */
	MPT_PROC_VFORK = 2,   /* vfork() or posix_spawn() */
	MPT_PROC_EXEC = 3,    /* same pid, new image */
};

enum mpt_end_kind {
	MPT_END_EXIT = 0,	 /* code = exit status */
	MPT_END_SIGNAL = 1,	 /* code = signal number */
	MPT_END_UNKNOWN = 2,	 /* not observed (mprec lost track of it) */
	MPT_END_EXEC_FAILED = 3, /* reserved */
};

enum mpt_lost_reason {
	MPT_LOST_UNKNOWN = 0,
	MPT_LOST_BUFFER_FULL = 1, /* a thread's buffer could not be drained */
	MPT_LOST_STACK_DEPTH = 2, /* stacks cut at the depth limit */
	MPT_LOST_UNWIND = 3,	  /* unwinding failed */
	MPT_LOST_NO_TRACKING = 4, /* events before/after tracking was live */
	MPT_LOST_KILLED = 5,	  /* app killed with records in flight */
	MPT_LOST_CORRUPT = 6,	  /* a malformed record from the app */
};

enum mpt_gpu_kind {
	MPT_GPU_DEVICE_MEM = 0,
	MPT_GPU_MANAGED = 1,
	MPT_GPU_HOST_PINNED = 2,
	MPT_GPU_ASYNC_POOL = 3,
	MPT_GPU_VIRTUAL = 4,
};

enum mpt_leak_kind {
	MPT_LEAK_DEFINITE = 0,
	MPT_LEAK_INDIRECT = 1,
	MPT_LEAK_POSSIBLE = 2,
	MPT_LEAK_REACHABLE = 3,
	MPT_LEAK_UNKNOWN = 4, /* no scan (crash, kill) */
};

/* LEAK_SCAN flags. */
enum mpt_scan_flags {
	/*
	 * Before the scan, the C and C++ runtimes freed the memory they keep
	 * for good (__libc_freeres, __gnu_cxx::__freeres), as valgrind has
	 * them do: what is left is the program's.
	 */
	MPT_SCAN_FREERES = 1 << 0,
};

enum mpt_counter_kind {
	MPT_COUNTER_HW = 0,    /* perf hardware event */
	MPT_COUNTER_SW = 1,    /* perf software event */
	MPT_COUNTER_CACHE = 2, /* perf hw cache event */
	MPT_COUNTER_RAW = 3,
	MPT_COUNTER_GAUGE = 4, /* a level, not a running total */
};

/* A string or byte array inside a record.  Borrowed (see the reader). */
struct mpt_bytes {
	const char *ptr; /* not NUL-terminated on read */
	uint32_t len;
};

struct mpt_segment {
	uint64_t vaddr; /* address relative to the module's load base */
	uint64_t memsz;
	uint64_t offset; /* file offset */
	uint32_t flags;	 /* PF_R | PF_W | PF_X */
};

struct mpt_numa_node {
	int32_t node;
	uint64_t mem_total;    /* bytes */
	uint64_t mem_free;     /* bytes, at recording start */
	struct mpt_bytes cpus; /* cpulist text, as in sysfs: "0-3,8" */
};

/* A run of pages on one node.  node < 0 is -errno (-ENOENT: not present). */
struct mpt_numa_run {
	int32_t node;
	uint64_t pages;
};

/*
 * One decoded record.  `time` is nanoseconds since the trace start
 * (absolute; the delta encoding is the format's business).  `pid` and `tid`
 * are the context the record was made in (see MPT_REC_CONTEXT); 0 when the
 * record has none.  Exactly one member of `u` is meaningful, chosen by
 * `type`.  Pointer fields (strings, arrays) borrow reader memory: valid until
 * the next mpt_reader_next() or mpt_reader_close().  For the writer they are
 * only read during mpt_writer_put().
 *
 * Trailing fields marked [opt] may be absent in a record on disk; a reader
 * then reports them as 0.
 */
struct mpt_record {
	uint8_t type;
	uint64_t time;
	uint32_t pid;
	uint32_t tid;
	union {
		struct {
			uint32_t major, minor;
			uint32_t clock_id;	/* CLOCK_MONOTONIC etc. */
			uint64_t wall_start_ns; /* CLOCK_REALTIME at time 0 */
			uint32_t page_size;
			uint64_t sample_bytes; /* 0: every allocation */
			struct mpt_bytes host;
			uint32_t argc;
			const struct mpt_bytes *argv;
			uint32_t nopts;
			const struct mpt_bytes *opts; /* "key=value" strings */
		} header;
		struct {
			uint64_t records; /* records before END, all frames */
			uint64_t events;  /* alloc+free+gpu records */
			uint64_t lost;	  /* sum of LOST counts */
			uint32_t processes;
			uint32_t exit_code; /* mprec's own exit status */
		} end;
		struct {
			uint64_t count;	 /* events lost */
			uint32_t reason; /* enum mpt_lost_reason */
			uint64_t bytes;	 /* [opt] heap bytes they carried, if
					    known */
		} lost;
		struct {
			uint32_t ppid;
			uint32_t kind; /* enum mpt_process_kind */
			struct mpt_bytes path;
			uint32_t argc;
			const struct mpt_bytes *argv;
		} process_start; /* context pid is the process */
		struct {
			uint32_t kind; /* enum mpt_end_kind */
			int32_t code;  /* exit status or signal number */
			uint32_t core; /* core dumped */
		} process_end;
		struct {
			uint64_t stack_lo, stack_hi; /* 0 if unknown */
		} thread_start; /* context tid is the thread */
		struct {
			struct mpt_bytes name;
		} thread_name;
		struct {
			uint64_t module; /* id, unique within the trace */
			uint64_t base;	 /* load bias (l_addr) */
			struct mpt_bytes path;
			struct mpt_bytes build_id; /* raw bytes, may be empty */
			uint32_t nseg;
			const struct mpt_segment *seg;
		} module_load;
		struct {
			uint64_t module;
		} module_unload;
		struct {
			uint64_t id;	 /* > 0, unique within the trace */
			uint64_t parent; /* 0: none; else an earlier stack id */
			uint32_t nframe;
			/*
			 * Return addresses, innermost first.  The whole stack
			 * is these frames followed by the parent's whole stack.
			 */
			const uint64_t *frame;
		} stack;
		struct {
			uint32_t func;	/* enum mpt_func */
			uint32_t flags; /* enum mpt_alloc_flags */
			uint64_t size;	/* bytes asked for (calloc: n*size) */
			uint64_t addr;	/* 0 if failed */
			uint64_t stack; /* stack id, 0 if none */
			uint64_t align; /* [opt] alignment asked for, 0 if none
					 */
			uint64_t old_addr; /* [opt] realloc: the block it
					      replaced */
		} alloc;
		struct {
			uint32_t func; /* enum mpt_func (realloc for its free
					  half) */
			uint64_t addr;
		} free;
		struct {
			uint64_t addr, len;
			uint32_t prot, flags; /* as passed to mmap(2) */
			int32_t fd;
			uint64_t offset;
			uint64_t stack;
		} mmap;
		struct {
			uint64_t addr, len;
			uint64_t stack;
		} munmap;
		struct {
			uint64_t old_addr, old_len;
			uint64_t new_addr, new_len; /* new_addr 0: failed */
			uint32_t flags;
			uint64_t stack;
		} mremap;
		struct {
			uint64_t old_end, new_end; /* program break before/after
						    */
			uint64_t stack;
		} brk;
		struct {
			uint32_t device;
			struct mpt_bytes name;
			uint64_t mem_total;
			int32_t numa_node; /* -1 if none */
		} gpu_device;
		struct {
			uint32_t device;
			uint32_t kind;	 /* enum mpt_gpu_kind */
			uint64_t stream; /* 0: default stream */
			uint64_t addr;	 /* 0 if failed */
			uint64_t size;
			uint64_t stack;
		} gpu_alloc;
		struct {
			uint32_t device;
			uint32_t kind;
			uint64_t stream;
			uint64_t addr;
		} gpu_free;
		struct {
			uint32_t id;	       /* > 0 */
			uint32_t kind;	       /* enum mpt_counter_kind */
			uint64_t config;       /* perf_event_attr.config or 0 */
			struct mpt_bytes name; /* "page-faults", "cycles" */
			struct mpt_bytes unit; /* "", "bytes", "ns" */
			uint32_t available;    /* 0: could not be opened */
			struct mpt_bytes reason; /* why not, when unavailable */
		} counter_def; /* context pid/tid: scope (0: system wide) */
		struct {
			uint32_t id;
			uint64_t value;
			uint64_t time_enabled; /* [opt] multiplexing, ns */
			uint64_t time_running; /* [opt] */
		} counter_sample;
		struct {
			uint64_t rss;	/* bytes, VmRSS */
			uint64_t anon;	/* [opt] RssAnon */
			uint64_t file;	/* [opt] RssFile */
			uint64_t shmem; /* [opt] RssShmem */
			uint64_t swap;	/* [opt] VmSwap */
		} rss;
		struct {
			uint32_t nnode;
			const struct mpt_numa_node *node;
		} numa_topology;
		struct {
			uint64_t addr; /* start of the range */
			uint32_t page_size;
			uint32_t nrun;
			const struct mpt_numa_run *run;
		} numa_sample;
		struct {
			int32_t cpu;
			int32_t node;
		} sched_sample;
		struct {
			struct mpt_bytes label;
		} marker; /* MARKER, SPAN_BEGIN, SPAN_END, TAG_PUSH */
		struct {
			uint64_t addr;
			uint64_t size;
			uint32_t kind; /* enum mpt_leak_kind */
		} leak_block;
		struct {
			uint32_t status; /* 0 done; else errno of the failure */
			uint64_t blocks[5]; /* by enum mpt_leak_kind */
			uint64_t bytes[5];
			uint32_t flags; /* [opt] enum mpt_scan_flags */
		} leak_scan;
	} u;
};

/*
 * Writer.
 */
struct mpt_writer;

struct mpt_writer_opts {
	int level;	    /* zstd level; 0 means the default (3) */
	uint32_t frame_max; /* decoded bytes per frame; 0: MPT_FRAME_MAX (the
			       first ones are smaller: 64 KiB, then half as
			       much again each, up to frame_max) */
	int no_index;	    /* 1: do not write the trailing time index */
};

/*
 * Start a trace on `fd` (a file or a pipe; not closed by the writer).
 * `opts` may be NULL.  Returns NULL with *err set on failure (MPT_E_INVAL
 * for a frame_max above MPT_FRAME_MAX or below 64).  The first record put
 * must be the header; a header whose major and minor are both 0 is written
 * with this library's version.
 */
struct mpt_writer *mpt_writer_new(int fd, const struct mpt_writer_opts *opts,
				  int *err);

/*
 * Append one record.  `rec->time` must not be earlier than the previous
 * record's (MPT_E_ORDER otherwise).  A CONTEXT record is emitted by the
 * writer itself whenever `rec->pid`/`rec->tid` differ from the current
 * context, so callers never put MPT_REC_CONTEXT.  Frames are cut and written
 * when full.  Returns 0 or a negative MPT_E_* code (MPT_E_IO: errno kept).
 */
int mpt_writer_put(struct mpt_writer *w, const struct mpt_record *rec);

/* End the current frame and write it out now. */
int mpt_writer_flush(struct mpt_writer *w);

/*
 * Write the END record (taking totals from the writer's own counts, except
 * exit_code), flush, and append the time index.  Does not close the fd.
 */
int mpt_writer_finish(struct mpt_writer *w, uint32_t exit_code);

/*
 * Records put so far (neither the CONTEXT records the writer adds nor END
 * are counted: the same number END carries); compressed bytes written so
 * far, the index included.
 */
uint64_t mpt_writer_records(const struct mpt_writer *w);
uint64_t mpt_writer_bytes(const struct mpt_writer *w);

/* Detailed message for the last error (never NULL). */
const char *mpt_writer_errmsg(const struct mpt_writer *w);

/* Release the writer.  Unflushed records are lost.  NULL is a no-op. */
void mpt_writer_free(struct mpt_writer *w);

/*
 * Reader.
 */
struct mpt_reader;

enum mpt_open_flags {
	MPT_OPEN_STRICT = 1 << 0, /* unknown record types are an error */
};

/*
 * Open `path` ("-" is standard input) for reading.  Returns NULL with *err
 * set (MPT_E_IO with errno kept) when the file cannot be opened.  Nothing is
 * decoded yet; errors in the content appear at the first mpt_reader_next().
 */
struct mpt_reader *mpt_reader_open(const char *path, int flags, int *err);

/* Read from an open fd (not closed by mpt_reader_close()). */
struct mpt_reader *mpt_reader_fdopen(int fd, int flags, int *err);

/*
 * Read from memory (used by the fuzzer and tests).  `buf` must outlive the
 * reader.
 */
struct mpt_reader *mpt_reader_memopen(const void *buf, size_t len, int flags,
				      int *err);

/*
 * Next record, in file order, which is non-decreasing time order.  Returns 1
 * and fills *rec, 0 at the end of the trace, or a negative MPT_E_* code.
 * The record (and everything it points to) is borrowed until the next call.
 * A trace cut inside a frame yields every record of the complete frames,
 * then 0; mpt_reader_is_cut() then says so.  Records of unknown type are
 * skipped (or MPT_E_CORRUPT under MPT_OPEN_STRICT).  CONTEXT records are
 * applied (they set the pid/tid of the records after them), never returned.
 * After an error every further call returns the same error.
 */
int mpt_reader_next(struct mpt_reader *r, struct mpt_record *rec);

/*
 * Up to `max` next records into rec[0], rec[1] ...: returns how many (at
 * least 1), 0 at the end of the trace, or a negative MPT_E_* code.  The
 * records, their order, the end and any error are those of as many
 * mpt_reader_next() calls; only faster for the runs of ALLOC and FREE
 * records that make up most traces.  A batch holds at most one record that
 * points to memory (strings, arrays), as its last one: borrowed, as with
 * mpt_reader_next(), until the next call.
 */
int mpt_reader_next_batch(struct mpt_reader *r, struct mpt_record *rec,
			  size_t max);

/*
 * The same without a copy: *recs points to the next n records (n as
 * mpt_reader_next_batch() would return, at most 256), in memory of the
 * reader that is borrowed, with what the records point to, until the next
 * call.  Returns n (at least 1), 0 at the end of the trace, or a negative
 * MPT_E_* code.
 */
int mpt_reader_next_run(struct mpt_reader *r, const struct mpt_record **recs);

/*
 * Position the reader so that mpt_reader_next() delivers the definition
 * records (mpt_type_is_definition()) from before time `t`, then every record
 * at or after `t`.  Uses the trailing index when the input is a seekable
 * file (or memory) that has a valid one; otherwise decodes from the start
 * and filters, with the same result.  Must be called once, before the first
 * mpt_reader_next() and without mpt_reader_set_threads() (MPT_E_INVAL
 * otherwise).  Returns 0 or a negative code.
 */
int mpt_reader_seek(struct mpt_reader *r, uint64_t t);

/*
 * Read and decompress frames ahead on a helper thread (nthreads 1) while
 * the caller decodes, or not (0, the default); the helper also decodes the
 * first heap events of the frames waiting for the caller.  What the reader
 * delivers stays the same, errors included.  Call it before the first
 * mpt_reader_next(), instead of mpt_reader_seek() (after one it changes
 * nothing).  Returns 0, MPT_E_INVAL, or MPT_E_NOMEM (the reader then goes
 * on alone).  The thread ends with mpt_reader_close().
 */
int mpt_reader_set_threads(struct mpt_reader *r, int nthreads);

/* 1 if the trace ended without its END record (cut or killed writer). */
int mpt_reader_is_cut(const struct mpt_reader *r);

/* 1 if the trailing index was found (valid after the end is reached or
 * after mpt_reader_seek()). */
int mpt_reader_has_index(const struct mpt_reader *r);

/* The header record (valid after the first successful next()). */
const struct mpt_record *mpt_reader_header(const struct mpt_reader *r);

/* File offset of the frame being decoded (for messages). */
uint64_t mpt_reader_offset(const struct mpt_reader *r);

/*
 * Decoded size of the record the last mpt_reader_next() returned: its type
 * byte, length and payload (not a CONTEXT record before it).  0 if none.
 */
uint32_t mpt_reader_record_bytes(const struct mpt_reader *r);

/* Frames decoded, compressed bytes consumed so far. */
uint64_t mpt_reader_frames(const struct mpt_reader *r);
uint64_t mpt_reader_bytes(const struct mpt_reader *r);

/*
 * Detailed message for the last error, as "byte N: what", for example
 * "byte 4096: record length 1099511627776 exceeds limit 1048560".  Never NULL.
 */
const char *mpt_reader_errmsg(const struct mpt_reader *r);

/* Close and free.  NULL is a no-op. */
void mpt_reader_close(struct mpt_reader *r);

#endif /* MPTRACE_H */
