/* fuzz_reader.c - libFuzzer target: the trace reader on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <zstd.h> /* ZSTD_compress: inputs as the decoded record stream */

#include "mptrace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;

static void touch_bytes(struct mpt_bytes b)
{
	uint32_t i;

	for (i = 0; i < b.len; i++)
		sink += (unsigned char)b.ptr[i];
}

/* Read every byte a record points to, so ASan sees any bad pointer. */
static void touch(const struct mpt_record *r)
{
	uint32_t i;

	sink += r->time + r->pid + r->tid;
	switch (r->type) {
	case MPT_REC_HEADER:
		touch_bytes(r->u.header.host);
		for (i = 0; i < r->u.header.argc; i++)
			touch_bytes(r->u.header.argv[i]);
		for (i = 0; i < r->u.header.nopts; i++)
			touch_bytes(r->u.header.opts[i]);
		break;
	case MPT_REC_PROCESS_START:
		touch_bytes(r->u.process_start.path);
		for (i = 0; i < r->u.process_start.argc; i++)
			touch_bytes(r->u.process_start.argv[i]);
		break;
	case MPT_REC_THREAD_NAME:
		touch_bytes(r->u.thread_name.name);
		break;
	case MPT_REC_MODULE_LOAD:
		touch_bytes(r->u.module_load.path);
		touch_bytes(r->u.module_load.build_id);
		for (i = 0; i < r->u.module_load.nseg; i++)
			sink += r->u.module_load.seg[i].vaddr +
				r->u.module_load.seg[i].flags;
		break;
	case MPT_REC_STACK:
		for (i = 0; i < r->u.stack.nframe; i++)
			sink += r->u.stack.frame[i];
		break;
	case MPT_REC_GPU_DEVICE:
		touch_bytes(r->u.gpu_device.name);
		break;
	case MPT_REC_COUNTER_DEF:
		touch_bytes(r->u.counter_def.name);
		touch_bytes(r->u.counter_def.unit);
		touch_bytes(r->u.counter_def.reason);
		break;
	case MPT_REC_NUMA_TOPOLOGY:
		for (i = 0; i < r->u.numa_topology.nnode; i++) {
			sink += r->u.numa_topology.node[i].mem_total;
			touch_bytes(r->u.numa_topology.node[i].cpus);
		}
		break;
	case MPT_REC_NUMA_SAMPLE:
		for (i = 0; i < r->u.numa_sample.nrun; i++)
			sink += r->u.numa_sample.run[i].pages;
		break;
	case MPT_REC_MARKER:
	case MPT_REC_SPAN_BEGIN:
	case MPT_REC_SPAN_END:
	case MPT_REC_TAG_PUSH:
		touch_bytes(r->u.marker.label);
		break;
	default:
		break;
	}
	if (!mpt_type_name(r->type))
		__builtin_trap(); /* the reader hands out known types only */
}

/* Drain a reader; times must not go backwards. */
static void drain(struct mpt_reader *r)
{
	struct mpt_record rec;
	uint64_t last = 0, n = 0;
	int rc;

	while ((rc = mpt_reader_next(r, &rec)) > 0) {
		touch(&rec);
		if (n++ && rec.time < last)
			__builtin_trap();
		last = rec.time;
	}
	sink += (uint64_t)mpt_reader_is_cut(r) + mpt_reader_offset(r) +
		mpt_reader_frames(r) + mpt_reader_bytes(r) +
		(uint64_t)mpt_reader_has_index(r);
	sink += strlen(mpt_reader_errmsg(r));
	if (rc < 0)
		sink += strlen(mpt_strerror(rc));
}

/*
 * The batch call on a reader with a decompression thread must deliver what
 * plain mpt_reader_next() delivers: the same records, the same ending, the
 * same message.
 */
static void compare(const uint8_t *data, size_t size, int flags)
{
	static struct mpt_record batch[37]; /* odd, to split runs anywhere */
	struct mpt_reader *a, *b;
	struct mpt_record rec;
	int err = 0, rca, rcb = 0;
	size_t i = 0, nb = 0;

	a = mpt_reader_memopen(data, size, flags, &err);
	b = mpt_reader_memopen(data, size, flags, &err);
	if (!a || !b) {
		if (!a != !b)
			__builtin_trap();
		mpt_reader_close(a);
		mpt_reader_close(b);
		return;
	}
	(void)mpt_reader_set_threads(b, 1);
	for (;;) {
		rca = mpt_reader_next(a, &rec);
		if (i == nb && rcb >= 0) {
			rcb = mpt_reader_next_batch(b, batch, 37);
			nb = rcb > 0 ? (size_t)rcb : 0;
			i = 0;
		}
		if (rca <= 0) {
			if (i != nb || (rcb > 0 ? 0 : rcb) != rca)
				__builtin_trap();
			break;
		}
		if (i == nb)
			__builtin_trap(); /* the batch ended early */
		if (batch[i].type != rec.type || batch[i].time != rec.time ||
		    batch[i].pid != rec.pid || batch[i].tid != rec.tid)
			__builtin_trap();
		touch(&batch[i]);
		i++;
	}
	if (rca < 0 && strcmp(mpt_reader_errmsg(a), mpt_reader_errmsg(b)))
		__builtin_trap();
	if (mpt_reader_is_cut(a) != mpt_reader_is_cut(b))
		__builtin_trap();
	mpt_reader_close(a);
	mpt_reader_close(b);
}

/* A valid HEADER record (FORMAT.md 3.4): version 1.0, page size 4096. */
static const uint8_t header_record[] = {
	0x01, 0x13, 0x00, 'M',	'P',  'T',  'R',  'A',	'C',  'E',  '\n',
	0x01, 0x00, 0x01, 0x00, 0x80, 0x20, 0x00, 0x00, 0x00, 0x00,
};

/*
 * Most mutations of a compressed trace only break the zstd frame.  To reach
 * the record decoder, also read the input as the decoded content of one
 * frame, alone and after a valid header record.
 */
static void run_framed(const uint8_t *data, size_t size, int with_header)
{
	static uint8_t in[MPT_FRAME_MAX],
		out[ZSTD_COMPRESSBOUND(MPT_FRAME_MAX)];
	struct mpt_reader *r;
	size_t n = 0, c;
	int err = 0;

	if (with_header) {
		memcpy(in, header_record, sizeof(header_record));
		n = sizeof(header_record);
	}
	if (size > sizeof(in) - n)
		size = sizeof(in) - n;
	memcpy(in + n, data, size);
	n += size;
	c = ZSTD_compress(out, sizeof(out), in, n, 1);
	if (ZSTD_isError(c))
		return;
	r = mpt_reader_memopen(out, c, 0, &err);
	if (r) {
		drain(r);
		mpt_reader_close(r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mpt_reader *r;
	uint64_t t = 0;
	int err = 0;

	r = mpt_reader_memopen(data, size, 0, &err);
	if (r) {
		drain(r);
		mpt_reader_close(r);
	}

	r = mpt_reader_memopen(data, size, MPT_OPEN_STRICT, &err);
	if (r) {
		drain(r);
		mpt_reader_close(r);
	}

	compare(data, size, 0);
	compare(data, size, MPT_OPEN_STRICT);

	run_framed(data, size, 0);
	run_framed(data, size, 1);

	/* Seek to a time taken from the input's last bytes. */
	if (size >= 8)
		memcpy(&t, data + size - 8, 8);
	t %= 4000000000ull;
	r = mpt_reader_memopen(data, size, 0, &err);
	if (r) {
		if (mpt_reader_seek(r, t) == 0)
			drain(r);
		mpt_reader_close(r);
	}
	return 0;
}
