/* Test tool: prints every frame of every recorded stack of a trace, symbolized,
 * with its module offset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mptrace.h"
#include "symbolize.h"

/*
 * Output, for each distinct (pid, return address) of the stacks used by
 * allocation events, in the order first used:
 *   addr <module path>\t<offset looked up, hex: return address - 1>\t<nframe>
 *   frame <function or ??>\t<file or ??>\t<line, 0 if unknown>
 * Addresses in no module, or in a module whose file cannot be read, are
 * counted on the last line only:  skipped <n>.
 */

struct stack {
	uint64_t id, parent;
	uint32_t n;
	uint64_t *frame;
};

static struct stack *stacks;
static size_t nstack, cap_stack;

static struct stack *find_stack(uint64_t id)
{
	size_t i;

	for (i = nstack; i-- > 0;)
		if (stacks[i].id == id)
			return &stacks[i];
	return NULL;
}

struct seen {
	uint32_t pid;
	uint64_t addr;
};

static struct seen *seen;
static size_t nseen, cap_seen;

static int add_seen(uint32_t pid, uint64_t addr)
{
	size_t i;

	for (i = 0; i < nseen; i++)
		if (seen[i].pid == pid && seen[i].addr == addr)
			return 0;
	if (nseen == cap_seen) {
		cap_seen = cap_seen ? cap_seen * 2 : 256;
		seen = realloc(seen, cap_seen * sizeof(*seen));
		if (!seen)
			exit(2);
	}
	seen[nseen].pid = pid;
	seen[nseen].addr = addr;
	nseen++;
	return 1;
}

static void warn_cb(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "symtrace: %s\n", msg);
}

int main(int argc, char **argv)
{
	struct mpt_sym_opts o = { .warn = warn_cb };
	struct mpt_symbolizer *s;
	struct mpt_reader *r;
	struct mpt_record rec;
	size_t i, skipped = 0;
	int err = 0, res;

	if (argc != 2) {
		fprintf(stderr, "usage: symtrace TRACE\n");
		return 2;
	}
	r = mpt_reader_open(argv[1], 0, &err);
	s = mpt_sym_new(&o);
	if (!r || !s) {
		fprintf(stderr, "symtrace: cannot open '%s': %s\n", argv[1],
			mpt_strerror(err));
		return 2;
	}
	while ((res = mpt_reader_next(r, &rec)) > 0) {
		struct stack *st;

		switch (rec.type) {
		case MPT_REC_PROCESS_START:
			if (rec.u.process_start.kind == MPT_PROC_FORK ||
			    rec.u.process_start.kind == MPT_PROC_VFORK)
				mpt_sym_fork(s, rec.u.process_start.ppid,
					     rec.pid, rec.time);
			else if (rec.u.process_start.kind == MPT_PROC_EXEC)
				mpt_sym_exec(s, rec.pid, rec.time);
			break;
		case MPT_REC_MODULE_LOAD:
			mpt_sym_add_module(
				s, rec.pid, rec.u.module_load.module,
				rec.u.module_load.path.ptr,
				rec.u.module_load.path.len,
				(const uint8_t *)rec.u.module_load.build_id.ptr,
				rec.u.module_load.build_id.len,
				rec.u.module_load.base, rec.u.module_load.seg,
				rec.u.module_load.nseg, rec.time);
			break;
		case MPT_REC_MODULE_UNLOAD:
			mpt_sym_remove_module(s, rec.pid,
					      rec.u.module_unload.module,
					      rec.time);
			break;
		case MPT_REC_STACK:
			if (nstack == cap_stack) {
				cap_stack = cap_stack ? cap_stack * 2 : 256;
				stacks = realloc(stacks,
						 cap_stack * sizeof(*stacks));
				if (!stacks)
					return 2;
			}
			st = &stacks[nstack++];
			st->id = rec.u.stack.id;
			st->parent = rec.u.stack.parent;
			st->n = rec.u.stack.nframe;
			st->frame = malloc((st->n ? st->n : 1) *
					   sizeof(*st->frame));
			if (!st->frame)
				return 2;
			memcpy(st->frame, rec.u.stack.frame,
			       st->n * sizeof(*st->frame));
			break;
		case MPT_REC_ALLOC:
			/* every frame of the whole stack, in this process */
			for (st = find_stack(rec.u.alloc.stack); st;
			     st = st->parent ? find_stack(st->parent) : NULL) {
				for (i = 0; i < st->n; i++) {
					struct mpt_frame fr[64];
					int n, k;

					if (!add_seen(rec.pid, st->frame[i]))
						continue;
					n = mpt_sym_resolve(s, rec.pid,
							    rec.time,
							    st->frame[i], 0, fr,
							    64);
					if (n < 1 || n > 64 ||
					    (fr[0].flags &
					     (MPT_FRAME_NO_MODULE |
					      MPT_FRAME_UNKNOWN_MODULE |
					      MPT_FRAME_MISMATCH))) {
						skipped++;
						continue;
					}
					printf("addr %s\t%llx\t%d\n",
					       fr[0].module,
					       (unsigned long long)(fr[0].module_offset -
								    1),
					       n);
					/* a file without a line is no line info
					 */
					for (k = 0; k < n; k++)
						printf("frame %s\t%s\t%u\n",
						       fr[k].function ?
							       fr[k].function :
							       "??",
						       fr[k].file && fr[k].line ?
							       fr[k].file :
							       "??",
						       fr[k].line);
				}
			}
			break;
		default:
			break;
		}
	}
	if (res < 0) {
		fprintf(stderr, "symtrace: %s: %s\n", argv[1],
			mpt_reader_errmsg(r));
		return 2;
	}
	printf("skipped %zu\n", skipped);
	for (i = 0; i < nstack; i++)
		free(stacks[i].frame);
	free(stacks);
	free(seen);
	mpt_sym_free(s);
	mpt_reader_close(r);
	return fclose(stdout) ? 2 : 0;
}
