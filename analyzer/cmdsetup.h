/*
 * cmdsetup.h - analysis library objects set up from the shared command-line
 * options (separate from common.h, which needs nothing beyond formats/).
 */
#ifndef MPT_CMDSETUP_H
#define MPT_CMDSETUP_H

#include "common.h" /* struct cmd_args */

struct mpt_symbolizer;

/*
 * A symbolizer for the shared options: nothing read under --no-symbols,
 * --debug-dir searched before /usr/lib/debug, warnings through warn(), the
 * persistent cache in MPTRACE_CACHE_DIR, $XDG_CACHE_HOME/mptrace or
 * ~/.cache/mptrace unless MPTRACE_NO_CACHE is set.
 * Dies when memory runs out.  Free with mpt_sym_free().
 */
struct mpt_symbolizer *cmd_symbolizer(const struct cmd_args *args);

/*
 * The replay domains (MPT_DOMAIN_BIT mask of replay.h) that --domain
 * selects; the heap when it was not given.
 */
unsigned cmd_domain_mask(const struct cmd_args *args);

#endif /* MPT_CMDSETUP_H */
