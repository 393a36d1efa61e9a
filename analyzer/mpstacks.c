/* mpstacks.c - aggregate a metric by call stack: trees, folded stacks, CSV. */
#include <stdlib.h>
#include <string.h>

#include "cmdsetup.h"
#include "hash.h"
#include "replay.h"
#include "stacktree.h"
#include "suppress.h" /* mpt_glob_match */
#include "symbolize.h"
#include "symtab.h"

#define MAX_DEPTH 1024

enum metric { M_ALLOCATIONS, M_BYTES, M_PEAK, M_LEAKED, M_TEMPORARY };
static const char *const metric_name[] = { "allocations", "bytes", "peak",
					   "leaked", "temporary" };

enum {
	OPT_METRIC = 0x100,
	OPT_BOTTOM_UP,
	OPT_DEPTH,
	OPT_FILTER,
};

static const struct cmd_option options[] = {
	{ "bottom-up", OPT_BOTTOM_UP, NULL,
	  "print the callers of the hottest sites (text)" },
	{ "depth", OPT_DEPTH, "N", "keep at most N frames of each stack" },
	{ "filter", OPT_FILTER, "FUNCTION",
	  "only stacks with a frame of FUNCTION (* and ? wildcards)" },
	{ "metric", OPT_METRIC, "M",
	  "allocations, bytes (default), peak, leaked or temporary" },
	{ NULL, 0, NULL, NULL },
};

static const char *const formats[] = { "text", "folded", "csv", NULL };

static struct {
	int metric;
	int bottom_up;
	size_t depth;
	const char *filter;
} opt = { M_BYTES, 0, 0, NULL };

/* Per stack of one image: the metric, and the state of the peak. */
struct sval {
	uint64_t value;
	uint64_t cur;	  /* peak: bytes live now */
	uint64_t at_peak; /* peak: bytes live at the peak numbered `snap` */
	uint64_t snap;
};

struct img {
	struct mpt_process *p;
	struct sval *s; /* by stack index */
	size_t cap;
	uint64_t live, peak, npeak; /* peak: total now, highest, its number */
	int done;
	int fresh;		      /* made by the event being handled */
	const struct mpt_block *skip; /* peak_start(): the block being freed */
};

static struct {
	struct cmd_args *args;
	struct mpt_replay *r;
	unsigned domain_mask;
	struct img **img;
	size_t nimg;
	struct img *last;
	uint64_t from, to; /* window, ns; marks resolve as they pass */
} st;

static int handle(int val, const char *arg, void *ctx)
{
	const char *errstr;
	size_t i;

	switch (val) {
	case OPT_METRIC:
		for (i = 0; i < sizeof(metric_name) / sizeof(*metric_name); i++)
			if (!strcmp(arg, metric_name[i]))
				break;
		if (i == sizeof(metric_name) / sizeof(*metric_name))
			return error(
				"invalid --metric '%s': expected allocations, bytes, peak, leaked or temporary",
				arg);
		opt.metric = (int)i;
		return 0;
	case OPT_BOTTOM_UP:
		opt.bottom_up = 1;
		return 0;
	case OPT_DEPTH:
		opt.depth = (size_t)parse_num(arg, 1, MAX_DEPTH * 16, &errstr);
		if (errstr)
			return error("invalid --depth '%s': %s", arg, errstr);
		return 0;
	case OPT_FILTER:
		opt.filter = arg;
		return 0;
	}
	return -1;
}

/*
 * Aggregation while the trace replays.
 */

/* The image of p when it is not the last one asked for. */
static __attribute__((noinline)) struct img *img_find(struct mpt_process *p)
{
	const struct mpt_process_info *in;
	struct img *im;

	in = mpt_process_info(p);
	if (in->image <= st.nimg && st.img[in->image - 1]) {
		st.last = st.img[in->image - 1];
		return st.last;
	}
	if (in->image > st.nimg) {
		size_t n = st.nimg;

		st.img = xreallocarray(st.img, in->image, sizeof(*st.img));
		while (n < in->image)
			st.img[n++] = NULL;
		st.nimg = in->image;
	}
	im = xcalloc(1, sizeof(*im));
	im->p = p;
	im->fresh = 1;
	st.img[in->image - 1] = im;
	st.last = im;
	return im;
}

/* Called for every event: the common cases inline. */
static inline struct img *img_of(struct mpt_process *p)
{
	if (__builtin_expect(st.last && st.last->p == p, 1))
		return st.last;
	return img_find(p);
}

static __attribute__((noinline)) void sval_grow(struct img *im, uint32_t stack)
{
	size_t ncap = im->cap ? im->cap : 64;

	while (ncap <= stack)
		ncap *= 2;
	im->s = xreallocarray(im->s, ncap, sizeof(*im->s));
	memset(im->s + im->cap, 0, (ncap - im->cap) * sizeof(*im->s));
	im->cap = ncap;
}

static inline struct sval *sval_of(struct img *im, uint32_t stack)
{
	if (__builtin_expect(stack >= im->cap, 0))
		sval_grow(im, stack);
	return &im->s[stack];
}

static inline int wanted(struct mpt_process *p, const struct mpt_block *b)
{
	if (!(st.domain_mask & MPT_DOMAIN_BIT(b->domain)))
		return 0;
	if (b->domain == MPT_DOMAIN_GPU && st.args->gpu_device >= 0 &&
	    b->device != st.args->gpu_device)
		return 0;
	return !st.args->has_pid || mpt_process_info(p)->pid == st.args->pid;
}

static inline int in_window(uint64_t t)
{
	return t >= st.from && t < st.to;
}

/* Allocations a block stands for (1 unless sampled). */
static inline uint64_t count_of(const struct mpt_block *b)
{
	if (!(b->flags & MPT_BLOCK_SAMPLED))
		return 1;
	return (uint64_t)(mpt_replay_weight(st.r, b) + 0.5);
}

/* Bytes a block stands for (its size unless sampled). */
static inline uint64_t bytes_of(const struct mpt_block *b)
{
	if (!(b->flags & MPT_BLOCK_SAMPLED))
		return b->size;
	return mpt_replay_bytes(st.r, b);
}

/*
 * The peak is the moment the image's live total is highest.  Rather than
 * copy every stack's value at each new peak, peaks are numbered and a
 * stack saves its value lazily, the first time it changes after a peak.
 */
static void peak_change(struct img *im, struct sval *s, uint64_t bytes, int add,
			uint64_t t)
{
	if (s->snap != im->npeak) {
		s->at_peak = s->cur;
		s->snap = im->npeak;
	}
	if (add) {
		s->cur += bytes;
		im->live += bytes;
		if (im->live > im->peak && in_window(t)) {
			im->peak = im->live;
			im->npeak++;
		}
	} else {
		s->cur -= bytes < s->cur ? bytes : s->cur;
		im->live -= bytes < im->live ? bytes : im->live;
	}
}

static int add_live(void *ctx, const struct mpt_block *b)
{
	struct img *im = ctx;
	uint64_t n;

	if (!wanted(im->p, b) || b == im->skip)
		return 0;
	n = bytes_of(b);
	sval_of(im, b->stack)->cur += n;
	im->live += n;
	return 0;
}

/*
 * The first event of an image: a forked child starts with its parent's
 * live blocks, which count towards its peak.  Its live set already has
 * the event applied (b added, or b taken out): undo that here, so that the
 * image starts as it was before, and the caller applies the event.  A
 * block being freed may still be listed while the free callback runs:
 * it is counted once, here, not also by add_live().
 */
static void peak_start(struct img *im, const struct mpt_block *b, int added)
{
	struct sval *s;
	uint64_t n = bytes_of(b);

	im->fresh = 0;
	im->skip = added ? NULL : b;
	(void)mpt_process_foreach(im->p, st.domain_mask, add_live, im);
	im->skip = NULL;
	s = sval_of(im, b->stack); /* after: add_live() may move them */
	if (added) {
		s->cur -= n < s->cur ? n : s->cur;
		im->live -= n < im->live ? n : im->live;
	} else {
		s->cur += n;
		im->live += n;
	}
	if (im->live > 0 && in_window(b->time)) {
		im->peak = im->live;
		im->npeak = 1;
	}
}

static int on_alloc(void *ctx, struct mpt_process *p, const struct mpt_block *b,
		    const struct mpt_record *rec)
{
	struct img *im;

	if (!wanted(p, b))
		return 0;
	im = img_of(p);
	switch (opt.metric) {
	case M_ALLOCATIONS:
		if (in_window(b->time))
			sval_of(im, b->stack)->value += count_of(b);
		break;
	case M_BYTES:
		if (in_window(b->time))
			sval_of(im, b->stack)->value += bytes_of(b);
		break;
	case M_PEAK:
		if (__builtin_expect(im->fresh, 0))
			peak_start(im, b, 1);
		peak_change(im, sval_of(im, b->stack), bytes_of(b), 1, b->time);
		break;
	}
	return 0;
}

static int on_free(void *ctx, struct mpt_process *p, const struct mpt_block *b,
		   const struct mpt_free_info *fi)
{
	struct img *im;

	if (!wanted(p, b))
		return 0;
	if (opt.metric == M_PEAK) {
		im = img_of(p);
		if (__builtin_expect(im->fresh, 0))
			peak_start(im, b, 0);
		peak_change(im, sval_of(im, b->stack), bytes_of(b), 0,
			    fi->time);
	} else if (opt.metric == M_TEMPORARY && fi->temporary &&
		   in_window(b->time)) {
		sval_of(img_of(p), b->stack)->value += count_of(b);
	}
	return 0;
}

static int add_leaked(void *ctx, const struct mpt_block *b)
{
	struct mpt_process *p = ctx;

	if (wanted(p, b) && in_window(b->time))
		sval_of(img_of(p), b->stack)->value += bytes_of(b);
	return 0;
}

static int on_end(void *ctx, struct mpt_process *p)
{
	/* exec released the old image's memory: nothing of it leaked. */
	if (opt.metric == M_LEAKED &&
	    mpt_process_info(p)->end_reason != MPT_REPLAY_EXEC)
		return mpt_process_foreach(p, st.domain_mask, add_leaked, p);
	return 0;
}

static int label_is(const struct mpt_record *rec, const char *mark)
{
	return rec->u.marker.label.len == strlen(mark) &&
	       !memcmp(rec->u.marker.label.ptr, mark, rec->u.marker.label.len);
}

static int on_record(void *ctx, struct mpt_process *p,
		     const struct mpt_record *rec)
{
	struct cmd_args *a = st.args;

	if (rec->type != MPT_REC_MARKER)
		return 0;
	if (a->has_from && a->from.mark && st.from == UINT64_MAX &&
	    label_is(rec, a->from.mark))
		st.from = rec->time;
	if (a->has_to && a->to.mark && st.to == UINT64_MAX &&
	    st.from != UINT64_MAX && label_is(rec, a->to.mark))
		st.to = rec->time;
	return 0;
}

/*
 * A process that called exec had one image before and one after, each with
 * its own peak; the process's peak is the higher one (the first, if they
 * tie).  The other images of the process are dropped.  A process is an
 * image and the images that exec made of it after it (a pid used again by
 * a new process starts a new one).
 */
static void keep_peak_images(void)
{
	struct mpt_hmap chain; /* pid + 1 -> its process's first image */
	struct mpt_hmap best;  /* first image -> index + 1 of the peak one */
	size_t i, n = mpt_replay_nprocesses(st.r);
	uint64_t *first = xcalloc(st.nimg ? st.nimg : 1, sizeof(*first));
	uint64_t *slot;
	int isnew;

	mpt_hmap_init(&chain);
	mpt_hmap_init(&best);
	for (i = 0; i < n; i++) {
		const struct mpt_process_info *in =
			mpt_process_info(mpt_replay_process(st.r, i));

		slot = mpt_hmap_put(&chain, (uint64_t)in->pid + 1, &isnew);
		if (!slot)
			die("out of memory");
		if (isnew || in->start_kind != MPT_PROC_EXEC)
			*slot = in->image;
		if (in->image <= st.nimg)
			first[in->image - 1] = *slot;
	}
	for (i = 0; i < st.nimg; i++) {
		struct img *im = st.img[i];

		if (!im)
			continue;
		slot = mpt_hmap_put(&best, first[i], &isnew);
		if (!slot)
			die("out of memory");
		if (isnew || im->peak > st.img[*slot - 1]->peak)
			*slot = i + 1;
	}
	for (i = 0; i < st.nimg; i++) {
		struct img *im = st.img[i];

		if (!im)
			continue;
		slot = mpt_hmap_get(&best, first[i]);
		if (*slot != i + 1) {
			free(im->s);
			free(im);
			st.img[i] = NULL;
		}
	}
	mpt_hmap_release(&chain);
	mpt_hmap_release(&best);
	free(first);
}

/*
 * Building the tree.
 */

struct names {
	uint32_t *id;  /* name ids of the frames of symtab address i */
	size_t *start; /* [start[i], start[i + 1]) */
};

/* A CSV row: one stack of one process. */
struct row {
	uint64_t value;
	uint32_t pid;
	uint64_t stack_id;
	char *function; /* innermost frame */
	char *stack;	/* folded, root first */
};

static struct row *rows;
static size_t nrows, rowcap;

static struct mpt_stacktree *tree;

/* Intern the folded name of every frame of every address of the table. */
static void intern_names(const struct mpt_symtab *sym, struct names *nm)
{
	size_t i, j, k = 0;
	char buf[4096];

	nm->start = xcalloc(sym->n + 1, sizeof(*nm->start));
	nm->id = xcalloc(sym->start[sym->n] + 1, sizeof(*nm->id));
	for (i = 0; i < sym->n; i++) {
		nm->start[i] = k;
		for (j = sym->start[i]; j < sym->start[i + 1]; j++) {
			const struct mpt_frame *f = &sym->frame[j];
			int len;

			if (!f->function && !f->module)
				len = snprintf(buf, sizeof(buf), "0x%llx",
					       (unsigned long long)f->addr);
			else
				len = mpt_frame_format_folded(f, buf,
							      sizeof(buf));
			if (len < 0)
				len = 0;
			if ((size_t)len >= sizeof(buf))
				len = sizeof(buf) - 1;
			nm->id[k] =
				mpt_stacktree_intern(tree, buf, (size_t)len);
			if (!nm->id[k])
				die("out of memory");
			k++;
		}
	}
	nm->start[sym->n] = k;
}

/*
 * The names of one stack, innermost first (each address expanded into its
 * inline frames); returns how many.
 */
static size_t stack_names(const struct mpt_symtab *sym, const struct names *nm,
			  uint32_t stack, uint32_t *out, size_t max)
{
	uint64_t frames[MAX_DEPTH];
	size_t d, i, n = 0;

	d = mpt_replay_stack_frames(st.r, stack, frames, MAX_DEPTH);
	if (d > MAX_DEPTH)
		d = MAX_DEPTH;
	for (i = 0; i < d; i++) {
		size_t lo = 0, hi = sym->n, j;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (sym->addr[mid] < frames[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == sym->n || sym->addr[lo] != frames[i])
			continue;
		for (j = nm->start[lo]; j < nm->start[lo + 1] && n < max; j++)
			out[n++] = nm->id[j];
	}
	return n;
}

static int matches_filter(const uint32_t *path, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (mpt_glob_match(opt.filter,
				   mpt_stacktree_name(tree, path[i])))
			return 1;
	return 0;
}

static void add_row(const struct mpt_process_info *in, uint32_t stack,
		    uint64_t value, const uint32_t *path, size_t len)
{
	struct row *r;
	size_t k, total = 1;
	char *p;

	if (nrows == rowcap) {
		rowcap = rowcap ? rowcap * 2 : 256;
		rows = xreallocarray(rows, rowcap, sizeof(*rows));
	}
	r = &rows[nrows++];
	r->value = value;
	r->pid = in->pid;
	r->stack_id = mpt_replay_stack_id(st.r, stack);
	r->function =
		xstrdup(len ? mpt_stacktree_name(tree, path[len - 1]) : "");
	for (k = 0; k < len; k++)
		total += strlen(mpt_stacktree_name(tree, path[k])) + 1;
	r->stack = p = xmalloc(total);
	*p = 0;
	for (k = 0; k < len; k++)
		p += sprintf(p, "%s%s", k ? ";" : "",
			     mpt_stacktree_name(tree, path[k]));
}

/* Add the stacks of one image to the tree (and to the CSV entries). */
static void add_image(struct img *im, struct mpt_symbolizer *sym)
{
	static uint32_t path[4 * MAX_DEPTH], rev[4 * MAX_DEPTH];
	const struct mpt_process_info *in = mpt_process_info(im->p);
	uint32_t *ids = xreallocarray(NULL, im->cap + 1, sizeof(*ids));
	size_t n = 0, i, k;
	struct mpt_symtab tab;
	struct names nm;
	uint32_t unknown = 0;
	int err;

	for (i = 1; i < im->cap; i++)
		if (im->s[i].value)
			ids[n++] = (uint32_t)i;
	err = mpt_symtab_build_stacks(&tab, sym, st.r, im->p, ids, n);
	free(ids);
	if (err < 0)
		die("cannot symbolize pid %u: %s", in->pid, mpt_strerror(err));
	intern_names(&tab, &nm);
	for (i = 0; i < im->cap; i++) {
		uint64_t v = im->s[i].value;
		size_t len;

		if (!v)
			continue;
		len = i ? stack_names(&tab, &nm, (uint32_t)i, rev,
				      sizeof(rev) / sizeof(*rev)) :
			  0;
		if (!len) {
			if (!unknown)
				unknown = mpt_stacktree_intern(tree,
							       "[unknown]", 9);
			rev[len++] = unknown;
		}
		/* rev is innermost first; the top-down path is root first. */
		for (k = 0; k < len; k++)
			path[k] = rev[len - 1 - k];
		if (opt.filter && !matches_filter(path, len))
			continue;
		if (cmd_format_is(st.args, "csv"))
			add_row(in, (uint32_t)i, v, path, len);
		if (opt.depth && len > opt.depth)
			len = opt.depth;
		err = mpt_stacktree_add(tree, opt.bottom_up ? rev : path, len,
					v);
		if (err < 0)
			die("out of memory");
	}
	free(nm.id);
	free(nm.start);
	mpt_symtab_release(&tab);
}

/*
 * Output.
 */

struct out {
	FILE *f;
	uint64_t total;
	char *line;
	size_t linecap;
};

static int print_tree_node(void *ctx, const struct mpt_stacknode *node,
			   const uint32_t *path)
{
	struct out *o = ctx;
	double pct = o->total ? 100.0 * (double)node->total / (double)o->total :
				0.0;

	fprintf(o->f, "%6.2f%% %12llu  %*s%s\n", pct,
		(unsigned long long)node->total, (int)(2 * (node->depth - 1)),
		"", mpt_stacktree_name(tree, node->name));
	return 0;
}

static int print_folded_node(void *ctx, const struct mpt_stacknode *node,
			     const uint32_t *path)
{
	struct out *o = ctx;
	uint32_t d;

	if (!node->self)
		return 0;
	for (d = 0; d < node->depth; d++) {
		if (d)
			fputc(';', o->f);
		fputs(mpt_stacktree_name(tree, path[d]), o->f);
	}
	fprintf(o->f, " %llu\n", (unsigned long long)node->self);
	return 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->stack_id < y->stack_id ? -1 : x->stack_id > y->stack_id;
}

static void print_csv(FILE *f, long top)
{
	static int header_done; /* one header row for all the traces */
	size_t i, n = nrows;

	if (nrows) /* rows is NULL when there are none */
		qsort(rows, nrows, sizeof(*rows), row_cmp);
	if (top > 0 && (size_t)top < n)
		n = (size_t)top;
	if (!header_done++)
		fprintf(f, "pid,stack_id,%s,function,stack\n",
			metric_name[opt.metric]);
	for (i = 0; i < n; i++) {
		fprintf(f, "%u,%llu,%llu,", rows[i].pid,
			(unsigned long long)rows[i].stack_id,
			(unsigned long long)rows[i].value);
		csv_str(f, rows[i].function, strlen(rows[i].function));
		fputc(',', f);
		csv_str(f, rows[i].stack, strlen(rows[i].stack));
		fputc('\n', f);
	}
	for (i = 0; i < nrows; i++) {
		free(rows[i].function);
		free(rows[i].stack);
	}
	free(rows);
	rows = NULL;
	nrows = rowcap = 0;
}

/* Aggregate one trace and print; returns -1 for a per-input failure. */
static int stacks_of(struct cmd_args *args, const char *path, FILE *out)
{
	struct mpt_replay_ops ops = { 0 };
	struct mpt_symbolizer *sym;
	struct trace *t;
	struct out o;
	size_t i, k;
	int err, failed = 0;

	memset(&st, 0, sizeof(st));
	st.args = args;
	st.domain_mask = cmd_domain_mask(args);
	st.from = !args->has_from ? 0 :
		  args->from.mark ? UINT64_MAX :
				    args->from.ns;
	st.to = !args->has_to || args->to.mark ? UINT64_MAX : args->to.ns;
	/* Only the callbacks the metric and the window need. */
	if (opt.metric == M_ALLOCATIONS || opt.metric == M_BYTES ||
	    opt.metric == M_PEAK)
		ops.alloc = on_alloc;
	if (opt.metric == M_PEAK || opt.metric == M_TEMPORARY)
		ops.free = on_free;
	if (opt.metric == M_LEAKED)
		ops.process_end = on_end;
	if ((args->has_from && args->from.mark) ||
	    (args->has_to && args->to.mark))
		ops.record = on_record;
	sym = cmd_symbolizer(args);
	st.r = mpt_replay_new(&ops, NULL);
	tree = mpt_stacktree_new();
	if (!st.r || !tree)
		die("out of memory");
	mpt_replay_set_symbolizer(st.r, sym);
	/* Counting allocations needs no live set. */
	if (opt.metric == M_ALLOCATIONS || opt.metric == M_BYTES)
		mpt_replay_untrack_heap(st.r);

	/* The whole trace replays: the live set needs what came before. */
	t = trace_open(path, NULL, 1);
	err = mpt_replay_run(st.r, t->reader);
	if (err == MPT_E_NOMEM)
		die("out of memory");
	if (err < 0)
		trace_die(t, err);
	if (mpt_reader_is_cut(t->reader))
		warn("%s: trace is cut (no end record); showing what it holds",
		     t->name);
	if (args->has_from && args->from.mark && st.from == UINT64_MAX) {
		warn("%s: no marker '%s' (for --from)", t->name,
		     args->from.mark);
		failed = -1;
	}
	if (args->has_to && args->to.mark && st.to == UINT64_MAX) {
		warn("%s: no marker '%s' (for --to)", t->name, args->to.mark);
		failed = -1;
	}
	if (args->has_pid && !mpt_replay_find_pid(st.r, args->pid)) {
		warn("%s: no process %u (for --pid)", t->name, args->pid);
		failed = -1;
	}

	if (opt.metric == M_PEAK)
		keep_peak_images();
	for (i = 0; i < st.nimg; i++) {
		struct img *im = st.img[i];

		if (!im)
			continue;
		if (opt.metric == M_PEAK)
			for (k = 0; k < im->cap; k++)
				im->s[k].value = im->s[k].snap == im->npeak ?
							 im->s[k].at_peak :
							 im->s[k].cur;
		add_image(im, sym);
	}

	memset(&o, 0, sizeof(o));
	o.f = out;
	o.total = mpt_stacktree_total(tree);
	if (cmd_format_is(args, "folded")) {
		err = mpt_stacktree_walk(tree, 0, 0, print_folded_node, &o);
	} else if (cmd_format_is(args, "csv")) {
		print_csv(out, args->top);
		err = 0;
	} else {
		if (mpt_replay_lost(st.r))
			fprintf(out,
				"# %llu events were lost while recording\n",
				(unsigned long long)mpt_replay_lost(st.r));
		fprintf(out, "# mpstacks: %s: %s, %s; total %llu\n", t->name,
			metric_name[opt.metric],
			opt.bottom_up ? "bottom-up (callers below)" :
					"top-down (callees below)",
			(unsigned long long)o.total);
		err = mpt_stacktree_walk(tree,
					 args->top > 0 ? (size_t)args->top : 0,
					 0, print_tree_node, &o);
	}
	if (err < 0)
		die("out of memory");
	trace_close(t);
	for (i = 0; i < st.nimg; i++) {
		if (st.img[i])
			free(st.img[i]->s);
		free(st.img[i]);
	}
	free(st.img);
	mpt_replay_free(st.r);
	mpt_stacktree_free(tree);
	tree = NULL;
	mpt_sym_free(sym);
	return failed;
}

int main(int argc, char **argv)
{
	static const struct cmd_spec spec = {
		.name = "mpstacks",
		.synopsis = "[options] [trace...]",
		.summary = "Aggregate allocations, bytes, peak, leaked or "
			   "temporary memory by call stack.",
		.shared = OPT_FORMAT | OPT_OUTPUT | OPT_WINDOW | OPT_PID |
			  OPT_DOMAIN | OPT_TOP | OPT_SYMBOLS,
		.formats = formats,
		.options = options,
		.handle = handle,
	};
	struct cmd_args args;
	FILE *out;
	int i, failed = 0;

	cmd_parse(&spec, argc, argv, &args);
	out = out_open(&args);
	for (i = 0; i < args.ntrace; i++)
		if (stacks_of(&args, args.trace[i], out) < 0)
			failed = 1;
	return failed ? EXIT_FAIL : EXIT_OK;
}
