/*
 * stacktree.h - a call tree of named frames with a value per path.
 *
 * Paths are arrays of interned frame names, root first.  Adding a path adds
 * its value to every node on it (the node's total) and to the last node
 * (its self value).  A top-down tree takes paths outermost frame first; a
 * bottom-up tree (callers of the hottest sites) takes the same paths
 * reversed.  Folded output ("a;b;c 123") is the list of nodes with a self
 * value, which is what flamegraph.pl, inferno and speedscope read.
 *
 * Errors: negative MPT_E_* codes (MPT_E_NOMEM); nothing prints.
 */
#ifndef MPT_STACKTREE_H
#define MPT_STACKTREE_H

#include <stddef.h>
#include <stdint.h>

struct mpt_stacktree;

struct mpt_stacknode {
	uint32_t name;	/* interned name id; the root has none (0) */
	uint32_t depth; /* root 0, its children 1, ... */
	uint64_t total; /* values of all paths through this node */
	uint64_t self;	/* values of paths ending here */
};

/* A new empty tree (just the root), or NULL when memory runs out. */
struct mpt_stacktree *mpt_stacktree_new(void);

/* Free the tree and its names.  NULL is a no-op. */
void mpt_stacktree_free(struct mpt_stacktree *t);

/*
 * Intern `name` (`len` bytes): equal strings get equal ids, from 1.
 * Returns the id, or 0 when memory runs out.
 */
uint32_t mpt_stacktree_intern(struct mpt_stacktree *t, const char *name,
			      size_t len);

/* The NUL-terminated text of name id `id` ("" for 0 or out of range). */
const char *mpt_stacktree_name(const struct mpt_stacktree *t, uint32_t id);

/* Add `value` along path[0..n), root first.  Returns 0 or MPT_E_NOMEM. */
int mpt_stacktree_add(struct mpt_stacktree *t, const uint32_t *path, size_t n,
		      uint64_t value);

/* The root's total: the sum of every value added. */
uint64_t mpt_stacktree_total(const struct mpt_stacktree *t);

/*
 * Walk depth first, children by decreasing total (ties by name), calling
 * fn for every node below the root.  `top` > 0 keeps only the `top`
 * heaviest children of each node; `max_depth` > 0 stops below that depth.
 * `path` holds the names from depth 1 to node->depth (path[depth - 1] is
 * the node's own).  A nonzero return from fn stops the walk and is
 * returned; MPT_E_NOMEM when memory runs out.
 */
int mpt_stacktree_walk(const struct mpt_stacktree *t, size_t top,
		       size_t max_depth,
		       int (*fn)(void *ctx, const struct mpt_stacknode *node,
				 const uint32_t *path),
		       void *ctx);

#endif /* MPT_STACKTREE_H */
