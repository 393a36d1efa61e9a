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

/* Per-frame delta state. */
struct mpt_delta {
	uint64_t time;
	uint64_t addr;
	uint32_t pid, tid;
};

static inline void mpt_delta_reset(struct mpt_delta *d)
{
	d->time = 0;
	d->addr = 0;
	d->pid = 0;
	d->tid = 0;
}

/* Index entries: at most this many, and each at least 5 bytes. */
#define MPT_INDEX_MAX (1u << 24)
/* Index frame: magic, size, tag ... offset, trailer. */
#define MPT_INDEX_TAG "MPTINDEX"
#define MPT_TRAILER_LEN 16
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

/* The CONTEXT record switching to (pid, tid) at `time`. */
uint8_t *mpt_encode_context(uint8_t *p, uint8_t *end, uint64_t time,
			    uint32_t pid, uint32_t tid, struct mpt_delta *d);

/* Decoder scratch: arrays that records point into. */
struct mpt_dec {
	struct mpt_bytes *str;	/* argv, opts */
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
