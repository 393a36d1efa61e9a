/* symtab.c - batch symbolization of the addresses a command will print. */
#include <stdlib.h>
#include <string.h>

#include "mptrace.h"
#include "replay.h" /* mpt_replay_stack_frames, mpt_process_info */
#include "symtab.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int mpt_symtab_build(struct mpt_symtab *t, struct mpt_symbolizer *sym,
		     uint32_t pid, uint64_t time, uint64_t *addr, size_t n)
{
	size_t i, k = 0;
	int err;

	memset(t, 0, sizeof(*t));
	if (n) {
		qsort(addr, n, sizeof(*addr), cmp_u64);
		for (i = 0; i < n; i++)
			if (!k || addr[i] != addr[k - 1])
				addr[k++] = addr[i];
	}
	t->addr = addr;
	t->n = k;
	t->start = malloc((k + 1) * sizeof(*t->start));
	if (!t->start) {
		mpt_symtab_release(t);
		return MPT_E_NOMEM;
	}
	if (sym) {
		err = mpt_sym_resolve_batch(sym, pid, time, addr, k, 0,
					    &t->frame, t->start);
		if (err < 0) {
			mpt_symtab_release(t);
			return err;
		}
		return 0;
	}
	t->frame = calloc(k ? k : 1, sizeof(*t->frame));
	if (!t->frame) {
		mpt_symtab_release(t);
		return MPT_E_NOMEM;
	}
	for (i = 0; i < k; i++) {
		t->start[i] = i;
		t->frame[i].addr = addr[i];
		t->frame[i].flags = MPT_FRAME_NO_MODULE;
	}
	t->start[k] = k;
	return 0;
}

size_t mpt_symtab_lookup(const struct mpt_symtab *t, uint64_t addr,
			 const struct mpt_frame **f)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->addr[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == t->n || t->addr[lo] != addr)
		return 0;
	*f = &t->frame[t->start[lo]];
	return t->start[lo + 1] - t->start[lo];
}

void mpt_symtab_release(struct mpt_symtab *t)
{
	free(t->addr);
	free(t->frame);
	free(t->start);
	memset(t, 0, sizeof(*t));
}

int mpt_symtab_build_stacks(struct mpt_symtab *t, struct mpt_symbolizer *sym,
			    const struct mpt_replay *r,
			    const struct mpt_process *p, const uint32_t *ids,
			    size_t nids)
{
	const struct mpt_process_info *in = mpt_process_info(p);
	uint64_t *addr = NULL, *grown, frames[MPT_STACK_MAX], time;
	size_t n = 0, cap = 0, i, k, d;

	for (i = 0; i < nids; i++) {
		d = mpt_replay_stack_frames(r, ids[i], frames, MPT_STACK_MAX);
		if (d > MPT_STACK_MAX)
			d = MPT_STACK_MAX;
		if (n + d > cap) {
			cap = (n + d) * 2;
			grown = realloc(addr, cap * sizeof(*addr));
			if (!grown) {
				free(addr);
				return MPT_E_NOMEM;
			}
			addr = grown;
		}
		for (k = 0; k < d; k++)
			addr[n++] = frames[k];
	}
	time = mpt_replay_find_pid(r, in->pid) == p ?
		       MPT_SYM_TIME_LATEST :
		       (in->end_time ? in->end_time - 1 : 0);
	return mpt_symtab_build(t, sym, in->pid, time, addr, n);
}
