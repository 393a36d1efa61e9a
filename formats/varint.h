/*
 * varint.h - LEB128 varints and zigzag mapping (FORMAT.md section 1).
 *
 * Header-only and dependency-free (no libc beyond what the compiler
 * provides), so the in-app recorder can include it as well as formats/.
 */
#ifndef MPT_VARINT_H
#define MPT_VARINT_H

#include <stddef.h>
#include <stdint.h>

/* Longest varint: 64 bits in groups of 7. */
#define MPT_VARINT_MAX 10

/* Bytes mpt_varint_put() writes for `v` (1 to 10). */
static inline size_t mpt_varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/*
 * Write `v` at `p` (room for MPT_VARINT_MAX bytes is the caller's business)
 * and return the byte after it.  Always the minimal encoding.
 */
static inline uint8_t *mpt_varint_put(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/*
 * Read a varint from [p, end) into *v.  Returns the byte after it, or NULL
 * when the input ends inside the varint, or it is longer than 10 bytes, or
 * its value does not fit in 64 bits.  *v is untouched on failure.
 */
static inline const uint8_t *mpt_varint_get(const uint8_t *p,
					    const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;
	unsigned shift = 0;
	int i;

	for (i = 0; i < MPT_VARINT_MAX; i++) {
		uint8_t b;

		if (p >= end)
			return NULL;
		b = *p++;
		/* The 10th byte holds bit 63 only. */
		if (i == MPT_VARINT_MAX - 1 && b > 1)
			return NULL;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return p;
		}
		shift += 7;
	}
	return NULL;
}

/* Zigzag: 0, -1, 1, -2, 2 ... <-> 0, 1, 2, 3, 4 ... */
static inline uint64_t mpt_zigzag(int64_t n)
{
	return ((uint64_t)n << 1) ^ (uint64_t)(n >> 63);
}

static inline int64_t mpt_unzigzag(uint64_t u)
{
	return (int64_t)((u >> 1) ^ (0 - (u & 1)));
}

#endif /* MPT_VARINT_H */
