/* mpleaks.c - blocks never freed, grouped by allocation stack and leak kind. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmdsetup.h"
#include "hash.h"
#include "replay.h"
#include "suppress.h"
#include "symbolize.h"
#include "symtab.h"

#define MAX_DEPTH 1024
#define NKIND 5

static const char *const kind_name[NKIND] = { "definite", "indirect",
					      "possible", "reachable",
					      "unknown" };
static const char *const kind_text[NKIND] = { "definitely lost",
					      "indirectly lost",
					      "possibly lost",
					      "still reachable", "not freed" };
static const char *const gpu_kind_name[] = { "device memory", "managed",
					     "host-pinned", "async pool",
					     "virtual memory" };

/*
 * What the C and C++ runtimes allocate once for good and free only when a
 * checker asks them to at exit (valgrind runs __libc_freeres and
 * __gnu_cxx::__freeres): not the program's leaks.  glibc's list is its
 * libc_freeres_fn and libc_freeres_ptr users: locale, message catalogs,
 * setenv's environment, the time zone, character conversion, NSS and the
 * static buffers of the getpwuid family.  Its internal names (__GI_...)
 * are why most patterns start with a wildcard.
 */
static const char builtin_supp[] =
	/*
	 * A thread's TLS vector: freed at exit for the stacks glibc keeps
	 * for reuse, which no live thread points to; a live thread's is
	 * reported (possibly lost: its TCB points one entry in).
	 */
	"{\n glibc: thread TLS vector\n Memcheck:Leak\n"
	" match-leak-kinds: definite,indirect\n fun:*alloc\n"
	" ...\n fun:allocate_dtv\n}\n"
	/*
	 * The search and initialization lists of a dlopen()ed object, made
	 * by _dl_map_object_deps() itself (with or without the frame of
	 * ld.so's inlined malloc wrapper); what it calls allocates more.
	 */
	"{\n glibc: dynamic loader dependency lists\n Memcheck:Leak\n"
	" fun:*alloc\n fun:_dl_map_object_deps\n}\n"
	"{\n glibc: dynamic loader dependency lists\n Memcheck:Leak\n"
	" fun:*alloc\n fun:*alloc\n fun:_dl_map_object_deps\n}\n"
	"{\n glibc: dynamic loader object lookup table\n Memcheck:Leak\n"
	" fun:*alloc\n ...\n fun:_dl_find_object_update\n}\n"
	"{\n libstdc++: exception emergency pool\n Memcheck:Leak\n"
	" fun:malloc\n obj:*/libstdc++.so*\n ...\n fun:call_init\n}\n"
	"{\n glibc: stdio stream buffer\n Memcheck:Leak\n fun:malloc\n"
	" fun:*_IO_file_doallocate\n}\n"
	"{\n glibc: locale data\n Memcheck:Leak\n fun:*alloc\n ...\n"
	" fun:*setlocale\n}\n"
	"{\n glibc: locale data\n Memcheck:Leak\n fun:*alloc\n ...\n"
	" fun:_nl_find_locale\n}\n"
	"{\n glibc: locale aliases\n Memcheck:Leak\n fun:*alloc\n ...\n"
	" fun:_nl_expand_alias\n}\n"
	"{\n glibc: message catalogs\n Memcheck:Leak\n fun:*alloc\n ...\n"
	" fun:*dcigettext*\n}\n"
	"{\n glibc: message catalogs\n Memcheck:Leak\n fun:*alloc\n ...\n"
	" fun:*textdomain*\n}\n"
	"{\n glibc: environment\n Memcheck:Leak\n fun:*alloc\n ...\n"
	" fun:*add_to_environ\n}\n"
	"{\n glibc: time zone\n Memcheck:Leak\n fun:*alloc\n ...\n"
	" fun:*tzset*\n}\n"
	"{\n glibc: time zone\n Memcheck:Leak\n fun:*alloc\n ...\n"
	" fun:__tzfile_read\n}\n"
	"{\n glibc: character conversion\n Memcheck:Leak\n fun:*alloc\n ...\n"
	" fun:__wcsmbs_load_conv\n}\n"
	"{\n glibc: character conversion\n Memcheck:Leak\n fun:*alloc\n ...\n"
	" fun:__gconv_*\n}\n"
	"{\n glibc: name service\n Memcheck:Leak\n fun:*alloc\n ...\n"
	" fun:*nss_database*\n}\n"
	"{\n glibc: name service\n Memcheck:Leak\n fun:*alloc\n ...\n"
	" fun:__nss_*\n}\n"
	"{\n glibc: hsearch table\n Memcheck:Leak\n fun:*alloc\n"
	" fun:*hcreate_r\n}\n"
	"{\n glibc: getmntent buffer\n Memcheck:Leak\n fun:*alloc\n ...\n"
	" fun:getmntent\n}\n"
	"{\n glibc: resolver configuration\n Memcheck:Leak\n fun:*alloc\n"
	" ...\n fun:*resolv_conf*\n}\n"
	"{\n glibc: network interface cache\n Memcheck:Leak\n"
	" fun:*alloc\n ...\n fun:__check_pf\n}\n"
	"{\n glibc: static lookup buffer\n Memcheck:Leak\n fun:*alloc\n"
	" fun:getpw*\n}\n"
	"{\n glibc: static lookup buffer\n Memcheck:Leak\n fun:*alloc\n"
	" fun:getgr*\n}\n"
	"{\n glibc: static lookup buffer\n Memcheck:Leak\n fun:*alloc\n"
	" fun:getsp*\n}\n"
	"{\n glibc: static lookup buffer\n Memcheck:Leak\n fun:*alloc\n"
	" fun:gethostby*\n}\n"
	"{\n glibc: static lookup buffer\n Memcheck:Leak\n fun:*alloc\n"
	" fun:getservby*\n}\n"
	"{\n glibc: static lookup buffer\n Memcheck:Leak\n fun:*alloc\n"
	" fun:getprotoby*\n}\n";

/*
 * What stays even when the runtimes freed their memory before the scan:
 * mprec has them do it from a destructor, inside glibc's _dl_fini(), which
 * keeps every object loaded until it is done; the character conversion
 * modules that __libc_freeres() unloads under valgrind (which runs it after
 * _dl_fini()) keep the dynamic loader's data for them.
 */
static const char builtin_supp_always[] =
	"{\n glibc: character conversion modules\n Memcheck:Leak\n"
	" fun:*alloc\n ...\n fun:__gconv_find_shlib\n}\n";

enum {
	OPT_KIND = 0x100,
	OPT_ALL,
	OPT_MIN_AGE,
	OPT_AT,
	OPT_SUPPRESSIONS,
	OPT_FAIL,
	OPT_NO_BUILTIN,
};

static const struct cmd_option options[] = {
	{ "all", OPT_ALL, NULL, "report every kind (same as --kind all)" },
	{ "at", OPT_AT, "T",
	  "only blocks live at time T and never freed afterwards" },
	{ "fail", OPT_FAIL, "[=BYTES]",
	  "exit 1 when reported bytes exceed BYTES (default 0)" },
	{ "kind", OPT_KIND, "K[,K]",
	  "definite, indirect, possible, reachable, unknown or all" },
	{ "min-age", OPT_MIN_AGE, "T",
	  "only blocks older than T when their process ended" },
	{ "no-builtin-suppressions", OPT_NO_BUILTIN, NULL,
	  "also report what the C and C++ runtimes keep until exit" },
	{ "suppressions", OPT_SUPPRESSIONS, "FILE",
	  "valgrind or LeakSanitizer suppressions (repeatable)" },
	{ NULL, 0, NULL, NULL },
};

static const char *const formats[] = { "text", "csv", NULL };

struct group {
	struct image *img;
	uint32_t stack;
	uint8_t kind, domain, func;
	uint16_t device;
	uint64_t blocks, bytes;
	uint64_t first_time, first_addr; /* the earliest block, its func */
	int supp;			 /* suppression index, -1: none */
	uint64_t nframe;
};

struct totals {
	uint64_t blocks[NKIND], bytes[NKIND];
	uint64_t supp_blocks, supp_bytes;
};

struct image {
	struct mpt_process *p;
	struct totals tot;
	struct mpt_symtab sym;
	size_t ngroup;
};

static struct {
	unsigned kinds;
	int kinds_given;
	int has_min_age, has_at;
	uint64_t min_age;
	struct time_spec at;
	int at_seen;
	uint64_t at_ns;
	int fail;
	uint64_t fail_bytes;
	int no_builtin;
	struct mpt_suppressions *builtin, *builtin_always;
	struct mpt_suppressions *supp;
} opt;

/* Per-trace state. */
static struct state {
	struct cmd_args *args;
	struct mpt_replay *r;
	unsigned domain_mask;
	struct image **img;
	size_t nimg, imgcap;
	struct group *group;
	size_t ngroup, groupcap;
	struct mpt_hmap gkey; /* group key -> index + 1 */
	struct image *cur;
} st;

static int parse_kinds(const char *arg)
{
	char *copy = xstrdup(arg), *tok, *save = NULL;
	unsigned k, kinds = 0;

	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			kinds = (1u << NKIND) - 1;
			continue;
		}
		for (k = 0; k < NKIND; k++)
			if (!strcmp(tok, kind_name[k]))
				break;
		if (k == NKIND) {
			free(copy);
			return error(
				"invalid --kind '%s': expected definite, indirect, possible, reachable, unknown or all",
				arg);
		}
		kinds |= 1u << k;
	}
	free(copy);
	if (!kinds)
		return error("invalid --kind '%s': no kind given", arg);
	opt.kinds = kinds;
	opt.kinds_given = 1;
	return 0;
}

static int handle(int val, const char *arg, void *ctx)
{
	const char *errstr;
	char msg[256];
	struct time_spec t;
	int err;

	switch (val) {
	case OPT_KIND:
		return parse_kinds(arg);
	case OPT_ALL:
		opt.kinds = (1u << NKIND) - 1;
		opt.kinds_given = 1;
		return 0;
	case OPT_MIN_AGE:
		if (parse_time(arg, &t, &errstr) < 0)
			return error("invalid --min-age '%s': %s", arg, errstr);
		if (t.mark)
			return error("invalid --min-age '%s': %s", arg,
				     "a duration, not a marker");
		opt.min_age = t.ns;
		opt.has_min_age = 1;
		return 0;
	case OPT_AT:
		if (parse_time(arg, &opt.at, &errstr) < 0)
			return error("invalid --at '%s': %s", arg, errstr);
		opt.has_at = 1;
		opt.at_ns = opt.at.ns;
		opt.at_seen = !opt.at.mark;
		return 0;
	case OPT_SUPPRESSIONS:
		if (!opt.supp)
			opt.supp = mpt_supp_new();
		if (!opt.supp)
			die("out of memory");
		msg[0] = 0;
		err = mpt_supp_load(opt.supp, arg, msg, sizeof(msg));
		if (err == MPT_E_IO)
			die_errno("cannot read '%s'", arg);
		if (err < 0)
			die("%s: %s", arg, msg[0] ? msg : mpt_strerror(err));
		return 0;
	case OPT_FAIL:
		opt.fail = 1;
		opt.fail_bytes = 0;
		if (arg && parse_size(arg, &opt.fail_bytes, &errstr) < 0)
			return error("invalid --fail '%s': %s", arg, errstr);
		return 0;
	case OPT_NO_BUILTIN:
		opt.no_builtin = 1;
		return 0;
	}
	return -1;
}

/*
 * Collecting the live set when a process ends.
 */

static int collect_block(void *ctx, const struct mpt_block *b)
{
	struct image *img = ctx;
	const struct mpt_process_info *in = mpt_process_info(img->p);
	uint64_t key, *slot, bytes, blocks;
	struct group *g;
	int isnew;

	if (opt.has_min_age &&
	    (in->end_time < b->time || in->end_time - b->time < opt.min_age))
		return 0;
	if (opt.has_at && opt.at_seen && b->time > opt.at_ns)
		return 0;
	if (b->domain == MPT_DOMAIN_GPU && st.args->gpu_device >= 0 &&
	    b->device != st.args->gpu_device)
		return 0;
	bytes = mpt_replay_bytes(st.r, b);
	blocks = (uint64_t)(mpt_replay_weight(st.r, b) + 0.5);
	img->tot.blocks[b->kind] += blocks;
	img->tot.bytes[b->kind] += bytes;

	key = ((uint64_t)in->image << 40) ^ ((uint64_t)b->stack << 8) ^
	      ((uint64_t)b->domain << 5) ^ ((uint64_t)b->kind << 2) ^
	      ((uint64_t)b->device << 24 << 32);
	/* The key is a hint; the group's own fields settle equality. */
	for (;; key = mpt_hash64(key + 1)) {
		slot = mpt_hmap_put(&st.gkey, key, &isnew);
		if (!slot)
			die("out of memory");
		if (isnew)
			break;
		g = &st.group[*slot - 1];
		if (g->img == img && g->stack == b->stack &&
		    g->kind == b->kind && g->domain == b->domain &&
		    g->device == b->device)
			goto found;
	}
	if (st.ngroup == st.groupcap) {
		st.groupcap = st.groupcap ? st.groupcap * 2 : 256;
		st.group =
			xreallocarray(st.group, st.groupcap, sizeof(*st.group));
	}
	g = &st.group[st.ngroup++];
	memset(g, 0, sizeof(*g));
	*slot = st.ngroup;
	g->img = img;
	g->stack = b->stack;
	g->kind = b->kind;
	g->domain = b->domain;
	g->device = b->device;
	g->func = b->func;
	g->first_time = b->time;
	g->first_addr = b->addr;
	g->supp = -1;
	img->ngroup++;
found:
	g->blocks += blocks;
	g->bytes += bytes;
	/*
	 * The group shows the allocation function of its earliest block
	 * (then lowest address), whatever order the live set is walked in.
	 */
	if (b->time < g->first_time ||
	    (b->time == g->first_time && b->addr < g->first_addr)) {
		g->first_time = b->time;
		g->first_addr = b->addr;
		g->func = b->func;
	}
	return 0;
}

static int on_end(void *ctx, struct mpt_process *p)
{
	const struct mpt_process_info *in = mpt_process_info(p);
	struct image *img;

	/* exec released the old image's memory: nothing of it leaked. */
	if (in->end_reason == MPT_REPLAY_EXEC)
		return 0;
	if (st.args->has_pid && in->pid != st.args->pid)
		return 0;
	/* Every process that ended gets a summary, as under valgrind. */
	img = xcalloc(1, sizeof(*img));
	img->p = p;
	if (st.nimg == st.imgcap) {
		st.imgcap = st.imgcap ? st.imgcap * 2 : 16;
		st.img = xreallocarray(st.img, st.imgcap, sizeof(*st.img));
	}
	st.img[st.nimg++] = img;
	return mpt_process_foreach(p, st.domain_mask, collect_block, img);
}

static int on_record(void *ctx, struct mpt_process *p,
		     const struct mpt_record *rec)
{
	if (opt.has_at && !opt.at_seen && rec->type == MPT_REC_MARKER &&
	    rec->u.marker.label.len == strlen(opt.at.mark) &&
	    !memcmp(rec->u.marker.label.ptr, opt.at.mark,
		    rec->u.marker.label.len)) {
		opt.at_seen = 1;
		opt.at_ns = rec->time;
	}
	return 0;
}

/*
 * Symbols and suppressions.
 */

static const char *alloc_func_name(const struct group *g)
{
	switch (g->domain) {
	case MPT_DOMAIN_MMAP:
		return "mmap";
	case MPT_DOMAIN_GPU:
		return g->func < 5 ? gpu_kind_name[g->func] : "gpu";
	}
	switch (g->func) {
	case MPT_FN_NEW:
		return "operator new(unsigned long)";
	case MPT_FN_NEW_ARRAY:
		return "operator new[](unsigned long)";
	default:
		return mpt_func_name(g->func);
	}
}

static void symbolize_image(struct image *img, struct mpt_symbolizer *sym)
{
	uint32_t *ids = xreallocarray(NULL, st.ngroup + 1, sizeof(*ids));
	size_t n = 0, i;
	int err;

	for (i = 0; i < st.ngroup; i++)
		if (st.group[i].img == img)
			ids[n++] = st.group[i].stack;
	err = mpt_symtab_build_stacks(&img->sym, sym, st.r, img->p, ids, n);
	free(ids);
	if (err < 0)
		die("cannot symbolize pid %u: %s",
		    mpt_process_info(img->p)->pid, mpt_strerror(err));
}

/* The frames of a group, allocation function first, for matching. */
static size_t supp_frames(const struct group *g, struct mpt_supp_frame *out,
			  size_t max)
{
	uint64_t frames[MAX_DEPTH];
	size_t d, i, n = 0;

	out[n].function = alloc_func_name(g);
	out[n].module = out[n].file = NULL;
	out[n].inlined = 0;
	out[n++].line = 0;
	d = mpt_replay_stack_frames(st.r, g->stack, frames, MAX_DEPTH);
	if (d > MAX_DEPTH)
		d = MAX_DEPTH;
	for (i = 0; i < d && n < max; i++) {
		const struct mpt_frame *f;
		size_t nf = mpt_symtab_lookup(&g->img->sym, frames[i], &f), j;

		for (j = 0; j < nf && n < max; j++, n++) {
			out[n].function = f[j].function;
			out[n].module = f[j].module;
			out[n].file = f[j].file;
			out[n].line = f[j].line;
			out[n].inlined = !!(f[j].flags & MPT_FRAME_INLINED);
		}
	}
	return n;
}

static void apply_suppressions(void)
{
	static struct mpt_supp_frame sf[4 * MAX_DEPTH];
	size_t i, n;

	if (!opt.supp && !opt.builtin && !opt.builtin_always)
		return;
	for (i = 0; i < st.ngroup; i++) {
		struct group *g = &st.group[i];
		struct totals *t = &g->img->tot;

		n = supp_frames(g, sf, sizeof(sf) / sizeof(*sf));
		g->supp = opt.supp ? mpt_supp_match(opt.supp, g->kind, sf, n) :
				     -1;
		/*
		 * What the runtimes keep for good, unless they freed it
		 * before the scan, as under valgrind: then what is left of
		 * theirs is what valgrind reports too.
		 */
		if (g->supp < 0 && opt.builtin &&
		    !(mpt_process_info(g->img->p)->scan_flags &
		      MPT_SCAN_FREERES))
			g->supp = mpt_supp_match(opt.builtin, g->kind, sf, n);
		if (g->supp < 0 && opt.builtin_always)
			g->supp = mpt_supp_match(opt.builtin_always, g->kind,
						 sf, n);
		if (g->supp < 0)
			continue;
		t->blocks[g->kind] -= g->blocks;
		t->bytes[g->kind] -= g->bytes;
		t->supp_blocks += g->blocks;
		t->supp_bytes += g->bytes;
	}
}

static int group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	uint32_t ix = mpt_process_info(x->img->p)->image;
	uint32_t iy = mpt_process_info(y->img->p)->image;

	if (ix != iy)
		return ix < iy ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->blocks != y->blocks)
		return x->blocks > y->blocks ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->stack != y->stack)
		return x->stack < y->stack ? -1 : 1;
	/* Groups are unique by image, stack, kind, domain and device. */
	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	return x->device < y->device ? -1 : x->device > y->device;
}

static int reported(const struct group *g)
{
	return g->supp < 0 && (opt.kinds & (1u << g->kind));
}

/*
 * Output.
 */

static void describe_end(char *buf, size_t size,
			 const struct mpt_process_info *in)
{
	const char *scan;
	char sbuf[128];

	if (in->scanned && !in->scan_status)
		scan = "leak scan done";
	else if (in->scanned) {
		snprintf(sbuf, sizeof(sbuf), "leak scan failed (%s)",
			 strerror((int)in->scan_status));
		scan = sbuf;
	} else {
		scan = "no leak scan: blocks are not freed, kind unknown";
	}
	if (in->end_reason == MPT_REPLAY_CUT)
		snprintf(buf, size, "still running when the trace ended; %s",
			 scan);
	else if (in->end_kind == MPT_END_SIGNAL)
		snprintf(buf, size, "killed by signal %d%s; %s", in->end_code,
			 in->end_core ? " (core dumped)" : "", scan);
	else if (in->end_kind == MPT_END_EXIT)
		snprintf(buf, size, "exited with status %d; %s", in->end_code,
			 scan);
	else
		snprintf(buf, size, "ended, how is unknown; %s", scan);
}

static void print_frames(FILE *f, const struct group *g)
{
	uint64_t frames[MAX_DEPTH];
	size_t d, i, j;
	char buf[4096];

	if (g->domain == MPT_DOMAIN_GPU)
		fprintf(f, "    at %s (gpu device %u)\n", alloc_func_name(g),
			g->device);
	else
		fprintf(f, "    at %s\n", alloc_func_name(g));
	d = mpt_replay_stack_frames(st.r, g->stack, frames, MAX_DEPTH);
	if (d > MAX_DEPTH)
		d = MAX_DEPTH;
	for (i = 0; i < d; i++) {
		const struct mpt_frame *fr;
		size_t nf = mpt_symtab_lookup(&g->img->sym, frames[i], &fr);

		if (!nf) {
			fprintf(f, "    by 0x%llx: ???\n",
				(unsigned long long)frames[i]);
			continue;
		}
		for (j = 0; j < nf; j++) {
			if (!fr[j].function && !fr[j].module && !fr[j].file)
				snprintf(buf, sizeof(buf), "???");
			else
				mpt_frame_format(&fr[j], buf, sizeof(buf));
			fprintf(f, "    by 0x%llx: %s%s\n",
				(unsigned long long)frames[i], buf,
				fr[j].flags & MPT_FRAME_INLINED ? " [inlined]" :
								  "");
		}
	}
	if (!d)
		fprintf(f, "    by ??? (no stack recorded)\n");
}

static void print_summary(FILE *f, const char *what, const struct totals *t)
{
	unsigned k;

	fprintf(f, "LEAK SUMMARY (%s):\n", what);
	for (k = 0; k < NKIND; k++)
		fprintf(f, "   %15s: %llu bytes in %llu blocks\n",
			k == MPT_LEAK_UNKNOWN ? "not freed" : kind_text[k],
			(unsigned long long)t->bytes[k],
			(unsigned long long)t->blocks[k]);
	fprintf(f, "   %15s: %llu bytes in %llu blocks\n", "suppressed",
		(unsigned long long)t->supp_bytes,
		(unsigned long long)t->supp_blocks);
}

static void print_text(FILE *f, const char *trace_name, long top)
{
	struct totals all;
	size_t i, gi = 0;
	char buf[512];
	unsigned k;

	memset(&all, 0, sizeof(all));
	fprintf(f, "# mpleaks: %s: kinds", trace_name);
	for (k = 0; k < NKIND; k++)
		if (opt.kinds & (1u << k))
			fprintf(f, " %s", kind_name[k]);
	fprintf(f, "\n");
	if (mpt_replay_lost(st.r))
		fprintf(f,
			"# %llu events were lost while recording: blocks may be missing or never freed\n",
			(unsigned long long)mpt_replay_lost(st.r));
	if (!st.nimg)
		fprintf(f, "# no block was left live\n");
	for (i = 0; i < st.nimg; i++) {
		struct image *img = st.img[i];
		const struct mpt_process_info *in = mpt_process_info(img->p);
		size_t nrep = 0, j, shown = 0, rec = 0;

		for (j = gi; j < gi + img->ngroup; j++)
			nrep += reported(&st.group[j]);
		describe_end(buf, sizeof(buf), in);
		fprintf(f, "# pid %u %s: %s\n", in->pid,
			in->path[0] ? in->path : "?", buf);
		for (j = gi; j < gi + img->ngroup; j++) {
			const struct group *g = &st.group[j];

			if (!reported(g))
				continue;
			rec++;
			if (top > 0 && shown >= (size_t)top)
				continue;
			shown++;
			fprintf(f,
				"\n%llu bytes in %llu blocks are %s in loss record %zu of %zu\n",
				(unsigned long long)g->bytes,
				(unsigned long long)g->blocks,
				kind_text[g->kind], rec, nrep);
			print_frames(f, g);
		}
		gi += img->ngroup;
		snprintf(buf, sizeof(buf), "pid %u", in->pid);
		fprintf(f, "\n");
		print_summary(f, buf, &img->tot);
		for (k = 0; k < NKIND; k++) {
			all.blocks[k] += img->tot.blocks[k];
			all.bytes[k] += img->tot.bytes[k];
		}
		all.supp_blocks += img->tot.supp_blocks;
		all.supp_bytes += img->tot.supp_bytes;
	}
	if (st.nimg > 1) {
		snprintf(buf, sizeof(buf), "%zu processes", st.nimg);
		fprintf(f, "\n");
		print_summary(f, buf, &all);
	}
}

static void print_csv_header(FILE *f)
{
	fprintf(f, "pid,record,kind,domain,device,blocks,bytes,first_alloc_ns,"
		   "function,file,line,stack\n");
}

static void print_csv(FILE *f)
{
	static const char *const domain_name[] = { "heap", "mmap", "gpu" };
	size_t i, gi = 0;

	for (i = 0; i < st.nimg; i++) {
		struct image *img = st.img[i];
		const struct mpt_process_info *in = mpt_process_info(img->p);
		size_t j, rec = 0;

		for (j = gi; j < gi + img->ngroup; j++) {
			const struct group *g = &st.group[j];
			uint64_t frames[MAX_DEPTH];
			const struct mpt_frame *top = NULL;
			size_t d, k, nf;
			char buf[4096];
			int first = 1;

			if (!reported(g))
				continue;
			d = mpt_replay_stack_frames(st.r, g->stack, frames,
						    MAX_DEPTH);
			if (d > MAX_DEPTH)
				d = MAX_DEPTH;
			if (d)
				mpt_symtab_lookup(&img->sym, frames[0], &top);
			fprintf(f, "%u,%zu,%s,%s,%u,%llu,%llu,%llu,", in->pid,
				++rec, kind_name[g->kind],
				domain_name[g->domain], g->device,
				(unsigned long long)g->blocks,
				(unsigned long long)g->bytes,
				(unsigned long long)g->first_time);
			if (top && top->function)
				csv_str(f, top->function,
					strlen(top->function));
			fputc(',', f);
			if (top && top->file)
				csv_str(f, top->file, strlen(top->file));
			fprintf(f, ",%u,", top ? top->line : 0);
			/* The whole stack, innermost first, ';' between. */
			buf[0] = 0;
			{
				char line[65536];
				size_t len = 0;

				line[0] = 0;
				for (k = 0; k < d; k++) {
					const struct mpt_frame *fr;
					size_t q;

					nf = mpt_symtab_lookup(&img->sym,
							       frames[k], &fr);
					for (q = 0; q < nf; q++) {
						mpt_frame_format_folded(
							&fr[q], buf,
							sizeof(buf));
						if (len + strlen(buf) + 2 >=
						    sizeof(line))
							break;
						len += (size_t)snprintf(
							line + len,
							sizeof(line) - len,
							"%s%s",
							first ? "" : ";", buf);
						first = 0;
					}
				}
				csv_str(f, line, len);
			}
			fputc('\n', f);
		}
		gi += img->ngroup;
	}
}

static uint64_t reported_bytes(void)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < st.ngroup; i++)
		if (reported(&st.group[i]))
			n += st.group[i].bytes;
	return n;
}

static void state_release(void)
{
	size_t i;

	for (i = 0; i < st.nimg; i++) {
		mpt_symtab_release(&st.img[i]->sym);
		free(st.img[i]);
	}
	free(st.img);
	free(st.group);
	mpt_hmap_release(&st.gkey);
	mpt_replay_free(st.r);
	memset(&st, 0, sizeof(st));
}

static int image_order_cmp(const void *a, const void *b)
{
	uint32_t x = mpt_process_info((*(struct image *const *)a)->p)->image;
	uint32_t y = mpt_process_info((*(struct image *const *)b)->p)->image;

	return x < y ? -1 : x > y;
}

/* Replay one trace and report; returns its reported bytes. */
static uint64_t leaks_of(struct cmd_args *args, const char *path, FILE *out,
			 int *failed)
{
	struct mpt_replay_ops ops = { .process_end = on_end };
	struct mpt_symbolizer *sym;
	struct trace *t;
	uint64_t bytes;
	size_t i;
	int err;

	memset(&st, 0, sizeof(st));
	st.args = args;
	st.domain_mask = cmd_domain_mask(args);
	mpt_hmap_init(&st.gkey);
	/* Only a marker for --at needs to see every record. */
	if (opt.has_at && opt.at.mark)
		ops.record = on_record;
	sym = cmd_symbolizer(args);
	st.r = mpt_replay_new(&ops, NULL);
	if (!st.r)
		die("out of memory");
	mpt_replay_set_symbolizer(st.r, sym);
	if (opt.has_at && opt.at.mark)
		opt.at_seen = 0;

	t = trace_open(path, NULL, 1);
	err = mpt_replay_run(st.r, t->reader);
	if (err == MPT_E_NOMEM)
		die("out of memory");
	if (err < 0)
		trace_die(t, err);
	if (mpt_reader_is_cut(t->reader))
		warn("%s: trace is cut (no end record); showing what it holds",
		     t->name);
	if (opt.has_at && !opt.at_seen) {
		warn("%s: no marker '%s' (for --at)", t->name, opt.at.mark);
		*failed = 1;
	}
	if (args->has_pid && !mpt_replay_find_pid(st.r, args->pid)) {
		warn("%s: no process %u (for --pid)", t->name, args->pid);
		*failed = 1;
	}

	/* Images in start order; groups of each image, largest first. */
	/* qsort() wants a valid pointer even for no elements. */
	if (st.nimg)
		qsort(st.img, st.nimg, sizeof(*st.img), image_order_cmp);
	if (st.ngroup)
		qsort(st.group, st.ngroup, sizeof(*st.group), group_cmp);
	for (i = 0; i < st.nimg; i++)
		symbolize_image(st.img[i], sym);
	apply_suppressions();
	if (cmd_format_is(args, "csv"))
		print_csv(out);
	else
		print_text(out, t->name, args->top);
	bytes = reported_bytes();
	trace_close(t);
	state_release();
	mpt_sym_free(sym);
	return bytes;
}

int main(int argc, char **argv)
{
	static const struct cmd_spec spec = {
		.name = "mpleaks",
		.synopsis = "[options] [trace...]",
		.summary = "Report the blocks a program never freed, by "
			   "allocation stack and leak kind.",
		.shared = OPT_FORMAT | OPT_OUTPUT | OPT_PID | OPT_DOMAIN |
			  OPT_TOP | OPT_SYMBOLS,
		.formats = formats,
		.options = options,
		.handle = handle,
	};
	struct cmd_args args;
	uint64_t bytes = 0;
	int i, failed = 0;
	FILE *out;

	opt.kinds = (1u << MPT_LEAK_DEFINITE) | (1u << MPT_LEAK_INDIRECT) |
		    (1u << MPT_LEAK_UNKNOWN);
	cmd_parse(&spec, argc, argv, &args);
	if (!opt.no_builtin) {
		char msg[128];

		opt.builtin = mpt_supp_new();
		opt.builtin_always = mpt_supp_new();
		if (!opt.builtin || !opt.builtin_always ||
		    mpt_supp_parse(opt.builtin, builtin_supp,
				   strlen(builtin_supp), msg,
				   sizeof(msg)) < 0 ||
		    mpt_supp_parse(opt.builtin_always, builtin_supp_always,
				   strlen(builtin_supp_always), msg,
				   sizeof(msg)) < 0)
			die("out of memory");
	}
	out = out_open(&args);
	if (cmd_format_is(&args, "csv"))
		print_csv_header(out);
	for (i = 0; i < args.ntrace; i++) {
		if (i && !cmd_format_is(&args, "csv"))
			fprintf(out, "\n");
		bytes += leaks_of(&args, args.trace[i], out, &failed);
	}
	mpt_supp_free(opt.supp);
	mpt_supp_free(opt.builtin);
	mpt_supp_free(opt.builtin_always);
	if (opt.fail && bytes > opt.fail_bytes)
		return EXIT_FAIL;
	return failed ? EXIT_FAIL : EXIT_OK;
}
