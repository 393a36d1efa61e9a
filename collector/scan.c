/* scan.c - the leak scan of a process at its normal exit, run by mprec. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch.h"
#include "leakscan.h" /* leakscan_classify_ex, leakscan_roots_from_maps */

/*
 * The scan's heuristics read the first words of many blocks, 32 bytes at a
 * time; one process_vm_readv(2) each made a scan of perl's 20000 blocks
 * take half a second.  Small reads go through a cache of whole pages (the
 * process is stopped in its exit, so its memory holds still for the scan).
 */
#define RD_PAGE 4096u
#define RD_NPAGES 256u

struct reader {
	pid_t pid;
	uint64_t tag[RD_NPAGES]; /* page address + 1; 0: empty or unreadable */
	unsigned char (*page)[RD_PAGE];
};

static int read_direct(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	return n == (ssize_t)len ? 0 : -1;
}

static int read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct reader *rd = ctx;
	uint64_t pa = addr & ~(uint64_t)(RD_PAGE - 1);
	size_t slot = (size_t)(pa / RD_PAGE) % RD_NPAGES;

	if (!rd->page || len > RD_PAGE || addr + len - pa > RD_PAGE)
		return read_direct(rd->pid, addr, buf, len);
	if (rd->tag[slot] != pa + 1) {
		if (read_direct(rd->pid, pa, rd->page[slot], RD_PAGE) < 0) {
			rd->tag[slot] = 0;
			return read_direct(rd->pid, addr, buf, len);
		}
		rd->tag[slot] = pa + 1;
	}
	memcpy(buf, rd->page[slot] + (addr - pa), len);
	return 0;
}

/*
 * Sort the live blocks by address: an LSD radix sort, 16 bits a pass over
 * the bits that vary (qsort took a quarter of a second for a million).
 * Falls back to qsort when there is no memory for the copy.
 */
static int cmp_block(const void *a, const void *b)
{
	const struct leakscan_block *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void sort_blocks(struct leakscan_block *b, size_t n)
{
	struct leakscan_block *tmp, *src = b, *dst, *t;
	uint64_t any = 0;
	size_t *cnt;

	if (n < 1024) {
		qsort(b, n, sizeof(*b), cmp_block);
		return;
	}
	tmp = malloc(n * sizeof(*tmp));
	cnt = malloc(65536 * sizeof(*cnt));
	if (!tmp || !cnt) {
		free(tmp);
		free(cnt);
		qsort(b, n, sizeof(*b), cmp_block);
		return;
	}
	for (size_t i = 0; i < n; i++)
		any |= b[i].addr ^ b[0].addr;
	dst = tmp;
	for (unsigned shift = 0; shift < 64 && (any >> shift); shift += 16) {
		size_t sum = 0;

		memset(cnt, 0, 65536 * sizeof(*cnt));
		for (size_t i = 0; i < n; i++)
			cnt[(src[i].addr >> shift) & 0xffff]++;
		for (size_t d = 0; d < 65536; d++) {
			size_t c = cnt[d];

			cnt[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[(src[i].addr >> shift) & 0xffff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != b)
		memcpy(b, src, n * sizeof(*b));
	free(tmp);
	free(cnt);
}

static char *slurp(const char *path, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t k;

	if (!buf || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((k = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)k;
		if (n == cap) {
			char *b = realloc(buf, cap * 2);

			if (!b)
				break;
			buf = b;
			cap *= 2;
		}
	}
	close(fd);
	*len = n;
	return buf;
}

static void write_summary(struct proc *p, int status,
			  const struct leakscan_stats *st, uint32_t flags)
{
	struct mpt_record r;

	memset(&r, 0, sizeof(r));
	r.type = MPT_REC_LEAK_SCAN;
	r.u.leak_scan.status = (uint32_t)status;
	r.u.leak_scan.flags = flags;
	if (st) {
		memcpy(r.u.leak_scan.blocks, st->blocks, sizeof(st->blocks));
		memcpy(r.u.leak_scan.bytes, st->bytes, sizeof(st->bytes));
	}
	emit(&r, emitted_raw(), p, (uint32_t)p->pid);
}

void leak_scan_unavailable(struct proc *p, int err)
{
	write_summary(p, err, NULL, 0);
}

/*
 * The other threads of the process, stopped for the scan: memcheck scans a
 * thread's stack from its stack pointer up, and its registers; without
 * them a stale pointer below a live thread's stack pointer kept a block
 * reachable that memcheck calls lost.  Each thread is seized and
 * interrupted (ptrace), its registers read, and released after the scan.
 * A thread that cannot be stopped keeps its whole stack as a root.
 */
struct stopped {
	pid_t *tids;
	size_t n, cap;
	uint64_t *sps, *regs;
	size_t nsps, nregs;
};

#define NGREGS 16

static void stop_threads(pid_t pid, uint32_t exiting, struct stopped *s)
{
	char path[64];
	struct dirent *de;
	DIR *d;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		pid_t t = (pid_t)atoi(de->d_name);
		struct user_regs_struct r;
		int st;

		if (t <= 0 || (uint32_t)t == exiting)
			continue;
		if (s->n + 1 >= s->cap) {
			size_t nc = s->cap ? s->cap * 2 : 16;
			pid_t *nt = realloc(s->tids, nc * sizeof(*nt));
			uint64_t *ns = realloc(s->sps, nc * sizeof(*ns));
			uint64_t *nr =
				nt && ns ? realloc(s->regs,
						   nc * NGREGS * sizeof(*nr)) :
					   NULL;

			if (nt)
				s->tids = nt;
			if (ns)
				s->sps = ns;
			if (!nt || !ns || !nr)
				break;
			s->regs = nr;
			s->cap = nc;
		}
		if (ptrace(PTRACE_SEIZE, t, NULL, NULL) < 0)
			continue;
		if (ptrace(PTRACE_INTERRUPT, t, NULL, NULL) < 0 ||
		    waitpid(t, &st, __WALL) != t || !WIFSTOPPED(st)) {
			ptrace(PTRACE_DETACH, t, NULL, NULL);
			continue;
		}
		s->tids[s->n++] = t;
		if (ptrace(PTRACE_GETREGS, t, NULL, &r) < 0)
			continue;
		/*
		 * A stack is a root from 128 bytes below its stack pointer
		 * (leakscan_roots_from_maps()), the red zone a leaf function
		 * may use.  A thread stopped in a system call is in no leaf
		 * of its own there, and those bytes held what our hooks had
		 * left in their dead frames (pointers the program had
		 * dropped, which memcheck finds lost): its stack starts at
		 * its stack pointer, as the exiting thread's does.
		 */
		if ((long long)r.orig_rax >= 0 && r.rsp <= UINT64_MAX - 128)
			s->sps[s->nsps++] = r.rsp + 128;
		else
			s->sps[s->nsps++] = r.rsp;
		{
			/*
			 * A thread stopped in a system call keeps only its
			 * callee-saved registers: the others hold what the
			 * code before the call left there (our own hooks'
			 * copies of returned pointers among them), which made
			 * lost blocks reachable.
			 */
			const uint64_t g[NGREGS] = {
				r.rbx, r.rbp, r.r12, r.r13, r.r14, r.r15,
				r.rsp, r.rax, r.rcx, r.rdx, r.rsi, r.rdi,
				r.r8,  r.r9,  r.r10, r.r11
			};
			size_t ng = (long long)r.orig_rax >= 0 ? 7 : NGREGS;

			memcpy(s->regs + s->nregs, g, ng * sizeof(g[0]));
			s->nregs += ng;
		}
	}
	closedir(d);
}

static void resume_threads(struct stopped *s)
{
	for (size_t i = 0; i < s->n; i++)
		ptrace(PTRACE_DETACH, s->tids[i], NULL, NULL);
	free(s->tids);
	free(s->sps);
	free(s->regs);
	memset(s, 0, sizeof(*s));
}

void leak_scan(struct proc *p, uint32_t tid, uint64_t sp, uint64_t stack_hi,
	       uint32_t flags)
{
	static const char *const exclude_paths[] = { "libmprec", "memfd:mprec",
						     NULL };
	struct leakscan_block *blk;
	struct leakscan_range *roots = NULL, *dead;
	struct leakscan_map *maps = NULL;
	struct leakscan_stats st;
	struct leakscan_opts opts;
	struct leakscan_roots_opts ro;
	static struct reader rd;
	struct stopped thr;
	char path[64], *text;
	size_t n = 0, pos = 0, len = 0, nroots = 0, nmaps = 0, ndead = 0;
	size_t caproots = 4096, capmaps = 4096;
	uint64_t k, v;
	int rc;

	memset(rd.tag, 0, sizeof(rd.tag));
	rd.pid = p->pid;
	if (!rd.page)
		rd.page = malloc(RD_NPAGES * sizeof(*rd.page));
	(void)stack_hi;
	blk = malloc((p->live.count + 1) * sizeof(*blk));
	if (!blk) {
		write_summary(p, ENOMEM, NULL, flags);
		return;
	}
	while (u64map_next(&p->live, &pos, &k, &v)) {
		blk[n].addr = k;
		blk[n].size = v;
		blk[n].kind = MPT_LEAK_UNKNOWN;
		n++;
	}
	sort_blocks(blk, n);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)p->pid);
	text = slurp(path, &len);
	if (!text) {
		write_summary(p, errno ? errno : EIO, NULL, flags);
		free(blk);
		return;
	}
	memset(&ro, 0, sizeof(ro));
	ro.exclude_paths = exclude_paths;
	stop_threads(p->pid, tid, &thr);
	/*
	 * The exiting thread's `sp` is the frame of libmprec's exit hook (see
	 * rec_note_exit()), not an interrupted stack pointer: nothing below it
	 * is live.  The 128 bytes of red zone that the roots take below a
	 * stack pointer (leakscan_roots_from_maps() starts a stack at
	 * sp - 128) held stale copies of pointers there, which kept blocks
	 * that valgrind finds lost still reachable.
	 */
	if (sp <= UINT64_MAX - 128)
		sp += 128;
	if (thr.sps && thr.nsps < thr.cap) {
		thr.sps[thr.nsps++] = sp;
		ro.sps = thr.sps;
		ro.nsps = thr.nsps;
	} else {
		ro.sps = &sp;
		ro.nsps = 1;
	}
	/*
	 * The stack of a thread that has ended holds stale pointers, and glibc
	 * keeps it mapped for reuse: memcheck does not count it, nor do we,
	 * unless a live thread has taken that stack over (one of ours, or one
	 * whose stack pointer is in it).  A fork child's are its parent's
	 * threads but the one that forked, which goes on there.
	 */
	dead = malloc((p->nthr + 1) * sizeof(*dead));
	for (size_t i = 0; dead && i < p->nthr; i++) {
		const struct thread_ent *te = &p->thr[i];
		int reused = 0;

		if (te->alive || te->hi <= te->lo)
			continue;
		for (size_t j = 0; j < p->nthr && !reused; j++)
			reused = p->thr[j].alive && p->thr[j].lo < te->hi &&
				 te->lo < p->thr[j].hi;
		for (size_t j = 0; j < ro.nsps && !reused; j++)
			reused = ro.sps[j] >= te->lo && ro.sps[j] <= te->hi;
		if (!reused) {
			dead[ndead].lo = te->lo;
			dead[ndead].hi = te->hi;
			ndead++;
		}
	}
	ro.exclude = dead;
	ro.nexclude = dead ? ndead : 0;
	ro.read = read_mem;
	ro.ctx = &rd;
	for (;;) {
		free(roots);
		free(maps);
		roots = malloc(caproots * sizeof(*roots));
		maps = malloc(capmaps * sizeof(*maps));
		if (!roots || !maps) {
			rc = -ENOMEM;
			break;
		}
		rc = leakscan_roots_from_maps(text, len, blk, n, &ro, roots,
					      caproots, &nroots, maps, capmaps,
					      &nmaps);
		if (rc < 0 || (nroots <= caproots && nmaps <= capmaps))
			break;
		caproots = nroots + 16;
		capmaps = nmaps + 16;
	}
	if (rc == 0) {
		memset(&opts, 0, sizeof(opts));
		opts.maps = maps;
		opts.nmaps = nmaps;
		rc = leakscan_classify_ex(blk, n, roots, nroots, thr.regs,
					  thr.nregs, read_mem, &rd, &opts, &st);
	}
	resume_threads(&thr);
	if (rc < 0) {
		write_summary(p, -rc, NULL, flags);
	} else {
		for (size_t i = 0; i < n && !M.write_failed; i++) {
			struct mpt_record r;

			memset(&r, 0, sizeof(r));
			r.type = MPT_REC_LEAK_BLOCK;
			r.u.leak_block.addr = blk[i].addr;
			r.u.leak_block.size = blk[i].size;
			r.u.leak_block.kind = blk[i].kind;
			emit(&r, emitted_raw(), p, (uint32_t)p->pid);
		}
		write_summary(p, 0, &st, flags);
	}
	free(text);
	free(dead);
	free(roots);
	free(maps);
	free(blk);
}
