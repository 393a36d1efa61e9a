/* fuzz_reader.c - libFuzzer target: the trace reader on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
