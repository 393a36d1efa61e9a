/*
 * prefetch.h - decode a trace on a second thread while the caller replays.
 *
 * Decompressing and decoding take about half the time of a replay.  A
 * prefetcher runs mpt_reader_next() on its own thread and hands the caller
 * records in batches (each record deep-copied with what it points to), so
 * on two cores the two halves overlap.  The reader decompresses on a third
 * thread (mpt_reader_set_threads()).  Memory stays bounded: a few batches
 * of a few thousand records, a few decompressed frames.
 *
 * Errors: negative MPT_E_* codes; nothing prints.
 */
#ifndef MPT_PREFETCH_H
#define MPT_PREFETCH_H

#include "mptrace.h" /* struct mpt_reader, struct mpt_record */

struct mpt_prefetch;

/*
 * The caller's place in the batch it holds: the first member of struct
 * mpt_prefetch, so that mpt_prefetch_next() takes a record without a call.
 */
struct mpt_prefetch_cursor {
	const struct mpt_record *next, *end;
};

/*
 * Start reading `r` on a new thread.  The reader must not be used by the
 * caller until mpt_prefetch_free().  Returns NULL with *err set
 * (MPT_E_NOMEM) on failure.
 */
struct mpt_prefetch *mpt_prefetch_new(struct mpt_reader *r, int *err);

/*
 * The next record: 1 with *rec set (valid until the next call), 0 at the
 * end of the trace, or the reader's negative error (the reader's
 * mpt_reader_errmsg() then tells where; the thread has stopped).
 */
int mpt_prefetch_refill(struct mpt_prefetch *pf, const struct mpt_record **rec);

static inline int mpt_prefetch_next(struct mpt_prefetch *pf,
				    const struct mpt_record **rec)
{
	struct mpt_prefetch_cursor *c = (struct mpt_prefetch_cursor *)pf;

	if (__builtin_expect(c->next < c->end, 1)) {
		*rec = c->next++;
		return 1;
	}
	/* The batch is done: give it back and wait for the next. */
	return mpt_prefetch_refill(pf, rec);
}

/* Stop the thread and free everything (not the reader).  NULL is fine. */
void mpt_prefetch_free(struct mpt_prefetch *pf);

#endif /* MPT_PREFETCH_H */
