/* Unit tests of formats/codec.c: every record type, strings, caps, names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "codec.h"
#include "mptrace.h"
#include "unit_trace.h"
#include "varint.h"

#define B(s) ((struct mpt_bytes){ (s), sizeof(s) - 1 })
#define BIG 0x8877665544332211ull

static const struct mpt_bytes argv_s[] = { B("./app"), B("--flag=1"), B("") };
static const struct mpt_bytes opts_s[] = { B("depth=64"), B("mode=fp") };
static const struct mpt_segment seg_s[] = {
	{ 0, 0x1234, 0, 5 },
	{ 0x3000, 0x777, 0x2000, 4 },
	{ BIG, UINT64_MAX, BIG + 1, 0xfffffff1u },
};
static const uint64_t frames_s[] = { 0x401234, 0x401000,   0x7f0000001234ull,
				     0x400000, UINT64_MAX, 0 };
static uint64_t frames_max[MPT_STACK_MAX];
static const struct mpt_numa_node node_s[] = {
	{ 0, 1ull << 34, 1ull << 33, B("0-3,8") },
	{ -1, 0, BIG, B("") },
};
static const struct mpt_numa_run run_s[] = { { 0, 12 },
					     { 1, 1ull << 40 },
					     { -2, 1 } };

/* One record of every type (several of some), distinctive values. */
static size_t sample_records(struct mpt_record *out, size_t max)
{
	struct mpt_record r;
	size_t n = 0;
	uint64_t t = 0;
	int i;

	for (i = 0; i < MPT_STACK_MAX; i++)
		frames_max[i] = 0x7fff00000000ull + (uint64_t)(i * 37 % 1000);
#define ADD(type_)                                 \
	do {                                       \
		r.type = (type_);                  \
		r.time = t;                        \
		assert_true(n < max);              \
		out[n++] = r;                      \
		memset(&r, 0, sizeof(r));          \
		t += 1 + (n * n * 7919) % 100000;  \
		r.pid = 100 + (uint32_t)(n % 3);   \
		r.tid = r.pid + (uint32_t)(n % 2); \
	} while (0)

	memset(&r, 0, sizeof(r));
	r.u.header.major = 1;
	r.u.header.minor = 7;
	r.u.header.clock_id = 1;
	r.u.header.wall_start_ns = 1763776000123456789ull;
	r.u.header.page_size = 4096;
	r.u.header.sample_bytes = 524288;
	r.u.header.host = B("build-host.example");
	r.u.header.argc = 3;
	r.u.header.argv = argv_s;
	r.u.header.nopts = 2;
	r.u.header.opts = opts_s;
	ADD(MPT_REC_HEADER);

	r.u.lost.count = 17;
	r.u.lost.reason = MPT_LOST_BUFFER_FULL;
	r.u.lost.bytes = 1ull << 40;
	ADD(MPT_REC_LOST);
	r.u.lost.count = BIG;
	r.u.lost.reason = MPT_LOST_KILLED;
	ADD(MPT_REC_LOST); /* [opt] bytes absent */

	r.u.process_start.ppid = 0xfffffffe;
	r.u.process_start.kind = MPT_PROC_FORK;
	r.u.process_start.path = B("/usr/bin/app");
	r.u.process_start.argc = 2;
	r.u.process_start.argv = argv_s;
	ADD(MPT_REC_PROCESS_START);
	r.u.process_start.kind = MPT_PROC_EXEC;
	ADD(MPT_REC_PROCESS_START); /* empty path, no argv */

	r.u.process_end.kind = MPT_END_SIGNAL;
	r.u.process_end.code = -2147483647 - 1;
	r.u.process_end.core = 1;
	ADD(MPT_REC_PROCESS_END);
	r.u.process_end.code = 2147483647;
	ADD(MPT_REC_PROCESS_END);

	r.u.thread_start.stack_lo = 0x7ffc00000000ull;
	r.u.thread_start.stack_hi = UINT64_MAX;
	ADD(MPT_REC_THREAD_START);
	r.u.thread_name.name = B("worker-3");
	ADD(MPT_REC_THREAD_NAME);
	ADD(MPT_REC_THREAD_END);

	r.u.module_load.module = 42;
	r.u.module_load.base = 0x7f1234560000ull;
	r.u.module_load.path = B("/lib/x86_64-linux-gnu/libc.so.6");
	r.u.module_load.build_id = B("\x01\x00\xff\x7f\x80");
	r.u.module_load.nseg = 3;
	r.u.module_load.seg = seg_s;
	ADD(MPT_REC_MODULE_LOAD);
	r.u.module_unload.module = BIG;
	ADD(MPT_REC_MODULE_UNLOAD);

	r.u.stack.id = 1;
	r.u.stack.nframe = 6;
	r.u.stack.frame = frames_s;
	ADD(MPT_REC_STACK);
	r.u.stack.id = BIG;
	r.u.stack.parent = 1;
	ADD(MPT_REC_STACK); /* no frames of its own */
	r.u.stack.id = 3;
	r.u.stack.parent = BIG;
	r.u.stack.nframe = MPT_STACK_MAX;
	r.u.stack.frame = frames_max;
	ADD(MPT_REC_STACK);

	r.u.alloc.func = MPT_FN_MALLOC;
	r.u.alloc.size = 24;
	r.u.alloc.addr = 0x55d0c0de1000ull;
	r.u.alloc.stack = 3;
	ADD(MPT_REC_ALLOC);
	r.u.alloc.func = MPT_FN_POSIX_MEMALIGN;
	r.u.alloc.flags = MPT_ALLOC_SAMPLED;
	r.u.alloc.size = BIG;
	r.u.alloc.addr = 0x55d0c0de0040ull; /* below the previous one */
	r.u.alloc.stack = BIG;
	r.u.alloc.align = 4096;
	ADD(MPT_REC_ALLOC); /* align present, old_addr absent */
	r.u.alloc.func = MPT_FN_REALLOC;
	r.u.alloc.size = 100;
	r.u.alloc.addr = UINT64_MAX - 15;
	r.u.alloc.old_addr = 0x55d0c0de1000ull;
	ADD(MPT_REC_ALLOC); /* align 0 written, old_addr present */
	r.u.alloc.func = MPT_FN_NEW_ARRAY;
	r.u.alloc.flags = MPT_ALLOC_FAILED;
	r.u.alloc.size = 1ull << 62;
	ADD(MPT_REC_ALLOC); /* failed: addr 0 */
	r.u.free.func = MPT_FN_DELETE_ARRAY;
	r.u.free.addr = 0x55d0c0de0040ull;
	ADD(MPT_REC_FREE);
	r.u.free.func = MPT_FN_FREE;
	ADD(MPT_REC_FREE); /* free(NULL) */
	r.u.free.func = 0xffffffffu;
	r.u.free.addr = 1;
	ADD(MPT_REC_FREE);

	r.u.mmap.addr = 0x7f0000000000ull;
	r.u.mmap.len = 1ull << 30;
	r.u.mmap.prot = 3;
	r.u.mmap.flags = 0x22;
	r.u.mmap.fd = -1;
	r.u.mmap.offset = BIG;
	r.u.mmap.stack = 9;
	ADD(MPT_REC_MMAP);
	r.u.munmap.addr = 0x7f0000001000ull;
	r.u.munmap.len = 4096;
	r.u.munmap.stack = 10;
	ADD(MPT_REC_MUNMAP);
	r.u.mremap.old_addr = 1;
	r.u.mremap.old_len = 2;
	r.u.mremap.new_addr = 3;
	r.u.mremap.new_len = BIG;
	r.u.mremap.flags = 0xffffffffu;
	r.u.mremap.stack = 6;
	ADD(MPT_REC_MREMAP);
	r.u.brk.old_end = 0x5555555000ull;
	r.u.brk.new_end = 0x5555576000ull;
	r.u.brk.stack = 7;
	ADD(MPT_REC_BRK);

	r.u.gpu_device.device = 1;
	r.u.gpu_device.name = B("Tesla V100-SXM2-16GB");
	r.u.gpu_device.mem_total = 16ull << 30;
	r.u.gpu_device.numa_node = -1;
	ADD(MPT_REC_GPU_DEVICE);
	r.u.gpu_alloc.device = 1;
	r.u.gpu_alloc.kind = MPT_GPU_ASYNC_POOL;
	r.u.gpu_alloc.stream = BIG;
	r.u.gpu_alloc.addr = 0x7f0000200000ull;
	r.u.gpu_alloc.size = 1 << 20;
	r.u.gpu_alloc.stack = 5;
	ADD(MPT_REC_GPU_ALLOC);
	r.u.gpu_free.device = 0xffffffffu;
	r.u.gpu_free.kind = MPT_GPU_VIRTUAL;
	r.u.gpu_free.stream = 2;
	r.u.gpu_free.addr = 0x7f0000200000ull;
	ADD(MPT_REC_GPU_FREE);

	r.u.counter_def.id = 7;
	r.u.counter_def.kind = MPT_COUNTER_HW;
	r.u.counter_def.config = BIG;
	r.u.counter_def.name = B("cycles");
	r.u.counter_def.unit = B("");
	r.u.counter_def.available = 0;
	r.u.counter_def.reason = B("perf_event_open: Permission denied");
	ADD(MPT_REC_COUNTER_DEF);
	r.u.counter_sample.id = 7;
	r.u.counter_sample.value = BIG;
	ADD(MPT_REC_COUNTER_SAMPLE); /* no [opt] */
	r.u.counter_sample.id = 8;
	r.u.counter_sample.value = 1;
	r.u.counter_sample.time_enabled = 1000;
	ADD(MPT_REC_COUNTER_SAMPLE); /* one [opt] */
	r.u.counter_sample.id = 9;
	r.u.counter_sample.value = 2;
	r.u.counter_sample.time_running = 999;
	ADD(MPT_REC_COUNTER_SAMPLE); /* enabled 0 written, running */

	r.u.rss.rss = 1 << 20;
	ADD(MPT_REC_RSS_SAMPLE);
	r.u.rss.rss = 2;
	r.u.rss.anon = 3;
	ADD(MPT_REC_RSS_SAMPLE);
	r.u.rss.rss = 4;
	r.u.rss.swap = BIG;
	ADD(MPT_REC_RSS_SAMPLE);
	r.u.rss.rss = 5;
	r.u.rss.anon = 6;
	r.u.rss.file = 7;
	r.u.rss.shmem = 8;
	r.u.rss.swap = 9;
	ADD(MPT_REC_RSS_SAMPLE);

	r.u.numa_topology.nnode = 2;
	r.u.numa_topology.node = node_s;
	ADD(MPT_REC_NUMA_TOPOLOGY);
	r.u.numa_sample.addr = 0x7f0000000000ull;
	r.u.numa_sample.page_size = 2 << 20;
	r.u.numa_sample.nrun = 3;
	r.u.numa_sample.run = run_s;
	ADD(MPT_REC_NUMA_SAMPLE);
	r.u.sched_sample.cpu = -1;
	r.u.sched_sample.node = 2147483647;
	ADD(MPT_REC_SCHED_SAMPLE);

	r.u.marker.label = B("epoch3");
	ADD(MPT_REC_MARKER);
	r.u.marker.label = B("parse");
	ADD(MPT_REC_SPAN_BEGIN);
	r.u.marker.label = B("parse");
	ADD(MPT_REC_SPAN_END);
	r.u.marker.label = B("cache");
	ADD(MPT_REC_TAG_PUSH);
	ADD(MPT_REC_TAG_POP);

	r.u.leak_block.addr = 0x55d0c0de1000ull;
	r.u.leak_block.size = BIG;
	r.u.leak_block.kind = MPT_LEAK_POSSIBLE;
	ADD(MPT_REC_LEAK_BLOCK);
	r.u.leak_scan.status = 13;
	for (i = 0; i < 5; i++) {
		r.u.leak_scan.blocks[i] = (uint64_t)i * 1000 + 1;
		r.u.leak_scan.bytes[i] = BIG >> i;
	}
	ADD(MPT_REC_LEAK_SCAN);
	r.u.leak_scan.flags = MPT_SCAN_FREERES;
	ADD(MPT_REC_LEAK_SCAN);
#undef ADD
	return n;
}

static void assert_bytes_equal(struct mpt_bytes a, struct mpt_bytes b)
{
	assert_int_equal(a.len, b.len);
	if (a.len)
		assert_memory_equal(a.ptr, b.ptr, a.len);
}

static void assert_rec_equal(const struct mpt_record *a,
			     const struct mpt_record *b, int ctx)
{
	uint32_t i;

	assert_int_equal(a->type, b->type);
	assert_true(a->time == b->time);
	if (ctx) {
		assert_int_equal(a->pid, b->pid);
		assert_int_equal(a->tid, b->tid);
	}
	if (unit_heap_rec_same(a, b))
		return;
	switch (a->type) {
	case MPT_REC_HEADER:
		assert_int_equal(a->u.header.major, b->u.header.major);
		assert_int_equal(a->u.header.minor, b->u.header.minor);
		assert_int_equal(a->u.header.clock_id, b->u.header.clock_id);
		assert_true(a->u.header.wall_start_ns ==
			    b->u.header.wall_start_ns);
		assert_int_equal(a->u.header.page_size, b->u.header.page_size);
		assert_true(a->u.header.sample_bytes ==
			    b->u.header.sample_bytes);
		assert_bytes_equal(a->u.header.host, b->u.header.host);
		assert_int_equal(a->u.header.argc, b->u.header.argc);
		for (i = 0; i < a->u.header.argc; i++)
			assert_bytes_equal(a->u.header.argv[i],
					   b->u.header.argv[i]);
		assert_int_equal(a->u.header.nopts, b->u.header.nopts);
		for (i = 0; i < a->u.header.nopts; i++)
			assert_bytes_equal(a->u.header.opts[i],
					   b->u.header.opts[i]);
		break;
	case MPT_REC_END:
		assert_memory_equal(&a->u.end, &b->u.end, sizeof(a->u.end));
		break;
	case MPT_REC_LOST:
		assert_true(a->u.lost.count == b->u.lost.count);
		assert_int_equal(a->u.lost.reason, b->u.lost.reason);
		assert_true(a->u.lost.bytes == b->u.lost.bytes);
		break;
	case MPT_REC_PROCESS_START:
		assert_int_equal(a->u.process_start.ppid,
				 b->u.process_start.ppid);
		assert_int_equal(a->u.process_start.kind,
				 b->u.process_start.kind);
		assert_bytes_equal(a->u.process_start.path,
				   b->u.process_start.path);
		assert_int_equal(a->u.process_start.argc,
				 b->u.process_start.argc);
		for (i = 0; i < a->u.process_start.argc; i++)
			assert_bytes_equal(a->u.process_start.argv[i],
					   b->u.process_start.argv[i]);
		break;
	case MPT_REC_PROCESS_END:
		assert_int_equal(a->u.process_end.kind, b->u.process_end.kind);
		assert_int_equal(a->u.process_end.code, b->u.process_end.code);
		assert_int_equal(a->u.process_end.core, b->u.process_end.core);
		break;
	case MPT_REC_THREAD_START:
		assert_true(a->u.thread_start.stack_lo ==
			    b->u.thread_start.stack_lo);
		assert_true(a->u.thread_start.stack_hi ==
			    b->u.thread_start.stack_hi);
		break;
	case MPT_REC_THREAD_NAME:
		assert_bytes_equal(a->u.thread_name.name,
				   b->u.thread_name.name);
		break;
	case MPT_REC_THREAD_END:
	case MPT_REC_TAG_POP:
		break;
	case MPT_REC_MODULE_LOAD:
		assert_true(a->u.module_load.module == b->u.module_load.module);
		assert_true(a->u.module_load.base == b->u.module_load.base);
		assert_bytes_equal(a->u.module_load.path,
				   b->u.module_load.path);
		assert_bytes_equal(a->u.module_load.build_id,
				   b->u.module_load.build_id);
		assert_int_equal(a->u.module_load.nseg, b->u.module_load.nseg);
		for (i = 0; i < a->u.module_load.nseg; i++) {
			const struct mpt_segment *x = &a->u.module_load.seg[i];
			const struct mpt_segment *y = &b->u.module_load.seg[i];

			assert_true(x->vaddr == y->vaddr);
			assert_true(x->memsz == y->memsz);
			assert_true(x->offset == y->offset);
			assert_int_equal(x->flags, y->flags);
		}
		break;
	case MPT_REC_MODULE_UNLOAD:
		assert_true(a->u.module_unload.module ==
			    b->u.module_unload.module);
		break;
	case MPT_REC_STACK:
		assert_true(a->u.stack.id == b->u.stack.id);
		assert_true(a->u.stack.parent == b->u.stack.parent);
		assert_int_equal(a->u.stack.nframe, b->u.stack.nframe);
		if (a->u.stack.nframe)
			assert_memory_equal(a->u.stack.frame, b->u.stack.frame,
					    a->u.stack.nframe * 8);
		break;
	case MPT_REC_MMAP:
		assert_memory_equal(&a->u.mmap, &b->u.mmap, sizeof(a->u.mmap));
		break;
	case MPT_REC_MUNMAP:
		assert_memory_equal(&a->u.munmap, &b->u.munmap,
				    sizeof(a->u.munmap));
		break;
	case MPT_REC_MREMAP:
		assert_true(a->u.mremap.old_addr == b->u.mremap.old_addr);
		assert_true(a->u.mremap.old_len == b->u.mremap.old_len);
		assert_true(a->u.mremap.new_addr == b->u.mremap.new_addr);
		assert_true(a->u.mremap.new_len == b->u.mremap.new_len);
		assert_int_equal(a->u.mremap.flags, b->u.mremap.flags);
		assert_true(a->u.mremap.stack == b->u.mremap.stack);
		break;
	case MPT_REC_BRK:
		assert_memory_equal(&a->u.brk, &b->u.brk, sizeof(a->u.brk));
		break;
	case MPT_REC_GPU_DEVICE:
		assert_int_equal(a->u.gpu_device.device,
				 b->u.gpu_device.device);
		assert_bytes_equal(a->u.gpu_device.name, b->u.gpu_device.name);
		assert_true(a->u.gpu_device.mem_total ==
			    b->u.gpu_device.mem_total);
		assert_int_equal(a->u.gpu_device.numa_node,
				 b->u.gpu_device.numa_node);
		break;
	case MPT_REC_GPU_ALLOC:
		assert_memory_equal(&a->u.gpu_alloc, &b->u.gpu_alloc,
				    sizeof(a->u.gpu_alloc));
		break;
	case MPT_REC_GPU_FREE:
		assert_memory_equal(&a->u.gpu_free, &b->u.gpu_free,
				    sizeof(a->u.gpu_free));
		break;
	case MPT_REC_COUNTER_DEF:
		assert_int_equal(a->u.counter_def.id, b->u.counter_def.id);
		assert_int_equal(a->u.counter_def.kind, b->u.counter_def.kind);
		assert_true(a->u.counter_def.config == b->u.counter_def.config);
		assert_bytes_equal(a->u.counter_def.name,
				   b->u.counter_def.name);
		assert_bytes_equal(a->u.counter_def.unit,
				   b->u.counter_def.unit);
		assert_int_equal(a->u.counter_def.available,
				 b->u.counter_def.available);
		assert_bytes_equal(a->u.counter_def.reason,
				   b->u.counter_def.reason);
		break;
	case MPT_REC_COUNTER_SAMPLE:
		assert_int_equal(a->u.counter_sample.id,
				 b->u.counter_sample.id);
		assert_true(a->u.counter_sample.value ==
			    b->u.counter_sample.value);
		assert_true(a->u.counter_sample.time_enabled ==
			    b->u.counter_sample.time_enabled);
		assert_true(a->u.counter_sample.time_running ==
			    b->u.counter_sample.time_running);
		break;
	case MPT_REC_RSS_SAMPLE:
		assert_memory_equal(&a->u.rss, &b->u.rss, sizeof(a->u.rss));
		break;
	case MPT_REC_NUMA_TOPOLOGY:
		assert_int_equal(a->u.numa_topology.nnode,
				 b->u.numa_topology.nnode);
		for (i = 0; i < a->u.numa_topology.nnode; i++) {
			const struct mpt_numa_node *x =
				&a->u.numa_topology.node[i];
			const struct mpt_numa_node *y =
				&b->u.numa_topology.node[i];

			assert_int_equal(x->node, y->node);
			assert_true(x->mem_total == y->mem_total);
			assert_true(x->mem_free == y->mem_free);
			assert_bytes_equal(x->cpus, y->cpus);
		}
		break;
	case MPT_REC_NUMA_SAMPLE:
		assert_true(a->u.numa_sample.addr == b->u.numa_sample.addr);
		assert_int_equal(a->u.numa_sample.page_size,
				 b->u.numa_sample.page_size);
		assert_int_equal(a->u.numa_sample.nrun, b->u.numa_sample.nrun);
		for (i = 0; i < a->u.numa_sample.nrun; i++) {
			assert_int_equal(a->u.numa_sample.run[i].node,
					 b->u.numa_sample.run[i].node);
			assert_true(a->u.numa_sample.run[i].pages ==
				    b->u.numa_sample.run[i].pages);
		}
		break;
	case MPT_REC_SCHED_SAMPLE:
		assert_int_equal(a->u.sched_sample.cpu, b->u.sched_sample.cpu);
		assert_int_equal(a->u.sched_sample.node,
				 b->u.sched_sample.node);
		break;
	case MPT_REC_MARKER:
	case MPT_REC_SPAN_BEGIN:
	case MPT_REC_SPAN_END:
	case MPT_REC_TAG_PUSH:
		assert_bytes_equal(a->u.marker.label, b->u.marker.label);
		break;
	case MPT_REC_LEAK_BLOCK:
		assert_true(a->u.leak_block.addr == b->u.leak_block.addr);
		assert_true(a->u.leak_block.size == b->u.leak_block.size);
		assert_int_equal(a->u.leak_block.kind, b->u.leak_block.kind);
		break;
	case MPT_REC_LEAK_SCAN:
		assert_int_equal(a->u.leak_scan.status, b->u.leak_scan.status);
		assert_memory_equal(a->u.leak_scan.blocks,
				    b->u.leak_scan.blocks,
				    sizeof(a->u.leak_scan.blocks));
		assert_memory_equal(a->u.leak_scan.bytes, b->u.leak_scan.bytes,
				    sizeof(a->u.leak_scan.bytes));
		assert_int_equal(a->u.leak_scan.flags, b->u.leak_scan.flags);
		break;
	default:
		fail_msg("unexpected type %d", a->type);
	}
}

/* Fresh delta state, each with back-reference rings of its own. */
static struct mpt_href hrefs[8];
static unsigned nhref;

static void delta_init(struct mpt_delta *d)
{
	memset(d, 0, sizeof(*d));
	d->h = &hrefs[nhref++ % 8];
	memset(d->h, 0, sizeof(*d->h));
}

/* Two decoders in the same state (rings included). */
static void assert_delta_equal(const struct mpt_delta *a,
			       const struct mpt_delta *b)
{
	assert_int_equal(a->time, b->time);
	assert_int_equal(a->addr, b->addr);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->tid, b->tid);
	assert_int_equal(a->h->na, b->h->na);
	assert_int_equal(a->h->nf, b->h->nf);
	assert_memory_equal(a->h->aring, b->h->aring, sizeof(a->h->aring));
	assert_memory_equal(a->h->fring, b->h->fring, sizeof(a->h->fring));
}

static uint8_t frame[MPT_FRAME_MAX + MPT_DECODE_PAD];

/* Encode and decode every sample record directly with the codec. */
static void test_codec__every_type_round_trip(void **state)
{
	static struct mpt_record in[128];
	struct mpt_delta ed, dd;
	struct mpt_dec dec;
	struct mpt_record out;
	size_t n = sample_records(in, 128), i;
	const uint8_t *p;
	uint8_t *q = frame;
	int err, seen[256] = { 0 }, t;

	delta_init(&ed);
	for (i = 0; i < n; i++) {
		q = mpt_encode(q, frame + MPT_FRAME_MAX, &in[i], &ed, &err);
		assert_non_null(q);
		assert_int_equal(err, 0);
	}
	memset(&dec, 0, sizeof(dec));
	delta_init(&dd);
	p = frame;
	for (i = 0; i < n; i++) {
		assert_true(p < q);
		assert_int_equal(mpt_decode(&p, q, &out, &dd, &dec), 1);
		assert_rec_equal(&in[i], &out, 0);
		seen[out.type] = 1;
	}
	assert_ptr_equal(p, q);
	/* Every type but CONTEXT and END (written by the writer itself). */
	for (t = 1; t < 256; t++)
		if (mpt_type_name(t) && t != MPT_REC_CONTEXT &&
		    t != MPT_REC_END)
			assert_true(seen[t]);
	mpt_dec_release(&dec);
}

/* Optional trailing fields that are 0 are not written. */
static void test_codec__optional_fields_omitted(void **state)
{
	struct mpt_record r;
	struct mpt_delta d;
	uint8_t buf[256];
	uint8_t *q;
	int err;

	memset(&r, 0, sizeof(r));
	r.type = MPT_REC_RSS_SAMPLE;
	r.u.rss.rss = 5;
	delta_init(&d);
	q = mpt_encode(buf, buf + sizeof(buf), &r, &d, &err);
	/* type, length 2, dt 0, rss 5 */
	assert_int_equal(q - buf, 4);
	assert_int_equal(buf[1], 2);

	r.type = MPT_REC_ALLOC;
	r.u.alloc.func = 1;
	r.u.alloc.size = 8;
	r.u.alloc.addr = 0x40;
	r.u.alloc.stack = 1;
	delta_init(&d);
	q = mpt_encode(buf, buf + sizeof(buf), &r, &d, &err);
	/* dt func flags size addr(explicit: 0, zz 0x40 = 0x80 0x01) stack */
	assert_int_equal(buf[1], 8);
	assert_int_equal(buf[6], 0);
	assert_int_equal(q - buf, 10);
	r.u.alloc.old_addr = 0x40;
	delta_init(&d);
	q = mpt_encode(buf, buf + sizeof(buf), &r, &d, &err);
	/* + align 0 + old_addr explicit (0) as zz delta 0 */
	assert_int_equal(buf[1], 11);
	assert_int_equal(buf[10], 0);
	assert_int_equal(buf[11], 0);
	assert_int_equal(buf[12], 0);
	assert_int_equal(q - buf, 13);

	/* LEAK_SCAN: dt, status, 10 counts; flags only when set. */
	memset(&r, 0, sizeof(r));
	r.type = MPT_REC_LEAK_SCAN;
	delta_init(&d);
	q = mpt_encode(buf, buf + sizeof(buf), &r, &d, &err);
	assert_int_equal(buf[1], 12);
	assert_int_equal(q - buf, 14);
	r.u.leak_scan.flags = MPT_SCAN_FREERES;
	delta_init(&d);
	q = mpt_encode(buf, buf + sizeof(buf), &r, &d, &err);
	assert_int_equal(buf[1], 13);
	assert_int_equal(buf[14], MPT_SCAN_FREERES);
	assert_int_equal(q - buf, 15);
}

/* Records whose optional fields are absent on disk read them as 0. */
static void test_codec__absent_fields_read_zero(void **state)
{
	/* COUNTER_SAMPLE: dt 5, id 3, value 9; nothing optional. */
	static const uint8_t cs[] = { MPT_REC_COUNTER_SAMPLE, 3, 5, 3, 9 };
	/* LOST: dt 0, count 1, reason 2. */
	static const uint8_t lost[] = { MPT_REC_LOST, 3, 0, 1, 2 };
	struct mpt_record out;
	struct mpt_delta d;
	struct mpt_dec dec;
	const uint8_t *p;

	memset(&dec, 0, sizeof(dec));
	memset(&out, 0xab, sizeof(out));
	delta_init(&d);
	p = cs;
	assert_int_equal(mpt_decode(&p, cs + sizeof(cs), &out, &d, &dec), 1);
	assert_int_equal(out.time, 5);
	assert_int_equal(out.u.counter_sample.id, 3);
	assert_int_equal(out.u.counter_sample.value, 9);
	assert_int_equal(out.u.counter_sample.time_enabled, 0);
	assert_int_equal(out.u.counter_sample.time_running, 0);
	memset(&out, 0xab, sizeof(out));
	p = lost;
	assert_int_equal(mpt_decode(&p, lost + sizeof(lost), &out, &d, &dec),
			 1);
	assert_int_equal(out.time, 5);
	assert_int_equal(out.u.lost.bytes, 0);
	mpt_dec_release(&dec);
}

/* Extra payload bytes (a newer minor version's fields) are ignored. */
static void test_codec__extra_payload_ignored(void **state)
{
	static const uint8_t rec[] = {
		MPT_REC_FREE,	 7, 1, 12, 0, 0x80, 0x01, 0xaa, 0x55,
		MPT_REC_TAG_POP, 1, 2
	};
	struct mpt_record out;
	struct mpt_delta d;
	struct mpt_dec dec;
	const uint8_t *p = rec;

	memset(&dec, 0, sizeof(dec));
	delta_init(&d);
	assert_int_equal(mpt_decode(&p, rec + sizeof(rec), &out, &d, &dec), 1);
	assert_int_equal(out.type, MPT_REC_FREE);
	assert_int_equal(out.u.free.func, MPT_FN_FREE);
	assert_int_equal(out.u.free.addr, 64);
	assert_ptr_equal(p, rec + 9);
	assert_int_equal(mpt_decode(&p, rec + sizeof(rec), &out, &d, &dec), 1);
	assert_int_equal(out.type, MPT_REC_TAG_POP);
	assert_int_equal(out.time, 3);
	mpt_dec_release(&dec);
}

/* An unknown type is skipped, but its dt still counts. */
static void test_codec__unknown_type_keeps_time(void **state)
{
	static const uint8_t rec[] = { 0x7e, 3,	   10,
				       0xff, 0x01, MPT_REC_THREAD_END,
				       1,    1 };
	struct mpt_record out;
	struct mpt_delta d;
	struct mpt_dec dec;
	const uint8_t *p = rec;

	memset(&dec, 0, sizeof(dec));
	delta_init(&d);
	assert_int_equal(mpt_decode(&p, rec + sizeof(rec), &out, &d, &dec), 0);
	assert_int_equal(out.type, 0x7e);
	assert_int_equal(out.time, 10);
	assert_int_equal(mpt_decode(&p, rec + sizeof(rec), &out, &d, &dec), 1);
	assert_int_equal(out.type, MPT_REC_THREAD_END);
	assert_int_equal(out.time, 11);
	mpt_dec_release(&dec);
}

static void test_codec__strings(void **state)
{
	char *big = malloc(MPT_STRING_MAX + 1);
	struct mpt_record r, out;
	struct mpt_delta d;
	struct mpt_dec dec;
	const uint8_t *p;
	uint8_t *q;
	int err;

	assert_non_null(big);
	memset(big, 'x', MPT_STRING_MAX + 1);
	big[0] = '\0'; /* bytes, not a C string */
	memset(&dec, 0, sizeof(dec));
	memset(&r, 0, sizeof(r));
	r.type = MPT_REC_MARKER;

	/* Empty. */
	r.u.marker.label.ptr = NULL;
	r.u.marker.label.len = 0;
	delta_init(&d);
	q = mpt_encode(frame, frame + MPT_FRAME_MAX, &r, &d, &err);
	assert_int_equal(q - frame, 4);
	p = frame;
	delta_init(&d);
	assert_int_equal(mpt_decode(&p, q, &out, &d, &dec), 1);
	assert_int_equal(out.u.marker.label.len, 0);

	/* Exactly at the cap. */
	r.u.marker.label.ptr = big;
	r.u.marker.label.len = MPT_STRING_MAX;
	delta_init(&d);
	q = mpt_encode(frame, frame + MPT_FRAME_MAX, &r, &d, &err);
	assert_non_null(q);
	p = frame;
	delta_init(&d);
	assert_int_equal(mpt_decode(&p, q, &out, &d, &dec), 1);
	assert_int_equal(out.u.marker.label.len, MPT_STRING_MAX);
	assert_memory_equal(out.u.marker.label.ptr, big, MPT_STRING_MAX);

	/* Over the cap: refused when writing... */
	r.u.marker.label.len = MPT_STRING_MAX + 1;
	delta_init(&d);
	assert_null(mpt_encode(frame, frame + MPT_FRAME_MAX, &r, &d, &err));
	assert_int_equal(err, MPT_E_LIMIT);

	/* ...and when reading one made by hand. */
	q = frame;
	*q++ = MPT_REC_MARKER;
	q = mpt_varint_put(q, 1 + 3 + MPT_STRING_MAX + 1);
	*q++ = 0;
	q = mpt_varint_put(q, MPT_STRING_MAX + 1);
	memset(q, 'y', MPT_STRING_MAX + 1);
	q += MPT_STRING_MAX + 1;
	p = frame;
	delta_init(&d);
	assert_int_equal(mpt_decode(&p, q, &out, &d, &dec), MPT_E_LIMIT);
	assert_non_null(strstr(dec.errmsg, "string length 65537 exceeds "
					   "limit 65536"));

	/* A string longer than its payload. */
	q = frame;
	*q++ = MPT_REC_THREAD_NAME;
	*q++ = 3;
	*q++ = 0;
	*q++ = 10;
	*q++ = 'a';
	p = frame;
	delta_init(&d);
	assert_int_equal(mpt_decode(&p, q, &out, &d, &dec), MPT_E_CORRUPT);
	free(big);
	mpt_dec_release(&dec);
}

static void test_codec__absurd_lengths(void **state)
{
	struct mpt_record out, r;
	struct mpt_delta d;
	struct mpt_dec dec;
	const uint8_t *p;
	uint8_t *q;
	uint64_t nf[MPT_STACK_MAX + 1] = { 0 };
	int err;

	memset(&dec, 0, sizeof(dec));

	/* Record length 2^40. */
	q = frame;
	*q++ = MPT_REC_MARKER;
	q = mpt_varint_put(q, 1ull << 40);
	memset(q, 0, 16);
	q += 16;
	p = frame;
	delta_init(&d);
	assert_int_equal(mpt_decode(&p, q, &out, &d, &dec), MPT_E_LIMIT);
	assert_string_equal(dec.errmsg, "record length 1099511627776 exceeds "
					"limit 1048560");

	/* Record length just over what is left in the frame. */
	q = frame;
	*q++ = MPT_REC_MARKER;
	*q++ = 5;
	*q++ = 0;
	p = frame;
	assert_int_equal(mpt_decode(&p, q, &out, &d, &dec), MPT_E_CORRUPT);

	/* STACK nframe 2^40 and 1025. */
	q = frame;
	*q++ = MPT_REC_STACK;
	*q++ = 9;
	*q++ = 0;
	*q++ = 1;
	*q++ = 0;
	q = mpt_varint_put(q, 1ull << 40);
	p = frame;
	assert_int_equal(mpt_decode(&p, q, &out, &d, &dec), MPT_E_LIMIT);
	assert_non_null(strstr(dec.errmsg, "1099511627776"));
	memset(&r, 0, sizeof(r));
	r.type = MPT_REC_STACK;
	r.u.stack.id = 1;
	r.u.stack.nframe = MPT_STACK_MAX + 1;
	r.u.stack.frame = nf;
	delta_init(&d);
	assert_null(mpt_encode(frame, frame + MPT_FRAME_MAX, &r, &d, &err));
	assert_int_equal(err, MPT_E_LIMIT);

	/* An argv count larger than the bytes that could hold it. */
	q = frame;
	*q++ = MPT_REC_PROCESS_START;
	*q++ = 7;
	*q++ = 0;
	*q++ = 1;
	*q++ = 0;
	*q++ = 0;
	q = mpt_varint_put(q, 60000);
	*q++ = 0;
	p = frame;
	delta_init(&d);
	assert_int_equal(mpt_decode(&p, q, &out, &d, &dec), MPT_E_CORRUPT);

	/* A 32-bit field holding 2^32. */
	q = frame;
	*q++ = MPT_REC_FREE;
	*q++ = 7;
	*q++ = 0;
	q = mpt_varint_put(q, 1ull << 32);
	*q++ = 0;
	p = frame;
	delta_init(&d);
	assert_int_equal(mpt_decode(&p, q, &out, &d, &dec), MPT_E_CORRUPT);
	mpt_dec_release(&dec);
}

/* The reader's ALLOC/FREE fast path agrees with the general decoder. */
static void test_codec__fast_path_matches(void **state)
{
	static struct mpt_record in[128];
	struct mpt_delta ed, d1, d2;
	struct mpt_dec dec;
	struct mpt_record a, b;
	size_t n = sample_records(in, 128), i, fast = 0;
	const uint8_t *p1, *p2;
	uint8_t *q = frame;
	int err;

	memset(frame, 0, sizeof(frame));
	delta_init(&ed);
	for (i = 0; i < n; i++)
		q = mpt_encode(q, frame + MPT_FRAME_MAX, &in[i], &ed, &err);
	memset(&dec, 0, sizeof(dec));
	delta_init(&d1);
	delta_init(&d2);
	p1 = p2 = frame;
	for (i = 0; i < n; i++) {
		assert_int_equal(mpt_decode(&p1, q, &a, &d1, &dec), 1);
		if ((*p2 == MPT_REC_ALLOC || *p2 == MPT_REC_FREE) &&
		    mpt_decode_event(&p2, q, &b, &d2, &d2)) {
			fast++;
			assert_rec_equal(&a, &b, 1);
		} else {
			assert_int_equal(mpt_decode(&p2, q, &b, &d2, &dec), 1);
		}
		assert_ptr_equal(p1, p2);
		assert_delta_equal(&d1, &d2);
	}
	assert_true(fast >= 4);
	mpt_dec_release(&dec);
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* A value of a random bit length. */
static uint64_t val(uint64_t *x)
{
	uint64_t v = xorshift(x);

	return v >> (xorshift(x) % 64);
}

/*
 * A heap that reuses addresses as allocators do: frees of recent blocks and
 * allocations of recently freed addresses become back-references, which
 * decode to the same records on the fast and the general path, and make the
 * frame smaller than explicit deltas do.
 */
static void test_codec__address_back_references(void **state)
{
	static struct mpt_record in[6000];
	static uint8_t plain[1 << 17];
	uint64_t live[64], pool[96], x = 0x9e3779b97f4a7c15ull, t = 0;
	struct mpt_delta ed, en, d1, d2;
	struct mpt_dec dec;
	struct mpt_record a, b;
	size_t nlive = 0, npool = 96, n = 0, i, fast = 0;
	const uint8_t *p1, *p2;
	uint8_t *q = frame, *qn = plain;
	int err;

	for (i = 0; i < 96; i++)
		pool[i] = 0x5555000000ull + 48 * i;
	while (n < 6000 - 2) {
		struct mpt_record *r = &in[n];
		uint64_t k = xorshift(&x);

		memset(r, 0, sizeof(*r));
		r->time = t += k % 300;
		if (nlive && (k >> 20) % 3 == 0) {
			/* realloc: FREE half, then ALLOC with old_addr */
			size_t j = (k >> 30) % nlive;

			r->type = MPT_REC_FREE;
			r->u.free.func = MPT_FN_REALLOC;
			r->u.free.addr = live[j];
			r[1] = *r;
			r[1].type = MPT_REC_ALLOC;
			r[1].u.alloc.func = MPT_FN_REALLOC;
			r[1].u.alloc.size = k % 4000;
			r[1].u.alloc.addr = (k >> 40) % 2 ? live[j] : pool[0];
			r[1].u.alloc.old_addr = live[j];
			r[1].u.alloc.stack = 3;
			if (r[1].u.alloc.addr == pool[0])
				pool[0] = live[j];
			live[j] = r[1].u.alloc.addr;
			n += 2;
		} else if (nlive && (nlive == 64 || (k >> 20) % 3 == 1)) {
			size_t j = (k >> 30) % nlive;

			r->type = MPT_REC_FREE;
			r->u.free.func = MPT_FN_FREE;
			r->u.free.addr = live[j];
			pool[npool++] = live[j]; /* LIFO, like tcache */
			live[j] = live[--nlive];
			n++;
		} else {
			r->type = MPT_REC_ALLOC;
			r->u.alloc.func = MPT_FN_MALLOC;
			r->u.alloc.size = k % 100;
			r->u.alloc.addr = pool[--npool];
			r->u.alloc.stack = 1 + k % 7;
			live[nlive++] = r->u.alloc.addr;
			n++;
		}
	}
	delta_init(&ed);
	memset(&en, 0, sizeof(en)); /* no rings: explicit addresses */
	for (i = 0; i < n; i++) {
		q = mpt_encode(q, frame + MPT_FRAME_MAX, &in[i], &ed, &err);
		qn = mpt_encode(qn, plain + sizeof(plain), &in[i], &en, &err);
		assert_non_null(q);
		assert_non_null(qn);
	}
	/* Back-references were used, and paid. */
	assert_true((size_t)(q - frame) < (size_t)(qn - plain) * 8 / 10);
	memset(&dec, 0, sizeof(dec));
	delta_init(&d1);
	delta_init(&d2);
	p1 = p2 = frame;
	for (i = 0; i < n; i++) {
		assert_int_equal(mpt_decode(&p1, q, &a, &d1, &dec), 1);
		assert_rec_equal(&in[i], &a, 0);
		if (mpt_decode_event(&p2, q, &b, &d2, &d2)) {
			fast++;
			assert_rec_equal(&in[i], &b, 0);
		} else {
			assert_int_equal(mpt_decode(&p2, q, &b, &d2, &dec), 1);
		}
		assert_ptr_equal(p1, p2);
		assert_delta_equal(&d1, &d2);
	}
	assert_true(fast > n / 2);
	mpt_dec_release(&dec);
}

/* A back-reference beyond the addresses of its frame is corrupt. */
static void test_codec__bad_back_reference(void **state)
{
	/* FREE: dt 1, func free, back-reference 5 in a fresh frame. */
	static uint8_t rec[5 + MPT_DECODE_PAD] = { MPT_REC_FREE, 3, 1,
						   MPT_FN_FREE, 5 };
	const size_t len = 5;
	struct mpt_record out;
	struct mpt_delta d;
	struct mpt_dec dec;
	const uint8_t *p = rec;

	memset(&dec, 0, sizeof(dec));
	delta_init(&d);
	assert_int_equal(mpt_decode(&p, rec + len, &out, &d, &dec),
			 MPT_E_CORRUPT);
	assert_non_null(strstr(dec.errmsg, "back-reference 5"));
	p = rec;
	assert_int_equal(mpt_decode_event(&p, rec + len, &out, &d, &d), 0);
	mpt_dec_release(&dec);
}

/* Fast paths against general ones, on ALLOC/FREE values of every length. */
static void test_codec__fast_paths_random(void **state)
{
	static uint8_t a[1 << 16], b[1 << 16];
	uint64_t x = 0x2545f4914f6cdd1dull;
	struct mpt_delta ea, eb, da, db;
	struct mpt_record r, ra, rb;
	struct mpt_dec dec;
	const uint8_t *pa, *pb;
	uint8_t *qa, *qb;
	int i, err, fast = 0;

	memset(&dec, 0, sizeof(dec));
	for (i = 0; i < 3000; i++) {
		int k, n = 20;
#define RND() xorshift(&x)
#define VAL() val(&x)
		delta_init(&ea);
		delta_init(&eb);
		qa = a;
		qb = b;
		memset(&r, 0, sizeof(r));
		for (k = 0; k < n; k++) {
			r.time += VAL() >> 8;
			if (RND() % 2) {
				r.type = MPT_REC_ALLOC;
				r.u.alloc.func = (uint32_t)VAL();
				r.u.alloc.flags = (uint32_t)(RND() % 4);
				r.u.alloc.size = VAL();
				r.u.alloc.addr = VAL();
				r.u.alloc.stack = VAL();
				r.u.alloc.align = RND() % 4 ? 0 : VAL();
				r.u.alloc.old_addr = RND() % 4 ? 0 : VAL();
			} else {
				r.type = MPT_REC_FREE;
				r.u.free.func = (uint32_t)VAL();
				r.u.free.addr = VAL();
			}
			qa = mpt_encode(qa, a + sizeof(a) - MPT_DECODE_PAD, &r,
					&ea, &err);
			assert_non_null(qa);
			qb = mpt_encode_event(qb, &r, &eb);
		}
		assert_int_equal(qa - a, qb - b);
		assert_memory_equal(a, b, (size_t)(qa - a));
		delta_init(&da);
		delta_init(&db);
		pa = pb = a;
		for (k = 0; k < n; k++) {
			assert_int_equal(mpt_decode(&pa, qa, &ra, &da, &dec),
					 1);
			if (mpt_decode_event(&pb, qa, &rb, &db, &db)) {
				fast++;
				assert_int_equal(ra.type, rb.type);
				assert_true(ra.time == rb.time);
				if (ra.type == MPT_REC_ALLOC)
					assert_memory_equal(&ra.u.alloc,
							    &rb.u.alloc,
							    sizeof(ra.u.alloc));
				else
					assert_memory_equal(&ra.u.free,
							    &rb.u.free,
							    sizeof(ra.u.free));
			} else {
				assert_int_equal(
					mpt_decode(&pb, qa, &rb, &db, &dec), 1);
			}
			assert_ptr_equal(pa, pb);
			assert_delta_equal(&da, &db);
		}
#undef RND
#undef VAL
	}
	assert_true(fast > 1000);
	mpt_dec_release(&dec);
}

/* Every sample record through the writer and the reader, with contexts. */
static void test_codec__round_trip_through_file(void **state)
{
	static struct mpt_record in[128];
	size_t n = sample_records(in, 128), i;
	char path[] = "/tmp/test_codec.XXXXXX";
	struct mpt_writer *w;
	struct mpt_reader *r;
	struct mpt_record out;
	int fd = mkstemp(path), err;
	uint64_t events = 0, lost = 0;
	uint32_t procs = 0;

	assert_true(fd >= 0);
	w = mpt_writer_new(fd, NULL, &err);
	assert_non_null(w);
	for (i = 0; i < n; i++) {
		assert_int_equal(mpt_writer_put(w, &in[i]), 0);
		switch (in[i].type) {
		case MPT_REC_ALLOC:
		case MPT_REC_FREE:
		case MPT_REC_GPU_ALLOC:
		case MPT_REC_GPU_FREE:
			events++;
			break;
		case MPT_REC_LOST:
			lost += in[i].u.lost.count;
			break;
		case MPT_REC_PROCESS_START:
			procs += in[i].u.process_start.kind != MPT_PROC_EXEC;
			break;
		}
	}
	assert_int_equal(mpt_writer_finish(w, 139), 0);
	mpt_writer_free(w);
	close(fd);

	r = mpt_reader_open(path, MPT_OPEN_STRICT, &err);
	assert_non_null(r);
	for (i = 0; i < n; i++) {
		assert_int_equal(mpt_reader_next(r, &out), 1);
		assert_rec_equal(&in[i], &out, 1);
	}
	assert_int_equal(mpt_reader_next(r, &out), 1);
	assert_int_equal(out.type, MPT_REC_END);
	assert_true(out.time == in[n - 1].time);
	assert_int_equal(out.pid, 0);
	assert_true(out.u.end.records == n);
	assert_true(out.u.end.events == events);
	assert_true(out.u.end.lost == lost);
	assert_int_equal(out.u.end.processes, procs);
	assert_int_equal(out.u.end.exit_code, 139);
	assert_int_equal(mpt_reader_next(r, &out), 0);
	assert_int_equal(mpt_reader_is_cut(r), 0);
	assert_int_equal(mpt_reader_has_index(r), 1);
	/* The kept header outlives its frame. */
	assert_rec_equal(&in[0], mpt_reader_header(r), 1);
	mpt_reader_close(r);
	unlink(path);
}

static void test_codec__names(void **state)
{
	int t;

	assert_string_equal(mpt_type_name(MPT_REC_ALLOC), "alloc");
	assert_string_equal(mpt_type_name(MPT_REC_NUMA_SAMPLE), "numa_sample");
	assert_null(mpt_type_name(0));
	assert_null(mpt_type_name(0x7f));
	assert_null(mpt_type_name(-1));
	assert_null(mpt_type_name(256));
	assert_string_equal(mpt_func_name(MPT_FN_MALLOC), "malloc");
	assert_string_equal(mpt_func_name(MPT_FN_CALLOC), "calloc");
	assert_string_equal(mpt_func_name(MPT_FN_NEW), "operator new");
	assert_string_equal(mpt_func_name(MPT_FN_NEW_ARRAY), "operator new[]");
	assert_string_equal(mpt_func_name(MPT_FN_FREE), "free");
	assert_string_equal(mpt_func_name(MPT_FN_DELETE), "operator delete");
	assert_string_equal(mpt_func_name(MPT_FN_DELETE_ARRAY),
			    "operator delete[]");
	assert_string_equal(mpt_func_name(MPT_FN_COUNT_), "?");
	assert_string_equal(mpt_func_name(-3), "?");
	for (t = 0; t < MPT_FN_COUNT_; t++)
		assert_non_null(mpt_func_name(t));
	assert_true(mpt_type_is_definition(MPT_REC_STACK));
	assert_true(mpt_type_is_definition(MPT_REC_HEADER));
	assert_true(mpt_type_is_definition(MPT_REC_MODULE_LOAD));
	assert_false(mpt_type_is_definition(MPT_REC_ALLOC));
	assert_false(mpt_type_is_definition(MPT_REC_END));
	assert_false(mpt_type_is_definition(MPT_REC_MARKER));
	for (t = -12; t <= 0; t++)
		assert_non_null(mpt_strerror(t));
	assert_string_equal(mpt_strerror(MPT_E_LIMIT),
			    "length exceeds a limit");
	assert_string_equal(mpt_strerror(1234), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec__every_type_round_trip),
		cmocka_unit_test(test_codec__optional_fields_omitted),
		cmocka_unit_test(test_codec__absent_fields_read_zero),
		cmocka_unit_test(test_codec__extra_payload_ignored),
		cmocka_unit_test(test_codec__unknown_type_keeps_time),
		cmocka_unit_test(test_codec__strings),
		cmocka_unit_test(test_codec__absurd_lengths),
		cmocka_unit_test(test_codec__fast_path_matches),
		cmocka_unit_test(test_codec__fast_paths_random),
		cmocka_unit_test(test_codec__address_back_references),
		cmocka_unit_test(test_codec__bad_back_reference),
		cmocka_unit_test(test_codec__round_trip_through_file),
		cmocka_unit_test(test_codec__names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
