/*
 * u64map.h - a hash map from non-zero 64-bit keys to 64-bit values, for
 * mprec: interned stacks (hash -> id) and live heap blocks (address -> size).
 *
 * Open addressing with linear probing and backward-shift deletion, so the
 * map stays fast under the alloc/free churn of a live set.  Allocation
 * failures are reported, never fatal.
 */
#ifndef MPREC_U64MAP_H
#define MPREC_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map_ent {
	uint64_t key; /* 0: empty */
	uint64_t val;
};

struct u64map {
	struct u64map_ent *ent;
	size_t cap; /* power of two, or 0; at most half full */
	size_t count;
};

/* An empty map needs no allocation: struct u64map m = { 0 }. */
void u64map_release(struct u64map *m);

/* Value of `key` into *val; returns 1 if present, 0 if not. */
int u64map_get(const struct u64map *m, uint64_t key, uint64_t *val);

/* Insert or replace.  Returns 0, or -1 when memory ran out (map unchanged). */
int u64map_put(struct u64map *m, uint64_t key, uint64_t val);

/* Remove `key`; returns 1 if it was there (its value into *val if not NULL). */
int u64map_del(struct u64map *m, uint64_t key, uint64_t *val);

/* Make `dst` (released first) a copy of `src`.  0 or -1. */
int u64map_copy(struct u64map *dst, const struct u64map *src);

/* Remove everything, keeping the memory. */
void u64map_clear(struct u64map *m);

/*
 * Iterate: start with *pos = 0; returns 1 and the next entry while there
 * is one.  The map must not change during the iteration.
 */
int u64map_next(const struct u64map *m, size_t *pos, uint64_t *key,
		uint64_t *val);

#endif /* MPREC_U64MAP_H */
