/*
 * Leak classification of a process's live heap blocks, as valgrind memcheck
 * does it (definitely, indirectly, possibly lost, still reachable).
 *
 * The caller knows the live blocks (from the recorded events) and gives a
 * way to read the process's memory (process_vm_readv(2) in mprec, plain
 * memcpy in tests).  Pure: libc only, never prints, never exits; memory is
 * proportional to the number of blocks.
 *
 * One difference cannot be helped: memcheck skips words it knows were never
 * written (undefined), this scan cannot tell them apart, so a stale pointer
 * left in uninitialised block or stack memory counts here.
 */
#ifndef MPT_LEAKSCAN_H
#define MPT_LEAKSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "mptrace.h" /* enum mpt_leak_kind */

struct leakscan_block {
	uint64_t addr, size;
	uint32_t kind; /* out: enum mpt_leak_kind */
};

/* Root memory [lo, hi).  Only the aligned 8-byte words inside are scanned. */
struct leakscan_range {
	uint64_t lo, hi;
};

/*
 * Read `len` bytes at `addr` of the scanned process into `buf`.  Returns 0
 * when all of them were read, <0 when any could not be (the scanner then
 * retries page by page and skips the unreadable pages).
 */
typedef int (*leakscan_read_fn)(void *ctx, uint64_t addr, void *buf,
				size_t len);

/* memcheck's --leak-check-heuristics, as a set of bits. */
enum leakscan_heuristic {
	LEAKSCAN_HEUR_STDSTRING = 1 << 0,
	LEAKSCAN_HEUR_LENGTH64 = 1 << 1,
	LEAKSCAN_HEUR_NEWARRAY = 1 << 2,
	LEAKSCAN_HEUR_MULTIPLE_INHERITANCE = 1 << 3,
	LEAKSCAN_HEUR_ALL = 0xf, /* memcheck's default (3.19) */
};

/* Permissions of a file-backed mapping (struct leakscan_map). */
enum leakscan_prot {
	LEAKSCAN_PROT_R = 1 << 0,
	LEAKSCAN_PROT_W = 1 << 1,
	LEAKSCAN_PROT_X = 1 << 2,
};

/* A file-backed mapping of the scanned process, [lo, hi). */
struct leakscan_map {
	uint64_t lo, hi;
	uint32_t prot; /* enum leakscan_prot */
};

/* Optional settings of leakscan_classify_ex(); all-zero means defaults. */
struct leakscan_opts {
	/*
	 * enum leakscan_heuristic bits.  0 selects memcheck's default (all);
	 * LEAKSCAN_HEUR_NONE turns every heuristic off.
	 */
	uint32_t heuristics;
	/*
	 * File-backed mappings sorted by address: the multipleinheritance
	 * heuristic recognises a vtable as a pointer into a readable file
	 * mapping whose words point into executable file mappings.  Without
	 * them that heuristic never fires.
	 */
	const struct leakscan_map *maps;
	size_t nmaps;
};
#define LEAKSCAN_HEUR_NONE 0x80000000u

struct leakscan_stats {
	uint64_t blocks[5]; /* by enum mpt_leak_kind */
	uint64_t bytes[5];
	uint64_t scanned_bytes; /* root and block bytes read and scanned */
	uint64_t skipped_bytes; /* root and block bytes that were unreadable */
	uint64_t read_calls;	/* calls of the read callback */
	/* Blocks held reachable (or possible) thanks to each heuristic. */
	uint64_t heuristic_blocks[4]; /* stdstring length64 newarray multi */
};

/*
 * Classify every block of `blocks` (sorted by addr, non-overlapping) and
 * store an enum mpt_leak_kind in its `kind`.  Roots are the aligned words of
 * `roots` (need not be sorted; unreadable pages are skipped) and the `nregs`
 * register values of `regs`.  `out_stats` may be NULL.
 * Returns 0, -EINVAL (unsorted or overlapping blocks, NULL read with blocks
 * to scan) or -ENOMEM.  On error the kinds are unspecified.
 */
int leakscan_classify(struct leakscan_block *blocks, size_t nblocks,
		      const struct leakscan_range *roots, size_t nroots,
		      const uint64_t *regs, size_t nregs, leakscan_read_fn read,
		      void *ctx, struct leakscan_stats *out_stats);

/* The same, with `opts` (may be NULL: memcheck's defaults). */
int leakscan_classify_ex(struct leakscan_block *blocks, size_t nblocks,
			 const struct leakscan_range *roots, size_t nroots,
			 const uint64_t *regs, size_t nregs,
			 leakscan_read_fn read, void *ctx,
			 const struct leakscan_opts *opts,
			 struct leakscan_stats *out_stats);

/* Inputs of leakscan_roots_from_maps() besides the maps; all optional. */
struct leakscan_roots_opts {
	/* Ranges that are no roots (the recorder's own buffers). */
	const struct leakscan_range *exclude;
	size_t nexclude;
	/* NULL-terminated substrings of paths that are no roots
	 * (for example "libmprec", "memfd:mprec"). */
	const char *const *exclude_paths;
	/* Stack pointers (a thread's stack is scanned from there upwards). */
	const uint64_t *sps;
	size_t nsps;
	/* Reader of the process, to find glibc's malloc heaps exactly. */
	leakscan_read_fn read;
	void *ctx;
};

/*
 * Root and mapping discovery from the text of /proc/PID/maps, following
 * memcheck's root set: every readable and writable mapping (file-backed,
 * anonymous, shared) except device files other than /dev/zero, with these
 * parts taken out:
 *   - the malloc heap, which under valgrind is not client memory: [heap];
 *     around each live block elsewhere, its mmapped chunk or its glibc
 *     secondary arena heap (64 MiB-aligned), found from the chunk header
 *     through opts->read (without it: the whole mapping holding the block;
 *     the kernel merges neighbouring anonymous mappings, so that can drop
 *     real roots such as the main thread's TLS); an empty secondary arena
 *     heap (64 MiB-aligned read-write mapping continued by an inaccessible
 *     one), whose freed chunks hold stale pointers;
 *   - glibc's main_arena (found in libc's data through opts->read): its
 *     bins and top chunk pointers fall inside live blocks;
 *   - opts->exclude ranges, and mappings with opts->exclude_paths;
 *   - below a stack pointer of opts->sps minus the 128-byte red zone
 *     (memcheck treats memory below the stack pointer as inaccessible).
 * Writes at most `cap` roots, sorted by address, into `roots` and sets
 * *nroots to the number found (call again with more room when *nroots >
 * cap).  When `maps` is not NULL, also writes up to `mapcap` file-backed
 * mappings (for struct leakscan_opts) and sets *nmaps likewise.
 * `opts` may be NULL.  Returns 0, -EINVAL or -ENOMEM.
 */
int leakscan_roots_from_maps(const char *text, size_t len,
			     const struct leakscan_block *blocks,
			     size_t nblocks,
			     const struct leakscan_roots_opts *opts,
			     struct leakscan_range *roots, size_t cap,
			     size_t *nroots, struct leakscan_map *maps,
			     size_t mapcap, size_t *nmaps);

/* Name of a kind as memcheck prints it ("definitely lost", ...). */
const char *leakscan_kind_name(uint32_t kind);

#endif
