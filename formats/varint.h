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
 * Like mpt_varint_put(), without a branch per byte: needs 10 bytes of room
 * at `p` (it may store up to 8 bytes beyond the varint's end).
 */
static inline __attribute__((always_inline)) uint8_t *
mpt_varint_put_fast(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (v < (1ull << 56)) {
		unsigned bits = 64 - (unsigned)__builtin_clzll(v | 1);
		unsigned len = (bits + 6) / 7;
		uint64_t x;

		/* Spread 7-bit groups into bytes, then set continuation bits.
		 */
		x = (v & 0xfffffffull) | ((v & 0xfffffff0000000ull) << 4);
		x = (x & 0x00003fff00003fffull) |
		    ((x & 0x0fffc0000fffc000ull) << 2);
		x = (x & 0x007f007f007f007full) |
		    ((x & 0x3f803f803f803f80ull) << 1);
		x |= 0x8080808080808080ull & ((1ull << (8 * len - 8)) - 1);
		__builtin_memcpy(p, &x, 8);
		return p + len;
	}
#endif
	return mpt_varint_put(p, v);
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

/*
 * Like mpt_varint_get(), without a branch per byte when 8 bytes can be
 * loaded at `p` (`avail` is the end of readable memory, `end` the end of
 * the field's bytes, end <= avail).
 */
static inline __attribute__((always_inline)) const uint8_t *
mpt_varint_get_fast(const uint8_t *p, const uint8_t *end, const uint8_t *avail,
		    uint64_t *v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (avail - p >= 8) {
		uint64_t w, m, x;

		__builtin_memcpy(&w, p, 8);
		m = ~w & 0x8080808080808080ull;
		if (m) {
			unsigned tz = (unsigned)__builtin_ctzll(m);
			unsigned len = (tz >> 3) + 1;

			if (len > (size_t)(end - p))
				return NULL;
			/* Keep the bytes up to the last, gather 7-bit groups.
			 */
			x = w & ((2ull << tz) - 1) & 0x7f7f7f7f7f7f7f7full;
			x = (x & 0x007f007f007f007full) |
			    ((x & 0x7f007f007f007f00ull) >> 1);
			x = (x & 0x00003fff00003fffull) |
			    ((x & 0x3fff00003fff0000ull) >> 2);
			x = (x & 0x000000000fffffffull) |
			    ((x & 0x0fffffff00000000ull) >> 4);
			*v = x;
			return p + len;
		}
	}
#else
	(void)avail;
#endif
	return mpt_varint_get(p, end, v);
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
