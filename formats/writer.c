/* writer.c - buffer records into frames, compress them, append the index. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "codec.h"
#include "varint.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

struct windex {
	uint64_t offset, csize, first, last;
	uint32_t flags;
};

/*
 * The first frame holds at most this many bytes, and each next one half as
 * many again, up to frame_max: a reader gets its first records after
 * decompressing a little, not a whole frame, and its decompressing keeps
 * ahead of its decoding from then on (each frame takes it about as long
 * as decoding the frame before).
 */
#define FIRST_FRAME (64u * 1024)

struct mpt_writer {
	int fd;
	uint32_t frame_max;
	uint32_t fcap; /* bytes this frame may hold (see FIRST_FRAME) */
	int no_index;
	ZSTD_CCtx *cctx;

	uint8_t *fbuf; /* frame being filled, frame_max bytes */
	size_t flen;
	uint8_t *cbuf; /* compressed frame */
	size_t ccap;
	struct mpt_delta d;
	struct mpt_href href; /* d.h: address back-references */
	uint64_t f_first, f_last;
	uint32_t f_flags;

	int started, finished;
	int hot; /* started, no error, not finished: the fast path may run */
	int err; /* sticky: an I/O or compression error */
	uint64_t last_time;
	uint64_t start, written; /* fd offset at creation; bytes written */

	struct windex *idx;
	size_t nidx, idx_cap;

	uint64_t records, events, lost;
	uint32_t processes;
	char errmsg[256];
};

__attribute__((format(printf, 3, 4))) static int
werr(struct mpt_writer *w, int code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->errmsg, sizeof(w->errmsg), fmt, ap);
	va_end(ap);
	errno = saved;
	return code;
}

/*
 * Level 3 on 1 MiB frames of records is "dfast" with a 2^17 hash table and
 * 2^16 chain.  Records are dense varints that zstd mostly entropy-codes as
 * literals; its matches are short and near, which the single-hash "fast"
 * search with the same hash table and minimum match finds about as well:
 * on the 10 M event benchmark stream 1% smaller and 25-30% less CPU, on a
 * recording of the churn workload 0.1% larger and 13-18% less CPU.
 * Decompression speed is unchanged.
 */
static int tune_level3(ZSTD_CCtx *cctx)
{
	return ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_strategy,
						   ZSTD_fast)) ||
	       ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_hashLog, 17)) ||
	       ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_minMatch, 5));
}

struct mpt_writer *mpt_writer_new(int fd, const struct mpt_writer_opts *opts,
				  int *err)
{
	struct mpt_writer *w;
	int level = opts && opts->level ? opts->level : 3;
	uint32_t frame_max = opts && opts->frame_max ? opts->frame_max :
						       MPT_FRAME_MAX;
	off_t off;
	int dummy;

	if (!err)
		err = &dummy;
	if (fd < 0 || frame_max > MPT_FRAME_MAX || frame_max < 64) {
		*err = MPT_E_INVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		*err = MPT_E_NOMEM;
		return NULL;
	}
	w->fd = fd;
	w->frame_max = frame_max;
	w->fcap = frame_max < FIRST_FRAME ? frame_max : FIRST_FRAME;
	w->no_index = opts ? opts->no_index : 0;
	w->ccap = ZSTD_compressBound(frame_max);
	w->d.h = &w->href;
	w->fbuf = malloc(frame_max);
	w->cbuf = malloc(w->ccap);
	w->cctx = ZSTD_createCCtx();
	if (!w->fbuf || !w->cbuf || !w->cctx) {
		mpt_writer_free(w);
		*err = MPT_E_NOMEM;
		return NULL;
	}
	if (ZSTD_isError(ZSTD_CCtx_setParameter(
		    w->cctx, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(
		    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1)) ||
	    (level == 3 && tune_level3(w->cctx))) {
		mpt_writer_free(w);
		*err = MPT_E_INVAL;
		return NULL;
	}
	/* Offsets in the index are file offsets; a pipe starts at 0. */
	off = lseek(fd, 0, SEEK_CUR);
	w->start = off > 0 ? (uint64_t)off : 0;
	errno = 0;
	w->errmsg[0] = '\0';
	*err = 0;
	return w;
}

static int write_all(struct mpt_writer *w, const uint8_t *buf, size_t n)
{
	while (n) {
		ssize_t k = write(w->fd, buf, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			w->err = MPT_E_IO;
			w->hot = 0;
			return werr(w, MPT_E_IO,
				    "write failed at byte %" PRIu64 ": %s",
				    w->start + w->written, strerror(errno));
		}
		if (k == 0) {
			errno = EIO;
			w->err = MPT_E_IO;
			w->hot = 0;
			return werr(w, MPT_E_IO,
				    "write failed at byte %" PRIu64
				    ": wrote nothing",
				    w->start + w->written);
		}
		buf += k;
		n -= (size_t)k;
		w->written += (uint64_t)k;
	}
	return 0;
}

/* Compress the current frame and write it out. */
static int flush_frame(struct mpt_writer *w)
{
	struct windex *e;
	size_t csize;
	int rc;

	if (!w->flen)
		return 0;
	if (!w->no_index && w->nidx == w->idx_cap) {
		size_t cap = w->idx_cap ? 2 * w->idx_cap : 64;
		struct windex *n = realloc(w->idx, cap * sizeof(*n));

		if (!n)
			return werr(w, MPT_E_NOMEM, "out of memory");
		w->idx = n;
		w->idx_cap = cap;
	}
	csize = ZSTD_compress2(w->cctx, w->cbuf, w->ccap, w->fbuf, w->flen);
	if (ZSTD_isError(csize)) {
		w->err = MPT_E_ZSTD;
		w->hot = 0;
		return werr(w, MPT_E_ZSTD, "zstd: %s",
			    ZSTD_getErrorName(csize));
	}
	if (!w->no_index) {
		e = &w->idx[w->nidx++];
		e->offset = w->start + w->written;
		e->csize = csize;
		e->first = w->f_first;
		e->last = w->f_last;
		e->flags = w->f_flags;
	}
	rc = write_all(w, w->cbuf, csize);
	w->flen = 0;
	w->f_flags = 0;
	mpt_delta_reset(&w->d);
	if (w->fcap < w->frame_max)
		w->fcap = w->frame_max - w->fcap > w->fcap / 2 ?
				  w->fcap + w->fcap / 2 :
				  w->frame_max;
	return rc;
}

/* Encode `rec` (with a CONTEXT before it if needed) into the frame. */
static int emit(struct mpt_writer *w, const struct mpt_record *rec)
{
	int attempt, err;

	for (attempt = 0; attempt < 2; attempt++) {
		struct mpt_delta save = w->d;
		uint8_t *p = w->fbuf + w->flen;
		/*
		 * A record too big for a small frame has a frame of its own
		 * (which may then hold more than fcap: nothing goes after).
		 */
		uint8_t *end = w->fbuf + (w->flen ? w->fcap : w->frame_max);

		if (end < p)
			end = p;

		if (unlikely(rec->pid != w->d.pid || rec->tid != w->d.tid)) {
			p = mpt_encode_context(p, end, rec->time, rec->pid,
					       rec->tid, &w->d);
			if (!p)
				goto full;
		}
		p = mpt_encode(p, end, rec, &w->d, &err);
		if (likely(p != NULL)) {
			if (unlikely(!w->flen))
				w->f_first = rec->time;
			w->f_last = rec->time;
			if (mpt_type_is_definition(rec->type))
				w->f_flags = 1;
			w->flen = (size_t)(p - w->fbuf);
			return 0;
		}
		if (err) {
			w->d = save;
			if (err == MPT_E_LIMIT)
				return werr(w, err,
					    "%s record: a string, array "
					    "or the payload exceeds its limit",
					    mpt_type_name(rec->type));
			return werr(w, err,
				    "record type 0x%02x cannot be "
				    "written",
				    rec->type);
		}
	full:
		w->d = save;
		if (!w->flen)
			break;
		err = flush_frame(w);
		if (err)
			return err;
	}
	return werr(w, MPT_E_LIMIT,
		    "%s record does not fit in a frame of "
		    "%u bytes",
		    mpt_type_name(rec->type), w->frame_max);
}

/* The checks a record needs beyond the hot path. */
static int put_checks(struct mpt_writer *w, const struct mpt_record *rec)
{
	if (w->err)
		return w->err;
	if (w->finished)
		return werr(w, MPT_E_INVAL, "the trace is already finished");
	if (!w->started) {
		if (rec->type != MPT_REC_HEADER)
			return werr(w, MPT_E_INVAL,
				    "the first record must be the header");
	} else if (rec->type == MPT_REC_HEADER) {
		return werr(w, MPT_E_INVAL, "a trace has one header");
	}
	if (rec->type == MPT_REC_END || rec->type == MPT_REC_CONTEXT)
		return werr(w, MPT_E_INVAL,
			    "%s records are written by the "
			    "writer itself",
			    mpt_type_name(rec->type));
	if (!rec->type)
		return werr(w, MPT_E_INVAL, "record type 0 is invalid");
	return 0;
}

int mpt_writer_put(struct mpt_writer *w, const struct mpt_record *rec)
{
	int rc;

	if (unlikely(!w || !rec))
		return MPT_E_INVAL;
	if (likely(w->hot &&
		   (rec->type == MPT_REC_ALLOC || rec->type == MPT_REC_FREE) &&
		   rec->time >= w->last_time && rec->pid == w->d.pid &&
		   rec->tid == w->d.tid && w->flen &&
		   w->flen + MPT_EVENT_ROOM <= w->fcap)) {
		uint8_t *q = mpt_encode_event(w->fbuf + w->flen, rec, &w->d);

		w->flen = (size_t)(q - w->fbuf);
		w->f_last = rec->time;
		w->last_time = rec->time;
		w->records++;
		w->events++;
		return 0;
	}
	if (unlikely(w->err || w->finished || !w->started ||
		     rec->type <= MPT_REC_CONTEXT)) {
		rc = put_checks(w, rec);
		if (rc)
			return rc;
	}
	if (unlikely(rec->time < w->last_time))
		return werr(w, MPT_E_ORDER,
			    "%s record at time %" PRIu64
			    " is before the previous record (%" PRIu64 ")",
			    mpt_type_name(rec->type) ?
				    mpt_type_name(rec->type) :
				    "unknown",
			    rec->time, w->last_time);
	rc = emit(w, rec);
	if (unlikely(rc))
		return rc;
	w->started = 1;
	w->hot = 1;
	w->last_time = rec->time;
	w->records++;
	switch (rec->type) {
	case MPT_REC_ALLOC:
	case MPT_REC_FREE:
	case MPT_REC_GPU_ALLOC:
	case MPT_REC_GPU_FREE:
		w->events++;
		break;
	case MPT_REC_LOST:
		w->lost += rec->u.lost.count;
		break;
	case MPT_REC_PROCESS_START:
		if (rec->u.process_start.kind != MPT_PROC_EXEC)
			w->processes++;
		break;
	default:
		break;
	}
	return 0;
}

int mpt_writer_flush(struct mpt_writer *w)
{
	if (!w)
		return MPT_E_INVAL;
	if (w->err)
		return w->err;
	return flush_frame(w);
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The index skippable frame and trailer (FORMAT.md section 5). */
static int write_index(struct mpt_writer *w)
{
	size_t cap = MPT_INDEX_FRAME_MIN + MPT_VARINT_MAX +
		     w->nidx * 5 * MPT_VARINT_MAX;
	uint64_t off = w->start + w->written;
	uint8_t *buf = malloc(cap), *p;
	size_t i;
	int rc;

	if (!buf)
		return werr(w, MPT_E_NOMEM, "out of memory");
	p = buf + 8;
	memcpy(p, MPT_INDEX_TAG, 8);
	p += 8;
	p = mpt_varint_put(p, w->nidx);
	for (i = 0; i < w->nidx; i++) {
		p = mpt_varint_put(p, w->idx[i].offset);
		p = mpt_varint_put(p, w->idx[i].csize);
		p = mpt_varint_put(p, w->idx[i].first);
		p = mpt_varint_put(p, w->idx[i].last);
		p = mpt_varint_put(p, w->idx[i].flags);
	}
	put_le(p, mpt_fnv1a(buf + 8, (size_t)(p - (buf + 8))), 8);
	p += 8;
	put_le(p, off, 8);
	memcpy(p + 8, MPT_INDEX_TRAILER_MAGIC, 8);
	p += MPT_TRAILER_LEN;
	put_le(buf, MPT_INDEX_FRAME_MAGIC, 4);
	put_le(buf + 4, (uint64_t)(p - buf - 8), 4);
	rc = write_all(w, buf, (size_t)(p - buf));
	free(buf);
	return rc;
}

int mpt_writer_finish(struct mpt_writer *w, uint32_t exit_code)
{
	struct mpt_record end;
	int rc;

	if (!w)
		return MPT_E_INVAL;
	if (w->err)
		return w->err;
	if (w->finished)
		return werr(w, MPT_E_INVAL, "the trace is already finished");
	if (!w->started)
		return werr(w, MPT_E_INVAL, "no header was written");
	memset(&end, 0, sizeof(end));
	end.type = MPT_REC_END;
	end.time = w->last_time;
	end.u.end.records = w->records;
	end.u.end.events = w->events;
	end.u.end.lost = w->lost;
	end.u.end.processes = w->processes;
	end.u.end.exit_code = exit_code;
	rc = emit(w, &end);
	if (!rc)
		rc = flush_frame(w);
	if (!rc && !w->no_index)
		rc = write_index(w);
	w->hot = 0;
	if (!rc)
		w->finished = 1;
	return rc;
}

uint64_t mpt_writer_records(const struct mpt_writer *w)
{
	return w ? w->records : 0;
}

uint64_t mpt_writer_bytes(const struct mpt_writer *w)
{
	return w ? w->written : 0;
}

const char *mpt_writer_errmsg(const struct mpt_writer *w)
{
	if (!w)
		return "no writer";
	return w->errmsg[0] ? w->errmsg : "no error";
}

void mpt_writer_free(struct mpt_writer *w)
{
	if (!w)
		return;
	ZSTD_freeCCtx(w->cctx);
	free(w->fbuf);
	free(w->cbuf);
	free(w->idx);
	free(w);
}
