/* mpdump.c - print the records of traces as text or CSV, or their --stats. */
#include <stdlib.h>
#include <string.h>

#include "common.h"

enum { CODE_STATS = 0x100 };

static int opt_stats;

static const struct cmd_option own_option[] = {
	{ "stats", CODE_STATS, NULL,
	  "summarize: records and bytes per kind, processes, threads" },
	{ NULL, 0, NULL, NULL },
};

static const char *const dump_format[] = { "text", "csv", NULL };

static int handle_option(int val, const char *arg, void *ctx)
{
	if (val == CODE_STATS) {
		opt_stats = 1;
		return 0;
	}
	return error("unhandled option");
}

static const struct cmd_spec spec = {
	.name = "mpdump",
	.synopsis = "[-f text|csv] [-o file] [--from T] [--to T] [--pid pid] "
		    "[--stats] trace...",
	.summary = "Print the records of mptrace traces, one per line.",
	.shared = OPT_FORMAT | OPT_OUTPUT | OPT_WINDOW | OPT_PID,
	.formats = dump_format,
	.options = own_option,
	.handle = handle_option,
};

static FILE *out;
static int header_done; /* the CSV header row is written once */

/*
 * Names of enumerated fields.
 */

static const char *name_of(const char *const *names, size_t n, uint32_t v,
			   char *buf, size_t len)
{
	if (v < n && names[v])
		return names[v];
	snprintf(buf, len, "%u", v);
	return buf;
}

#define NAME_OF(arr, v, buf) \
	name_of(arr, sizeof(arr) / sizeof(*arr), v, buf, sizeof(buf))

static const char *const lost_reason_name[] = {
	"unknown",     "buffer_full", "stack_depth", "unwind",
	"no_tracking", "killed",      "corrupt",
};
static const char *const proc_kind_name[] = { "initial", "fork", "vfork",
					      "exec" };
static const char *const gpu_kind_name[] = { "device", "managed", "host_pinned",
					     "async_pool", "virtual" };
static const char *const counter_kind_name[] = { "hw", "sw", "cache", "raw",
						 "gauge" };
static const char *const leak_kind_name[] = { "definite", "indirect",
					      "possible", "reachable",
					      "unknown" };

/*
 * Text output: "time pid tid type key=value ...".
 */

static void kv_u(const char *k, uint64_t v)
{
	fprintf(out, " %s=%llu", k, (unsigned long long)v);
}

static void kv_i(const char *k, int64_t v)
{
	fprintf(out, " %s=%lld", k, (long long)v);
}

static void kv_x(const char *k, uint64_t v)
{
	fprintf(out, " %s=0x%llx", k, (unsigned long long)v);
}

static void kv_name(const char *k, const char *v)
{
	fprintf(out, " %s=%s", k, v);
}

static void kv_s(const char *k, struct mpt_bytes b)
{
	fprintf(out, " %s=", k);
	text_str(out, b.ptr, b.len);
}

static void kv_hex(const char *k, struct mpt_bytes b)
{
	uint32_t i;

	fprintf(out, " %s=", k);
	for (i = 0; i < b.len; i++)
		fprintf(out, "%02x", (unsigned char)b.ptr[i]);
}

static void text_record(const struct mpt_record *r)
{
	char tb[32], nb[16];
	const char *type = mpt_type_name(r->type);
	uint32_t i;

	fprintf(out, "%s %u %u %s", fmt_time(tb, sizeof(tb), r->time), r->pid,
		r->tid, type ? type : "?");
	switch (r->type) {
	case MPT_REC_HEADER:
		fprintf(out, " version=%u.%u", r->u.header.major,
			r->u.header.minor);
		kv_u("clock", r->u.header.clock_id);
		kv_u("wall_start_ns", r->u.header.wall_start_ns);
		kv_u("page_size", r->u.header.page_size);
		kv_u("sample_bytes", r->u.header.sample_bytes);
		kv_s("host", r->u.header.host);
		for (i = 0; i < r->u.header.argc; i++)
			kv_s("arg", r->u.header.argv[i]);
		for (i = 0; i < r->u.header.nopts; i++)
			kv_s("opt", r->u.header.opts[i]);
		break;
	case MPT_REC_END:
		kv_u("records", r->u.end.records);
		kv_u("events", r->u.end.events);
		kv_u("lost", r->u.end.lost);
		kv_u("processes", r->u.end.processes);
		kv_u("exit_code", r->u.end.exit_code);
		break;
	case MPT_REC_LOST:
		kv_u("count", r->u.lost.count);
		kv_name("reason",
			NAME_OF(lost_reason_name, r->u.lost.reason, nb));
		if (r->u.lost.bytes)
			kv_u("bytes", r->u.lost.bytes);
		break;
	case MPT_REC_PROCESS_START:
		kv_u("ppid", r->u.process_start.ppid);
		kv_name("kind",
			NAME_OF(proc_kind_name, r->u.process_start.kind, nb));
		kv_s("path", r->u.process_start.path);
		for (i = 0; i < r->u.process_start.argc; i++)
			kv_s("arg", r->u.process_start.argv[i]);
		break;
	case MPT_REC_PROCESS_END:
		if (r->u.process_end.kind == MPT_END_EXIT)
			kv_i("exit", r->u.process_end.code);
		else if (r->u.process_end.kind == MPT_END_SIGNAL)
			kv_i("signal", r->u.process_end.code);
		else if (r->u.process_end.kind == MPT_END_EXEC_FAILED)
			kv_i("exec_failed", r->u.process_end.code);
		else
			kv_name("end", "unknown");
		if (r->u.process_end.core)
			kv_u("core", r->u.process_end.core);
		break;
	case MPT_REC_THREAD_START:
		kv_x("stack_lo", r->u.thread_start.stack_lo);
		kv_x("stack_hi", r->u.thread_start.stack_hi);
		break;
	case MPT_REC_THREAD_NAME:
		kv_s("name", r->u.thread_name.name);
		break;
	case MPT_REC_MODULE_LOAD:
		kv_u("id", r->u.module_load.module);
		kv_x("base", r->u.module_load.base);
		kv_s("path", r->u.module_load.path);
		kv_hex("build_id", r->u.module_load.build_id);
		for (i = 0; i < r->u.module_load.nseg; i++) {
			const struct mpt_segment *s = &r->u.module_load.seg[i];

			fprintf(out, " seg=0x%llx+0x%llx@0x%llx:%c%c%c",
				(unsigned long long)s->vaddr,
				(unsigned long long)s->memsz,
				(unsigned long long)s->offset,
				s->flags & 4 ? 'r' : '-',
				s->flags & 2 ? 'w' : '-',
				s->flags & 1 ? 'x' : '-');
		}
		break;
	case MPT_REC_MODULE_UNLOAD:
		kv_u("id", r->u.module_unload.module);
		break;
	case MPT_REC_STACK:
		kv_u("id", r->u.stack.id);
		kv_u("parent", r->u.stack.parent);
		fprintf(out, " frames=");
		for (i = 0; i < r->u.stack.nframe; i++)
			fprintf(out, "%s0x%llx", i ? "," : "",
				(unsigned long long)r->u.stack.frame[i]);
		break;
	case MPT_REC_ALLOC:
		kv_name("func", mpt_func_name((int)r->u.alloc.func));
		kv_u("size", r->u.alloc.size);
		kv_x("addr", r->u.alloc.addr);
		kv_u("stack", r->u.alloc.stack);
		if (r->u.alloc.align)
			kv_u("align", r->u.alloc.align);
		if (r->u.alloc.old_addr)
			kv_x("old_addr", r->u.alloc.old_addr);
		if (r->u.alloc.flags & MPT_ALLOC_FAILED)
			fprintf(out, " failed");
		if (r->u.alloc.flags & MPT_ALLOC_SAMPLED)
			fprintf(out, " sampled");
		if (r->u.alloc.flags & ~3u)
			kv_x("flags", r->u.alloc.flags);
		break;
	case MPT_REC_FREE:
		kv_name("func", mpt_func_name((int)r->u.free.func));
		kv_x("addr", r->u.free.addr);
		break;
	case MPT_REC_MMAP:
		kv_x("addr", r->u.mmap.addr);
		kv_u("len", r->u.mmap.len);
		kv_x("prot", r->u.mmap.prot);
		kv_x("flags", r->u.mmap.flags);
		kv_i("fd", r->u.mmap.fd);
		kv_u("offset", r->u.mmap.offset);
		kv_u("stack", r->u.mmap.stack);
		break;
	case MPT_REC_MUNMAP:
		kv_x("addr", r->u.munmap.addr);
		kv_u("len", r->u.munmap.len);
		kv_u("stack", r->u.munmap.stack);
		break;
	case MPT_REC_MREMAP:
		kv_x("old_addr", r->u.mremap.old_addr);
		kv_u("old_len", r->u.mremap.old_len);
		kv_x("new_addr", r->u.mremap.new_addr);
		kv_u("new_len", r->u.mremap.new_len);
		kv_x("flags", r->u.mremap.flags);
		kv_u("stack", r->u.mremap.stack);
		break;
	case MPT_REC_BRK:
		kv_x("old_end", r->u.brk.old_end);
		kv_x("new_end", r->u.brk.new_end);
		kv_u("stack", r->u.brk.stack);
		break;
	case MPT_REC_GPU_DEVICE:
		kv_u("device", r->u.gpu_device.device);
		kv_s("name", r->u.gpu_device.name);
		kv_u("mem_total", r->u.gpu_device.mem_total);
		kv_i("numa_node", r->u.gpu_device.numa_node);
		break;
	case MPT_REC_GPU_ALLOC:
		kv_u("device", r->u.gpu_alloc.device);
		kv_name("kind",
			NAME_OF(gpu_kind_name, r->u.gpu_alloc.kind, nb));
		kv_u("stream", r->u.gpu_alloc.stream);
		kv_x("addr", r->u.gpu_alloc.addr);
		kv_u("size", r->u.gpu_alloc.size);
		kv_u("stack", r->u.gpu_alloc.stack);
		break;
	case MPT_REC_GPU_FREE:
		kv_u("device", r->u.gpu_free.device);
		kv_name("kind", NAME_OF(gpu_kind_name, r->u.gpu_free.kind, nb));
		kv_u("stream", r->u.gpu_free.stream);
		kv_x("addr", r->u.gpu_free.addr);
		break;
	case MPT_REC_COUNTER_DEF:
		kv_u("id", r->u.counter_def.id);
		kv_name("kind",
			NAME_OF(counter_kind_name, r->u.counter_def.kind, nb));
		kv_x("config", r->u.counter_def.config);
		kv_s("name", r->u.counter_def.name);
		kv_s("unit", r->u.counter_def.unit);
		kv_u("available", r->u.counter_def.available);
		if (!r->u.counter_def.available || r->u.counter_def.reason.len)
			kv_s("reason", r->u.counter_def.reason);
		break;
	case MPT_REC_COUNTER_SAMPLE:
		kv_u("id", r->u.counter_sample.id);
		kv_u("value", r->u.counter_sample.value);
		if (r->u.counter_sample.time_enabled ||
		    r->u.counter_sample.time_running) {
			kv_u("time_enabled", r->u.counter_sample.time_enabled);
			kv_u("time_running", r->u.counter_sample.time_running);
		}
		break;
	case MPT_REC_RSS_SAMPLE:
		kv_u("rss", r->u.rss.rss);
		kv_u("anon", r->u.rss.anon);
		kv_u("file", r->u.rss.file);
		kv_u("shmem", r->u.rss.shmem);
		kv_u("swap", r->u.rss.swap);
		break;
	case MPT_REC_NUMA_TOPOLOGY:
		kv_u("nodes", r->u.numa_topology.nnode);
		for (i = 0; i < r->u.numa_topology.nnode; i++) {
			const struct mpt_numa_node *n =
				&r->u.numa_topology.node[i];

			fprintf(out, " node=%d:%llu:%llu:", n->node,
				(unsigned long long)n->mem_total,
				(unsigned long long)n->mem_free);
			text_str(out, n->cpus.ptr, n->cpus.len);
		}
		break;
	case MPT_REC_NUMA_SAMPLE:
		kv_x("addr", r->u.numa_sample.addr);
		kv_u("page_size", r->u.numa_sample.page_size);
		fprintf(out, " runs=");
		for (i = 0; i < r->u.numa_sample.nrun; i++)
			fprintf(out, "%s%d:%llu", i ? "," : "",
				r->u.numa_sample.run[i].node,
				(unsigned long long)r->u.numa_sample.run[i]
					.pages);
		break;
	case MPT_REC_SCHED_SAMPLE:
		kv_i("cpu", r->u.sched_sample.cpu);
		kv_i("node", r->u.sched_sample.node);
		break;
	case MPT_REC_MARKER:
	case MPT_REC_SPAN_BEGIN:
	case MPT_REC_SPAN_END:
	case MPT_REC_TAG_PUSH:
		kv_s("label", r->u.marker.label);
		break;
	case MPT_REC_LEAK_BLOCK:
		kv_x("addr", r->u.leak_block.addr);
		kv_u("size", r->u.leak_block.size);
		kv_name("kind",
			NAME_OF(leak_kind_name, r->u.leak_block.kind, nb));
		break;
	case MPT_REC_LEAK_SCAN:
		kv_u("status", r->u.leak_scan.status);
		for (i = 0; i < 5; i++) {
			fprintf(out, " %s=%llu/%llu", leak_kind_name[i],
				(unsigned long long)r->u.leak_scan.blocks[i],
				(unsigned long long)r->u.leak_scan.bytes[i]);
		}
		if (r->u.leak_scan.flags & MPT_SCAN_FREERES)
			fputs(" freeres", out);
		break;
	default:
		break;
	}
	putc('\n', out);
}

/*
 * CSV output: a fixed set of columns; each type puts its fields in the
 * generic ones (see OUTPUT in mpdump(1)).
 */

enum col {
	C_FUNC,
	C_ADDR,
	C_SIZE,
	C_STACK,
	C_ID,
	C_A,
	C_B,
	C_C,
	C_D,
	C_TEXT,
	C_TEXT2,
	C_COUNT_
};

static const char csv_header[] =
	"time_ns,pid,tid,type,func,addr,size,stack,id,a,b,c,d,text,text2\n";

struct row {
	int set[C_COUNT_];
	int is_signed[C_COUNT_];
	uint64_t num[C_COUNT_];
	const char *name[C_COUNT_];	/* C_FUNC */
	struct mpt_bytes str[C_COUNT_]; /* C_TEXT, C_TEXT2 */
	int build; /* text is built in buf (stack frames, arrays) */
	char *buf;
	size_t buflen, bufcap;
};

static struct row row;

static void put_u(enum col c, uint64_t v)
{
	row.set[c] = 1;
	row.num[c] = v;
	row.is_signed[c] = 0;
}

static void put_i(enum col c, int64_t v)
{
	row.set[c] = 1;
	row.num[c] = (uint64_t)v;
	row.is_signed[c] = 1;
}

static void put_s(enum col c, struct mpt_bytes b)
{
	row.set[c] = 1;
	row.str[c] = b;
}

static void buf_add(const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(row.buf + row.buflen, row.bufcap - row.buflen,
			      fmt, ap);
		va_end(ap);
		if (n >= 0 && row.buflen + (size_t)n < row.bufcap)
			break;
		row.bufcap = row.bufcap * 2 + (size_t)(n > 0 ? n : 0) + 64;
		row.buf = xrealloc(row.buf, row.bufcap);
	}
	row.buflen += (size_t)n;
}

static void buf_start(void)
{
	row.buflen = 0;
	if (!row.buf) {
		row.bufcap = 256;
		row.buf = xmalloc(row.bufcap);
	}
	row.buf[0] = 0;
}

static void put_buf(enum col c)
{
	struct mpt_bytes b = { row.buf, (uint32_t)row.buflen };

	put_s(c, b);
}

static void csv_record(const struct mpt_record *r)
{
	uint32_t i;
	int c;

	memset(row.set, 0, sizeof(row.set));
	switch (r->type) {
	case MPT_REC_HEADER:
		put_u(C_ID, r->u.header.major);
		put_u(C_A, r->u.header.minor);
		put_u(C_B, r->u.header.clock_id);
		put_u(C_C, r->u.header.page_size);
		put_u(C_D, r->u.header.sample_bytes);
		put_u(C_SIZE, r->u.header.wall_start_ns);
		put_s(C_TEXT, r->u.header.host);
		buf_start();
		for (i = 0; i < r->u.header.argc; i++)
			buf_add("%s%.*s", i ? " " : "",
				(int)r->u.header.argv[i].len,
				r->u.header.argv[i].ptr);
		put_buf(C_TEXT2);
		break;
	case MPT_REC_END:
		put_u(C_ID, r->u.end.exit_code);
		put_u(C_A, r->u.end.records);
		put_u(C_B, r->u.end.events);
		put_u(C_C, r->u.end.lost);
		put_u(C_D, r->u.end.processes);
		break;
	case MPT_REC_LOST:
		put_u(C_A, r->u.lost.count);
		put_u(C_B, r->u.lost.reason);
		put_u(C_SIZE, r->u.lost.bytes);
		break;
	case MPT_REC_PROCESS_START:
		put_u(C_ID, r->u.process_start.ppid);
		put_u(C_A, r->u.process_start.kind);
		put_s(C_TEXT, r->u.process_start.path);
		buf_start();
		for (i = 0; i < r->u.process_start.argc; i++)
			buf_add("%s%.*s", i ? " " : "",
				(int)r->u.process_start.argv[i].len,
				r->u.process_start.argv[i].ptr);
		put_buf(C_TEXT2);
		break;
	case MPT_REC_PROCESS_END:
		put_u(C_A, r->u.process_end.kind);
		put_i(C_B, r->u.process_end.code);
		put_u(C_C, r->u.process_end.core);
		break;
	case MPT_REC_THREAD_START:
		put_u(C_A, r->u.thread_start.stack_lo);
		put_u(C_B, r->u.thread_start.stack_hi);
		break;
	case MPT_REC_THREAD_NAME:
		put_s(C_TEXT, r->u.thread_name.name);
		break;
	case MPT_REC_MODULE_LOAD:
		put_u(C_ID, r->u.module_load.module);
		put_u(C_ADDR, r->u.module_load.base);
		put_u(C_A, r->u.module_load.nseg);
		put_s(C_TEXT, r->u.module_load.path);
		buf_start();
		for (i = 0; i < r->u.module_load.build_id.len; i++)
			buf_add("%02x",
				(unsigned char)r->u.module_load.build_id.ptr[i]);
		put_buf(C_TEXT2);
		break;
	case MPT_REC_MODULE_UNLOAD:
		put_u(C_ID, r->u.module_unload.module);
		break;
	case MPT_REC_STACK:
		put_u(C_ID, r->u.stack.id);
		put_u(C_A, r->u.stack.parent);
		put_u(C_B, r->u.stack.nframe);
		buf_start();
		for (i = 0; i < r->u.stack.nframe; i++)
			buf_add("%s%llu", i ? " " : "",
				(unsigned long long)r->u.stack.frame[i]);
		put_buf(C_TEXT);
		break;
	case MPT_REC_ALLOC:
		row.set[C_FUNC] = 1;
		row.name[C_FUNC] = mpt_func_name((int)r->u.alloc.func);
		put_u(C_ADDR, r->u.alloc.addr);
		put_u(C_SIZE, r->u.alloc.size);
		put_u(C_STACK, r->u.alloc.stack);
		put_u(C_A, r->u.alloc.flags);
		put_u(C_B, r->u.alloc.align);
		put_u(C_C, r->u.alloc.old_addr);
		break;
	case MPT_REC_FREE:
		row.set[C_FUNC] = 1;
		row.name[C_FUNC] = mpt_func_name((int)r->u.free.func);
		put_u(C_ADDR, r->u.free.addr);
		break;
	case MPT_REC_MMAP:
		put_u(C_ADDR, r->u.mmap.addr);
		put_u(C_SIZE, r->u.mmap.len);
		put_u(C_STACK, r->u.mmap.stack);
		put_u(C_A, r->u.mmap.prot);
		put_u(C_B, r->u.mmap.flags);
		put_i(C_C, r->u.mmap.fd);
		put_u(C_D, r->u.mmap.offset);
		break;
	case MPT_REC_MUNMAP:
		put_u(C_ADDR, r->u.munmap.addr);
		put_u(C_SIZE, r->u.munmap.len);
		put_u(C_STACK, r->u.munmap.stack);
		break;
	case MPT_REC_MREMAP:
		put_u(C_ADDR, r->u.mremap.new_addr);
		put_u(C_SIZE, r->u.mremap.new_len);
		put_u(C_STACK, r->u.mremap.stack);
		put_u(C_A, r->u.mremap.old_addr);
		put_u(C_B, r->u.mremap.old_len);
		put_u(C_C, r->u.mremap.flags);
		break;
	case MPT_REC_BRK:
		put_u(C_ADDR, r->u.brk.new_end);
		put_u(C_STACK, r->u.brk.stack);
		put_u(C_A, r->u.brk.old_end);
		break;
	case MPT_REC_GPU_DEVICE:
		put_u(C_ID, r->u.gpu_device.device);
		put_u(C_SIZE, r->u.gpu_device.mem_total);
		put_i(C_A, r->u.gpu_device.numa_node);
		put_s(C_TEXT, r->u.gpu_device.name);
		break;
	case MPT_REC_GPU_ALLOC:
		put_u(C_ID, r->u.gpu_alloc.device);
		put_u(C_ADDR, r->u.gpu_alloc.addr);
		put_u(C_SIZE, r->u.gpu_alloc.size);
		put_u(C_STACK, r->u.gpu_alloc.stack);
		put_u(C_A, r->u.gpu_alloc.kind);
		put_u(C_B, r->u.gpu_alloc.stream);
		break;
	case MPT_REC_GPU_FREE:
		put_u(C_ID, r->u.gpu_free.device);
		put_u(C_ADDR, r->u.gpu_free.addr);
		put_u(C_A, r->u.gpu_free.kind);
		put_u(C_B, r->u.gpu_free.stream);
		break;
	case MPT_REC_COUNTER_DEF:
		put_u(C_ID, r->u.counter_def.id);
		put_u(C_A, r->u.counter_def.kind);
		put_u(C_B, r->u.counter_def.config);
		put_u(C_C, r->u.counter_def.available);
		put_s(C_TEXT, r->u.counter_def.name);
		put_s(C_TEXT2, r->u.counter_def.available ?
				       r->u.counter_def.unit :
				       r->u.counter_def.reason);
		break;
	case MPT_REC_COUNTER_SAMPLE:
		put_u(C_ID, r->u.counter_sample.id);
		put_u(C_A, r->u.counter_sample.value);
		put_u(C_B, r->u.counter_sample.time_enabled);
		put_u(C_C, r->u.counter_sample.time_running);
		break;
	case MPT_REC_RSS_SAMPLE:
		put_u(C_SIZE, r->u.rss.rss);
		put_u(C_A, r->u.rss.anon);
		put_u(C_B, r->u.rss.file);
		put_u(C_C, r->u.rss.shmem);
		put_u(C_D, r->u.rss.swap);
		break;
	case MPT_REC_NUMA_TOPOLOGY:
		put_u(C_A, r->u.numa_topology.nnode);
		buf_start();
		for (i = 0; i < r->u.numa_topology.nnode; i++) {
			const struct mpt_numa_node *n =
				&r->u.numa_topology.node[i];

			buf_add("%s%d:%llu:%llu:%.*s", i ? " " : "", n->node,
				(unsigned long long)n->mem_total,
				(unsigned long long)n->mem_free,
				(int)n->cpus.len, n->cpus.ptr);
		}
		put_buf(C_TEXT);
		break;
	case MPT_REC_NUMA_SAMPLE:
		put_u(C_ADDR, r->u.numa_sample.addr);
		put_u(C_A, r->u.numa_sample.page_size);
		put_u(C_B, r->u.numa_sample.nrun);
		buf_start();
		for (i = 0; i < r->u.numa_sample.nrun; i++)
			buf_add("%s%d:%llu", i ? " " : "",
				r->u.numa_sample.run[i].node,
				(unsigned long long)r->u.numa_sample.run[i]
					.pages);
		put_buf(C_TEXT);
		break;
	case MPT_REC_SCHED_SAMPLE:
		put_i(C_A, r->u.sched_sample.cpu);
		put_i(C_B, r->u.sched_sample.node);
		break;
	case MPT_REC_MARKER:
	case MPT_REC_SPAN_BEGIN:
	case MPT_REC_SPAN_END:
	case MPT_REC_TAG_PUSH:
		put_s(C_TEXT, r->u.marker.label);
		break;
	case MPT_REC_LEAK_BLOCK:
		put_u(C_ADDR, r->u.leak_block.addr);
		put_u(C_SIZE, r->u.leak_block.size);
		put_u(C_A, r->u.leak_block.kind);
		break;
	case MPT_REC_LEAK_SCAN:
		put_u(C_A, r->u.leak_scan.status);
		buf_start();
		for (i = 0; i < 5; i++)
			buf_add("%s%llu:%llu", i ? " " : "",
				(unsigned long long)r->u.leak_scan.blocks[i],
				(unsigned long long)r->u.leak_scan.bytes[i]);
		if (r->u.leak_scan.flags & MPT_SCAN_FREERES)
			buf_add(" freeres");
		put_buf(C_TEXT);
		break;
	default:
		break;
	}
	fprintf(out, "%llu,%u,%u,%s", (unsigned long long)r->time, r->pid,
		r->tid, mpt_type_name(r->type) ? mpt_type_name(r->type) : "?");
	for (c = 0; c < C_COUNT_; c++) {
		putc(',', out);
		if (!row.set[c])
			continue;
		if (c == C_FUNC)
			fputs(row.name[c], out);
		else if (c == C_TEXT || c == C_TEXT2)
			csv_str(out, row.str[c].ptr, row.str[c].len);
		else if (row.is_signed[c])
			fprintf(out, "%lld", (long long)row.num[c]);
		else
			fprintf(out, "%llu", (unsigned long long)row.num[c]);
	}
	putc('\n', out);
}

/*
 * --stats.  Decoded bytes per record come from the reader
 * (mpt_reader_record_bytes()), so they do not depend on the compression;
 * the CONTEXT records the reader consumes itself are not counted.
 */

struct func_stat {
	uint64_t count, bytes;
};

struct proc_stat {
	uint32_t pid, ppid;
	uint32_t kind;
	int started, ended;
	uint32_t end_kind;
	int32_t end_code;
	uint32_t core;
	char *path;
	uint64_t execs;
	struct func_stat alloc[MPT_FN_COUNT_ + 1]; /* last: out of range */
	uint64_t failed, frees, threads, modules;
};

struct stats {
	uint64_t count[256], bytes[256];
	uint64_t first, last;
	int any;
	uint64_t lost[8], lost_bytes[8];
	struct proc_stat *proc;
	size_t nproc, procap;
	uint64_t *tid; /* (pid << 32 | tid), a set kept as an open hash */
	size_t ntid, tidcap;
};

static struct proc_stat *proc_get(struct stats *s, uint32_t pid)
{
	static size_t last;
	size_t i;

	if (last < s->nproc && s->proc[last].pid == pid)
		return &s->proc[last];
	for (i = 0; i < s->nproc; i++)
		if (s->proc[i].pid == pid)
			return &s->proc[last = i];
	if (s->nproc == s->procap) {
		s->procap = s->procap * 2 + 8;
		s->proc = xreallocarray(s->proc, s->procap, sizeof(*s->proc));
	}
	memset(&s->proc[s->nproc], 0, sizeof(*s->proc));
	s->proc[s->nproc].pid = pid;
	last = s->nproc;
	return &s->proc[s->nproc++];
}

/* Adds (pid, tid) to the thread set; 1 if it was new. */
static int tid_add(struct stats *s, uint32_t pid, uint32_t tid)
{
	uint64_t key = (uint64_t)pid << 32 | tid, h;
	size_t i;

	if (!key)
		return 0;
	if (2 * (s->ntid + 1) > s->tidcap) {
		uint64_t *old = s->tid;
		size_t oldcap = s->tidcap;

		s->tidcap = s->tidcap ? 2 * s->tidcap : 64;
		s->tid = xcalloc(s->tidcap, sizeof(*s->tid));
		s->ntid = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i])
				tid_add(s, (uint32_t)(old[i] >> 32),
					(uint32_t)old[i]);
		free(old);
	}
	h = key * 0x9e3779b97f4a7c15ull;
	for (i = (size_t)(h >> 32) & (s->tidcap - 1);;
	     i = (i + 1) & (s->tidcap - 1)) {
		if (s->tid[i] == key)
			return 0;
		if (!s->tid[i]) {
			s->tid[i] = key;
			s->ntid++;
			return 1;
		}
	}
}

static void stats_record(struct stats *s, const struct mpt_record *r)
{
	struct proc_stat *p = NULL;

	if (!s->any) {
		s->first = r->time;
		s->any = 1;
	}
	s->last = r->time;
	s->count[r->type]++;
	if (r->pid) {
		p = proc_get(s, r->pid);
		if (r->tid && tid_add(s, r->pid, r->tid))
			p->threads++;
	}
	switch (r->type) {
	case MPT_REC_LOST: {
		uint32_t reason = r->u.lost.reason < 7 ? r->u.lost.reason : 7;

		s->lost[reason] += r->u.lost.count;
		s->lost_bytes[reason] += r->u.lost.bytes;
		break;
	}
	case MPT_REC_PROCESS_START:
		if (!p)
			break;
		if (r->u.process_start.kind == MPT_PROC_EXEC && p->started) {
			p->execs++;
		} else {
			p->ppid = r->u.process_start.ppid;
			p->kind = r->u.process_start.kind;
		}
		p->started = 1;
		free(p->path);
		p->path = xmalloc(r->u.process_start.path.len + 1);
		memcpy(p->path, r->u.process_start.path.ptr,
		       r->u.process_start.path.len);
		p->path[r->u.process_start.path.len] = 0;
		break;
	case MPT_REC_PROCESS_END:
		if (!p)
			break;
		p->ended = 1;
		p->end_kind = r->u.process_end.kind;
		p->end_code = r->u.process_end.code;
		p->core = r->u.process_end.core;
		break;
	case MPT_REC_MODULE_LOAD:
		if (p)
			p->modules++;
		break;
	case MPT_REC_ALLOC:
		if (!p)
			break;
		if (r->u.alloc.flags & MPT_ALLOC_FAILED) {
			p->failed++;
		} else {
			uint32_t fn = r->u.alloc.func < MPT_FN_COUNT_ ?
					      r->u.alloc.func :
					      MPT_FN_COUNT_;

			p->alloc[fn].count++;
			p->alloc[fn].bytes += r->u.alloc.size;
		}
		break;
	case MPT_REC_FREE:
		if (p)
			p->frees++;
		break;
	}
}

static void stats_print_csv_header(void)
{
	fputs("scope,pid,key,value,bytes\n", out);
}

/* One stats line: text "scope [pid] key value [bytes]", or a CSV row. */
static void stat_line(int csv, const char *scope, uint32_t pid, const char *key,
		      const char *value, int has_bytes, uint64_t bytes)
{
	char hb[32];

	if (csv) {
		fprintf(out, "%s,", scope);
		if (pid)
			fprintf(out, "%u", pid);
		fprintf(out, ",%s,", key);
		csv_str(out, value, strlen(value));
		putc(',', out);
		if (has_bytes)
			fprintf(out, "%llu", (unsigned long long)bytes);
		putc('\n', out);
		return;
	}
	if (!strcmp(scope, "trace"))
		fprintf(out, "%-14s %s", key, value);
	else if (pid)
		fprintf(out, "%s %u %s %s", scope, pid, key, value);
	else
		fprintf(out, "%s %s %s", scope, key, value);
	if (has_bytes)
		fprintf(out, " %s", human_bytes(hb, sizeof(hb), bytes));
	putc('\n', out);
}

static void stat_u(int csv, const char *scope, uint32_t pid, const char *key,
		   uint64_t v, int has_bytes, uint64_t bytes)
{
	char vb[32];

	snprintf(vb, sizeof(vb), "%llu", (unsigned long long)v);
	stat_line(csv, scope, pid, key, vb, has_bytes, bytes);
}

static void stats_print(struct stats *s, const struct trace *t, int csv)
{
	char b1[32], b2[32];
	uint64_t total = 0, total_bytes = 0, lost = 0;
	size_t i;
	int k;

	for (k = 0; k < 256; k++) {
		total += s->count[k];
		total_bytes += s->bytes[k];
	}
	for (k = 0; k < 8; k++)
		lost += s->lost[k];
	if (!csv)
		fprintf(out, "# mpdump --stats %s\n", t->name);
	else if (!header_done)
		stats_print_csv_header();
	header_done = 1;
	stat_line(csv, "trace", 0, "file", t->name, 0, 0);
	stat_line(csv, "trace", 0, "status", t->cut ? "cut" : "complete", 0, 0);
	if (csv) {
		stat_u(csv, "trace", 0, "first_ns", s->first, 0, 0);
		stat_u(csv, "trace", 0, "last_ns", s->last, 0, 0);
		stat_u(csv, "trace", 0, "span_ns", s->last - s->first, 0, 0);
	} else {
		char b3[32], v[100];

		snprintf(v, sizeof(v), "%s .. %s (%s s)",
			 fmt_time(b1, sizeof(b1), s->first),
			 fmt_time(b2, sizeof(b2), s->last),
			 fmt_time(b3, sizeof(b3), s->last - s->first));
		stat_line(csv, "trace", 0, "time", v, 0, 0);
	}
	stat_u(csv, "trace", 0, "records", total, 1, total_bytes);
	stat_u(csv, "trace", 0, "frames", mpt_reader_frames(t->reader), 0, 0);
	if (csv)
		stat_u(csv, "trace", 0, "compressed",
		       mpt_reader_bytes(t->reader), 1,
		       mpt_reader_bytes(t->reader));
	else
		stat_line(csv, "trace", 0, "compressed",
			  human_bytes(b1, sizeof(b1),
				      mpt_reader_bytes(t->reader)),
			  0, 0);
	stat_u(csv, "trace", 0, "processes", s->nproc, 0, 0);
	stat_u(csv, "trace", 0, "threads", s->ntid, 0, 0);
	stat_u(csv, "trace", 0, "lost", lost, 0, 0);
	for (k = 0; k < 8; k++) {
		if (!s->lost[k])
			continue;
		stat_u(csv, "lost", 0, k < 7 ? lost_reason_name[k] : "other",
		       s->lost[k], s->lost_bytes[k] != 0, s->lost_bytes[k]);
	}
	if (!csv)
		fprintf(out, "# kind records bytes\n");
	for (k = 0; k < 256; k++) {
		const char *name = mpt_type_name(k);
		char nb[16];

		if (!s->count[k])
			continue;
		if (!name) {
			snprintf(nb, sizeof(nb), "0x%02x", k);
			name = nb;
		}
		stat_u(csv, "kind", 0, name, s->count[k], 1, s->bytes[k]);
	}
	for (i = 0; i < s->nproc; i++) {
		struct proc_stat *p = &s->proc[i];
		uint64_t n = 0, bytes = 0;
		char kb[16];
		int fn;

		if (!csv)
			fprintf(out, "# process %u\n", p->pid);
		stat_u(csv, "process", p->pid, "ppid", p->ppid, 0, 0);
		if (p->started) {
			stat_line(csv, "process", p->pid, "start",
				  NAME_OF(proc_kind_name, p->kind, kb), 0, 0);
			if (csv) {
				stat_line(csv, "process", p->pid, "path",
					  p->path, 0, 0);
			} else {
				fprintf(out, "process %u path ", p->pid);
				text_str(out, p->path, strlen(p->path));
				putc('\n', out);
			}
		}
		if (p->execs)
			stat_u(csv, "process", p->pid, "execs", p->execs, 0, 0);
		stat_u(csv, "process", p->pid, "threads", p->threads, 0, 0);
		stat_u(csv, "process", p->pid, "modules", p->modules, 0, 0);
		for (fn = 0; fn <= MPT_FN_COUNT_; fn++) {
			if (!p->alloc[fn].count)
				continue;
			n += p->alloc[fn].count;
			bytes += p->alloc[fn].bytes;
			stat_u(csv, "process", p->pid,
			       fn < MPT_FN_COUNT_ ? mpt_func_name(fn) : "other",
			       p->alloc[fn].count, 1, p->alloc[fn].bytes);
		}
		stat_u(csv, "process", p->pid, "allocs", n, 1, bytes);
		if (p->failed)
			stat_u(csv, "process", p->pid, "failed", p->failed, 0,
			       0);
		stat_u(csv, "process", p->pid, "frees", p->frees, 0, 0);
		if (!p->ended)
			stat_line(csv, "process", p->pid, "end", "unknown", 0,
				  0);
		else if (p->end_kind == MPT_END_EXIT)
			stat_u(csv, "process", p->pid, "exit",
			       (uint64_t)(uint32_t)p->end_code, 0, 0);
		else if (p->end_kind == MPT_END_SIGNAL)
			stat_u(csv, "process", p->pid, "signal",
			       (uint64_t)(uint32_t)p->end_code, 0, 0);
		else
			stat_line(csv, "process", p->pid, "end", "unknown", 0,
				  0);
		if (p->ended && p->core)
			stat_u(csv, "process", p->pid, "core", 1, 0, 0);
	}
}

static int pid_ok(const struct cmd_args *a, const struct mpt_record *r)
{
	return !a->has_pid || r->pid == a->pid;
}

static int do_stats(const struct cmd_args *a, const char *path, int csv)
{
	struct stats s;
	struct trace *t;
	size_t i;
	int rc;

	memset(&s, 0, sizeof(s));
	t = trace_open(path, a, 0);
	while (trace_next(t)) {
		if (t->where != TRACE_IN || !pid_ok(a, &t->rec))
			continue;
		s.bytes[t->rec.type] += mpt_reader_record_bytes(t->reader);
		stats_record(&s, &t->rec);
	}
	rc = trace_window_check(t);
	stats_print(&s, t, csv);
	trace_close(t);
	for (i = 0; i < s.nproc; i++)
		free(s.proc[i].path);
	free(s.proc);
	free(s.tid);
	return rc;
}

static int do_dump(const struct cmd_args *a, const char *path, int csv)
{
	struct trace *t = trace_open(path, a, 0);
	int rc, first = 1;

	while (trace_next(t)) {
		/* Headers after the first record, so a bad file prints nothing.
		 */
		if (first && !csv)
			fprintf(out, "# %s: time pid tid type fields\n",
				t->name);
		if (csv && !header_done)
			fputs(csv_header, out);
		first = 0;
		header_done = 1;
		if (t->where != TRACE_IN || !pid_ok(a, &t->rec))
			continue;
		if (csv)
			csv_record(&t->rec);
		else
			text_record(&t->rec);
	}
	rc = trace_window_check(t);
	trace_close(t);
	return rc;
}

int main(int argc, char **argv)
{
	struct cmd_args a;
	int i, csv, failed = 0;

	cmd_parse(&spec, argc, argv, &a);
	out = out_open(&a);
	csv = cmd_format_is(&a, "csv");
	for (i = 0; i < a.ntrace; i++) {
		if ((opt_stats ? do_stats(&a, a.trace[i], csv) :
				 do_dump(&a, a.trace[i], csv)) < 0)
			failed = 1;
	}
	free(row.buf);
	return failed ? EXIT_FAIL : EXIT_OK;
}
