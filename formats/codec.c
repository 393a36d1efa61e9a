/* codec.c - encode and decode single records (FORMAT.md section 3). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "varint.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Longest payload of a record type without strings or arrays. */
#define FIXED_PAYLOAD_MAX 127
/* mpt_varint_put_fast() may store this far beyond the last varint. */
#define PUT_SLACK 8
/* Bytes of the length varint of any legal payload (< 2^21). */
#define LEN_RESERVE 3

static const char *const type_names[256] = {
	[MPT_REC_HEADER] = "header",
	[MPT_REC_END] = "end",
	[MPT_REC_CONTEXT] = "context",
	[MPT_REC_LOST] = "lost",
	[MPT_REC_PROCESS_START] = "process_start",
	[MPT_REC_PROCESS_END] = "process_end",
	[MPT_REC_THREAD_START] = "thread_start",
	[MPT_REC_THREAD_NAME] = "thread_name",
	[MPT_REC_THREAD_END] = "thread_end",
	[MPT_REC_MODULE_LOAD] = "module_load",
	[MPT_REC_MODULE_UNLOAD] = "module_unload",
	[MPT_REC_STACK] = "stack",
	[MPT_REC_ALLOC] = "alloc",
	[MPT_REC_FREE] = "free",
	[MPT_REC_MMAP] = "mmap",
	[MPT_REC_MUNMAP] = "munmap",
	[MPT_REC_MREMAP] = "mremap",
	[MPT_REC_BRK] = "brk",
	[MPT_REC_GPU_DEVICE] = "gpu_device",
	[MPT_REC_GPU_ALLOC] = "gpu_alloc",
	[MPT_REC_GPU_FREE] = "gpu_free",
	[MPT_REC_COUNTER_DEF] = "counter_def",
	[MPT_REC_COUNTER_SAMPLE] = "counter_sample",
	[MPT_REC_RSS_SAMPLE] = "rss_sample",
	[MPT_REC_NUMA_TOPOLOGY] = "numa_topology",
	[MPT_REC_NUMA_SAMPLE] = "numa_sample",
	[MPT_REC_SCHED_SAMPLE] = "sched_sample",
	[MPT_REC_MARKER] = "marker",
	[MPT_REC_SPAN_BEGIN] = "span_begin",
	[MPT_REC_SPAN_END] = "span_end",
	[MPT_REC_TAG_PUSH] = "tag_push",
	[MPT_REC_TAG_POP] = "tag_pop",
	[MPT_REC_LEAK_BLOCK] = "leak_block",
	[MPT_REC_LEAK_SCAN] = "leak_scan",
};

const char *mpt_type_name(int type)
{
	if (type < 0 || type > 255)
		return NULL;
	return type_names[type];
}

int mpt_type_known(int type)
{
	return mpt_type_name(type) != NULL;
}

static const uint8_t is_definition[256] = {
	[MPT_REC_HEADER] = 1,	   [MPT_REC_PROCESS_START] = 1,
	[MPT_REC_PROCESS_END] = 1, [MPT_REC_THREAD_START] = 1,
	[MPT_REC_THREAD_NAME] = 1, [MPT_REC_THREAD_END] = 1,
	[MPT_REC_MODULE_LOAD] = 1, [MPT_REC_MODULE_UNLOAD] = 1,
	[MPT_REC_STACK] = 1,	   [MPT_REC_COUNTER_DEF] = 1,
	[MPT_REC_GPU_DEVICE] = 1,  [MPT_REC_NUMA_TOPOLOGY] = 1,
};

int mpt_type_is_definition(int type)
{
	return type >= 0 && type <= 255 && is_definition[type];
}

static const char *const func_names[MPT_FN_COUNT_] = {
	[MPT_FN_UNKNOWN] = "unknown",
	[MPT_FN_MALLOC] = "malloc",
	[MPT_FN_CALLOC] = "calloc",
	[MPT_FN_REALLOC] = "realloc",
	[MPT_FN_REALLOCARRAY] = "reallocarray",
	[MPT_FN_MEMALIGN] = "memalign",
	[MPT_FN_ALIGNED_ALLOC] = "aligned_alloc",
	[MPT_FN_POSIX_MEMALIGN] = "posix_memalign",
	[MPT_FN_VALLOC] = "valloc",
	[MPT_FN_PVALLOC] = "pvalloc",
	[MPT_FN_NEW] = "operator new",
	[MPT_FN_NEW_ARRAY] = "operator new[]",
	[MPT_FN_FREE] = "free",
	[MPT_FN_DELETE] = "operator delete",
	[MPT_FN_DELETE_ARRAY] = "operator delete[]",
	[MPT_FN_STRDUP] = "strdup",
};

const char *mpt_func_name(int func)
{
	if (func < 0 || func >= MPT_FN_COUNT_)
		return "?";
	return func_names[func];
}

const char *mpt_strerror(int err)
{
	switch (err) {
	case MPT_OK:
		return "success";
	case MPT_E_IO:
		return "input/output error";
	case MPT_E_NOMEM:
		return "out of memory";
	case MPT_E_ZSTD:
		return "corrupt compressed frame";
	case MPT_E_CORRUPT:
		return "corrupt trace";
	case MPT_E_LIMIT:
		return "length exceeds a limit";
	case MPT_E_MAGIC:
		return "not an mptrace trace";
	case MPT_E_VERSION:
		return "unsupported trace format version";
	case MPT_E_TRUNCATED:
		return "trace is truncated";
	case MPT_E_INVAL:
		return "invalid argument";
	case MPT_E_ORDER:
		return "record time goes backwards";
	case MPT_E_EMPTY:
		return "empty trace";
	default:
		return "unknown error";
	}
}

/*
 * Encoding.
 */

/*
 * Payload of a record type made of fixed fields only (at most 12 varints,
 * so under FIXED_PAYLOAD_MAX bytes).  Returns NULL for other types.
 */
static uint8_t *enc_fixed(uint8_t *q, const struct mpt_record *rec,
			  struct mpt_delta *d)
{
	q = mpt_varint_put_fast(q, rec->time - d->time);
	switch (rec->type) {
	case MPT_REC_ALLOC:
		q = mpt_varint_put_fast(q, rec->u.alloc.func);
		q = mpt_varint_put_fast(q, rec->u.alloc.flags);
		q = mpt_varint_put_fast(q, rec->u.alloc.size);
		q = mpt_put_haddr_alloc(q, rec->u.alloc.addr, d, 1);
		q = mpt_varint_put_fast(q, rec->u.alloc.stack);
		if (rec->u.alloc.align || rec->u.alloc.old_addr)
			q = mpt_varint_put_fast(q, rec->u.alloc.align);
		if (rec->u.alloc.old_addr)
			q = mpt_put_haddr_alloc(q, rec->u.alloc.old_addr, d, 0);
		break;
	case MPT_REC_FREE:
		q = mpt_varint_put_fast(q, rec->u.free.func);
		q = mpt_put_haddr_free(q, rec->u.free.addr, d);
		break;
	case MPT_REC_END:
		q = mpt_varint_put_fast(q, rec->u.end.records);
		q = mpt_varint_put_fast(q, rec->u.end.events);
		q = mpt_varint_put_fast(q, rec->u.end.lost);
		q = mpt_varint_put_fast(q, rec->u.end.processes);
		q = mpt_varint_put_fast(q, rec->u.end.exit_code);
		break;
	case MPT_REC_LOST:
		q = mpt_varint_put_fast(q, rec->u.lost.count);
		q = mpt_varint_put_fast(q, rec->u.lost.reason);
		if (rec->u.lost.bytes)
			q = mpt_varint_put_fast(q, rec->u.lost.bytes);
		break;
	case MPT_REC_PROCESS_END:
		q = mpt_varint_put_fast(q, rec->u.process_end.kind);
		q = mpt_varint_put_fast(q, mpt_zigzag(rec->u.process_end.code));
		q = mpt_varint_put_fast(q, rec->u.process_end.core);
		break;
	case MPT_REC_THREAD_START:
		q = mpt_varint_put_fast(q, rec->u.thread_start.stack_lo);
		q = mpt_varint_put_fast(q, rec->u.thread_start.stack_hi);
		break;
	case MPT_REC_THREAD_END:
	case MPT_REC_TAG_POP:
		break;
	case MPT_REC_MODULE_UNLOAD:
		q = mpt_varint_put_fast(q, rec->u.module_unload.module);
		break;
	case MPT_REC_MMAP:
		q = mpt_varint_put_fast(q, rec->u.mmap.addr);
		q = mpt_varint_put_fast(q, rec->u.mmap.len);
		q = mpt_varint_put_fast(q, rec->u.mmap.prot);
		q = mpt_varint_put_fast(q, rec->u.mmap.flags);
		q = mpt_varint_put_fast(q, mpt_zigzag(rec->u.mmap.fd));
		q = mpt_varint_put_fast(q, rec->u.mmap.offset);
		q = mpt_varint_put_fast(q, rec->u.mmap.stack);
		break;
	case MPT_REC_MUNMAP:
		q = mpt_varint_put_fast(q, rec->u.munmap.addr);
		q = mpt_varint_put_fast(q, rec->u.munmap.len);
		q = mpt_varint_put_fast(q, rec->u.munmap.stack);
		break;
	case MPT_REC_MREMAP:
		q = mpt_varint_put_fast(q, rec->u.mremap.old_addr);
		q = mpt_varint_put_fast(q, rec->u.mremap.old_len);
		q = mpt_varint_put_fast(q, rec->u.mremap.new_addr);
		q = mpt_varint_put_fast(q, rec->u.mremap.new_len);
		q = mpt_varint_put_fast(q, rec->u.mremap.flags);
		q = mpt_varint_put_fast(q, rec->u.mremap.stack);
		break;
	case MPT_REC_BRK:
		q = mpt_varint_put_fast(q, rec->u.brk.old_end);
		q = mpt_varint_put_fast(q, rec->u.brk.new_end);
		q = mpt_varint_put_fast(q, rec->u.brk.stack);
		break;
	case MPT_REC_GPU_ALLOC:
		q = mpt_varint_put_fast(q, rec->u.gpu_alloc.device);
		q = mpt_varint_put_fast(q, rec->u.gpu_alloc.kind);
		q = mpt_varint_put_fast(q, rec->u.gpu_alloc.stream);
		q = mpt_varint_put_fast(q, rec->u.gpu_alloc.addr);
		q = mpt_varint_put_fast(q, rec->u.gpu_alloc.size);
		q = mpt_varint_put_fast(q, rec->u.gpu_alloc.stack);
		break;
	case MPT_REC_GPU_FREE:
		q = mpt_varint_put_fast(q, rec->u.gpu_free.device);
		q = mpt_varint_put_fast(q, rec->u.gpu_free.kind);
		q = mpt_varint_put_fast(q, rec->u.gpu_free.stream);
		q = mpt_varint_put_fast(q, rec->u.gpu_free.addr);
		break;
	case MPT_REC_COUNTER_SAMPLE:
		q = mpt_varint_put_fast(q, rec->u.counter_sample.id);
		q = mpt_varint_put_fast(q, rec->u.counter_sample.value);
		if (rec->u.counter_sample.time_enabled ||
		    rec->u.counter_sample.time_running)
			q = mpt_varint_put_fast(
				q, rec->u.counter_sample.time_enabled);
		if (rec->u.counter_sample.time_running)
			q = mpt_varint_put_fast(
				q, rec->u.counter_sample.time_running);
		break;
	case MPT_REC_RSS_SAMPLE: {
		const uint64_t f[5] = { rec->u.rss.rss, rec->u.rss.anon,
					rec->u.rss.file, rec->u.rss.shmem,
					rec->u.rss.swap };
		int n = 5, i;

		while (n > 1 && !f[n - 1])
			n--;
		for (i = 0; i < n; i++)
			q = mpt_varint_put_fast(q, f[i]);
		break;
	}
	case MPT_REC_SCHED_SAMPLE:
		q = mpt_varint_put_fast(q, mpt_zigzag(rec->u.sched_sample.cpu));
		q = mpt_varint_put_fast(q,
					mpt_zigzag(rec->u.sched_sample.node));
		break;
	case MPT_REC_LEAK_BLOCK:
		q = mpt_varint_put_fast(q, rec->u.leak_block.addr);
		q = mpt_varint_put_fast(q, rec->u.leak_block.size);
		q = mpt_varint_put_fast(q, rec->u.leak_block.kind);
		break;
	case MPT_REC_LEAK_SCAN: {
		int i;

		q = mpt_varint_put_fast(q, rec->u.leak_scan.status);
		for (i = 0; i < 5; i++)
			q = mpt_varint_put_fast(q, rec->u.leak_scan.blocks[i]);
		for (i = 0; i < 5; i++)
			q = mpt_varint_put_fast(q, rec->u.leak_scan.bytes[i]);
		if (rec->u.leak_scan.flags)
			q = mpt_varint_put_fast(q, rec->u.leak_scan.flags);
		break;
	}
	default:
		return NULL;
	}
	d->time = rec->time;
	return q;
}

/* A bounds-checked cursor for records with strings and arrays. */
struct cur {
	uint8_t *p, *end;
	int full; /* no room */
	int err;  /* MPT_E_LIMIT / MPT_E_INVAL */
};

static void cv(struct cur *c, uint64_t v)
{
	if (c->full || c->err)
		return;
	if (c->end - c->p < MPT_VARINT_MAX &&
	    (size_t)(c->end - c->p) < mpt_varint_size(v)) {
		c->full = 1;
		return;
	}
	c->p = mpt_varint_put(c->p, v);
}

static void cs(struct cur *c, struct mpt_bytes b)
{
	if (b.len > MPT_STRING_MAX) {
		c->err = MPT_E_LIMIT;
		return;
	}
	if (b.len && !b.ptr) {
		c->err = MPT_E_INVAL;
		return;
	}
	cv(c, b.len);
	if (c->full || c->err)
		return;
	if ((size_t)(c->end - c->p) < b.len) {
		c->full = 1;
		return;
	}
	if (b.len)
		memcpy(c->p, b.ptr, b.len);
	c->p += b.len;
}

/* An array count and its pointer, checked against the cap. */
static int ca(struct cur *c, uint32_t n, const void *arr, uint32_t cap)
{
	if (n > cap) {
		c->err = MPT_E_LIMIT;
		return 0;
	}
	if (n && !arr) {
		c->err = MPT_E_INVAL;
		return 0;
	}
	cv(c, n);
	return !c->full && !c->err;
}

static void enc_var(struct cur *c, const struct mpt_record *rec,
		    struct mpt_delta *d)
{
	uint32_t i;

	cv(c, rec->time - d->time);
	switch (rec->type) {
	case MPT_REC_HEADER: {
		const char magic[] = MPT_MAGIC;
		int fresh = !rec->u.header.major && !rec->u.header.minor;

		if (c->end - c->p < MPT_MAGIC_LEN) {
			c->full = 1;
			return;
		}
		memcpy(c->p, magic, MPT_MAGIC_LEN);
		c->p += MPT_MAGIC_LEN;
		cv(c, fresh ? MPT_VERSION_MAJOR : rec->u.header.major);
		cv(c, fresh ? MPT_VERSION_MINOR : rec->u.header.minor);
		cv(c, rec->u.header.clock_id);
		cv(c, rec->u.header.wall_start_ns);
		cv(c, rec->u.header.page_size);
		cv(c, rec->u.header.sample_bytes);
		cs(c, rec->u.header.host);
		if (ca(c, rec->u.header.argc, rec->u.header.argv,
		       MPT_ARRAY_MAX))
			for (i = 0; i < rec->u.header.argc; i++)
				cs(c, rec->u.header.argv[i]);
		if (ca(c, rec->u.header.nopts, rec->u.header.opts,
		       MPT_ARRAY_MAX))
			for (i = 0; i < rec->u.header.nopts; i++)
				cs(c, rec->u.header.opts[i]);
		break;
	}
	case MPT_REC_PROCESS_START:
		cv(c, rec->u.process_start.ppid);
		cv(c, rec->u.process_start.kind);
		cs(c, rec->u.process_start.path);
		if (ca(c, rec->u.process_start.argc, rec->u.process_start.argv,
		       MPT_ARRAY_MAX))
			for (i = 0; i < rec->u.process_start.argc; i++)
				cs(c, rec->u.process_start.argv[i]);
		break;
	case MPT_REC_THREAD_NAME:
		cs(c, rec->u.thread_name.name);
		break;
	case MPT_REC_MODULE_LOAD:
		cv(c, rec->u.module_load.module);
		cv(c, rec->u.module_load.base);
		cs(c, rec->u.module_load.path);
		cs(c, rec->u.module_load.build_id);
		if (ca(c, rec->u.module_load.nseg, rec->u.module_load.seg,
		       MPT_ARRAY_MAX))
			for (i = 0; i < rec->u.module_load.nseg; i++) {
				const struct mpt_segment *s =
					&rec->u.module_load.seg[i];

				cv(c, s->vaddr);
				cv(c, s->memsz);
				cv(c, s->offset);
				cv(c, s->flags);
			}
		break;
	case MPT_REC_STACK: {
		const uint64_t *f = rec->u.stack.frame;

		cv(c, rec->u.stack.id);
		cv(c, rec->u.stack.parent);
		if (ca(c, rec->u.stack.nframe, f, MPT_STACK_MAX))
			for (i = 0; i < rec->u.stack.nframe; i++)
				cv(c,
				   i ? mpt_zigzag((int64_t)(f[i] - f[i - 1])) :
				       f[0]);
		break;
	}
	case MPT_REC_GPU_DEVICE:
		cv(c, rec->u.gpu_device.device);
		cs(c, rec->u.gpu_device.name);
		cv(c, rec->u.gpu_device.mem_total);
		cv(c, mpt_zigzag(rec->u.gpu_device.numa_node));
		break;
	case MPT_REC_COUNTER_DEF:
		cv(c, rec->u.counter_def.id);
		cv(c, rec->u.counter_def.kind);
		cv(c, rec->u.counter_def.config);
		cs(c, rec->u.counter_def.name);
		cs(c, rec->u.counter_def.unit);
		cv(c, rec->u.counter_def.available);
		cs(c, rec->u.counter_def.reason);
		break;
	case MPT_REC_NUMA_TOPOLOGY:
		if (ca(c, rec->u.numa_topology.nnode, rec->u.numa_topology.node,
		       MPT_ARRAY_MAX))
			for (i = 0; i < rec->u.numa_topology.nnode; i++) {
				const struct mpt_numa_node *n =
					&rec->u.numa_topology.node[i];

				cv(c, mpt_zigzag(n->node));
				cv(c, n->mem_total);
				cv(c, n->mem_free);
				cs(c, n->cpus);
			}
		break;
	case MPT_REC_NUMA_SAMPLE:
		cv(c, rec->u.numa_sample.addr);
		cv(c, rec->u.numa_sample.page_size);
		if (ca(c, rec->u.numa_sample.nrun, rec->u.numa_sample.run,
		       MPT_ARRAY_MAX))
			for (i = 0; i < rec->u.numa_sample.nrun; i++) {
				cv(c,
				   mpt_zigzag(rec->u.numa_sample.run[i].node));
				cv(c, rec->u.numa_sample.run[i].pages);
			}
		break;
	case MPT_REC_MARKER:
	case MPT_REC_SPAN_BEGIN:
	case MPT_REC_SPAN_END:
	case MPT_REC_TAG_PUSH:
		cs(c, rec->u.marker.label);
		break;
	default:
		c->err = MPT_E_INVAL;
		break;
	}
}

uint8_t *mpt_encode(uint8_t *p, uint8_t *end, const struct mpt_record *rec,
		    struct mpt_delta *d, int *err)
{
	size_t room = (size_t)(end - p);
	uint8_t tmp[2 + FIXED_PAYLOAD_MAX + PUT_SLACK + 1];
	uint8_t *q;
	struct cur c;
	size_t n, nl;

	*err = 0;
	if (rec->type == MPT_REC_CONTEXT) {
		*err = MPT_E_INVAL;
		return NULL;
	}
	if (likely(room >= sizeof(tmp))) {
		q = enc_fixed(p + 2, rec, d);
		if (likely(q != NULL)) {
			p[0] = rec->type;
			p[1] = (uint8_t)(q - (p + 2));
			return q;
		}
	} else {
		struct mpt_delta save = *d;

		q = enc_fixed(tmp + 2, rec, d);
		if (q) {
			n = (size_t)(q - tmp);
			if (n > room) {
				*d = save;
				return NULL;
			}
			tmp[0] = rec->type;
			tmp[1] = (uint8_t)(n - 2);
			memcpy(p, tmp, n);
			return p + n;
		}
	}

	/* Records with strings or arrays. */
	if (room < 1 + LEN_RESERVE)
		return NULL;
	c.p = p + 1 + LEN_RESERVE;
	c.end = end;
	if ((size_t)(c.end - c.p) > MPT_RECORD_MAX)
		c.end = c.p + MPT_RECORD_MAX;
	c.full = 0;
	c.err = 0;
	enc_var(&c, rec, d);
	if (c.err) {
		*err = c.err;
		return NULL;
	}
	if (c.full) {
		/* A payload that fills a whole record is too big anywhere. */
		if (c.end == p + 1 + LEN_RESERVE + MPT_RECORD_MAX)
			*err = MPT_E_LIMIT;
		return NULL;
	}
	d->time = rec->time;
	n = (size_t)(c.p - (p + 1 + LEN_RESERVE));
	nl = mpt_varint_size(n);
	p[0] = rec->type;
	mpt_varint_put(p + 1, n);
	if (nl < LEN_RESERVE)
		memmove(p + 1 + nl, p + 1 + LEN_RESERVE, n);
	return p + 1 + nl + n;
}

uint8_t *mpt_encode_context(uint8_t *p, uint8_t *end, uint64_t time,
			    uint32_t pid, uint32_t tid, struct mpt_delta *d)
{
	uint8_t tmp[2 + 3 * MPT_VARINT_MAX];
	uint8_t *q = mpt_varint_put(tmp + 2, time - d->time);
	size_t n;

	q = mpt_varint_put(q, pid);
	q = mpt_varint_put(q, tid);
	n = (size_t)(q - tmp);
	if (n > (size_t)(end - p))
		return NULL;
	tmp[0] = MPT_REC_CONTEXT;
	tmp[1] = (uint8_t)(n - 2);
	memcpy(p, tmp, n);
	d->time = time;
	d->pid = pid;
	d->tid = tid;
	return p + n;
}

/*
 * Decoding.
 */

void mpt_dec_release(struct mpt_dec *dec)
{
	free(dec->str);
	free(dec->seg);
	free(dec->node);
	free(dec->run);
	dec->str = NULL;
	dec->seg = NULL;
	dec->node = NULL;
	dec->run = NULL;
	dec->str_cap = dec->seg_cap = dec->node_cap = dec->run_cap = 0;
}

__attribute__((format(printf, 3, 4))) static int
dec_err(struct mpt_dec *dec, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dec->errmsg, sizeof(dec->errmsg), fmt, ap);
	va_end(ap);
	return code;
}

/* Grow a decoder array to hold n elements (n already checked against cap). */
static int grow(void **arr, uint32_t *cap, uint32_t n, size_t elem)
{
	uint32_t ncap;
	void *a;

	if (n <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < n)
		ncap *= 2;
	a = realloc(*arr, (size_t)ncap * elem);
	if (!a)
		return MPT_E_NOMEM;
	*arr = a;
	*cap = ncap;
	return 0;
}

/* Read a varint into `v` (an uint64_t lvalue) or fail as truncated. */
#define GET(v)                                             \
	do {                                               \
		p = mpt_varint_get_fast(p, e, fend, &(v)); \
		if (unlikely(!p))                          \
			goto bad;                          \
	} while (0)
/* A trailing [opt] field. */
#define OPT(v)                   \
	do {                     \
		if (p < e)       \
			GET(v);  \
		else             \
			(v) = 0; \
	} while (0)
#define GET32(f)                              \
	do {                                  \
		GET(v);                       \
		if (unlikely(v > UINT32_MAX)) \
			goto range;           \
		(f) = (uint32_t)v;            \
	} while (0)
#define GETZ32(f)                                               \
	do {                                                    \
		int64_t z_;                                     \
		GET(v);                                         \
		z_ = mpt_unzigzag(v);                           \
		if (unlikely(z_ < INT32_MIN || z_ > INT32_MAX)) \
			goto range;                             \
		(f) = (int32_t)z_;                              \
	} while (0)
/*
 * A heap address: a distance into `ring` (of `cap` entries, `n` pushed in
 * this frame) or 0 and an explicit delta (FORMAT.md section 3.2).
 */
#define GETH(f, ring, n, cap)                                        \
	do {                                                         \
		uint64_t a_;                                         \
		GET(v);                                              \
		if (v) {                                             \
			if (unlikely(!d->h || v > (n) || v > (cap))) \
				goto badref;                         \
			a_ = (ring)[((n)-v) & ((cap)-1)];            \
		} else {                                             \
			GET(v);                                      \
			a_ = d->addr + (uint64_t)mpt_unzigzag(v);    \
		}                                                    \
		(f) = a_;                                            \
		if (a_)                                              \
			d->addr = a_;                                \
	} while (0)
#define GETSTR(b)                                                          \
	do {                                                               \
		GET(v);                                                    \
		if (unlikely(v > MPT_STRING_MAX))                          \
			return dec_err(dec, MPT_E_LIMIT,                   \
				       "%s record: string length %" PRIu64 \
				       " exceeds limit %u",                \
				       tname, v, MPT_STRING_MAX);          \
		if (unlikely(v > (uint64_t)(e - p)))                       \
			goto bad;                                          \
		(b).ptr = (const char *)p;                                 \
		(b).len = (uint32_t)v;                                     \
		p += v;                                                    \
	} while (0)
/* An array count: checked against its cap and the bytes left. */
#define GETN(n, cap)                                                      \
	do {                                                              \
		GET(v);                                                   \
		if (unlikely(v > (cap)))                                  \
			return dec_err(dec, MPT_E_LIMIT,                  \
				       "%s record: array length %" PRIu64 \
				       " exceeds limit %u",               \
				       tname, v, (unsigned)(cap));        \
		if (unlikely(v > (uint64_t)(e - p)))                      \
			goto bad;                                         \
		(n) = (uint32_t)v;                                        \
	} while (0)
#define GROW(arr, cap, n)                                                  \
	do {                                                               \
		if (unlikely((n) > (cap)) &&                               \
		    grow((void **)&(arr), &(cap), (n), sizeof(*(arr))))    \
			return dec_err(dec, MPT_E_NOMEM, "out of memory"); \
	} while (0)

int mpt_decode(const uint8_t **pp, const uint8_t *fend, struct mpt_record *rec,
	       struct mpt_delta *d, struct mpt_dec *dec)
{
	const uint8_t *p = *pp, *e;
	const char *tname;
	uint64_t v, len, t;
	uint32_t i, n;
	int type;

	type = *p++;
	if (likely(p < fend && *p < 0x80)) {
		len = *p++;
	} else {
		p = mpt_varint_get(p, fend, &len);
		if (!p)
			return dec_err(dec, MPT_E_CORRUPT,
				       "record header (type 0x%02x) cut by the "
				       "frame end or malformed",
				       type);
	}
	if (unlikely(len > MPT_RECORD_MAX))
		return dec_err(dec, MPT_E_LIMIT,
			       "record length %" PRIu64 " exceeds limit %u",
			       len, MPT_RECORD_MAX);
	if (unlikely(len > (uint64_t)(fend - p)))
		return dec_err(dec, MPT_E_CORRUPT,
			       "record length %" PRIu64 " exceeds the %zu "
			       "bytes left in the frame",
			       len, (size_t)(fend - p));
	e = p + len;
	*pp = e;
	tname = type_names[type];
	if (!tname)
		tname = "unknown";

	/* dt: every payload starts with it, known type or not. */
	GET(v);
	t = d->time + v;
	if (unlikely(t < d->time))
		return dec_err(dec, MPT_E_CORRUPT,
			       "%s record: time overflows 64 bits", tname);
	d->time = t;
	rec->type = (uint8_t)type;
	rec->time = t;

	switch (type) {
	case MPT_REC_ALLOC:
		GET32(rec->u.alloc.func);
		GET32(rec->u.alloc.flags);
		GET(rec->u.alloc.size);
		GETH(rec->u.alloc.addr, d->h->fring, d->h->nf, MPT_FREF);
		GET(rec->u.alloc.stack);
		if (p < e) {
			GET(rec->u.alloc.align);
			if (p < e)
				GETH(rec->u.alloc.old_addr, d->h->fring,
				     d->h->nf, MPT_FREF);
			else
				rec->u.alloc.old_addr = 0;
		} else {
			rec->u.alloc.align = 0;
			rec->u.alloc.old_addr = 0;
		}
		if (rec->u.alloc.addr && d->h)
			d->h->aring[d->h->na++ & (MPT_AREF - 1)] =
				rec->u.alloc.addr;
		break;
	case MPT_REC_FREE:
		GET32(rec->u.free.func);
		GETH(rec->u.free.addr, d->h->aring, d->h->na, MPT_AREF);
		if (rec->u.free.addr && d->h)
			d->h->fring[d->h->nf++ & (MPT_FREF - 1)] =
				rec->u.free.addr;
		break;
	case MPT_REC_HEADER: {
		uint32_t argc, nopts;

		if (e - p < MPT_MAGIC_LEN ||
		    memcmp(p, MPT_MAGIC, MPT_MAGIC_LEN))
			return dec_err(dec, MPT_E_MAGIC,
				       "not an mptrace trace (bad magic in "
				       "the header record)");
		p += MPT_MAGIC_LEN;
		GET32(rec->u.header.major);
		GET32(rec->u.header.minor);
		if (rec->u.header.major > MPT_VERSION_MAJOR)
			return dec_err(dec, MPT_E_VERSION,
				       "trace format version %u.%u is newer "
				       "than this reader (%d.%d)",
				       rec->u.header.major, rec->u.header.minor,
				       MPT_VERSION_MAJOR, MPT_VERSION_MINOR);
		GET32(rec->u.header.clock_id);
		GET(rec->u.header.wall_start_ns);
		GET32(rec->u.header.page_size);
		GET(rec->u.header.sample_bytes);
		GETSTR(rec->u.header.host);
		GETN(argc, MPT_ARRAY_MAX);
		GROW(dec->str, dec->str_cap, argc);
		for (i = 0; i < argc; i++)
			GETSTR(dec->str[i]);
		GETN(nopts, MPT_ARRAY_MAX);
		GROW(dec->str, dec->str_cap, argc + nopts);
		for (i = 0; i < nopts; i++)
			GETSTR(dec->str[argc + i]);
		rec->u.header.argc = argc;
		rec->u.header.argv = dec->str;
		rec->u.header.nopts = nopts;
		/* No arithmetic on a NULL array (nothing decoded yet). */
		rec->u.header.opts = argc ? dec->str + argc : dec->str;
		break;
	}
	case MPT_REC_END:
		GET(rec->u.end.records);
		GET(rec->u.end.events);
		GET(rec->u.end.lost);
		GET32(rec->u.end.processes);
		GET32(rec->u.end.exit_code);
		break;
	case MPT_REC_CONTEXT:
		GET32(d->pid);
		GET32(d->tid);
		break;
	case MPT_REC_LOST:
		GET(rec->u.lost.count);
		GET32(rec->u.lost.reason);
		OPT(rec->u.lost.bytes);
		break;
	case MPT_REC_PROCESS_START:
		GET32(rec->u.process_start.ppid);
		GET32(rec->u.process_start.kind);
		GETSTR(rec->u.process_start.path);
		GETN(n, MPT_ARRAY_MAX);
		GROW(dec->str, dec->str_cap, n);
		for (i = 0; i < n; i++)
			GETSTR(dec->str[i]);
		rec->u.process_start.argc = n;
		rec->u.process_start.argv = dec->str;
		break;
	case MPT_REC_PROCESS_END:
		GET32(rec->u.process_end.kind);
		GETZ32(rec->u.process_end.code);
		GET32(rec->u.process_end.core);
		break;
	case MPT_REC_THREAD_START:
		GET(rec->u.thread_start.stack_lo);
		GET(rec->u.thread_start.stack_hi);
		break;
	case MPT_REC_THREAD_NAME:
		GETSTR(rec->u.thread_name.name);
		break;
	case MPT_REC_THREAD_END:
	case MPT_REC_TAG_POP:
		break;
	case MPT_REC_MODULE_LOAD:
		GET(rec->u.module_load.module);
		GET(rec->u.module_load.base);
		GETSTR(rec->u.module_load.path);
		GETSTR(rec->u.module_load.build_id);
		GETN(n, MPT_ARRAY_MAX);
		GROW(dec->seg, dec->seg_cap, n);
		for (i = 0; i < n; i++) {
			struct mpt_segment *s = &dec->seg[i];

			GET(s->vaddr);
			GET(s->memsz);
			GET(s->offset);
			GET32(s->flags);
		}
		rec->u.module_load.nseg = n;
		rec->u.module_load.seg = dec->seg;
		break;
	case MPT_REC_MODULE_UNLOAD:
		GET(rec->u.module_unload.module);
		break;
	case MPT_REC_STACK: {
		uint64_t f;

		GET(rec->u.stack.id);
		GET(rec->u.stack.parent);
		GETN(n, MPT_STACK_MAX);
		if (n) {
			GET(f);
			dec->frame[0] = f;
			for (i = 1; i < n; i++) {
				GET(v);
				f += (uint64_t)mpt_unzigzag(v);
				dec->frame[i] = f;
			}
		}
		rec->u.stack.nframe = n;
		rec->u.stack.frame = dec->frame;
		break;
	}
	case MPT_REC_MMAP:
		GET(rec->u.mmap.addr);
		GET(rec->u.mmap.len);
		GET32(rec->u.mmap.prot);
		GET32(rec->u.mmap.flags);
		GETZ32(rec->u.mmap.fd);
		GET(rec->u.mmap.offset);
		GET(rec->u.mmap.stack);
		break;
	case MPT_REC_MUNMAP:
		GET(rec->u.munmap.addr);
		GET(rec->u.munmap.len);
		GET(rec->u.munmap.stack);
		break;
	case MPT_REC_MREMAP:
		GET(rec->u.mremap.old_addr);
		GET(rec->u.mremap.old_len);
		GET(rec->u.mremap.new_addr);
		GET(rec->u.mremap.new_len);
		GET32(rec->u.mremap.flags);
		GET(rec->u.mremap.stack);
		break;
	case MPT_REC_BRK:
		GET(rec->u.brk.old_end);
		GET(rec->u.brk.new_end);
		GET(rec->u.brk.stack);
		break;
	case MPT_REC_GPU_DEVICE:
		GET32(rec->u.gpu_device.device);
		GETSTR(rec->u.gpu_device.name);
		GET(rec->u.gpu_device.mem_total);
		GETZ32(rec->u.gpu_device.numa_node);
		break;
	case MPT_REC_GPU_ALLOC:
		GET32(rec->u.gpu_alloc.device);
		GET32(rec->u.gpu_alloc.kind);
		GET(rec->u.gpu_alloc.stream);
		GET(rec->u.gpu_alloc.addr);
		GET(rec->u.gpu_alloc.size);
		GET(rec->u.gpu_alloc.stack);
		break;
	case MPT_REC_GPU_FREE:
		GET32(rec->u.gpu_free.device);
		GET32(rec->u.gpu_free.kind);
		GET(rec->u.gpu_free.stream);
		GET(rec->u.gpu_free.addr);
		break;
	case MPT_REC_COUNTER_DEF:
		GET32(rec->u.counter_def.id);
		GET32(rec->u.counter_def.kind);
		GET(rec->u.counter_def.config);
		GETSTR(rec->u.counter_def.name);
		GETSTR(rec->u.counter_def.unit);
		GET32(rec->u.counter_def.available);
		GETSTR(rec->u.counter_def.reason);
		break;
	case MPT_REC_COUNTER_SAMPLE:
		GET32(rec->u.counter_sample.id);
		GET(rec->u.counter_sample.value);
		OPT(rec->u.counter_sample.time_enabled);
		OPT(rec->u.counter_sample.time_running);
		break;
	case MPT_REC_RSS_SAMPLE:
		GET(rec->u.rss.rss);
		OPT(rec->u.rss.anon);
		OPT(rec->u.rss.file);
		OPT(rec->u.rss.shmem);
		OPT(rec->u.rss.swap);
		break;
	case MPT_REC_NUMA_TOPOLOGY:
		GETN(n, MPT_ARRAY_MAX);
		GROW(dec->node, dec->node_cap, n);
		for (i = 0; i < n; i++) {
			struct mpt_numa_node *nd = &dec->node[i];

			GETZ32(nd->node);
			GET(nd->mem_total);
			GET(nd->mem_free);
			GETSTR(nd->cpus);
		}
		rec->u.numa_topology.nnode = n;
		rec->u.numa_topology.node = dec->node;
		break;
	case MPT_REC_NUMA_SAMPLE:
		GET(rec->u.numa_sample.addr);
		GET32(rec->u.numa_sample.page_size);
		GETN(n, MPT_ARRAY_MAX);
		GROW(dec->run, dec->run_cap, n);
		for (i = 0; i < n; i++) {
			GETZ32(dec->run[i].node);
			GET(dec->run[i].pages);
		}
		rec->u.numa_sample.nrun = n;
		rec->u.numa_sample.run = dec->run;
		break;
	case MPT_REC_SCHED_SAMPLE:
		GETZ32(rec->u.sched_sample.cpu);
		GETZ32(rec->u.sched_sample.node);
		break;
	case MPT_REC_MARKER:
	case MPT_REC_SPAN_BEGIN:
	case MPT_REC_SPAN_END:
	case MPT_REC_TAG_PUSH:
		GETSTR(rec->u.marker.label);
		break;
	case MPT_REC_LEAK_BLOCK:
		GET(rec->u.leak_block.addr);
		GET(rec->u.leak_block.size);
		GET32(rec->u.leak_block.kind);
		break;
	case MPT_REC_LEAK_SCAN:
		GET32(rec->u.leak_scan.status);
		for (i = 0; i < 5; i++)
			GET(rec->u.leak_scan.blocks[i]);
		for (i = 0; i < 5; i++)
			GET(rec->u.leak_scan.bytes[i]);
		OPT(v);
		if (v > UINT32_MAX)
			goto bad;
		rec->u.leak_scan.flags = (uint32_t)v;
		break;
	case 0:
		return dec_err(dec, MPT_E_CORRUPT, "record type 0 is invalid");
	default:
		rec->pid = d->pid;
		rec->tid = d->tid;
		return 0;
	}
	rec->pid = d->pid;
	rec->tid = d->tid;
	return 1;

bad:
	return dec_err(dec, MPT_E_CORRUPT,
		       "%s record: payload of %" PRIu64 " bytes ends inside "
		       "a field or holds a malformed varint",
		       tname, len);
range:
	return dec_err(dec, MPT_E_CORRUPT,
		       "%s record: field value %" PRIu64 " out of range", tname,
		       v);
badref:
	return dec_err(dec, MPT_E_CORRUPT,
		       "%s record: address back-reference %" PRIu64
		       " beyond the addresses of its frame",
		       tname, v);
}
