/*
 * hash.h - an open-addressing map from 64-bit keys to 64-bit values.
 *
 * Linear probing with backward-shift deletion: no tombstones, no per-entry
 * allocation, one array of (key, value) pairs.  Used by the analyzer library
 * for stack ids, thread ids, pids and aggregation keys.
 */
#ifndef MPT_HASH_H
#define MPT_HASH_H

#include <stddef.h>
#include <stdint.h>

struct mpt_hmap_slot {
	uint64_t key;
	uint64_t val;
};

struct mpt_hmap {
	struct mpt_hmap_slot *slot; /* cap slots; key 0 marks an empty slot */
	uint32_t cap; /* a power of two, or 0 before the first put */
	uint32_t n;   /* keys stored, including key 0 */
	int has_zero; /* key 0 lives outside the array */
	uint64_t zero_val;
};

/* Mix a key into a well-spread 64-bit hash (also used by other tables). */
static inline uint64_t mpt_hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return k;
}

/* FNV-1a over `n` bytes: a hash of strings for the analyzer's tables. */
static inline uint64_t mpt_hash_bytes(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--) {
		h ^= *c++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Initialize an empty map (allocates nothing). */
void mpt_hmap_init(struct mpt_hmap *m);

/* Free the map's memory; the map is empty and reusable afterwards. */
void mpt_hmap_release(struct mpt_hmap *m);

/* The value slot of `key`, or NULL if absent.  Valid until the next put. */
uint64_t *mpt_hmap_get(const struct mpt_hmap *m, uint64_t key);

/*
 * The value slot of `key`, inserting it with value 0 if absent (then *isnew
 * is set to 1, else 0; `isnew` may be NULL).  Returns NULL when memory runs
 * out.  The pointer is valid until the next put.
 */
uint64_t *mpt_hmap_put(struct mpt_hmap *m, uint64_t key, int *isnew);

/* Remove `key`; returns 1 if it was there, else 0. */
int mpt_hmap_del(struct mpt_hmap *m, uint64_t key);

/*
 * Iterate: start with *pos = 0; returns 1 and sets *key and *val for each
 * entry, 0 when done.  The map must not change during the walk.
 */
int mpt_hmap_next(const struct mpt_hmap *m, uint64_t *pos, uint64_t *key,
		  uint64_t *val);

#endif /* MPT_HASH_H */
