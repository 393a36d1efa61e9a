/*
 * codec.h - record encoding and decoding (internal to formats/).
 *
 * The delta state of FORMAT.md section 3.2 lives in struct mpt_delta; both
 * sides reset it at every frame start.  The decoder borrows strings from the
 * frame buffer and arrays from struct mpt_dec, which it grows up to the
 * fixed caps of FORMAT.md section 6 and never further.
 */
#ifndef MPT_CODEC_H
#define MPT_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "mptrace.h" /* struct mpt_record */
#include "varint.h"  /* mpt_varint_put_fast */

/*
 * Heap address back-references (FORMAT.md section 3.2): the addresses of
 * the last MPT_AREF allocations and the last MPT_FREF frees of the frame.
 * A FREE usually frees a block allocated a little earlier, and an allocator
 * usually hands out a block freed a little earlier, so most heap addresses
 * become a small, repetitive distance instead of a wide delta.
 */
#define MPT_AREF 1024u
#define MPT_FREF 64u
/* Writer only: direct-mapped caches address -> sequence number. */
#define MPT_ACACHE_BITS 12
#define MPT_FCACHE_BITS 8

struct mpt_href {
	uint32_t na, nf; /* addresses pushed in this frame */
	uint64_t aring[MPT_AREF];
	uint64_t fring[MPT_FREF];
	uint64_t akey[1u << MPT_ACACHE_BITS];
	uint32_t aseq[1u << MPT_ACACHE_BITS];
	uint64_t fkey[1u << MPT_FCACHE_BITS];
	uint32_t fseq[1u << MPT_FCACHE_BITS];
};

/*
 * Per-frame delta state.  `h` is owned by the reader or writer; without it
 * an encoder writes every heap address explicitly and a decoder refuses
 * back-references.
 */
struct mpt_delta {
	uint64_t time;
	uint64_t addr;
	uint32_t pid, tid;
	struct mpt_href *h;
};

static inline void mpt_delta_reset(struct mpt_delta *d)
{
	d->time = 0;
	d->addr = 0;
	d->pid = 0;
	d->tid = 0;
	if (d->h) {
		d->h->na = 0;
		d->h->nf = 0;
	}
}

static inline uint32_t mpt_href_hash(uint64_t a, unsigned bits)
{
	return (uint32_t)(((a >> 3) * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

/* Index entries: at most this many, and each at least 5 bytes. */
#define MPT_INDEX_MAX (1u << 24)
/* Index frame: magic, size, tag ... offset, trailer. */
#define MPT_INDEX_TAG "MPTINDEX"
#define MPT_TRAILER_LEN 16
/* magic, size, tag, count >= 1, check, trailer */
#define MPT_INDEX_FRAME_MIN (4 + 4 + 8 + 1 + 8 + MPT_TRAILER_LEN)

/* FNV-1a, 64 bits: the index frame's check (FORMAT.md section 5). */
static inline uint64_t mpt_fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}
#define MPT_ZSTD_MAGIC 0xFD2FB528u
#define MPT_SKIP_MAGIC_MIN 0x184D2A50u
#define MPT_SKIP_MAGIC_MAX 0x184D2A5Fu

/*
 * Encoding.  mpt_encode() writes one whole record (type, length, payload)
 * for `rec` into [p, end), updating `d`.  It returns the end of the record,
 * or NULL when it does not fit (then `d` may have changed: save and restore
 * it around the call).  *err is set to MPT_E_LIMIT when a string or array
 * exceeds its cap and MPT_E_INVAL for a type that cannot be written; NULL
 * with *err == 0 just means "no room".
 */
uint8_t *mpt_encode(uint8_t *p, uint8_t *end, const struct mpt_record *rec,
		    struct mpt_delta *d, int *err);

/* Room mpt_encode_event() needs: payload, header and store slack. */
#define MPT_EVENT_ROOM (2 + 8 * MPT_VARINT_MAX + 8)

/* A field that is nearly always one byte: a predictable branch. */
static inline uint8_t *mpt_put_small(uint8_t *q, uint64_t v)
{
	if (__builtin_expect(v < 0x80, 1)) {
		*q = (uint8_t)v;
		return q + 1;
	}
	return mpt_varint_put_fast(q, v);
}

/*
 * Heap address fields.  A field is either a distance k >= 1 into a ring
 * (one varint) or 0 followed by zz(addr - d->addr).  FREE addresses refer
 * to the allocation ring, ALLOC addresses and old_addr to the free ring.
 * Rings only ever hold non-zero addresses.
 */
static inline uint8_t *mpt_put_haddr_explicit(uint8_t *q, uint64_t a,
					      struct mpt_delta *d)
{
	*q++ = 0;
	q = mpt_varint_put_fast(q, mpt_zigzag((int64_t)(a - d->addr)));
	if (a)
		d->addr = a;
	return q;
}

/* FREE.addr: look in the allocation ring, then push to the free ring. */
static inline uint8_t *mpt_put_haddr_free(uint8_t *q, uint64_t a,
					  struct mpt_delta *d)
{
	struct mpt_href *h = d->h;
	uint32_t s, seq;

	if (!h || !a)
		return mpt_put_haddr_explicit(q, a, d);
	s = mpt_href_hash(a, MPT_ACACHE_BITS);
	seq = h->aseq[s];
	if (h->akey[s] == a && seq < h->na && h->na - seq <= MPT_AREF &&
	    h->aring[seq & (MPT_AREF - 1)] == a)
		q = mpt_put_small(q, h->na - seq);
	else
		q = mpt_put_haddr_explicit(q, a, d);
	d->addr = a;
	s = mpt_href_hash(a, MPT_FCACHE_BITS);
	h->fkey[s] = a;
	h->fseq[s] = h->nf;
	h->fring[h->nf++ & (MPT_FREF - 1)] = a;
	return q;
}

/* ALLOC.addr (push = 1) and ALLOC.old_addr (push = 0): the free ring. */
static inline uint8_t *mpt_put_haddr_alloc(uint8_t *q, uint64_t a,
					   struct mpt_delta *d, int push)
{
	struct mpt_href *h = d->h;
	uint32_t s, seq;

	if (!h || !a)
		return mpt_put_haddr_explicit(q, a, d);
	s = mpt_href_hash(a, MPT_FCACHE_BITS);
	seq = h->fseq[s];
	if (h->fkey[s] == a && seq < h->nf && h->nf - seq <= MPT_FREF &&
	    h->fring[seq & (MPT_FREF - 1)] == a)
		q = mpt_put_small(q, h->nf - seq);
	else
		q = mpt_put_haddr_explicit(q, a, d);
	d->addr = a;
	if (push) {
		s = mpt_href_hash(a, MPT_ACACHE_BITS);
		h->akey[s] = a;
		h->aseq[s] = h->na;
		h->aring[h->na++ & (MPT_AREF - 1)] = a;
	}
	return q;
}

/*
 * The writer's hot path: ALLOC and FREE records, which carry no strings and
 * always fit MPT_EVENT_ROOM bytes.  Same result as mpt_encode().
 */
static inline uint8_t *
mpt_encode_event(uint8_t *p, const struct mpt_record *rec, struct mpt_delta *d)
{
	uint8_t *q = mpt_varint_put_fast(p + 2, rec->time - d->time);

	if (rec->type == MPT_REC_ALLOC) {
		q = mpt_put_small(q, rec->u.alloc.func);
		q = mpt_put_small(q, rec->u.alloc.flags);
		q = mpt_varint_put_fast(q, rec->u.alloc.size);
		q = mpt_put_haddr_alloc(q, rec->u.alloc.addr, d, 1);
		q = mpt_varint_put_fast(q, rec->u.alloc.stack);
		if (rec->u.alloc.align || rec->u.alloc.old_addr)
			q = mpt_varint_put_fast(q, rec->u.alloc.align);
		if (rec->u.alloc.old_addr)
			q = mpt_put_haddr_alloc(q, rec->u.alloc.old_addr, d, 0);
	} else {
		q = mpt_put_small(q, rec->u.free.func);
		q = mpt_put_haddr_free(q, rec->u.free.addr, d);
	}
	p[0] = rec->type;
	p[1] = (uint8_t)(q - (p + 2));
	d->time = rec->time;
	return q;
}

/* The CONTEXT record switching to (pid, tid) at `time`. */
uint8_t *mpt_encode_context(uint8_t *p, uint8_t *end, uint64_t time,
			    uint32_t pid, uint32_t tid, struct mpt_delta *d);

/* Readable bytes a frame buffer needs beyond its end for mpt_decode_event(). */
#define MPT_DECODE_PAD 128

/*
 * One varint of the fast path: at most 8 bytes, loaded without bounds
 * checks (MPT_DECODE_PAD covers the overrun; the caller checks the record
 * end afterwards).  Evaluates to 0 from the enclosing function when the
 * varint is longer, so the general decoder takes over.
 */
#define MPT_FAST_VARINT(p, out)                                                \
	do {                                                                   \
		uint64_t w_, m_, x_;                                           \
		unsigned tz_;                                                  \
		__builtin_memcpy(&w_, (p), 8);                                 \
		m_ = ~w_ & 0x80808080ull;                                      \
		if (__builtin_expect(m_ != 0, 1)) {                            \
			/* Up to 4 bytes: two gathering steps. */              \
			tz_ = (unsigned)__builtin_ctzll(m_);                   \
			x_ = w_ & ((2ull << tz_) - 1) & 0x7f7f7f7full;         \
			x_ = (x_ & 0x007f007full) |                            \
			     ((x_ & 0x7f007f00ull) >> 1);                      \
			x_ = (x_ & 0x3fffull) | ((x_ & 0x3fff0000ull) >> 2);   \
		} else {                                                       \
			m_ = ~w_ & 0x8080808080808080ull;                      \
			if (__builtin_expect(!m_, 0))                          \
				return 0;                                      \
			tz_ = (unsigned)__builtin_ctzll(m_);                   \
			x_ = w_ & ((2ull << tz_) - 1) & 0x7f7f7f7f7f7f7f7full; \
			x_ = (x_ & 0x007f007f007f007full) |                    \
			     ((x_ & 0x7f007f007f007f00ull) >> 1);              \
			x_ = (x_ & 0x00003fff00003fffull) |                    \
			     ((x_ & 0x3fff00003fff0000ull) >> 2);              \
			x_ = (x_ & 0x000000000fffffffull) |                    \
			     ((x_ & 0x0fffffff00000000ull) >> 4);              \
		}                                                              \
		(out) = x_;                                                    \
		(p) += (tz_ >> 3) + 1;                                         \
	} while (0)

/* The same for a field that is nearly always one byte (a predictable branch).
 */
#define MPT_FAST_VARINT1(p, out)                       \
	do {                                           \
		if (__builtin_expect(!(*(p)&0x80), 1)) \
			(out) = *(p)++;                \
		else                                   \
			MPT_FAST_VARINT(p, out);       \
	} while (0)

/*
 * The same for a field of one or two bytes most of the time: the length
 * comes from one bit, so the next field's position is known sooner.
 */
#define MPT_FAST_VARINT12(p, out)                                       \
	do {                                                            \
		uint64_t b0_ = (p)[0], b1_ = (p)[1], c_ = b0_ >> 7;     \
		if (__builtin_expect(c_ & (b1_ >> 7), 0)) {             \
			MPT_FAST_VARINT(p, out);                        \
		} else {                                                \
			(out) = (b0_ & 0x7f) | ((b1_ << 7) & (0 - c_)); \
			(p) += 1 + c_;                                  \
		}                                                       \
	} while (0)

/*
 * A heap address field of the fast path into `out`: a back-reference k into
 * `ring` (holding `n` pushes, referable up to `max`) or 0 and an explicit
 * delta from `base`.  Back-references are the common form (99% of the heap
 * addresses of a sqlite3 recording, 72% of the churn benchmark's), so the
 * explicit varint is parsed only when there is one: computing both forms to
 * pick one without a branch cost 50 instructions an address, and decoding
 * the sqlite3 trace took a third longer that way.  Evaluates to 0 from the
 * enclosing function on a bad k.
 */
#define MPT_FAST_HADDR(p, out, ring, n, max, base)                       \
	do {                                                             \
		uint64_t k_, zz_;                                        \
		uint32_t n_ = (n);                                       \
		MPT_FAST_VARINT1(p, k_);                                 \
		if (__builtin_expect(k_ != 0, 1)) {                      \
			if (__builtin_expect(k_ > n_ || k_ > (max), 0))  \
				return 0;                                \
			(out) = (ring)[(n_ - (uint32_t)k_) & ((max)-1)]; \
		} else {                                                 \
			MPT_FAST_VARINT(p, zz_);                         \
			(out) = (base) + (uint64_t)mpt_unzigzag(zz_);    \
		}                                                        \
	} while (0)

/*
 * The reader's hot path: decode an ALLOC (realloc and memalign included)
 * or FREE record at *pp whose fields are all short varints.  Returns 1
 * (record decoded, *pp and `d` advanced) or 0 (a record of another type or
 * form, and nothing changed: use mpt_decode(), which also reports errors).
 * The buffer must have MPT_DECODE_PAD readable bytes after fend.
 */
static inline __attribute__((always_inline)) int
mpt_decode_event(const uint8_t **pp, const uint8_t *fend,
		 struct mpt_record *rec, const struct mpt_delta *din,
		 struct mpt_delta *dout)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/*
	 * The state is read into locals and everything is stored at the end:
	 * stores through `rec` may alias the state as far as the compiler
	 * knows, which would otherwise reload it after every field.
	 */
	const uint8_t *p = *pp, *e;
	uint64_t dt, a, v1, v2, size, stack, time = din->time;
	uint64_t align = 0, old = 0;
	struct mpt_href *h = din->h;
	int type = p[0];
	unsigned len = p[1];

	if (__builtin_expect(!h, 0))
		return 0;
	e = p + 2 + len;
	if (__builtin_expect(len >= 0x80 || e > fend, 0))
		return 0;
	p += 2;
	MPT_FAST_VARINT12(p, dt);
	if (type == MPT_REC_ALLOC) {
		MPT_FAST_VARINT1(p, v1);
		MPT_FAST_VARINT1(p, v2);
		MPT_FAST_VARINT12(p, size);
		MPT_FAST_HADDR(p, a, h->fring, h->nf, MPT_FREF, din->addr);
		MPT_FAST_VARINT12(p, stack);
		if (__builtin_expect(p < e, 0)) {
			/* The optional align, then old_addr (a realloc). */
			MPT_FAST_VARINT(p, align);
			if (p < e)
				MPT_FAST_HADDR(p, old, h->fring, h->nf,
					       MPT_FREF, a ? a : din->addr);
		}
		/* More fields, or corrupt, or too wide: the general way. */
		if (p != e || (v1 | v2) > UINT32_MAX)
			return 0;
		if (time + dt < time)
			return 0;
		rec->u.alloc.func = (uint32_t)v1;
		rec->u.alloc.flags = (uint32_t)v2;
		rec->u.alloc.size = size;
		rec->u.alloc.addr = a;
		rec->u.alloc.stack = stack;
		rec->u.alloc.align = align;
		rec->u.alloc.old_addr = old;
		if (a)
			h->aring[h->na++ & (MPT_AREF - 1)] = a;
	} else if (type == MPT_REC_FREE) {
		MPT_FAST_VARINT1(p, v1);
		MPT_FAST_HADDR(p, a, h->aring, h->na, MPT_AREF, din->addr);
		if (p != e || v1 > UINT32_MAX)
			return 0;
		if (time + dt < time)
			return 0;
		rec->u.free.func = (uint32_t)v1;
		rec->u.free.addr = a;
		if (a)
			h->fring[h->nf++ & (MPT_FREF - 1)] = a;
	} else {
		return 0;
	}
	time += dt;
	rec->type = (uint8_t)type;
	rec->time = time;
	rec->pid = din->pid;
	rec->tid = din->tid;
	dout->time = time;
	if (a)
		dout->addr = a;
	if (old)
		dout->addr = old;
	*pp = e;
	return 1;
#else
	(void)pp;
	(void)fend;
	(void)rec;
	(void)din;
	(void)dout;
	return 0;
#endif
}

/* Decoder scratch: arrays that records point into. */
struct mpt_dec {
	struct mpt_bytes *str; /* argv, opts */
	uint32_t str_cap;
	struct mpt_segment *seg;
	uint32_t seg_cap;
	struct mpt_numa_node *node;
	uint32_t node_cap;
	struct mpt_numa_run *run;
	uint32_t run_cap;
	uint64_t frame[MPT_STACK_MAX];
	char errmsg[160]; /* what went wrong, without the "byte N: " */
};

void mpt_dec_release(struct mpt_dec *dec);

/*
 * Decode the record at *pp (frame content ends at `end`) into *rec,
 * updating `d` and advancing *pp past the record.  Returns 1 for a record of
 * a known type, 0 for a record of an unknown type (skipped; its time is
 * still decoded into rec->time and rec->type is set), or a negative MPT_E_*
 * code with dec->errmsg set.  CONTEXT records are decoded like any other
 * (rec->pid/tid are the new context, also stored in `d`).
 */
int mpt_decode(const uint8_t **pp, const uint8_t *end, struct mpt_record *rec,
	       struct mpt_delta *d, struct mpt_dec *dec);

/* 1 if `type` is a record type this library knows. */
int mpt_type_known(int type);

#endif /* MPT_CODEC_H */
