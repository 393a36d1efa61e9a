/*
 * symtab.h - the symbolized frames of a set of addresses of one process.
 *
 * Commands collect the return addresses of the stacks they will print, then
 * resolve them in one batch (each module and compilation unit is visited
 * once), and look each address up while printing.
 */
#ifndef MPT_SYMTAB_H
#define MPT_SYMTAB_H

#include <stddef.h>
#include <stdint.h>

#include "symbolize.h" /* struct mpt_symbolizer, struct mpt_frame */

struct mpt_symtab {
	uint64_t *addr; /* sorted, unique */
	size_t n;
	struct mpt_frame *frame; /* frames of addr[i]: [start[i], start[i+1]) */
	size_t *start;
};

/*
 * Resolve the `n` addresses of `addr` (any order, repeats allowed; the
 * array is sorted and deduplicated in place and taken over by the table,
 * which frees it) in process `pid` at `time` (MPT_SYM_TIME_LATEST: its
 * latest map).  With `sym` NULL every address gets one bare frame.
 * Returns 0 or a negative MPT_E_* code (then `addr` is freed too).
 */
int mpt_symtab_build(struct mpt_symtab *t, struct mpt_symbolizer *sym,
		     uint32_t pid, uint64_t time, uint64_t *addr, size_t n);

struct mpt_replay;
struct mpt_process;

/*
 * Resolve every frame of the stacks `ids[0..nids)` (replay stack indexes)
 * of process image `p`: in its pid's latest memory map when `p` is the
 * latest image of that pid, else in the map it had just before it ended.
 * Returns 0 or a negative MPT_E_* code, as mpt_symtab_build().
 */
int mpt_symtab_build_stacks(struct mpt_symtab *t, struct mpt_symbolizer *sym,
			    const struct mpt_replay *r,
			    const struct mpt_process *p, const uint32_t *ids,
			    size_t nids);

/*
 * The frames of `addr`, innermost inline level first: sets *f and returns
 * how many (0 if the address was not in the set).
 */
size_t mpt_symtab_lookup(const struct mpt_symtab *t, uint64_t addr,
			 const struct mpt_frame **f);

/* Free the table; it is empty afterwards. */
void mpt_symtab_release(struct mpt_symtab *t);

#endif /* MPT_SYMTAB_H */
