/* mptgen.c - write synthetic traces of any record mix from a small spec. */

/*
 * usage: mptgen [-o FILE] [--seed N] [--frame-max BYTES] [--level N]
 *               [--no-index] [--no-end] [--every-kind] [-s SPECFILE]
 *               [STATEMENT...]
 *
 * The trace goes to FILE (default standard output).  Statements come from
 * SPECFILE (one or more per line, '#' starts a comment) and then from the
 * operands; within a line or operand, ';' separates statements.  Each
 * statement is a verb, positional arguments and key=value options; a value
 * may be double-quoted ("a b", with \" and \\ inside).  Sizes take K/M/G
 * suffixes and ranges (size=16-4096 is uniform in that range); times take
 * s/ms/us/ns (plain numbers are seconds).  Output is a pure function of the
 * spec and the seed.
 *
 * Clock.  Every record gets the current time; the clock then moves on by the
 * step (default 1us).
 *   at T                 set the clock to T (never backwards)
 *   step T               time between consecutive records
 *
 * Trace.  A HEADER is written first (host "mptgen", argv "mptgen"), unless
 * the first statement is `header`.  At the end the END record and the index
 * are written (mpt_writer_finish), unless --no-end (a cut trace).
 *   header [host=H] [sample=N] [arg=A]...  [opt=K=V]...
 *   flush                end the current zstd frame here
 *   lost N [reason=buffer_full|stack_depth|unwind|no_tracking|killed|corrupt]
 *          [bytes=B]
 *
 * Processes and threads.  Records belong to the current context (pid, tid).
 *   process PID [ppid=P] [kind=initial|fork|vfork|exec] [path=P]
 *          [modules=N] [arg=A]...
 *                        PROCESS_START, then (unless kind=exec) THREAD_START
 *                        of the main thread (tid = PID), then N MODULE_LOADs
 *                        (default 1, the executable); context = (PID, PID)
 *   thread TID [name=NAME]  THREAD_START (+ THREAD_NAME) in the current
 *                        process; context = (pid, TID)
 *   name NAME            THREAD_NAME for the current thread
 *   thread_end           THREAD_END of the current thread
 *   use PID[/TID]        switch the context (TID defaults to PID)
 *   exit CODE | signal SIG [core] | vanish
 *                        PROCESS_END of the current process (vanish: unknown)
 *   module [path=P] [base=ADDR] [buildid=HEX]   MODULE_LOAD, next module id
 *   unload ID            MODULE_UNLOAD
 * An event before any `process` creates process 1000.
 *
 * Stacks (trace-wide, context 0/0).
 *   stacks N [depth=D]   N more stacks of D frames (default 8), ids 1, 2, ...
 *   stack ID frames=A,B,... [parent=P]   one stack with exactly these frames
 *
 * Heap.  Each process keeps its set of live blocks; addresses are unique per
 * process and 16-byte aligned.
 *   alloc N [func=malloc|calloc|realloc|...|new|new[]] [size=S|A-B]
 *          [align=A] [failed] [stack=ID|uniform|zipf]
 *                        N ALLOCs (failed: addr 0, nothing becomes live)
 *   free N|all [func=free|delete|delete[]]   frees N random live blocks
 *   realloc N [size=S|A-B]   N reallocs of random live blocks: FREE (func
 *                        realloc) then ALLOC (func realloc, old_addr)
 *   leaks [kind=definite|indirect|possible|reachable|unknown]
 *                        a LEAK_BLOCK per live block, then a LEAK_SCAN
 *   tag LABEL | untag    TAG_PUSH / TAG_POP
 * Default stack choice: uniform over the stacks defined so far (0 if none).
 *
 * Mappings.
 *   mmap N [size=S]      MMAP (anonymous, private, rw); munmap N|all;
 *   mremap N [size=S];   brk N [size=S] (grows the break)
 *
 * GPU.
 *   gpu DEV [name=N] [mem=S] [numa=NODE]      GPU_DEVICE
 *   gpualloc N [device=D] [kind=device|managed|host_pinned|async_pool|virtual]
 *          [size=S] [stream=N]
 *   gpufree N|all [device=D]
 *
 * Samples.
 *   counter ID [name=N] [unit=U] [kind=hw|sw|cache|raw|gauge]
 *          [unavailable=REASON]                   COUNTER_DEF
 *   sample N [counter=ID] [value=V] [delta=D]      N COUNTER_SAMPLEs
 *   rss N [rss=S] [delta=S]                        N RSS_SAMPLEs
 *   numa NODES [mem=S]                             NUMA_TOPOLOGY
 *   numasample N [pages=P]   N NUMA_SAMPLEs over live blocks (or synthetic
 *                        ranges), pages spread round-robin over the nodes
 *   sched N [cpu=C] [node=NODE]                    SCHED_SAMPLE
 *
 * Markers.
 *   mark LABEL | span LABEL | endspan LABEL
 *
 * --every-kind runs a built-in spec that writes at least one record of every
 * type (see every_kind_spec below), before any statements given.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

struct block {
	uint64_t addr, size;
};

struct proc {
	uint32_t pid;
	uint64_t next_addr, next_map;
	struct block *live;
	size_t nlive, cap;
	struct block *maps;
	size_t nmap, mapcap;
	uint64_t brk_end;
};

struct gpu_block {
	uint32_t device;
	uint32_t kind;
	uint64_t addr, size;
};

static struct mpt_writer *w;
static uint64_t now, step = 1000;
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static int header_done;
static uint32_t cur_pid, cur_tid;
static struct proc *procs;
static size_t nproc;
static uint64_t nstack, next_module = 1;
static double *zipf_cdf;
static size_t zipf_n;
static uint32_t numa_nodes = 1;
static struct gpu_block *gpu_live;
static size_t ngpu_live, gpu_cap;
static uint64_t gpu_next_addr = 0x7f0000000000ull;
static const char *spec_where = "spec";

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic and good enough for test data. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void put(struct mpt_record *r)
{
	int rc;

	r->time = now;
	now += step;
	rc = mpt_writer_put(w, r);
	if (rc < 0)
		die("cannot write record: %s", mpt_writer_errmsg(w));
}

static void rec_init(struct mpt_record *r, int type, int ctx)
{
	memset(r, 0, sizeof(*r));
	r->type = (uint8_t)type;
	if (ctx) {
		r->pid = cur_pid;
		r->tid = cur_tid;
	}
}

static struct mpt_bytes bytes_of(const char *s)
{
	struct mpt_bytes b = { s, (uint32_t)strlen(s) };

	return b;
}

/*
 * Statement arguments.
 */

#define MAX_ARGS 64

struct stmt {
	int n;
	char *word[MAX_ARGS];
};

static const char *opt(const struct stmt *s, const char *key)
{
	size_t len = strlen(key);
	int i;

	for (i = 1; i < s->n; i++)
		if (!strncmp(s->word[i], key, len) && s->word[i][len] == '=')
			return s->word[i] + len + 1;
	return NULL;
}

static int flag(const struct stmt *s, const char *key)
{
	int i;

	for (i = 1; i < s->n; i++)
		if (!strcmp(s->word[i], key))
			return 1;
	return 0;
}

/* The i-th positional argument (not key=value), or NULL. */
static const char *pos(const struct stmt *s, int i)
{
	int k;

	for (k = 1; k < s->n; k++) {
		if (strchr(s->word[k], '='))
			continue;
		if (!i--)
			return s->word[k];
	}
	return NULL;
}

static uint64_t num_arg(const char *what, const char *v, uint64_t def)
{
	uint64_t x;
	const char *e;

	if (!v)
		return def;
	if (parse_u64(v, UINT64_MAX, &x, &e) < 0)
		die("%s: %s '%s': %s", spec_where, what, v, e);
	return x;
}

static int64_t snum_arg(const char *what, const char *v, int64_t def)
{
	const char *e;
	long long x;

	if (!v)
		return def;
	x = parse_num(v, INT32_MIN, INT32_MAX, &e);
	if (e)
		die("%s: %s '%s': %s", spec_where, what, v, e);
	return x;
}

static uint64_t size_of(const char *v, uint64_t def)
{
	uint64_t x;
	const char *e;

	if (!v)
		return def;
	if (parse_size(v, &x, &e) < 0)
		die("%s: size '%s': %s", spec_where, v, e);
	return x;
}

/* size=S or size=A-B (uniform). */
static uint64_t size_arg(const struct stmt *s, uint64_t def)
{
	const char *v = opt(s, "size");
	const char *dash;
	uint64_t lo, hi;
	char buf[64];

	if (!v)
		return def;
	dash = strchr(v, '-');
	if (!dash)
		return size_of(v, def);
	if ((size_t)(dash - v) >= sizeof(buf))
		die("%s: size '%s': invalid", spec_where, v);
	memcpy(buf, v, (size_t)(dash - v));
	buf[dash - v] = 0;
	lo = size_of(buf, 0);
	hi = size_of(dash + 1, 0);
	if (hi < lo)
		die("%s: size '%s': empty range", spec_where, v);
	return lo + rnd_below(hi - lo + 1);
}

static uint64_t time_arg(const char *v)
{
	struct time_spec t;
	const char *e;

	if (parse_time(v, &t, &e) < 0 || t.mark)
		die("%s: time '%s': %s", spec_where, v, e ? e : "not a time");
	return t.ns;
}

static uint32_t enum_arg(const char *what, const char *v,
			 const char *const *names, size_t n, uint32_t def)
{
	size_t i;

	if (!v)
		return def;
	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], v))
			return (uint32_t)i;
	return (uint32_t)num_arg(what, v, def);
}

#define ENUM_ARG(what, v, names, def) \
	enum_arg(what, v, names, sizeof(names) / sizeof(*names), def)

static const char *const func_name[] = {
	"unknown",	"malloc",   "calloc",	     "realloc",
	"reallocarray", "memalign", "aligned_alloc", "posix_memalign",
	"valloc",	"pvalloc",  "new",	     "new[]",
	"free",		"delete",   "delete[]",	     "strdup",
};
static const char *const lost_name[] = { "unknown",	"buffer_full",
					 "stack_depth", "unwind",
					 "no_tracking", "killed",
					 "corrupt" };
static const char *const pkind_name[] = { "initial", "fork", "vfork", "exec" };
static const char *const gkind_name[] = { "device", "managed", "host_pinned",
					  "async_pool", "virtual" };
static const char *const ckind_name[] = { "hw", "sw", "cache", "raw", "gauge" };
static const char *const leak_name[] = { "definite", "indirect", "possible",
					 "reachable", "unknown" };

/*
 * State.
 */

static void emit_header(const struct stmt *s)
{
	static struct mpt_bytes argv[MAX_ARGS], opts[MAX_ARGS];
	struct mpt_record r;
	int i;

	rec_init(&r, MPT_REC_HEADER, 0);
	r.u.header.major = MPT_VERSION_MAJOR;
	r.u.header.minor = MPT_VERSION_MINOR;
	r.u.header.clock_id = 1;
	r.u.header.wall_start_ns = 1700000000000000000ull;
	r.u.header.page_size = 4096;
	r.u.header.host = bytes_of("mptgen");
	r.u.header.argc = 1;
	argv[0] = bytes_of("mptgen");
	r.u.header.argv = argv;
	r.u.header.opts = opts;
	if (s) {
		const char *v = opt(s, "host");

		if (v)
			r.u.header.host = bytes_of(v);
		r.u.header.sample_bytes = size_of(opt(s, "sample"), 0);
		r.u.header.argc = 0;
		for (i = 1; i < s->n; i++) {
			if (!strncmp(s->word[i], "arg=", 4))
				argv[r.u.header.argc++] =
					bytes_of(s->word[i] + 4);
			else if (!strncmp(s->word[i], "opt=", 4))
				opts[r.u.header.nopts++] =
					bytes_of(s->word[i] + 4);
		}
	}
	put(&r);
	header_done = 1;
}

static struct proc *proc_find(uint32_t pid)
{
	size_t i;

	for (i = 0; i < nproc; i++)
		if (procs[i].pid == pid)
			return &procs[i];
	return NULL;
}

static struct proc *proc_add(uint32_t pid)
{
	struct proc *p = proc_find(pid);

	if (p)
		return p;
	procs = xreallocarray(procs, nproc + 1, sizeof(*procs));
	p = &procs[nproc++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->next_addr = 0x555500000000ull + ((uint64_t)(pid & 0xffff) << 24);
	p->next_map = 0x7e0000000000ull + ((uint64_t)(pid & 0xffff) << 28);
	p->brk_end = 0x555600000000ull + ((uint64_t)(pid & 0xffff) << 24);
	return p;
}

static void module_load(const char *path, uint64_t base, const char *hex)
{
	static struct mpt_segment seg[2];
	static unsigned char id[64];
	struct mpt_record r;
	size_t n = 0;

	rec_init(&r, MPT_REC_MODULE_LOAD, 1);
	r.u.module_load.module = next_module++;
	r.u.module_load.base = base;
	r.u.module_load.path = bytes_of(path);
	if (!hex)
		hex = "0123456789abcdef0123456789abcdef01234567";
	while (hex[2 * n] && hex[2 * n + 1] && n < sizeof(id)) {
		unsigned v;

		if (sscanf(hex + 2 * n, "%2x", &v) != 1)
			die("%s: buildid '%s': not hex", spec_where, hex);
		id[n++] = (unsigned char)v;
	}
	r.u.module_load.build_id.ptr = (const char *)id;
	r.u.module_load.build_id.len = (uint32_t)n;
	seg[0] = (struct mpt_segment){ 0, 0x1000, 0, 4 };
	seg[1] = (struct mpt_segment){ 0x1000, 0x10000, 0x1000, 5 };
	r.u.module_load.nseg = 2;
	r.u.module_load.seg = seg;
	put(&r);
}

static void do_process(uint32_t pid, const struct stmt *s)
{
	static struct mpt_bytes argv[MAX_ARGS];
	struct mpt_record r;
	const char *path = s ? opt(s, "path") : NULL;
	uint32_t kind = s ? ENUM_ARG("kind", opt(s, "kind"), pkind_name, 0) : 0;
	uint64_t m, nmod = s ? num_arg("modules", opt(s, "modules"), 1) : 1;
	int i;

	if (!path)
		path = "/usr/bin/app";
	proc_add(pid);
	cur_pid = cur_tid = pid;
	rec_init(&r, MPT_REC_PROCESS_START, 1);
	r.u.process_start.ppid =
		s ? (uint32_t)num_arg("ppid", opt(s, "ppid"), 0) : 0;
	r.u.process_start.kind = kind;
	r.u.process_start.path = bytes_of(path);
	for (i = 1; s && i < s->n; i++)
		if (!strncmp(s->word[i], "arg=", 4))
			argv[r.u.process_start.argc++] =
				bytes_of(s->word[i] + 4);
	if (!r.u.process_start.argc)
		argv[r.u.process_start.argc++] = bytes_of(path);
	r.u.process_start.argv = argv;
	put(&r);
	if (kind != MPT_PROC_EXEC) {
		rec_init(&r, MPT_REC_THREAD_START, 1);
		r.u.thread_start.stack_lo = 0x7ffc00000000ull;
		r.u.thread_start.stack_hi = 0x7ffc00800000ull;
		put(&r);
	}
	for (m = 0; m < nmod; m++)
		module_load(m ? "/usr/lib/libsynth.so" : path,
			    0x555555554000ull + m * 0x100000000ull, NULL);
}

static struct proc *need_proc(void)
{
	if (!cur_pid)
		do_process(1000, NULL);
	return proc_add(cur_pid);
}

static uint64_t pick_stack(const struct stmt *s)
{
	const char *v = opt(s, "stack");
	double u;
	size_t lo, hi;

	if (v && strcmp(v, "uniform") && strcmp(v, "zipf"))
		return num_arg("stack", v, 0);
	if (!nstack)
		return 0;
	if (!v || !strcmp(v, "uniform"))
		return 1 + rnd_below(nstack);
	if (zipf_n != nstack) {
		double sum = 0;
		size_t i;

		free(zipf_cdf);
		zipf_cdf = xcalloc(nstack, sizeof(*zipf_cdf));
		for (i = 0; i < nstack; i++)
			zipf_cdf[i] = (sum += 1.0 / (double)(i + 1));
		for (i = 0; i < nstack; i++)
			zipf_cdf[i] /= sum;
		zipf_n = nstack;
	}
	u = (double)(rnd() >> 11) / 9007199254740992.0;
	lo = 0;
	hi = zipf_n - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (zipf_cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo + 1;
}

static void live_add(struct proc *p, uint64_t addr, uint64_t size)
{
	if (p->nlive == p->cap) {
		p->cap = p->cap * 2 + 64;
		p->live = xreallocarray(p->live, p->cap, sizeof(*p->live));
	}
	p->live[p->nlive].addr = addr;
	p->live[p->nlive++].size = size;
}

static struct block live_take(struct proc *p)
{
	size_t i = (size_t)rnd_below(p->nlive);
	struct block b = p->live[i];

	p->live[i] = p->live[--p->nlive];
	return b;
}

static uint64_t new_addr(struct proc *p, uint64_t size, uint64_t align)
{
	uint64_t a = p->next_addr + 16;

	if (align > 16 && !(align & (align - 1)))
		a = (a + align - 1) & ~(align - 1);
	p->next_addr = a + ((size + 15) & ~15ull);
	return a;
}

static uint64_t count_arg(const struct stmt *s, size_t all)
{
	const char *v = pos(s, 0);

	if (v && !strcmp(v, "all"))
		return all;
	return num_arg("count", v, 1);
}

static void do_alloc(const struct stmt *s)
{
	struct proc *p = need_proc();
	uint64_t i, n = count_arg(s, 0);
	uint32_t fn =
		ENUM_ARG("func", opt(s, "func"), func_name, MPT_FN_MALLOC);
	uint64_t align = size_of(opt(s, "align"), 0);
	int failed = flag(s, "failed");
	struct mpt_record r;

	for (i = 0; i < n; i++) {
		rec_init(&r, MPT_REC_ALLOC, 1);
		r.u.alloc.func = fn;
		r.u.alloc.size = size_arg(s, 32);
		r.u.alloc.stack = pick_stack(s);
		r.u.alloc.align = align;
		if (failed) {
			r.u.alloc.flags = MPT_ALLOC_FAILED;
		} else {
			r.u.alloc.addr = new_addr(p, r.u.alloc.size, align);
			live_add(p, r.u.alloc.addr, r.u.alloc.size);
		}
		put(&r);
	}
}

static void do_free(const struct stmt *s)
{
	struct proc *p = need_proc();
	uint64_t i, n = count_arg(s, p->nlive);
	uint32_t fn = ENUM_ARG("func", opt(s, "func"), func_name, MPT_FN_FREE);
	struct mpt_record r;

	if (n > p->nlive)
		die("%s: free %llu: only %zu live blocks in process %u",
		    spec_where, (unsigned long long)n, p->nlive, p->pid);
	for (i = 0; i < n; i++) {
		struct block b = live_take(p);

		rec_init(&r, MPT_REC_FREE, 1);
		r.u.free.func = fn;
		r.u.free.addr = b.addr;
		put(&r);
	}
}

static void do_realloc(const struct stmt *s)
{
	struct proc *p = need_proc();
	uint64_t i, n = count_arg(s, p->nlive);
	struct mpt_record r;

	if (n > p->nlive)
		die("%s: realloc %llu: only %zu live blocks in process %u",
		    spec_where, (unsigned long long)n, p->nlive, p->pid);
	for (i = 0; i < n; i++) {
		/* Take from the front so a block is not reallocated twice. */
		struct block b = p->live[i];

		rec_init(&r, MPT_REC_FREE, 1);
		r.u.free.func = MPT_FN_REALLOC;
		r.u.free.addr = b.addr;
		put(&r);
		rec_init(&r, MPT_REC_ALLOC, 1);
		r.u.alloc.func = MPT_FN_REALLOC;
		r.u.alloc.size = size_arg(s, b.size * 2);
		r.u.alloc.addr = new_addr(p, r.u.alloc.size, 0);
		r.u.alloc.old_addr = b.addr;
		r.u.alloc.stack = pick_stack(s);
		put(&r);
		p->live[i].addr = r.u.alloc.addr;
		p->live[i].size = r.u.alloc.size;
	}
}

static void do_leaks(const struct stmt *s)
{
	struct proc *p = need_proc();
	uint32_t kind = ENUM_ARG("kind", opt(s, "kind"), leak_name, 0);
	struct mpt_record r;
	size_t i;

	if (kind > 4)
		die("%s: leak kind %u out of range", spec_where, kind);
	rec_init(&r, MPT_REC_LEAK_SCAN, 1);
	for (i = 0; i < p->nlive; i++) {
		struct mpt_record b;

		rec_init(&b, MPT_REC_LEAK_BLOCK, 1);
		b.u.leak_block.addr = p->live[i].addr;
		b.u.leak_block.size = p->live[i].size;
		b.u.leak_block.kind = kind;
		put(&b);
		r.u.leak_scan.blocks[kind]++;
		r.u.leak_scan.bytes[kind] += p->live[i].size;
	}
	put(&r);
}

static void do_maps(const char *verb, const struct stmt *s)
{
	struct proc *p = need_proc();
	uint64_t i, n;
	struct mpt_record r;

	if (!strcmp(verb, "mmap")) {
		n = count_arg(s, 0);
		for (i = 0; i < n; i++) {
			uint64_t len = (size_arg(s, 1 << 20) + 4095) & ~4095ull;

			rec_init(&r, MPT_REC_MMAP, 1);
			r.u.mmap.addr = p->next_map;
			r.u.mmap.len = len;
			r.u.mmap.prot = 3;     /* PROT_READ | PROT_WRITE */
			r.u.mmap.flags = 0x22; /* MAP_PRIVATE | MAP_ANONYMOUS */
			r.u.mmap.fd = -1;
			r.u.mmap.stack = pick_stack(s);
			p->next_map += len + 4096;
			if (p->nmap == p->mapcap) {
				p->mapcap = p->mapcap * 2 + 8;
				p->maps = xreallocarray(p->maps, p->mapcap,
							sizeof(*p->maps));
			}
			p->maps[p->nmap].addr = r.u.mmap.addr;
			p->maps[p->nmap++].size = len;
			put(&r);
		}
	} else if (!strcmp(verb, "munmap")) {
		n = count_arg(s, p->nmap);
		if (n > p->nmap)
			die("%s: munmap %llu: only %zu mappings", spec_where,
			    (unsigned long long)n, p->nmap);
		for (i = 0; i < n; i++) {
			struct block b = p->maps[--p->nmap];

			rec_init(&r, MPT_REC_MUNMAP, 1);
			r.u.munmap.addr = b.addr;
			r.u.munmap.len = b.size;
			r.u.munmap.stack = pick_stack(s);
			put(&r);
		}
	} else if (!strcmp(verb, "mremap")) {
		n = count_arg(s, p->nmap);
		if (n > p->nmap)
			die("%s: mremap %llu: only %zu mappings", spec_where,
			    (unsigned long long)n, p->nmap);
		for (i = 0; i < n; i++) {
			struct block *b = &p->maps[i];
			uint64_t len = (size_arg(s, b->size * 2) + 4095) &
				       ~4095ull;

			rec_init(&r, MPT_REC_MREMAP, 1);
			r.u.mremap.old_addr = b->addr;
			r.u.mremap.old_len = b->size;
			r.u.mremap.new_addr = p->next_map;
			r.u.mremap.new_len = len;
			r.u.mremap.flags = 1; /* MREMAP_MAYMOVE */
			r.u.mremap.stack = pick_stack(s);
			p->next_map += len + 4096;
			b->addr = r.u.mremap.new_addr;
			b->size = len;
			put(&r);
		}
	} else { /* brk */
		n = count_arg(s, 0);
		for (i = 0; i < n; i++) {
			rec_init(&r, MPT_REC_BRK, 1);
			r.u.brk.old_end = p->brk_end;
			p->brk_end += size_arg(s, 135168);
			r.u.brk.new_end = p->brk_end;
			r.u.brk.stack = pick_stack(s);
			put(&r);
		}
	}
}

static void do_gpu(const char *verb, const struct stmt *s)
{
	struct mpt_record r;
	uint64_t i, n;

	need_proc();
	if (!strcmp(verb, "gpu")) {
		rec_init(&r, MPT_REC_GPU_DEVICE, 1);
		r.u.gpu_device.device =
			(uint32_t)num_arg("device", pos(s, 0), 0);
		r.u.gpu_device.name = bytes_of(
			opt(s, "name") ? opt(s, "name") : "Synthetic GPU");
		r.u.gpu_device.mem_total = size_of(opt(s, "mem"), 16ull << 30);
		r.u.gpu_device.numa_node =
			(int32_t)snum_arg("numa", opt(s, "numa"), -1);
		put(&r);
	} else if (!strcmp(verb, "gpualloc")) {
		n = count_arg(s, 0);
		for (i = 0; i < n; i++) {
			rec_init(&r, MPT_REC_GPU_ALLOC, 1);
			r.u.gpu_alloc.device = (uint32_t)num_arg(
				"device", opt(s, "device"), 0);
			r.u.gpu_alloc.kind =
				ENUM_ARG("kind", opt(s, "kind"), gkind_name, 0);
			r.u.gpu_alloc.stream =
				num_arg("stream", opt(s, "stream"), 0);
			r.u.gpu_alloc.size = size_arg(s, 1 << 20);
			r.u.gpu_alloc.addr = gpu_next_addr;
			r.u.gpu_alloc.stack = pick_stack(s);
			gpu_next_addr += (r.u.gpu_alloc.size + 0xffff) &
					 ~0xffffull;
			if (ngpu_live == gpu_cap) {
				gpu_cap = gpu_cap * 2 + 16;
				gpu_live = xreallocarray(gpu_live, gpu_cap,
							 sizeof(*gpu_live));
			}
			gpu_live[ngpu_live++] = (struct gpu_block){
				r.u.gpu_alloc.device, r.u.gpu_alloc.kind,
				r.u.gpu_alloc.addr, r.u.gpu_alloc.size
			};
			put(&r);
		}
	} else { /* gpufree */
		const char *dev = opt(s, "device");
		uint32_t d = (uint32_t)num_arg("device", dev, 0);
		size_t k = 0;

		n = count_arg(s, ngpu_live);
		for (i = 0; i < n; i++) {
			while (k < ngpu_live && dev && gpu_live[k].device != d)
				k++;
			if (k >= ngpu_live)
				die("%s: gpufree: no live GPU block left",
				    spec_where);
			rec_init(&r, MPT_REC_GPU_FREE, 1);
			r.u.gpu_free.device = gpu_live[k].device;
			r.u.gpu_free.kind = gpu_live[k].kind;
			r.u.gpu_free.addr = gpu_live[k].addr;
			gpu_live[k] = gpu_live[--ngpu_live];
			put(&r);
		}
	}
}

static void do_samples(const char *verb, const struct stmt *s)
{
	struct mpt_record r;
	uint64_t i, n;

	if (!strcmp(verb, "counter")) {
		const char *why = opt(s, "unavailable");

		rec_init(&r, MPT_REC_COUNTER_DEF, 1);
		r.u.counter_def.id = (uint32_t)num_arg("id", pos(s, 0), 1);
		r.u.counter_def.kind = ENUM_ARG("kind", opt(s, "kind"),
						ckind_name, MPT_COUNTER_SW);
		r.u.counter_def.name = bytes_of(
			opt(s, "name") ? opt(s, "name") : "page-faults");
		r.u.counter_def.unit =
			bytes_of(opt(s, "unit") ? opt(s, "unit") : "");
		r.u.counter_def.available = !why;
		r.u.counter_def.reason = bytes_of(why ? why : "");
		put(&r);
		return;
	}
	if (!strcmp(verb, "numa")) {
		static struct mpt_numa_node node[64];
		static char cpus[64][48];

		rec_init(&r, MPT_REC_NUMA_TOPOLOGY, 0);
		numa_nodes = (uint32_t)num_arg("nodes", pos(s, 0), 1);
		if (!numa_nodes || numa_nodes > 64)
			die("%s: numa: 1 to 64 nodes", spec_where);
		for (i = 0; i < numa_nodes; i++) {
			snprintf(cpus[i], sizeof(cpus[i]), "%llu-%llu",
				 (unsigned long long)i * 4,
				 (unsigned long long)i * 4 + 3);
			node[i].node = (int32_t)i;
			node[i].mem_total = size_of(opt(s, "mem"), 8ull << 30);
			node[i].mem_free = node[i].mem_total / 2;
			node[i].cpus = bytes_of(cpus[i]);
		}
		r.u.numa_topology.nnode = numa_nodes;
		r.u.numa_topology.node = node;
		put(&r);
		return;
	}
	n = count_arg(s, 0);
	if (!strcmp(verb, "sample")) {
		uint64_t v = num_arg("value", opt(s, "value"), 0);
		uint64_t d = num_arg("delta", opt(s, "delta"), 100);

		need_proc();
		for (i = 0; i < n; i++, v += d) {
			rec_init(&r, MPT_REC_COUNTER_SAMPLE, 1);
			r.u.counter_sample.id = (uint32_t)num_arg(
				"counter", opt(s, "counter"), 1);
			r.u.counter_sample.value = v;
			put(&r);
		}
	} else if (!strcmp(verb, "rss")) {
		uint64_t v = size_of(opt(s, "rss"), 4 << 20);
		uint64_t d = size_of(opt(s, "delta"), 4096);

		need_proc();
		for (i = 0; i < n; i++, v += d) {
			rec_init(&r, MPT_REC_RSS_SAMPLE, 1);
			r.u.rss.rss = v;
			r.u.rss.anon = v / 2;
			r.u.rss.file = v - v / 2;
			put(&r);
		}
	} else if (!strcmp(verb, "numasample")) {
		struct proc *p = need_proc();
		uint64_t pages = num_arg("pages", opt(s, "pages"), 4);
		struct mpt_numa_run *run;
		uint32_t k;

		if (!pages || pages > MPT_ARRAY_MAX)
			die("%s: numasample: pages out of range", spec_where);
		run = xcalloc(numa_nodes, sizeof(*run));
		for (i = 0; i < n; i++) {
			rec_init(&r, MPT_REC_NUMA_SAMPLE, 1);
			r.u.numa_sample.addr =
				p->nlive ?
					p->live[i % p->nlive].addr & ~4095ull :
					0x7f0000000000ull + i * (pages << 12);
			r.u.numa_sample.page_size = 4096;
			r.u.numa_sample.nrun = numa_nodes < pages ?
						       numa_nodes :
						       (uint32_t)pages;
			for (k = 0; k < r.u.numa_sample.nrun; k++) {
				run[k].node = (int32_t)((k + i) % numa_nodes);
				run[k].pages =
					pages / r.u.numa_sample.nrun +
					(k < pages % r.u.numa_sample.nrun);
			}
			r.u.numa_sample.run = run;
			put(&r);
		}
		free(run);
	} else { /* sched */
		need_proc();
		for (i = 0; i < n; i++) {
			rec_init(&r, MPT_REC_SCHED_SAMPLE, 1);
			r.u.sched_sample.cpu = (int32_t)snum_arg(
				"cpu", opt(s, "cpu"), (int64_t)(i % 4));
			r.u.sched_sample.node =
				(int32_t)snum_arg("node", opt(s, "node"), 0);
			put(&r);
		}
	}
}

static void do_stack(const char *verb, const struct stmt *s)
{
	static uint64_t frame[MPT_STACK_MAX];
	struct mpt_record r;
	uint64_t i, k;

	if (!strcmp(verb, "stacks")) {
		uint64_t n = count_arg(s, 0);
		uint64_t depth = num_arg("depth", opt(s, "depth"), 8);

		if (!depth || depth > MPT_STACK_MAX)
			die("%s: stacks: depth 1 to %d", spec_where,
			    MPT_STACK_MAX);
		for (i = 0; i < n; i++) {
			rec_init(&r, MPT_REC_STACK, 0);
			r.u.stack.id = ++nstack;
			for (k = 0; k < depth; k++)
				frame[k] = 0x555555555000ull +
					   ((nstack * 7 + k * 13) % 4000) * 16 +
					   5;
			r.u.stack.nframe = (uint32_t)depth;
			r.u.stack.frame = frame;
			put(&r);
		}
		return;
	}
	{
		const char *v = opt(s, "frames");
		char *copy, *tok, *save = NULL;
		uint64_t id = num_arg("id", pos(s, 0), nstack + 1);

		if (!v)
			die("%s: stack: frames= is required", spec_where);
		rec_init(&r, MPT_REC_STACK, 0);
		copy = xstrdup(v);
		k = 0;
		for (tok = strtok_r(copy, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (k == MPT_STACK_MAX)
				die("%s: stack: too many frames", spec_where);
			frame[k++] = num_arg("frame", tok, 0);
		}
		r.u.stack.id = id;
		r.u.stack.parent = num_arg("parent", opt(s, "parent"), 0);
		r.u.stack.nframe = (uint32_t)k;
		r.u.stack.frame = frame;
		put(&r);
		free(copy);
		if (id > nstack)
			nstack = id;
	}
}

static void run_stmt(struct stmt *s)
{
	const char *verb = s->word[0];
	struct mpt_record r;

	if (!strcmp(verb, "header")) {
		if (header_done)
			die("%s: header must be the first statement",
			    spec_where);
		emit_header(s);
		return;
	}
	if (!strcmp(verb, "at")) {
		uint64_t t = time_arg(pos(s, 0) ? pos(s, 0) : "");

		if (t < now && header_done)
			die("%s: at: time goes backwards", spec_where);
		now = t;
		return;
	}
	if (!strcmp(verb, "step")) {
		step = time_arg(pos(s, 0) ? pos(s, 0) : "");
		return;
	}
	if (!header_done)
		emit_header(NULL);
	if (!strcmp(verb, "process")) {
		do_process((uint32_t)num_arg("pid", pos(s, 0), 1000), s);
	} else if (!strcmp(verb, "thread")) {
		need_proc();
		cur_tid = (uint32_t)num_arg("tid", pos(s, 0), cur_pid + 1);
		rec_init(&r, MPT_REC_THREAD_START, 1);
		put(&r);
		if (opt(s, "name")) {
			rec_init(&r, MPT_REC_THREAD_NAME, 1);
			r.u.thread_name.name = bytes_of(opt(s, "name"));
			put(&r);
		}
	} else if (!strcmp(verb, "name")) {
		need_proc();
		rec_init(&r, MPT_REC_THREAD_NAME, 1);
		r.u.thread_name.name = bytes_of(pos(s, 0) ? pos(s, 0) : "");
		put(&r);
	} else if (!strcmp(verb, "thread_end")) {
		need_proc();
		rec_init(&r, MPT_REC_THREAD_END, 1);
		put(&r);
	} else if (!strcmp(verb, "use")) {
		const char *v = pos(s, 0);
		char *slash;
		char buf[64];

		if (!v || strlen(v) >= sizeof(buf))
			die("%s: use: PID[/TID] expected", spec_where);
		strcpy(buf, v);
		slash = strchr(buf, '/');
		if (slash)
			*slash++ = 0;
		cur_pid = (uint32_t)num_arg("pid", buf, 0);
		cur_tid = slash ? (uint32_t)num_arg("tid", slash, 0) : cur_pid;
		proc_add(cur_pid);
	} else if (!strcmp(verb, "exit") || !strcmp(verb, "signal") ||
		   !strcmp(verb, "vanish")) {
		need_proc();
		rec_init(&r, MPT_REC_PROCESS_END, 1);
		r.u.process_end.kind = !strcmp(verb, "exit") ? MPT_END_EXIT :
				       !strcmp(verb, "signal") ?
							       MPT_END_SIGNAL :
							       MPT_END_UNKNOWN;
		r.u.process_end.code = (int32_t)snum_arg("code", pos(s, 0), 0);
		r.u.process_end.core = (uint32_t)flag(s, "core");
		put(&r);
	} else if (!strcmp(verb, "module")) {
		need_proc();
		module_load(opt(s, "path") ? opt(s, "path") :
					     "/usr/lib/libx.so",
			    num_arg("base", opt(s, "base"), 0x7f1200000000ull),
			    opt(s, "buildid"));
	} else if (!strcmp(verb, "unload")) {
		need_proc();
		rec_init(&r, MPT_REC_MODULE_UNLOAD, 1);
		r.u.module_unload.module = num_arg("id", pos(s, 0), 1);
		put(&r);
	} else if (!strcmp(verb, "stacks") || !strcmp(verb, "stack")) {
		do_stack(verb, s);
	} else if (!strcmp(verb, "alloc")) {
		do_alloc(s);
	} else if (!strcmp(verb, "free")) {
		do_free(s);
	} else if (!strcmp(verb, "realloc")) {
		do_realloc(s);
	} else if (!strcmp(verb, "leaks")) {
		do_leaks(s);
	} else if (!strcmp(verb, "mmap") || !strcmp(verb, "munmap") ||
		   !strcmp(verb, "mremap") || !strcmp(verb, "brk")) {
		do_maps(verb, s);
	} else if (!strcmp(verb, "gpu") || !strcmp(verb, "gpualloc") ||
		   !strcmp(verb, "gpufree")) {
		do_gpu(verb, s);
	} else if (!strcmp(verb, "counter") || !strcmp(verb, "sample") ||
		   !strcmp(verb, "rss") || !strcmp(verb, "numa") ||
		   !strcmp(verb, "numasample") || !strcmp(verb, "sched")) {
		do_samples(verb, s);
	} else if (!strcmp(verb, "mark") || !strcmp(verb, "span") ||
		   !strcmp(verb, "endspan") || !strcmp(verb, "tag")) {
		need_proc();
		rec_init(&r,
			 !strcmp(verb, "mark")	  ? MPT_REC_MARKER :
			 !strcmp(verb, "span")	  ? MPT_REC_SPAN_BEGIN :
			 !strcmp(verb, "endspan") ? MPT_REC_SPAN_END :
						    MPT_REC_TAG_PUSH,
			 1);
		r.u.marker.label = bytes_of(pos(s, 0) ? pos(s, 0) : "");
		put(&r);
	} else if (!strcmp(verb, "untag")) {
		need_proc();
		rec_init(&r, MPT_REC_TAG_POP, 1);
		put(&r);
	} else if (!strcmp(verb, "lost")) {
		rec_init(&r, MPT_REC_LOST, cur_pid != 0);
		r.u.lost.count = num_arg("count", pos(s, 0), 1);
		r.u.lost.reason = ENUM_ARG("reason", opt(s, "reason"),
					   lost_name, MPT_LOST_BUFFER_FULL);
		r.u.lost.bytes = size_of(opt(s, "bytes"), 0);
		put(&r);
	} else if (!strcmp(verb, "flush")) {
		if (mpt_writer_flush(w) < 0)
			die("cannot write: %s", mpt_writer_errmsg(w));
	} else {
		die("%s: unknown statement '%s'", spec_where, verb);
	}
}

/* Split one statement into words, honouring "quotes", and run it. */
static void run_stmt_text(char *p)
{
	struct stmt s;

	s.n = 0;
	for (;;) {
		char *dst;

		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (s.n == MAX_ARGS)
			die("%s: too many words", spec_where);
		s.word[s.n++] = dst = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' &&
		       *p != '\r') {
			if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1])
						p++;
					*dst++ = *p++;
				}
				if (*p != '"')
					die("%s: unterminated quote",
					    spec_where);
				p++;
				continue;
			}
			*dst++ = *p++;
		}
		if (*p)
			p++;
		*dst = 0;
	}
	if (s.n)
		run_stmt(&s);
}

/* Split `line` into statements at ';' and stop at '#', outside quotes. */
static void run_line(char *line)
{
	char *p, *start = line;
	int quoted = 0;

	for (p = line;; p++) {
		char c = *p;

		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (c == '\\' && quoted && p[1]) {
			p++;
			continue;
		}
		if (c && (quoted || (c != ';' && c != '#')))
			continue;
		*p = 0;
		run_stmt_text(start);
		if (c != ';')
			break;
		start = p + 1;
	}
}

/* At least one record of every type; run before any given statements. */
static const char every_kind_spec[] =
	"header host=every arg=mptgen arg=--every-kind opt=depth=64;"
	"stacks 4 depth=6; stack 5 frames=0x401000,0x401100 parent=1;"
	"numa 2; counter 1 name=page-faults; counter 2 name=cycles kind=hw "
	"unavailable=\"no hardware counters\";"
	"process 100 path=/usr/bin/every arg=every arg=\"an arg\";"
	"thread 101 name=worker; name main-thread;"
	"module path=/usr/lib/libextra.so; unload 2;"
	"alloc 10 size=16-4096; alloc 2 func=calloc size=64;"
	"alloc 1 func=aligned_alloc align=64 size=256;"
	"alloc 1 func=malloc size=1G failed; free 3; realloc 2;"
	"mmap 2; mremap 1; munmap 1; brk 1;"
	"gpu 0 name=\"Synthetic GPU\" numa=0; gpualloc 2 kind=managed; gpufree 1;"
	"sample 3 counter=1; rss 2; numasample 2 pages=8; sched 2;"
	"mark phase1; span load; tag cache; alloc 1 size=100; untag;"
	"endspan load; lost 5 reason=buffer_full bytes=320;"
	"leaks kind=definite; thread_end;"
	"process 200 ppid=100 kind=fork; alloc 3; exit 0;"
	"use 100/100; process 100 kind=exec path=/bin/true; signal 9 core";

static void usage(FILE *f)
{
	fprintf(f, "usage: mptgen [-o file] [--seed N] [--frame-max BYTES] "
		   "[--level N] [--no-index]\n"
		   "              [--no-end] [--every-kind] [-s specfile] "
		   "[statement...]\n"
		   "The spec language is described at the top of "
		   "tests/tools/mptgen.c.\n");
}

int main(int argc, char **argv)
{
	static const struct option lopt[] = {
		{ "every-kind", no_argument, NULL, 'e' },
		{ "frame-max", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "level", required_argument, NULL, 'l' },
		{ "no-end", no_argument, NULL, 'E' },
		{ "no-index", no_argument, NULL, 'I' },
		{ "output", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 'S' },
		{ "spec", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct mpt_writer_opts wo = { 0, 0, 0 };
	const char *out = NULL, *specfile = NULL, *e;
	int c, fd = STDOUT_FILENO, err = 0, every = 0, no_end = 0, i;
	uint64_t v;

	set_progname("mptgen");
	while ((c = getopt_long(argc, argv, "ho:s:", lopt, NULL)) != -1) {
		switch (c) {
		case 'e':
			every = 1;
			break;
		case 'F':
			if (parse_size(optarg, &v, &e) < 0 || v > MPT_FRAME_MAX)
				die("invalid --frame-max '%s'", optarg);
			wo.frame_max = (uint32_t)v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'l':
			wo.level = (int)parse_num(optarg, -7, 22, &e);
			if (e)
				die("invalid --level '%s': %s", optarg, e);
			break;
		case 'E':
			no_end = 1;
			break;
		case 'I':
			wo.no_index = 1;
			break;
		case 'o':
			out = optarg;
			break;
		case 'S':
			if (parse_u64(optarg, UINT64_MAX, &v, &e) < 0)
				die("invalid --seed '%s': %s", optarg, e);
			rng_state = v * 0x9e3779b97f4a7c15ull + 1;
			break;
		case 's':
			specfile = optarg;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (out) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			die_errno("cannot open '%s' for writing", out);
	} else if (isatty(STDOUT_FILENO)) {
		die("refusing to write a binary trace to a terminal (use -o)");
	}
	w = mpt_writer_new(fd, &wo, &err);
	if (!w)
		die("cannot start the trace: %s", mpt_strerror(err));
	if (every) {
		char *copy = xstrdup(every_kind_spec);

		spec_where = "--every-kind";
		run_line(copy);
		free(copy);
	}
	if (specfile) {
		FILE *f = fopen(specfile, "r");
		char *line = NULL, where[512];
		size_t cap = 0;
		int lineno = 0;

		if (!f)
			die_errno("cannot open '%s'", specfile);
		while (getline(&line, &cap, f) > 0) {
			snprintf(where, sizeof(where), "%s:%d", specfile,
				 ++lineno);
			spec_where = where;
			run_line(line);
		}
		free(line);
		fclose(f);
	}
	for (i = optind; i < argc; i++) {
		char *copy = xstrdup(argv[i]);

		spec_where = argv[i];
		run_line(copy);
		free(copy);
	}
	spec_where = "spec";
	if (!header_done)
		emit_header(NULL);
	if (no_end) {
		if (mpt_writer_flush(w) < 0)
			die("cannot write: %s", mpt_writer_errmsg(w));
	} else {
		/* END carries its own time: the writer stamps the last one. */
		if (mpt_writer_finish(w, 0) < 0)
			die("cannot write: %s", mpt_writer_errmsg(w));
	}
	mpt_writer_free(w);
	if (out && close(fd) < 0)
		die_errno("cannot write '%s'", out);
	for (i = 0; i < (int)nproc; i++) {
		free(procs[i].live);
		free(procs[i].maps);
	}
	free(procs);
	free(zipf_cdf);
	free(gpu_live);
	return 0;
}
