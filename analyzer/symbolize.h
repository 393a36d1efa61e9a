/* Symbolizer: turns addresses of a traced process into functions, files and
 * lines. */
#ifndef MPT_SYMBOLIZE_H
#define MPT_SYMBOLIZE_H

#include <stddef.h> /* size_t */
#include <stdint.h> /* uint64_t, uint32_t */
#include <stdio.h>  /* FILE */

#include "mptrace.h" /* struct mpt_segment, MPT_E_* */

/*
 * A symbolizer holds the memory map of every process of a trace (the
 * modules named by MODULE_LOAD records) and resolves addresses of those
 * processes with DWARF (function, file, line, column, inlined frames),
 * falling back to the ELF symbol tables, with separate debug files found by
 * build-id and .gnu_debuglink.  Nothing is read from disk before an address
 * of a module is resolved; each module's ELF and DWARF are then opened once,
 * and each compilation unit's line table and function tree are loaded on the
 * first address that falls in it.
 *
 * It never prints and never exits: functions return 0 (or a count) or a
 * negative MPT_E_* code, and problems worth telling the user about (a
 * missing module file, a build-id that no longer matches) go once per module
 * to the warn callback of the options.
 *
 * Strings in returned frames (function, file, module) belong to the
 * symbolizer and stay valid until mpt_sym_free(): callers may keep them
 * without copying.  A symbolizer is not thread-safe.
 */
struct mpt_symbolizer;

/*
 * Called for each warning, at most once per module and problem.  `msg` is one
 * line without a trailing newline, in the project's message shape, e.g.
 * "cannot open '/usr/lib/libfoo.so': No such file or directory; its frames
 * are shown as module+offset".  It is borrowed for the call only.
 */
typedef void mpt_sym_warn_fn(void *ctx, const char *msg);

struct mpt_sym_opts {
	/*
	 * Directories searched for separate debug files, in order; NULL-
	 * terminated array, or NULL for the default { "/usr/lib/debug", NULL }.
	 * Each is searched for .build-id/xx/rest.debug and for the
	 * .gnu_debuglink name under its copy of the module's directory.  The
	 * strings are copied.
	 */
	const char *const *debug_dir;
	/*
	 * Nonzero: read no file at all; every frame is module+offset
	 * (--no-symbols), with MPT_FRAME_NO_DEBUG set and no warning.
	 */
	int no_symbols;
	mpt_sym_warn_fn *warn; /* NULL: warnings are dropped */
	void *warn_ctx;
	/*
	 * Upper bound of cached resolved addresses (0: a default of 65536).
	 * The cache is emptied when full; results stay correct, only slower.
	 */
	size_t cache_max;
	/*
	 * Directory of the persistent cache, or NULL for none: what a module
	 * with a build-id resolves to is kept there across runs, one file per
	 * module, written when the symbolizer is freed.  An answer is reused
	 * only while the module file and the debug file found are the very
	 * ones it came from, so output never depends on the cache; a cache
	 * that cannot be read or written is ignored.  The string is copied.
	 */
	const char *cache_dir;
	/*
	 * Nonzero: inflate compressed debug sections with zlib (through
	 * libelf) even when libdeflate is installed; for tests.
	 */
	int zlib_only;
};

/*
 * Create a symbolizer.  `opts` may be NULL for the defaults; it is copied.
 * Returns NULL when out of memory.
 */
struct mpt_symbolizer *mpt_sym_new(const struct mpt_sym_opts *opts);

/*
 * Release everything, including every string handed out, after writing the
 * persistent cache files that gained answers.  NULL is fine.
 */
void mpt_sym_free(struct mpt_symbolizer *s);

/* Time value meaning "the latest map of the process" (see mpt_sym_resolve). */
#define MPT_SYM_TIME_LATEST UINT64_MAX

/*
 * Add a module to process `pid`'s map, as told by a MODULE_LOAD record:
 * `module_id` (unique within the trace), `path` as the loader saw it (`len`
 * bytes, not NUL-terminated), the raw GNU build-id (may be empty), the load
 * bias `base` (run-time address = base + ELF virtual address), the PT_LOAD
 * segments, and the `time` of the record (ns; 0 if unknown).  Everything is
 * copied.  An address belongs to the module when it lies in one of its
 * segments; with nseg == 0 the module cannot be matched.  Nothing is read
 * from disk yet.  Returns 0, MPT_E_NOMEM or MPT_E_INVAL.
 */
int mpt_sym_add_module(struct mpt_symbolizer *s, uint32_t pid,
		       uint64_t module_id, const char *path, size_t path_len,
		       const uint8_t *build_id, size_t build_id_len,
		       uint64_t base, const struct mpt_segment *seg,
		       uint32_t nseg, uint64_t time);

/*
 * A MODULE_UNLOAD record: the module leaves `pid`'s map at `time`.  Its
 * addresses still resolve for times before that, and for MPT_SYM_TIME_LATEST
 * when no later module covers them (so the stacks of a dlclose'd library
 * stay readable).  Returns 0, or MPT_E_INVAL if the pid has no such module.
 */
int mpt_sym_remove_module(struct mpt_symbolizer *s, uint32_t pid,
			  uint64_t module_id, uint64_t time);

/*
 * fork: `child` starts with a copy of `parent`'s current map (modules live at
 * `time`).  Returns 0 or MPT_E_NOMEM.
 */
int mpt_sym_fork(struct mpt_symbolizer *s, uint32_t parent, uint32_t child,
		 uint64_t time);

/* exec: every module of `pid` live at `time` is unloaded at `time`. */
void mpt_sym_exec(struct mpt_symbolizer *s, uint32_t pid, uint64_t time);

enum mpt_frame_flags {
	MPT_FRAME_INLINED = 1 << 0,	   /* inlined into the next frame */
	MPT_FRAME_NO_DEBUG = 1 << 1,	   /* no line info: symbol table only,
					      or nothing (function NULL) */
	MPT_FRAME_UNKNOWN_MODULE = 1 << 2, /* module file missing/unreadable */
	MPT_FRAME_MISMATCH = 1 << 3,	   /* file's build-id differs from the
					      recorded one */
	MPT_FRAME_NO_MODULE = 1 << 4,	   /* no module of the pid holds it */
};

/*
 * One frame.  For an address in inlined code there is one frame per inline
 * level, innermost first; all but the last have MPT_FRAME_INLINED and the
 * next frame's file/line is the call site.  Functions are named as
 * `addr2line -f -i -C` names them (DWARF names, the symbol table's where
 * DWARF has none, demangled).  Strings are owned by the symbolizer (valid
 * until mpt_sym_free()); NULL means unknown.
 */
struct mpt_frame {
	const char *function;	/* demangled; NULL if unknown */
	const char *file;	/* source path as in DWARF; NULL if unknown */
	uint32_t line;		/* 0 if unknown */
	uint32_t column;	/* 0 if unknown */
	const char *module;	/* module path as recorded; NULL: no module */
	uint64_t module_offset; /* ELF virtual address: addr - base */
	uint64_t addr;		/* the address as given */
	uint32_t flags;		/* enum mpt_frame_flags */
};

enum mpt_sym_resolve_flags {
	/*
	 * The address is an exact instruction address (a PC), not a return
	 * address.  Without it the line and function of `addr - 1` are looked
	 * up, as addr2line users do for return addresses, so that a call at
	 * the very end of a function or before an inlined block is attributed
	 * to the call itself.  module_offset is always that of `addr`.
	 */
	MPT_SYM_EXACT = 1 << 0,
};

/*
 * Resolve `addr` in process `pid`'s map at `time` (MPT_SYM_TIME_LATEST: the
 * module live now or, failing that, the one unloaded last).  Fills at most
 * `max` frames of `out`, innermost first, and returns how many frames the
 * address has (>= 1; more than `max` means `out` was cut to the innermost
 * `max`), or a negative MPT_E_* code (MPT_E_NOMEM).  An address no module
 * holds gives one frame with MPT_FRAME_NO_MODULE.  A module that cannot be
 * trusted gives one module+offset frame, never another module's names.
 */
int mpt_sym_resolve(struct mpt_symbolizer *s, uint32_t pid, uint64_t time,
		    uint64_t addr, unsigned flags, struct mpt_frame *out,
		    int max);

/*
 * Resolve `n` addresses of one process at once (typically every frame of
 * every stack about to be printed).  The addresses are sorted by module and
 * offset internally, so each module and compilation unit is visited once.
 * On success *frame is a malloc'd array the caller releases with free(), and
 * the frames of addr[i] are (*frame)[start[i]] up to (*frame)[start[i + 1]]
 * (`start` has n + 1 entries, provided by the caller).  Returns 0 or a
 * negative MPT_E_* code (then *frame is NULL).
 */
int mpt_sym_resolve_batch(struct mpt_symbolizer *s, uint32_t pid, uint64_t time,
			  const uint64_t *addr, size_t n, unsigned flags,
			  struct mpt_frame **frame, size_t *start);

/*
 * Format one frame into `buf` (NUL-terminated, cut to `size`), and return
 * the length it needed, as snprintf does:
 *   "func (file:line)"          with line info (file is the full path)
 *   "func"                      symbol table only
 *   "module+0x1234"             nothing known inside the module
 *   "0x7f001234"                no module at all
 * An inlined frame is the same text; callers mark it from the flags.
 */
int mpt_frame_format(const struct mpt_frame *f, char *buf, size_t size);

/*
 * The name of a frame for folded stacks (flame graphs): the function, else
 * "module+0x1234", else "0x...", with ';' and newlines (which the format
 * reserves) replaced.  Same return convention as mpt_frame_format().
 */
int mpt_frame_format_folded(const struct mpt_frame *f, char *buf, size_t size);

struct mpt_sym_stats {
	uint64_t lookups; /* mpt_sym_resolve calls and batch entries */
	uint64_t cache_hits;
	uint64_t modules_opened;  /* files read */
	uint64_t units_loaded;	  /* DWARF compilation units decoded */
	uint64_t cache_file_hits; /* answers taken from the persistent cache */
};

/* Counters, for benchmarks and tests. */
void mpt_sym_get_stats(const struct mpt_symbolizer *s,
		       struct mpt_sym_stats *st);

#endif /* MPT_SYMBOLIZE_H */
