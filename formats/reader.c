/* reader.c - stream frames from a file, fd or memory and hand out records. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>
#include <zstd_errors.h> /* ZSTD_getErrorCode */

#include "codec.h"
#include "varint.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/*
 * Input buffer for fd input: room for a whole compressed frame (at most
 * ZSTD_compressBound(MPT_FRAME_MAX), a little over 1 MiB), so that zstd
 * decodes each frame in one pass straight into the frame buffer instead of
 * streaming it through its window; and a read's worth more, no more, as
 * the whole buffer is used in turn (each page of it a page fault).
 */
#define INBUF_SIZE (1280u * 1024)
/*
 * Bytes one read() asks for at most: a frame's worth or so, so that the
 * first frame is decompressed (and the first records delivered) after
 * reading about that frame, not the whole buffer.
 */
#define READ_CHUNK (256u * 1024)
/* zstd window a reader accepts: 1 MiB, as no frame decodes to more. */
#define WINDOW_LOG_MAX 20
/* Bytes of one index entry, at least and at most. */
#define IDX_ENTRY_MIN 5
#define IDX_ENTRY_MAX (5 * MPT_VARINT_MAX)

struct ridx {
	uint64_t offset, csize, first, last;
	uint32_t flags;
};

/*
 * What scanning the input found next: a data frame (decompressed, or what
 * stopped it) or the end of the input.  Scanning knows nothing of the
 * records; accept_frame() applies what depends on them (the end record, the
 * header, the frame count), so that scanning can run ahead on a thread.
 */
enum fkind {
	F_DATA,	     /* a data frame, decompressed into buf */
	F_DATA_FAIL, /* a data frame that does not decompress */
	F_DATA_CUT,  /* a data frame the input ends in (or, after the end
			record, one not decompressed) */
	F_END,	     /* the input ends at a frame boundary or in a header */
	F_FAIL,	     /* an error outside a data frame */
};

/* Decoded frame buffer: room for the pad mpt_decode_event() may read. */
#define FBUF_SIZE (MPT_FRAME_MAX + 1 + MPT_DECODE_PAD)

struct fres {
	int kind;
	int code, saved_errno; /* F_DATA_FAIL, F_FAIL */
	int skim;	       /* the frame ends before the seek time */
	int saw_index;	       /* the index frame was passed on the way */
	uint64_t off;	       /* of the data frame */
	uint64_t err_off;
	uint64_t pos; /* input offset after what was scanned */
	uint8_t *buf; /* FBUF_SIZE bytes */
	size_t len;
	char msg[200]; /* without the "byte N: " */

	/*
	 * Helper thread: the frame's first heap events, decoded ahead while
	 * the caller is busy with the frames before (see pre_decode()).
	 */
	struct mpt_record *pre_rec; /* PRE_MAX (or _SMALL) of them */
	uint32_t *pre_len;	    /* each one's encoded bytes */
	size_t pre_n;		    /* records decoded */
	const uint8_t *pre_p;	    /* where they end in buf; NULL: none */
	struct mpt_delta pre_d;	    /* the delta state there */
	struct mpt_href *pre_href;  /* pre_d.h */
	uint64_t pre_first;	    /* time of the frame's first record */
	int pre_busy;		    /* the helper is decoding (unlocked) */
	int pre_stop;		    /* it decodes no more of this frame */
};

/*
 * Frames scanned ahead on a helper thread (mpt_reader_set_threads()): few,
 * as decoding is the slower side; what is still to decode when the last
 * frame is decompressed is the part that runs on one core alone.
 */
#define NSLOT 3
/*
 * Records a slot decodes ahead at most, and per turn (between which the
 * helper looks whether a slot is free to decompress into, which comes
 * first).
 */
#define PRE_MAX 32768
#define PRE_MAX_SMALL 4096 /* for an input of under HUGE_INPUT_MIN */
#define PRE_TURN 4096

struct ahead {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t filled, freed;
	struct fres slot[NSLOT];
	unsigned head;	  /* the consumer's next (or current) slot */
	unsigned count;	  /* slots scanned and not yet given back */
	int held;	  /* the consumer decodes slot[head] */
	int cons_waits;	  /* for slot[head]'s pre_busy to end */
	atomic_int hurry; /* 1 + that slot, which the helper then cuts short */
	int huge;	  /* the reader's */
	int stop;
	struct mpt_dec pre_dec; /* the helper's, for CONTEXT records */
	int wake_fd;		/* an eventfd: stop waiting for a pipe */
};

struct mpt_reader {
	int fd, own_fd;
	int flags;
	int seekable;
	int huge; /* big buffers in huge pages (see big_buf()) */

	/* Input: a window on the file; for memory input, all of it. */
	const uint8_t *in;
	uint8_t *ibuf;
	size_t in_pos, in_len;
	uint64_t in_off; /* file offset of in[0] */
	uint64_t base;	 /* file offset where the trace starts */
	uint64_t size;	 /* file size, when seekable */
	int eof;
	int is_mem;

	/*
	 * Scanning (the input fields above, dctx, the index walk) writes only
	 * to `res`; with a helper thread it runs there, on slots of `ah`.
	 */
	struct fres *res;
	struct fres seq; /* without a helper; its buf is fbuf */
	struct ahead *ah;
	uint64_t pos; /* input offset after the frames accepted */

	/* The decoded frame. */
	ZSTD_DCtx *dctx;
	uint8_t *fbuf;
	const uint8_t *p, *fend;
	const uint8_t *rec_start; /* of the record last returned */
	uint64_t frame_off;
	struct mpt_delta d;
	struct mpt_href href; /* d.h: address back-references */
	struct mpt_dec dec;

	int err;
	int nexted, saw_header, saw_end, cut, done, has_index;
	int slow; /* seeking, or before the header, or after the end */
	/*
	 * Time of the last record of the frames before this one: times grow
	 * within a frame, so only a frame's first record can go backwards.
	 */
	uint64_t last_time;
	uint64_t frames;

	/* mpt_reader_seek() */
	int seek_called, seeking;
	uint64_t seek_t;
	struct ridx *idx;
	size_t nidx, idx_next, idx_start;
	int use_index;
	int check_entry; /* frame just read was found through the index */
	int skim;	 /* this frame ends before the seek time */
	size_t cur_entry;

	/* Records of `pre` (a held slot) still to deliver, from pre_i. */
	const struct fres *pre;
	size_t pre_i;
	uint32_t pre_len; /* of the last one delivered */

	/* A copy of the header that outlives its frame. */
	struct mpt_record hdr;
	char *hdr_buf;
	struct mpt_bytes *hdr_str;

	struct mpt_record *runbuf; /* mpt_reader_next_run() */

	char errmsg[256];
};

__attribute__((format(printf, 4, 5))) static int
fail(struct mpt_reader *r, int code, uint64_t off, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	int n;

	n = snprintf(r->errmsg, sizeof(r->errmsg), "byte %" PRIu64 ": ", off);
	va_start(ap, fmt);
	vsnprintf(r->errmsg + n, sizeof(r->errmsg) - (size_t)n, fmt, ap);
	va_end(ap);
	r->err = code;
	errno = saved;
	return code;
}

/* fail() for scanning: into r->res, as it may run on the helper thread. */
__attribute__((format(printf, 4, 5))) static int
sfail(struct mpt_reader *r, int code, uint64_t off, const char *fmt, ...)
{
	struct fres *f = r->res;
	va_list ap;

	f->saved_errno = errno;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	f->code = code;
	f->err_off = off;
	errno = f->saved_errno;
	return code;
}

static void ahead_stop(struct mpt_reader *r);

/*
 * A buffer of a megabyte or more (frames, input, records decoded ahead):
 * for an input of HUGE_INPUT_MIN or more (or a pipe), 2 MiB-aligned and in
 * transparent huge pages where the system has them for the asking
 * (MADV_HUGEPAGE), when it fills at least 7/8 of them.  Touching a fresh
 * 4 KiB page costs over a microsecond, which for these buffers came to a
 * tenth of reading a trace of a few megabytes; but a huge page is cleared
 * whole at its first touch (2 MiB for a trace of a few kilobytes, which
 * keeps small pages), and on a VM that first touch now and then takes
 * milliseconds: a frame buffer of just over 1 MiB in huge pages cleared
 * twice what it used, and its runs had the slow tail (the slowest fifth
 * of sqlite3's mpleaks runs from 32 to 39 ms).  Freed with free().
 */
#define HUGE_PAGE ((size_t)2 << 20)
#define HUGE_INPUT_MIN ((uint64_t)1 << 20)

static void *big_buf(size_t n, int huge)
{
	size_t len = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	void *p;

	if (!huge || n < len / 8 * 7)
		return malloc(n);
	p = aligned_alloc(HUGE_PAGE, len);
#ifdef MADV_HUGEPAGE
	if (p)
		(void)madvise(p, len, MADV_HUGEPAGE);
#endif
	return p;
}

static struct mpt_reader *reader_new(int flags, int huge, int *err)
{
	struct mpt_reader *r = calloc(1, sizeof(*r));

	if (!r)
		goto nomem;
	r->fd = -1;
	r->flags = flags;
	r->slow = 1;
	r->d.h = &r->href;
	r->huge = huge;
	r->fbuf = big_buf(FBUF_SIZE, huge);
	r->seq.buf = r->fbuf;
	r->res = &r->seq;
	r->dctx = ZSTD_createDCtx();
	if (!r->fbuf || !r->dctx)
		goto nomem;
	if (ZSTD_isError(ZSTD_DCtx_setParameter(r->dctx, ZSTD_d_windowLogMax,
						WINDOW_LOG_MAX)))
		goto nomem;
	return r;
nomem:
	mpt_reader_close(r);
	*err = MPT_E_NOMEM;
	return NULL;
}

struct mpt_reader *mpt_reader_fdopen(int fd, int flags, int *err)
{
	struct mpt_reader *r;
	struct stat st;
	int dummy;

	if (!err)
		err = &dummy;
	if (fd < 0) {
		*err = MPT_E_INVAL;
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		*err = MPT_E_IO;
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		*err = MPT_E_IO;
		return NULL;
	}
	r = reader_new(flags,
		       !S_ISREG(st.st_mode) ||
			       (uint64_t)st.st_size >= HUGE_INPUT_MIN,
		       err);
	if (!r)
		return NULL;
	r->ibuf = big_buf(INBUF_SIZE, r->huge);
	if (!r->ibuf) {
		mpt_reader_close(r);
		*err = MPT_E_NOMEM;
		return NULL;
	}
	r->fd = fd;
	r->in = r->ibuf;
	if (S_ISREG(st.st_mode)) {
		off_t off = lseek(fd, 0, SEEK_CUR);

		if (off >= 0) {
			r->seekable = 1;
			r->base = (uint64_t)off;
			r->size = (uint64_t)st.st_size;
		}
	}
	r->in_off = r->base;
	r->pos = r->base;
	*err = 0;
	return r;
}

struct mpt_reader *mpt_reader_open(const char *path, int flags, int *err)
{
	struct mpt_reader *r;
	int fd, saved, dummy;

	if (!err)
		err = &dummy;
	if (!path) {
		*err = MPT_E_INVAL;
		return NULL;
	}
	if (!strcmp(path, "-"))
		return mpt_reader_fdopen(0, flags, err);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = MPT_E_IO;
		return NULL;
	}
	r = mpt_reader_fdopen(fd, flags, err);
	if (!r) {
		saved = errno;
		close(fd);
		errno = saved;
		return NULL;
	}
	r->own_fd = 1;
	return r;
}

struct mpt_reader *mpt_reader_memopen(const void *buf, size_t len, int flags,
				      int *err)
{
	struct mpt_reader *r;
	int dummy;

	if (!err)
		err = &dummy;
	if (!buf && len) {
		*err = MPT_E_INVAL;
		return NULL;
	}
	r = reader_new(flags, len >= HUGE_INPUT_MIN, err);
	if (!r)
		return NULL;
	r->is_mem = 1;
	r->in = buf ? buf : (const uint8_t *)"";
	r->in_len = len;
	r->eof = 1;
	r->seekable = 1;
	r->size = len;
	*err = 0;
	return r;
}

void mpt_reader_close(struct mpt_reader *r)
{
	if (!r)
		return;
	ahead_stop(r);
	if (r->own_fd)
		close(r->fd);
	ZSTD_freeDCtx(r->dctx);
	free(r->fbuf);
	free(r->ibuf);
	free(r->idx);
	free(r->hdr_buf);
	free(r->hdr_str);
	free(r->runbuf);
	mpt_dec_release(&r->dec);
	free(r);
}

/*
 * Input.
 */

static inline uint64_t in_pos_off(const struct mpt_reader *r)
{
	return r->in_off + r->in_pos;
}

/* Read more input.  Returns bytes added, 0 at end of input, or < 0. */
static ssize_t fill(struct mpt_reader *r)
{
	size_t room;
	ssize_t n;

	if (r->eof)
		return 0;
	if (r->in_pos == r->in_len) {
		r->in_off += r->in_len;
		r->in_pos = r->in_len = 0;
	} else if (r->in_pos && INBUF_SIZE - r->in_len < READ_CHUNK) {
		/* Only when room runs out: one move per buffer, not read. */
		memmove(r->ibuf, r->ibuf + r->in_pos, r->in_len - r->in_pos);
		r->in_off += r->in_pos;
		r->in_len -= r->in_pos;
		r->in_pos = 0;
	}
	if (r->ah && !r->seekable) {
		/*
		 * The helper thread waits for a pipe with the reader's wake-up
		 * too, so that closing the reader does not wait for input.
		 */
		struct pollfd pfd[2] = { { r->fd, POLLIN, 0 },
					 { r->ah->wake_fd, POLLIN, 0 } };

		while (poll(pfd, 2, -1) < 0)
			if (errno != EINTR)
				return sfail(r, MPT_E_IO, in_pos_off(r),
					     "poll failed: %s",
					     strerror(errno));
		if (pfd[1].revents)
			return sfail(r, MPT_E_IO, in_pos_off(r),
				     "reader closed");
	}
	room = INBUF_SIZE - r->in_len;
	if (room > READ_CHUNK)
		room = READ_CHUNK;
	do
		n = read(r->fd, r->ibuf + r->in_len, room);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return sfail(r, MPT_E_IO, in_pos_off(r), "read failed: %s",
			     strerror(errno));
	if (n == 0)
		r->eof = 1;
	r->in_len += (size_t)n;
	return n;
}

/* Make `n` bytes available.  Returns 1, 0 if the input ends first, or < 0. */
static int need(struct mpt_reader *r, size_t n)
{
	while (r->in_len - r->in_pos < n) {
		ssize_t k = fill(r);

		if (k < 0)
			return (int)k;
		if (k == 0)
			return 0;
	}
	return 1;
}

/* Skip `n` bytes.  Returns 1, 0 if the input ends first, or < 0. */
static int skip(struct mpt_reader *r, uint64_t n)
{
	for (;;) {
		size_t avail = r->in_len - r->in_pos;
		ssize_t k;

		if (n <= avail) {
			r->in_pos += (size_t)n;
			return 1;
		}
		n -= avail;
		r->in_pos = r->in_len;
		if (r->seekable && !r->is_mem && n > INBUF_SIZE) {
			/* Jump over a big skippable frame. */
			uint64_t to = in_pos_off(r) + n;

			if (to > r->size)
				return 0;
			if (lseek(r->fd, (off_t)to, SEEK_SET) < 0)
				return sfail(r, MPT_E_IO, in_pos_off(r),
					     "seek failed: %s",
					     strerror(errno));
			r->in_off = to;
			r->in_pos = r->in_len = 0;
			return 1;
		}
		k = fill(r);
		if (k < 0)
			return (int)k;
		if (k == 0)
			return 0;
	}
}

/* Continue reading at file offset `off`. */
static int reposition(struct mpt_reader *r, uint64_t off)
{
	if (off >= r->in_off && off <= r->in_off + r->in_len) {
		r->in_pos = (size_t)(off - r->in_off);
		return 0;
	}
	if (r->is_mem)
		return sfail(r, MPT_E_CORRUPT, off, "offset beyond the input");
	if (lseek(r->fd, (off_t)off, SEEK_SET) < 0)
		return sfail(r, MPT_E_IO, off, "seek failed: %s",
			     strerror(errno));
	r->in_off = off;
	r->in_pos = r->in_len = 0;
	r->eof = 0;
	return 0;
}

static inline uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/*
 * Frames.
 */

/*
 * Read until the frame at in_pos is whole in the buffer, the buffer is
 * full, or the input ends; the decoder below copes with each.
 */
static int buffer_frame(struct mpt_reader *r)
{
	for (;;) {
		size_t avail = r->in_len - r->in_pos;
		size_t n =
			ZSTD_findFrameCompressedSize(r->in + r->in_pos, avail);
		ssize_t k;

		if (!ZSTD_isError(n) ||
		    ZSTD_getErrorCode(n) != ZSTD_error_srcSize_wrong ||
		    avail == INBUF_SIZE)
			return 0;
		k = fill(r);
		if (k <= 0)
			return (int)k;
	}
}

/* Decompress the data frame at `off` into f->buf.  Returns f's kind. */
static int decode_frame(struct mpt_reader *r, struct fres *f, uint64_t off)
{
	ZSTD_outBuffer out = { f->buf, MPT_FRAME_MAX + 1, 0 };
	size_t ret;

	f->off = off;
	ZSTD_DCtx_reset(r->dctx, ZSTD_reset_session_only);
	if (!r->is_mem && buffer_frame(r) < 0)
		return F_DATA_FAIL;
	for (;;) {
		ZSTD_inBuffer in;

		if (r->in_pos == r->in_len) {
			ssize_t k = fill(r);

			if (k < 0)
				return F_DATA_FAIL;
			if (k == 0)
				return F_DATA_CUT;
		}
		in.src = r->in;
		in.size = r->in_len;
		in.pos = r->in_pos;
		ret = ZSTD_decompressStream(r->dctx, &out, &in);
		r->in_pos = in.pos;
		if (ZSTD_isError(ret)) {
			if (ZSTD_getErrorCode(ret) ==
			    ZSTD_error_frameParameter_windowTooLarge)
				sfail(r, MPT_E_LIMIT, off,
				      "zstd window exceeds limit %u",
				      1u << WINDOW_LOG_MAX);
			else
				sfail(r, MPT_E_ZSTD, off, "zstd: %s",
				      ZSTD_getErrorName(ret));
			return F_DATA_FAIL;
		}
		if (out.pos > MPT_FRAME_MAX) {
			sfail(r, MPT_E_LIMIT, off,
			      "frame decodes to more than %u bytes",
			      MPT_FRAME_MAX);
			return F_DATA_FAIL;
		}
		if (ret == 0)
			break;
	}
	if (r->check_entry) {
		const struct ridx *e = &r->idx[r->cur_entry];

		r->check_entry = 0;
		if (in_pos_off(r) - off != e->csize) {
			sfail(r, MPT_E_CORRUPT, off,
			      "index entry %zu says %" PRIu64
			      " compressed bytes, the frame has %" PRIu64,
			      r->cur_entry, e->csize, in_pos_off(r) - off);
			return F_DATA_FAIL;
		}
	}
	f->len = out.pos;
	/* Defined bytes for the fast path's loads past the end. */
	memset(f->buf + out.pos, 0, MPT_DECODE_PAD);
	return F_DATA;
}

/* 1 if the n (< 4) bytes at p could start a frame. */
static int magic_prefix(const uint8_t *p, size_t n)
{
	static const uint8_t zstd[4] = { 0x28, 0xB5, 0x2F, 0xFD };
	static const uint8_t skip[4] = { 0x50, 0x2A, 0x4D, 0x18 };
	size_t i;
	int z = 1, s = 1;

	for (i = 0; i < n; i++) {
		z &= p[i] == zstd[i];
		s &= i ? p[i] == skip[i] : (p[i] & 0xF0) == skip[0];
	}
	return z || s;
}

/*
 * Scan on to the next data frame and decompress it into f->buf, or to the
 * end of the input or an error.  After the end record (`after_end`) a data
 * frame is not decompressed: it is an error whatever it holds.
 */
static int scan_frame_kind(struct mpt_reader *r, struct fres *f, int after_end)
{
	for (;;) {
		uint64_t off;
		uint32_t magic;
		int rc, via_index = 0;

		f->skim = 0;
		if (r->use_index) {
			size_t i = r->idx_next;

			while (i < r->idx_start && !(r->idx[i].flags & 1))
				i++;
			r->idx_next = i + 1;
			if (i >= r->idx_start)
				r->use_index = 0; /* linear from here on */
			if (reposition(r, r->idx[i].offset))
				return F_FAIL;
			r->check_entry = 1;
			r->cur_entry = i;
			f->skim = i < r->idx_start;
			via_index = 1;
		}
		off = in_pos_off(r);
		rc = need(r, 4);
		if (rc < 0)
			return F_FAIL;
		if (rc == 0) {
			size_t avail = r->in_len - r->in_pos;

			if (off == r->base && !avail) {
				sfail(r, MPT_E_EMPTY, off, "empty file");
				return F_FAIL;
			}
			if (off == r->base &&
			    !magic_prefix(r->in + r->in_pos, avail)) {
				sfail(r, MPT_E_MAGIC, off,
				      "not an mptrace "
				      "trace (no zstd frame magic)");
				return F_FAIL;
			}
			return F_END;
		}
		magic = le32(r->in + r->in_pos);
		if (via_index && magic != MPT_ZSTD_MAGIC) {
			sfail(r, MPT_E_CORRUPT, off,
			      "index entry %zu "
			      "points at no data frame",
			      r->cur_entry);
			return F_FAIL;
		}
		if (magic == MPT_ZSTD_MAGIC) {
			if (after_end) {
				f->off = off;
				return F_DATA_CUT;
			}
			return decode_frame(r, f, off);
		}
		if (magic >= MPT_SKIP_MAGIC_MIN &&
		    magic <= MPT_SKIP_MAGIC_MAX) {
			uint32_t len;

			rc = need(r, 8);
			if (rc <= 0)
				return rc < 0 ? F_FAIL : F_END;
			len = le32(r->in + r->in_pos + 4);
			r->in_pos += 8;
			rc = skip(r, len);
			if (rc <= 0)
				return rc < 0 ? F_FAIL : F_END;
			/* Seen on the way; mpt_reader_seek() checks it. */
			if (magic == MPT_INDEX_FRAME_MAGIC && !r->seek_called)
				f->saw_index = 1;
			continue;
		}
		if (off == r->base)
			sfail(r, MPT_E_MAGIC, off,
			      "not an mptrace trace "
			      "(frame magic 0x%08" PRIx32 ")",
			      magic);
		else
			sfail(r, MPT_E_CORRUPT, off,
			      "unknown frame magic "
			      "0x%08" PRIx32,
			      magic);
		return F_FAIL;
	}
}

static void scan_frame(struct mpt_reader *r, struct fres *f, int after_end)
{
	r->res = f;
	f->saw_index = 0;
	f->len = 0;
	f->kind = scan_frame_kind(r, f, after_end);
	f->pos = in_pos_off(r);
}

/* The input ended at a frame boundary or inside a frame. */
static int at_end(struct mpt_reader *r)
{
	r->done = 1;
	r->cut = !r->saw_end;
	return 0;
}

/* Report the error scanning found. */
static int scan_failed(struct mpt_reader *r, const struct fres *f)
{
	fail(r, f->code, f->err_off, "%s", f->msg);
	errno = f->saved_errno;
	return f->code;
}

static void pre_resume(struct mpt_reader *r);

/*
 * Take what scanning found: the frame's records become the ones to decode.
 * Returns 1, 0 at the end of the input, or < 0.
 */
static int accept_frame(struct mpt_reader *r, const struct fres *f)
{
	if (f->saw_index)
		r->has_index = 1;
	r->pos = f->pos;
	if (f->kind == F_END)
		return at_end(r);
	if (f->kind == F_FAIL)
		return scan_failed(r, f);
	if (r->saw_end) {
		/* Where scanning stopped without a helper thread. */
		r->pos = f->off;
		return fail(r, MPT_E_CORRUPT, f->off,
			    "data frame "
			    "after the end record");
	}
	if (f->kind == F_DATA_CUT)
		return at_end(r);
	if (f->kind == F_DATA_FAIL)
		return scan_failed(r, f);
	r->skim = f->skim;
	r->frames++;
	r->frame_off = f->off;
	if (r->d.time > r->last_time)
		r->last_time = r->d.time;
	r->p = f->buf;
	r->fend = f->buf + f->len;
	mpt_delta_reset(&r->d);
	if (!r->saw_header && (f->len == 0 || f->buf[0] != MPT_REC_HEADER))
		return fail(r, MPT_E_MAGIC, f->off,
			    "not an mptrace trace (the "
			    "first record is not a header)");
	/*
	 * Records the helper decoded ahead: what this thread would have made
	 * of them, as long as nothing is special (before the header, after
	 * the end, seeking) and the frame starts no earlier than the frames
	 * before end (times do not decrease within a frame).
	 */
	r->pre = NULL;
	if (f->pre_p && !r->slow && !r->skim && f->pre_first >= r->last_time) {
		r->pre = f;
		r->pre_i = 0;
		if (!f->pre_n)
			pre_resume(r);
	}
	return 1;
}

static const struct fres *ahead_take(struct mpt_reader *r);

/* Go on decoding where the helper stopped. */
static void pre_resume(struct mpt_reader *r)
{
	const struct fres *f = r->pre;
	const struct mpt_href *h = f->pre_href;

	r->p = f->pre_p;
	r->d.time = f->pre_d.time;
	r->d.addr = f->pre_d.addr;
	r->d.pid = f->pre_d.pid;
	r->d.tid = f->pre_d.tid;
	r->href.na = h->na;
	r->href.nf = h->nf;
	memcpy(r->href.aring, h->aring, sizeof(h->aring));
	memcpy(r->href.fring, h->fring, sizeof(h->fring));
	r->rec_start = NULL;
	r->pre = NULL;
}

/* Up to `max` of the records decoded ahead, in place. */
static int pre_take(struct mpt_reader *r, const struct mpt_record **out,
		    size_t max)
{
	const struct fres *f = r->pre;
	size_t n = f->pre_n - r->pre_i;

	if (n > max)
		n = max;
	*out = &f->pre_rec[r->pre_i];
	r->pre_i += n;
	r->pre_len = f->pre_len[r->pre_i - 1];
	r->nexted = 1;
	if (r->pre_i == f->pre_n)
		pre_resume(r);
	else
		r->rec_start = NULL;
	return (int)n;
}

/* Load the next data frame.  Returns 1, 0 at the end, or < 0. */
static int next_frame(struct mpt_reader *r)
{
	for (;;) {
		const struct fres *f;
		int rc;

		if (r->ah) {
			f = ahead_take(r);
		} else {
			scan_frame(r, &r->seq, r->saw_end);
			f = &r->seq;
		}
		rc = accept_frame(r, f);
		if (rc <= 0 || r->p < r->fend)
			return rc;
		/* a frame without records */
	}
}

/* Keep the header record beyond the life of its frame. */
static int keep_header(struct mpt_reader *r, const struct mpt_record *rec)
{
	uint32_t n = rec->u.header.argc + rec->u.header.nopts, i;
	size_t total = rec->u.header.host.len, pos;
	const struct mpt_bytes *src[2] = { rec->u.header.argv,
					   rec->u.header.opts };

	for (i = 0; i < rec->u.header.argc; i++)
		total += rec->u.header.argv[i].len;
	for (i = 0; i < rec->u.header.nopts; i++)
		total += rec->u.header.opts[i].len;
	r->hdr_buf = malloc(total + 1);
	r->hdr_str = malloc(((size_t)n + 1) * sizeof(*r->hdr_str));
	if (!r->hdr_buf || !r->hdr_str)
		return fail(r, MPT_E_NOMEM, r->frame_off, "out of memory");
	r->hdr = *rec;
	pos = 0;
	memcpy(r->hdr_buf, rec->u.header.host.ptr, rec->u.header.host.len);
	r->hdr.u.header.host.ptr = r->hdr_buf;
	pos += rec->u.header.host.len;
	for (i = 0; i < n; i++) {
		const struct mpt_bytes *b =
			i < rec->u.header.argc ?
				&src[0][i] :
				&src[1][i - rec->u.header.argc];

		if (b->len)
			memcpy(r->hdr_buf + pos, b->ptr, b->len);
		r->hdr_str[i].ptr = r->hdr_buf + pos;
		r->hdr_str[i].len = b->len;
		pos += b->len;
	}
	r->hdr.u.header.argv = r->hdr_str;
	r->hdr.u.header.opts = r->hdr_str + rec->u.header.argc;
	return 0;
}

/* Records that need more than the hot path: the first, CONTEXT, END. */
static int special(struct mpt_reader *r, struct mpt_record *rec)
{
	if (!r->saw_header) {
		if (rec->type != MPT_REC_HEADER)
			return fail(r, MPT_E_MAGIC, r->frame_off,
				    "not an mptrace trace (the first record "
				    "is not a header)");
		r->saw_header = 1;
		r->slow = r->seeking;
		return keep_header(r, rec);
	}
	if (r->saw_end)
		return fail(r, MPT_E_CORRUPT, r->frame_off,
			    "%s record after the end record",
			    mpt_type_name(rec->type) ?
				    mpt_type_name(rec->type) :
				    "unknown");
	switch (rec->type) {
	case MPT_REC_HEADER:
		return fail(r, MPT_E_CORRUPT, r->frame_off,
			    "a second header record");
	case MPT_REC_END:
		r->saw_end = 1;
		r->slow = 1;
		break;
	default:
		break;
	}
	return 0;
}

/*
 * In a frame that the index says ends before the seek time, only
 * definitions are delivered: step over any other record reading just its
 * type, length and dt (the address state does not matter, as no ALLOC or
 * FREE of this frame is delivered).  Returns 1 if the record was skipped,
 * 0 if it must be decoded (mpt_decode() then also reports any error).
 */
static int skim_record(struct mpt_reader *r)
{
	const uint8_t *p = r->p, *e;
	/* The frame buffer's pad makes 8-byte loads at the end safe. */
	const uint8_t *avail = r->fend + 8;
	uint64_t len, dt, t;
	int type = *p++;

	if (type <= MPT_REC_CONTEXT || mpt_type_is_definition(type))
		return 0;
	p = mpt_varint_get_fast(p, r->fend, avail, &len);
	if (!p || len > (uint64_t)(r->fend - p))
		return 0;
	e = p + len;
	if (!mpt_varint_get_fast(p, e, avail, &dt))
		return 0;
	t = r->d.time + dt;
	if (t < r->d.time || t < r->last_time || t >= r->seek_t)
		return 0;
	r->d.time = t;
	r->p = e;
	return 1;
}

/* `rec` is earlier than the record before it. */
static int order_fail(struct mpt_reader *r, const struct mpt_record *rec)
{
	return fail(r, MPT_E_ORDER, r->frame_off,
		    "record time %" PRIu64 " is before the previous record's "
		    "(%" PRIu64 ")",
		    rec->time, r->last_time);
}

int mpt_reader_next(struct mpt_reader *r, struct mpt_record *rec)
{
	int rc, known;

	if (!r || !rec)
		return MPT_E_INVAL;
	if (unlikely(r->err))
		return r->err;
	r->nexted = 1;
	for (;;) {
		if (unlikely(r->pre)) {
			const struct mpt_record *src;

			rc = pre_take(r, &src, 1);
			*rec = *src;
			return rc;
		}
		while (likely(r->p < r->fend)) {
			if (unlikely(r->skim) && skim_record(r))
				continue;
			r->rec_start = r->p;
			if (likely(!r->slow) &&
			    mpt_decode_event(&r->p, r->fend, rec, &r->d,
					     &r->d)) {
				if (unlikely(rec->time < r->last_time))
					return order_fail(r, rec);
				return 1;
			}
			known = mpt_decode(&r->p, r->fend, rec, &r->d, &r->dec);
			if (unlikely(known <= 0)) {
				if (known < 0)
					return fail(r, known, r->frame_off,
						    "%s", r->dec.errmsg);
				if (r->flags & MPT_OPEN_STRICT)
					return fail(r, MPT_E_CORRUPT,
						    r->frame_off,
						    "unknown record type "
						    "0x%02x",
						    rec->type);
			}
			if (unlikely(rec->time < r->last_time))
				return order_fail(r, rec);
			if (unlikely(rec->type <= MPT_REC_CONTEXT ||
				     !r->saw_header || r->saw_end)) {
				rc = special(r, rec);
				if (rc)
					return rc;
				if (rec->type == MPT_REC_CONTEXT)
					continue;
			}
			if (unlikely(!known))
				continue; /* unknown type, skipped */
			if (unlikely(r->seeking)) {
				if (rec->time < r->seek_t) {
					if (!mpt_type_is_definition(rec->type))
						continue;
				} else {
					/* Times do not decrease: done. */
					r->seeking = 0;
					r->slow = r->saw_end;
				}
			}
			return 1;
		}
		if (r->done)
			return 0;
		rc = next_frame(r);
		if (rc <= 0)
			return rc;
	}
}

int mpt_reader_next_batch(struct mpt_reader *r, struct mpt_record *rec,
			  size_t max)
{
	struct mpt_delta d;
	const uint8_t *p, *fend, *last = NULL;
	size_t n = 0;

	if (!r || !rec || !max)
		return MPT_E_INVAL;
	if (unlikely(r->err))
		return r->err;
	if (max > INT32_MAX)
		max = INT32_MAX;
	if (unlikely(r->pre)) {
		const struct mpt_record *src;
		int k = pre_take(r, &src, max);

		memcpy(rec, src, (size_t)k * sizeof(*rec));
		return k;
	}
	/*
	 * The run of ALLOC and FREE records that mpt_reader_next() would take
	 * on its fast path, with the state in locals.  Anything else, an error
	 * included, is left to mpt_reader_next(), one record per call.  Times
	 * grow within a frame, and mpt_reader_next() delivers the first record
	 * of every frame, the only one that can go back in time: the records
	 * here need no check of their own.  Were the state ever behind the
	 * frames before, it would decide.
	 */
	if (likely(!r->slow && !r->skim && r->d.time >= r->last_time)) {
		d = r->d;
		p = r->p;
		fend = r->fend;
		while (n < max && p < fend) {
			const uint8_t *start = p;

			if (!mpt_decode_event(&p, fend, &rec[n], &d, &d))
				break;
			last = start;
			n++;
		}
		if (n) {
			/* Of the last record, for mpt_reader_record_bytes(). */
			r->rec_start = last;
			/* The rings were advanced in place through d.h. */
			r->d = d;
			r->p = p;
			r->nexted = 1;
			return (int)n;
		}
	}
	return mpt_reader_next(r, rec);
}

/* Records a mpt_reader_next_run() call decodes at most. */
#define RUN_MAX 256

int mpt_reader_next_run(struct mpt_reader *r, const struct mpt_record **recs)
{
	int n;

	if (!r || !recs)
		return MPT_E_INVAL;
	if (unlikely(r->err))
		return r->err;
	if (r->pre)
		return pre_take(r, recs, INT32_MAX);
	if (!r->runbuf) {
		r->runbuf = malloc(RUN_MAX * sizeof(*r->runbuf));
		if (!r->runbuf)
			return fail(r, MPT_E_NOMEM, r->frame_off,
				    "out of memory");
	}
	n = mpt_reader_next_batch(r, r->runbuf, RUN_MAX);
	if (n > 0)
		*recs = r->runbuf;
	return n;
}

/*
 * The time index.
 */

/* Read `n` bytes at file offset `off`: 0, or -1 if they are not all there. */
static int read_at(struct mpt_reader *r, uint64_t off, void *buf, size_t n)
{
	size_t got = 0;

	if (off > r->size || n > r->size - off)
		return -1;
	if (r->is_mem) {
		memcpy(buf, r->in + off, n);
		return 0;
	}
	while (got < n) {
		ssize_t k = pread(r->fd, (char *)buf + got, n - got,
				  (off_t)(off + got));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

/*
 * Load and check the index.  Returns 1 if a valid one is loaded, 0 if there
 * is none or it does not hold together (then the reader decodes linearly),
 * or MPT_E_NOMEM.
 */
static int load_index(struct mpt_reader *r)
{
	uint8_t tail[MPT_TRAILER_LEN];
	uint64_t ioff, len, count, i, prev_end, prev_last;
	const uint8_t *p, *end;
	uint8_t *buf;
	struct ridx *idx = NULL;
	uint64_t v[5];
	int k;

	if (r->size < r->base + MPT_INDEX_FRAME_MIN)
		return 0;
	if (read_at(r, r->size - MPT_TRAILER_LEN, tail, sizeof(tail)) ||
	    memcmp(tail + 8, MPT_INDEX_TRAILER_MAGIC, 8))
		return 0;
	ioff = le64(tail);
	if (ioff < r->base || ioff > r->size - MPT_INDEX_FRAME_MIN)
		return 0;
	/* The whole frame; its size is bounded by what the file holds. */
	len = r->size - ioff;
	if (len > (uint64_t)MPT_INDEX_MAX * IDX_ENTRY_MAX + MPT_INDEX_FRAME_MIN)
		return 0;
	buf = malloc(len);
	if (!buf)
		return fail(r, MPT_E_NOMEM, ioff, "out of memory");
	if (read_at(r, ioff, buf, len) || le32(buf) != MPT_INDEX_FRAME_MAGIC ||
	    le32(buf + 4) != len - 8 || memcmp(buf + 8, MPT_INDEX_TAG, 8))
		goto bad;
	/* The check covers the tag up to the check itself. */
	end = buf + len - MPT_TRAILER_LEN - 8;
	if (mpt_fnv1a(buf + 8, (size_t)(end - (buf + 8))) != le64(end))
		goto bad;
	p = mpt_varint_get(buf + 16, end, &count);
	if (!p || !count || count > MPT_INDEX_MAX ||
	    count > (uint64_t)(end - p) / IDX_ENTRY_MIN)
		goto bad;
	idx = malloc(count * sizeof(*idx));
	if (!idx) {
		free(buf);
		return fail(r, MPT_E_NOMEM, ioff, "out of memory");
	}
	prev_end = r->base;
	prev_last = 0;
	for (i = 0; i < count; i++) {
		for (k = 0; k < 5; k++) {
			p = mpt_varint_get(p, end, &v[k]);
			if (!p)
				goto bad;
		}
		/* Frames in file order, not overlapping, before the index. */
		if (v[0] < prev_end || (i == 0 && v[0] != r->base) ||
		    v[1] < 4 || v[1] > ioff || v[0] > ioff - v[1] ||
		    v[2] > v[3] || v[2] < prev_last || (i == 0 && !(v[4] & 1)))
			goto bad;
		idx[i].offset = v[0];
		idx[i].csize = v[1];
		idx[i].first = v[2];
		idx[i].last = v[3];
		idx[i].flags = (uint32_t)(v[4] & 1); /* other bits: later */
		prev_end = v[0] + v[1];
		prev_last = v[3];
	}
	free(buf);
	free(r->idx);
	r->idx = idx;
	r->nidx = count;
	return 1;
bad:
	free(idx);
	free(buf);
	return 0;
}

int mpt_reader_seek(struct mpt_reader *r, uint64_t t)
{
	size_t i;
	int rc;

	if (!r)
		return MPT_E_INVAL;
	if (r->err)
		return r->err;
	if (r->nexted || r->seek_called || r->ah)
		return MPT_E_INVAL;
	r->seek_called = 1;
	r->seeking = 1;
	r->seek_t = t;
	r->slow = 1;
	if (!r->seekable)
		return 0;
	rc = load_index(r);
	if (rc <= 0)
		return rc;
	r->has_index = 1;
	for (i = 0; i < r->nidx && r->idx[i].last < t; i++)
		;
	if (i == r->nidx)
		i = r->nidx - 1; /* still read the last frame, for its END */
	r->idx_start = i;
	r->idx_next = 0;
	r->use_index = 1;
	return 0;
}

/*
 * Scanning ahead.  The helper thread owns the input and the zstd context;
 * the caller's thread owns everything about records.  They meet only in
 * the slots, under the lock.
 */

/*
 * Decode ahead, on the helper thread, up to PRE_TURN more of the heap events
 * at the start of frame `f` (and the CONTEXT records among them), as the
 * caller's thread would, into f->pre_rec.  It stops for good at the first
 * record of another kind or that the fast decoder does not take, at the end
 * of the frame, or at PRE_MAX: the caller's thread goes on from there with
 * the state left in f->pre_d, and so meets any error itself.  Returns 1
 * when the frame is done with, 0 if more can be decoded.
 */
/* Free the buffers of the records decoded ahead in `f`. */
static void pre_free(struct fres *f)
{
	free(f->pre_rec);
	free(f->pre_len);
	free(f->pre_href);
	f->pre_rec = NULL;
	f->pre_len = NULL;
	f->pre_href = NULL;
}

static int pre_decode(struct ahead *a, struct fres *f)
{
	const uint8_t *p, *fend = f->buf + f->len;
	size_t n = f->pre_n, lim = n + PRE_TURN;
	size_t pmax = a->huge ? PRE_MAX : PRE_MAX_SMALL;

	if (!f->pre_rec) {
		f->pre_rec = big_buf(pmax * sizeof(*f->pre_rec), a->huge);
		f->pre_len = malloc(pmax * sizeof(*f->pre_len));
		f->pre_href = malloc(sizeof(*f->pre_href));
		if (!f->pre_rec || !f->pre_len || !f->pre_href) {
			pre_free(f);
			return 1;
		}
	}
	if (!f->pre_p) {
		f->pre_d.h = f->pre_href;
		mpt_delta_reset(&f->pre_d);
		p = f->buf;
	} else {
		p = f->pre_p;
	}
	if (lim > pmax)
		lim = pmax;
	while (n < lim && p < fend) {
		struct mpt_record *rec = &f->pre_rec[n];
		const uint8_t *q = p;
		int type = p[0];

		/* The caller waits for this frame: let it have it now. */
		if (!(n & 255) &&
		    atomic_load_explicit(&a->hurry, memory_order_relaxed) ==
			    (int)(f - a->slot) + 1)
			break;

		if (type == MPT_REC_CONTEXT) {
			struct mpt_record ctx;
			struct mpt_delta d = f->pre_d;

			if (mpt_decode(&q, fend, &ctx, &d, &a->pre_dec) != 1)
				break;
			f->pre_d = d;
			if (p == f->buf)
				f->pre_first = ctx.time;
			p = q;
			continue;
		}
		if (!mpt_decode_event(&q, fend, rec, &f->pre_d, &f->pre_d))
			break;
		if (p == f->buf)
			f->pre_first = rec->time;
		f->pre_len[n++] = (uint32_t)(q - p);
		p = q;
	}
	/* Published under the lock, by the caller clearing pre_busy. */
	if (p != f->buf)
		f->pre_p = p;
	f->pre_n = n;
	return n < lim || n == pmax || p == fend;
}

/*
 * The slot to decode ahead in: the first, in the caller's order, that is
 * filled with a data frame, not held by the caller, and not done with.
 */
static struct fres *pre_pick(struct ahead *a)
{
	unsigned i;

	for (i = a->held; i < a->count; i++) {
		struct fres *f = &a->slot[(a->head + i) % NSLOT];

		if (f->kind == F_DATA && !f->pre_stop)
			return f;
	}
	return NULL;
}

/*
 * With a->lock held: decode a turn ahead in the slot pre_pick() gives, the
 * lock let go meanwhile.  Returns 0 if there was none to decode in.
 */
static int pre_turn(struct ahead *a)
{
	struct fres *f = pre_pick(a);
	int done;

	if (!f)
		return 0;
	f->pre_busy = 1;
	pthread_mutex_unlock(&a->lock);
	done = pre_decode(a, f);
	pthread_mutex_lock(&a->lock);
	f->pre_busy = 0;
	f->pre_stop = done;
	if (a->cons_waits)
		pthread_cond_signal(&a->filled);
	return 1;
}

static void pre_forget(struct fres *f)
{
	f->pre_n = 0;
	f->pre_p = NULL;
	f->pre_stop = 0;
}

/*
 * After the last frame: free the input buffer, the zstd context and each
 * slot's buffers once the caller's thread gives the slot back (the last
 * slot holds no frame), here rather than in mpt_reader_close(), whose
 * thread still has a report to write; and decode ahead meanwhile.
 * Returns when all are freed or on stop.
 */
static void ahead_release(struct mpt_reader *r)
{
	struct ahead *a = r->ah;
	unsigned i;

	if (!r->is_mem) {
		free(r->ibuf);
		r->ibuf = NULL;
		r->in = NULL;
	}
	ZSTD_freeDCtx(r->dctx);
	r->dctx = NULL;
	pthread_mutex_lock(&a->lock);
	for (;;) {
		void *buf[4] = { NULL, NULL, NULL, NULL };
		int left = 0;

		for (i = 0; i < NSLOT && !buf[0]; i++) {
			struct fres *f = &a->slot[i];
			/* Filled and not given back: from head, count slots. */
			int used = (i + NSLOT - a->head) % NSLOT < a->count;

			if (!f->buf)
				continue;
			if (used && f->kind == F_DATA) {
				left = 1;
				continue;
			}
			buf[0] = f->buf;
			buf[1] = f->pre_rec;
			buf[2] = f->pre_len;
			buf[3] = f->pre_href;
			f->buf = NULL;
			f->pre_rec = NULL;
			f->pre_len = NULL;
			f->pre_href = NULL;
			if (i == 0)
				r->fbuf = NULL;
		}
		if (buf[0]) {
			pthread_mutex_unlock(&a->lock);
			for (i = 0; i < 4; i++)
				free(buf[i]);
			pthread_mutex_lock(&a->lock);
			continue;
		}
		if (!left || a->stop)
			break;
		if (pre_turn(a))
			continue;
		pthread_cond_wait(&a->freed, &a->lock);
	}
	pthread_mutex_unlock(&a->lock);
}

static void *ahead_main(void *arg)
{
	struct mpt_reader *r = arg;
	struct ahead *a = r->ah;
	unsigned tail = 0;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		struct fres *f;
		int kind;

		if (a->stop)
			break;
		if (a->count < NSLOT) {
			/* Decompressing comes first. */
			f = &a->slot[tail];
			pre_forget(f);
			pthread_mutex_unlock(&a->lock);
			scan_frame(r, f, 0);
			kind = f->kind;
			pthread_mutex_lock(&a->lock);
			a->count++;
			pthread_cond_signal(&a->filled);
			/* The input holds nothing more after what ends it. */
			if (kind != F_DATA) {
				pthread_mutex_unlock(&a->lock);
				ahead_release(r);
				return NULL;
			}
			tail = (tail + 1) % NSLOT;
			continue;
		}
		if (pre_turn(a))
			continue;
		pthread_cond_wait(&a->freed, &a->lock);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/* Give back the slot decoded so far and wait for the next one. */
static const struct fres *ahead_take(struct mpt_reader *r)
{
	struct ahead *a = r->ah;
	const struct fres *f;

	pthread_mutex_lock(&a->lock);
	if (a->held) {
		a->held = 0;
		a->head = (a->head + 1) % NSLOT;
		a->count--;
		pthread_cond_signal(&a->freed);
	}
	/* A frame, and the helper out of its records (one turn at most). */
	a->cons_waits = 1;
	while (!a->count || a->slot[a->head].pre_busy) {
		if (a->count)
			atomic_store_explicit(&a->hurry, (int)a->head + 1,
					      memory_order_relaxed);
		pthread_cond_wait(&a->filled, &a->lock);
	}
	a->cons_waits = 0;
	atomic_store_explicit(&a->hurry, 0, memory_order_relaxed);
	a->held = 1;
	f = &a->slot[a->head];
	pthread_mutex_unlock(&a->lock);
	return f;
}

static void ahead_stop(struct mpt_reader *r)
{
	struct ahead *a = r->ah;
	unsigned i;

	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = 1;
	pthread_cond_signal(&a->freed);
	pthread_mutex_unlock(&a->lock);
	eventfd_write(a->wake_fd, 1);
	pthread_join(a->thread, NULL);
	close(a->wake_fd);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->filled);
	pthread_cond_destroy(&a->freed);
	/* slot[0] has the reader's own frame buffer. */
	for (i = 0; i < NSLOT; i++) {
		if (i)
			free(a->slot[i].buf);
		pre_free(&a->slot[i]);
	}
	mpt_dec_release(&a->pre_dec);
	free(a);
	r->ah = NULL;
}

/* A thread with every signal blocked: they are the caller's business. */
static int start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int mpt_reader_set_threads(struct mpt_reader *r, int nthreads)
{
	struct ahead *a;
	unsigned i;

	if (!r || nthreads < 0)
		return MPT_E_INVAL;
	if (r->nexted || r->ah || r->err)
		return r->err ? r->err : MPT_E_INVAL;
	/* Seeking jumps through the index as records tell: one thread. */
	if (!nthreads || r->seek_called)
		return 0;
	a = calloc(1, sizeof(*a));
	if (!a)
		return MPT_E_NOMEM;
	a->wake_fd = -1;
	a->huge = r->huge;
	a->slot[0].buf = r->fbuf;
	for (i = 1; i < NSLOT; i++) {
		a->slot[i].buf = big_buf(FBUF_SIZE, r->huge);
		if (!a->slot[i].buf)
			goto nomem;
	}
	a->wake_fd = eventfd(0, EFD_CLOEXEC);
	if (a->wake_fd < 0)
		goto nomem;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->filled, NULL);
	pthread_cond_init(&a->freed, NULL);
	r->ah = a;
	if (start_thread(&a->thread, ahead_main, r)) {
		pthread_mutex_destroy(&a->lock);
		pthread_cond_destroy(&a->filled);
		pthread_cond_destroy(&a->freed);
		close(a->wake_fd);
		r->ah = NULL;
		goto nomem_fd;
	}
	return 0;
nomem:
	if (a->wake_fd >= 0)
		close(a->wake_fd);
nomem_fd:
	for (i = 1; i < NSLOT; i++)
		free(a->slot[i].buf);
	free(a);
	return MPT_E_NOMEM;
}

int mpt_reader_is_cut(const struct mpt_reader *r)
{
	return r ? r->cut : 0;
}

int mpt_reader_has_index(const struct mpt_reader *r)
{
	return r ? r->has_index : 0;
}

const struct mpt_record *mpt_reader_header(const struct mpt_reader *r)
{
	return r && r->saw_header ? &r->hdr : NULL;
}

uint64_t mpt_reader_offset(const struct mpt_reader *r)
{
	return r ? r->frame_off : 0;
}

uint32_t mpt_reader_record_bytes(const struct mpt_reader *r)
{
	if (!r)
		return 0;
	if (!r->rec_start)
		return r->pre_len; /* one decoded ahead, or none yet (0) */
	if (r->rec_start >= r->p)
		return 0;
	return (uint32_t)(r->p - r->rec_start);
}

uint64_t mpt_reader_frames(const struct mpt_reader *r)
{
	return r ? r->frames : 0;
}

uint64_t mpt_reader_bytes(const struct mpt_reader *r)
{
	return r ? r->pos - r->base : 0;
}

const char *mpt_reader_errmsg(const struct mpt_reader *r)
{
	if (!r)
		return "no reader";
	return r->errmsg[0] ? r->errmsg : "no error";
}
