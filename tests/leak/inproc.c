/*
 * In-process check of collector/leakscan.c: linked into a leak validation
 * program, it tracks the program's heap blocks by interposing the malloc
 * family, and at exit classifies them as mprec does from outside: it forks
 * a frozen copy of the process and reads that with process_vm_readv(2),
 * roots from /proc/self/maps; then it prints the totals per kind.
 */
#include "leak.h"
#include "leakscan.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);
extern void __libc_freeres(void);
/* libstdc++'s counterpart (its emergency exception pool), when linked. */
extern void _ZN9__gnu_cxx9__freeresEv(void) __attribute__((weak));

/* Live blocks: an open-addressing table in its own mapping. */
#define TAB_BITS 23 /* up to 6 M live blocks (MAP_NORESERVE) */
#define TAB_SIZE ((size_t)1 << TAB_BITS)
#define TOMB ((uint64_t)1)

struct slot {
	uint64_t addr, size;
};

static struct slot *tab;
static size_t ntab;
static int lock;
static int scanning;

static void lock_tab(void)
{
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
		;
}

static void unlock_tab(void)
{
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

static size_t hash(uint64_t a)
{
	return (size_t)((a >> 4) * 0x9e3779b97f4a7c15ull >> (64 - TAB_BITS));
}

static void *tab_new(void)
{
	void *t = mmap(NULL, TAB_SIZE * sizeof(*tab), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t == MAP_FAILED)
		_exit(3);
	return t;
}

static void track(void *p, size_t size)
{
	size_t i;

	if (!p || scanning)
		return;
	/* Libraries' constructors allocate before ours runs. */
	if (!tab)
		tab = tab_new();
	lock_tab();
	if (++ntab > TAB_SIZE / 4 * 3)
		abort(); /* more blocks than this harness is built for */
	for (i = hash((uint64_t)p);; i = (i + 1) & (TAB_SIZE - 1)) {
		if (tab[i].addr <= TOMB) {
			tab[i].addr = (uint64_t)p;
			tab[i].size = size;
			break;
		}
	}
	unlock_tab();
}

static void untrack(void *p)
{
	size_t i, n;

	if (!p || !tab)
		return;
	lock_tab();
	for (i = hash((uint64_t)p), n = 0; tab[i].addr && n < TAB_SIZE;
	     i = (i + 1) & (TAB_SIZE - 1), n++) {
		if (tab[i].addr == (uint64_t)p) {
			tab[i].addr = TOMB;
			ntab--;
			break;
		}
	}
	unlock_tab();
}

void *malloc(size_t n)
{
	void *p = __libc_malloc(n);
	track(p, n);
	return p;
}

void *calloc(size_t n, size_t m)
{
	void *p = __libc_calloc(n, m);
	track(p, n * m);
	return p;
}

void *realloc(void *old, size_t n)
{
	void *p;

	untrack(old);
	p = __libc_realloc(old, n);
	if (p)
		track(p, n);
	else if (old && n)
		track(old, n); /* failed: the old block stays; size unknown */
	return p;
}

void free(void *p)
{
	untrack(p);
	__libc_free(p);
}

void *memalign(size_t align, size_t n)
{
	void *p = __libc_memalign(align, n);
	track(p, n);
	return p;
}

void *aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p = memalign(align, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

static int read_pid(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(*(pid_t *)ctx, &local, 1, &remote, 1, 0);

	return n == (ssize_t)len ? 0 : -EFAULT;
}

static int cmp_block(const void *a, const void *b)
{
	const struct leakscan_block *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static char maps_text[1 << 20];
static struct leakscan_range roots[4096];
static struct leakscan_map maps[4096];

static void say(const char *line)
{
	size_t n = strlen(line);
	if (write(1, line, n) != (ssize_t)n)
		_exit(3);
}

static void scan_at_exit(void)
{
	struct leakscan_block *b;
	struct leakscan_range ex[2];
	struct leakscan_stats st;
	struct leakscan_opts opts = { 0 };
	struct leakscan_roots_opts ropts = { 0 };
	size_t i, n = 0, len = 0, nr, nm, bsz;
	uint64_t sp = (uint64_t)(uintptr_t)&b;
	pid_t pid = getpid(), snap;
	char line[512];
	int fd, err;
	ssize_t r;

	/*
	 * What valgrind does before its leak check (--run-libc-freeres and
	 * --run-cxx-freeres, both on by default): libc and libstdc++ free
	 * their caches (LEAKSCAN_NO_FREERES=1 shows the difference).
	 */
	if (!getenv("LEAKSCAN_NO_FREERES")) {
		if (_ZN9__gnu_cxx9__freeresEv)
			_ZN9__gnu_cxx9__freeresEv();
		__libc_freeres();
	}
	scanning = 1;

	bsz = TAB_SIZE * sizeof(*b);
	b = mmap(NULL, bsz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (b == MAP_FAILED)
		_exit(3);
	for (i = 0; i < TAB_SIZE; i++) {
		if (tab[i].addr > TOMB) {
			b[n].addr = tab[i].addr;
			b[n].size = tab[i].size;
			n++;
		}
	}
	qsort(b, n, sizeof(*b), cmp_block);

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		_exit(3);
	while ((r = read(fd, maps_text + len, sizeof(maps_text) - len)) > 0)
		len += (size_t)r;
	close(fd);

	/*
	 * The frozen copy: from here on this process allocates (the scan
	 * does), which would change the malloc state being read.
	 */
	snap = fork();
	if (snap < 0)
		_exit(3);
	if (snap == 0)
		for (;;)
			pause();

	/* The tracking table and the block array hold every block address. */
	ex[0].lo = (uint64_t)(uintptr_t)tab;
	ex[0].hi = ex[0].lo + TAB_SIZE * sizeof(*tab);
	ex[1].lo = (uint64_t)(uintptr_t)b;
	ex[1].hi = ex[1].lo + bsz;
	ropts.exclude = ex;
	ropts.nexclude = 2;
	ropts.sps = &sp;
	ropts.nsps = 1;
	ropts.read = read_pid;
	ropts.ctx = &snap;
	err = leakscan_roots_from_maps(maps_text, len, b, n, &ropts, roots,
				       4096, &nr, maps, 4096, &nm);
	if (err || nr > 4096 || nm > 4096)
		_exit(3);
	opts.maps = maps;
	opts.nmaps = nm;
	err = leakscan_classify_ex(b, n, roots, nr, NULL, 0, read_pid, &snap,
				   &opts, &st);
	kill(snap, SIGKILL);
	waitpid(snap, NULL, 0);
	if (err)
		_exit(3);
	snprintf(line, sizeof(line),
		 "leakscan pid=%d role=%s D=%llu/%llu I=%llu/%llu "
		 "P=%llu/%llu R=%llu/%llu H=%llu,%llu,%llu,%llu "
		 "roots=%zu scanned=%llu "
		 "skipped=%llu reads=%llu\n",
		 (int)pid, leak_role, (unsigned long long)st.blocks[0],
		 (unsigned long long)st.bytes[0],
		 (unsigned long long)st.blocks[1],
		 (unsigned long long)st.bytes[1],
		 (unsigned long long)st.blocks[2],
		 (unsigned long long)st.bytes[2],
		 (unsigned long long)st.blocks[3],
		 (unsigned long long)st.bytes[3],
		 (unsigned long long)st.heuristic_blocks[0],
		 (unsigned long long)st.heuristic_blocks[1],
		 (unsigned long long)st.heuristic_blocks[2],
		 (unsigned long long)st.heuristic_blocks[3], nr,
		 (unsigned long long)st.scanned_bytes,
		 (unsigned long long)st.skipped_bytes,
		 (unsigned long long)st.read_calls);
	say(line);
	if (getenv("LEAKSCAN_VERBOSE")) {
		for (i = 0; i < n; i++) {
			snprintf(line, sizeof(line), "block %#llx %llu %s\n",
				 (unsigned long long)b[i].addr,
				 (unsigned long long)b[i].size,
				 leakscan_kind_name(b[i].kind));
			say(line);
		}
		for (i = 0; i < nr; i++) {
			snprintf(line, sizeof(line), "root %#llx-%#llx\n",
				 (unsigned long long)roots[i].lo,
				 (unsigned long long)roots[i].hi);
			say(line);
		}
	}
	/* libc's caches are gone: leave without running more of exit(). */
	_exit(0);
}

__attribute__((constructor)) static void inproc_init(void)
{
	if (!tab)
		tab = tab_new();
	atexit(scan_at_exit);
}
