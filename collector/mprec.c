/* mprec.c - the recorder's launcher: runs a program under libmprec.so. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launch.h"

#define MPREC_VERSION "0.1"
/* Exit status when mprec itself fails (as env(1) and timeout(1) do). */
#define EXIT_MPREC 125

struct mprec M;

static const char *me = "mprec";
static int listen_fd = -1;
static uint64_t dbg_passes, dbg_sleep, dbg_naps, dbg_asked; /* MPREC_DEBUG */
static pid_t child_pid;
static int child_status = -1;

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	/* Neither earlier nor later instructions pass it. */
	__asm__ __volatile__("lfence\n\trdtsc\n\tlfence"
			     : "=a"(lo), "=d"(hi)
			     :
			     : "memory");
	return ((uint64_t)hi << 32) | lo;
}

uint64_t raw_now(void)
{
	return M.tsc ? rdtsc_ordered() : mono_ns();
}

uint64_t raw_ns(uint64_t delta)
{
	if (!M.tsc)
		return delta;
	return (uint64_t)(((unsigned __int128)delta * M.tsc_mult) >> 32);
}

/*
 * Read up to size - 1 bytes of a small file (procfs) into buf and end them
 * with a NUL: the count, or 0 when it cannot be read or is empty.
 */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return n;
}

static int file_has(const char *path, const char *const *words)
{
	char buf[16384];
	int ok = 1;

	if (!read_small(path, buf, sizeof(buf)))
		return 0;
	for (; *words; words++)
		ok = ok && strstr(buf, *words);
	return ok;
}

/*
 * Use the TSC as the raw clock when the kernel itself trusts it (its clock
 * source) and it is invariant: the app then stamps events with one rdtsc
 * instead of clock_gettime.  Its rate is measured against CLOCK_MONOTONIC.
 */
static void tsc_setup(void)
{
	static const char *const cs[] = { "tsc", NULL };
	static const char *const flags[] = { " constant_tsc", " nonstop_tsc",
					     NULL };
	uint64_t m0, m1 = 0, t0, t1 = 0, best = UINT64_MAX, mid0 = 0, tsc0 = 0;
	struct timespec ts = { 0, 10000000 };

#if !defined(__x86_64__)
	return;
#endif
	if (getenv("MPREC_NO_TSC") ||
	    !file_has(
		    "/sys/devices/system/clocksource/clocksource0/current_clocksource",
		    cs) ||
	    !file_has("/proc/cpuinfo", flags))
		return;
	/* Pair each TSC reading with the middle of two clock readings. */
	for (int i = 0; i < 5; i++) {
		m0 = mono_ns();
		t0 = rdtsc_ordered();
		m1 = mono_ns();
		if (m1 - m0 < best) {
			best = m1 - m0;
			mid0 = (m0 + m1) / 2;
			tsc0 = t0;
		}
	}
	nanosleep(&ts, NULL);
	best = UINT64_MAX;
	for (int i = 0; i < 5; i++) {
		uint64_t a = mono_ns(), t = rdtsc_ordered(), b = mono_ns();

		if (b - a < best) {
			best = b - a;
			m1 = (a + b) / 2;
			t1 = t;
		}
	}
	if (t1 <= tsc0 || m1 <= mid0)
		return;
	M.tsc_mult = (uint64_t)(((unsigned __int128)(m1 - mid0) << 32) /
				(t1 - tsc0));
	M.tsc = 1;
}

__attribute__((format(printf, 2, 3), noreturn)) static void
die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", me);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

__attribute__((format(printf, 1, 2))) static void warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", me);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mprec [-hV] [--depth N] [--no-follow] [--no-freeres]\n"
		"             [--no-leak-scan] [-o FILE] [--sample-bytes N]\n"
		"             [--unwind cfi|fp] [--] program [args...]\n");
	if (f == stdout)
		fprintf(f,
			"\n"
			"Run program and record its heap events into a trace (standard output,\n"
			"where the program's own standard output goes to standard error).\n"
			"\n"
			"      --depth N         frames kept per call stack (1-1024; default 64)\n"
			"  -h, --help            show this help\n"
			"      --no-follow       record only the first process, not its children\n"
			"      --no-freeres      do not have glibc and libstdc++ free their own\n"
			"                        memory before the leak scan\n"
			"      --no-leak-scan    no leak classification at exit\n"
			"  -o, --output FILE     write the trace to FILE\n"
			"      --sample-bytes N  record one allocation per N bytes on average\n"
			"      --unwind cfi|fp   stack unwinding: DWARF CFI (default) or frame pointers\n"
			"  -V, --version         show the version\n");
}

/* Strict unsigned number: digits only, within [min, max]. */
static uint64_t parse_num(const char *opt, const char *s, uint64_t min,
			  uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!*s || *s < '0' || *s > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	return v;
bad:
	fprintf(stderr,
		"%s: invalid number '%s' for %s (expected %llu to %llu)\n", me,
		s, opt, (unsigned long long)min, (unsigned long long)max);
	exit(2);
}

/* Find `name` as execvp would; exits 127/126 when it cannot run. */
static char *resolve_program(const char *name)
{
	static char buf[PATH_MAX];
	const char *path, *p;
	int saw_eacces = 0;
	struct stat st;

	if (!*name)
		die(127, "cannot run '': No such file or directory");
	if (strchr(name, '/')) {
		if (stat(name, &st) < 0)
			die(errno == ENOENT || errno == ENOTDIR ? 127 : 126,
			    "cannot run '%s': %s", name, strerror(errno));
		if (S_ISDIR(st.st_mode))
			die(126, "cannot run '%s': %s", name, strerror(EISDIR));
		if (access(name, X_OK) < 0)
			die(126, "cannot run '%s': %s", name, strerror(errno));
		return strdup(name);
	}
	path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = strchr(p, ':') + 1) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == 0)
			snprintf(buf, sizeof(buf), "%s", name);
		else
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, name);
		if (stat(buf, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(buf, X_OK) == 0)
				return strdup(buf);
			saw_eacces = 1;
		}
		if (!end)
			break;
	}
	if (saw_eacces)
		die(126, "cannot run '%s': %s", name, strerror(EACCES));
	die(127, "cannot run '%s': No such file or directory", name);
}

/* 1 if `path` is an ELF executable without a program interpreter. */
static int is_static_elf(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open(path, O_RDONLY | O_CLOEXEC), interp = 0;

	if (fd < 0)
		return 0;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64) {
		close(fd);
		return 0;
	}
	for (int i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph),
			  (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
		    (ssize_t)sizeof(ph))
			break;
		if (ph.p_type == PT_INTERP)
			interp = 1;
	}
	close(fd);
	return !interp;
}

/* libmprec.so next to us (build tree or installed), or $MPREC_LIB. */
static char *find_lib(void)
{
	static char buf[PATH_MAX + 64];
	const char *env = getenv("MPREC_LIB");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env) {
		if (access(env, R_OK) < 0)
			die(EXIT_MPREC, "cannot use MPREC_LIB '%s': %s", env,
			    strerror(errno));
		return realpath(env, NULL);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		die(EXIT_MPREC, "cannot find libmprec.so: %s", strerror(errno));
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	snprintf(buf, sizeof(buf), "%s/../lib/libmprec.so", exe);
	if (access(buf, R_OK) == 0)
		return realpath(buf, NULL);
	snprintf(buf, sizeof(buf), "%s/../lib/mptrace/libmprec.so", exe);
	if (access(buf, R_OK) == 0)
		return realpath(buf, NULL);
	die(EXIT_MPREC, "cannot find libmprec.so next to '%s' (set MPREC_LIB)",
	    exe);
}

/* Kill what we recorded: never leave the app blocked on a dead recorder. */
void fatal_write(void)
{
	fprintf(stderr, "%s: cannot write trace: %s\n", me,
		strerror(M.write_errno));
	for (struct proc *p = M.procs; p; p = p->next) {
		for (struct region *rg = p->rg; rg; rg = rg->next)
			atomic_store(&rg->map->disabled, 1);
		if (p->state == PROC_ALIVE)
			kill(p->pid, SIGKILL);
	}
	if (child_pid)
		kill(child_pid, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	_exit(EXIT_MPREC);
}

static struct proc *proc_find(pid_t pid)
{
	for (struct proc *p = M.procs; p; p = p->next)
		if (p->pid == pid && p->state == PROC_ALIVE)
			return p;
	return NULL;
}

/* Free a process entry whose regions are gone (not unlinked here). */
static void proc_free(struct proc *p)
{
	if (p->pidfd >= 0)
		close(p->pidfd);
	u64map_release(&p->live);
	free(p->mod);
	free(p->thr);
	free(p);
}

static struct proc *proc_new(pid_t pid, pid_t ppid)
{
	struct proc *p = calloc(1, sizeof(*p)), **pp;

	if (!p)
		die(EXIT_MPREC, "out of memory");
	p->pid = pid;
	p->ppid = ppid;
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	/* Keep the list in creation order (parents before children). */
	for (pp = &M.procs; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	return p;
}

static char *read_link(pid_t pid)
{
	char path[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		n = 0;
	buf[n] = 0;
	return strdup(buf);
}

static void read_cmdline(pid_t pid, struct sev *e)
{
	char path[64], buf[65536];
	ssize_t n;
	size_t i, start;

	e->argc = 0;
	e->argv = NULL;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	n = read_small(path, buf, sizeof(buf));
	if (!n)
		return;
	e->argv = calloc(256, sizeof(char *));
	if (!e->argv)
		return;
	for (i = 0, start = 0; i < (size_t)n && e->argc < 256; i++) {
		if (buf[i] == 0) {
			e->argv[e->argc++] = strdup(buf + start);
			start = i + 1;
		}
	}
}

static void send_ack(int fd, uint32_t status)
{
	struct mpr_ack a = { MPR_MAGIC, status };

	(void)!send(fd, &a, sizeof(a), MSG_NOSIGNAL);
}

static void handle_hello(int fd, const struct mpr_msg *m, int memfd)
{
	struct mpr_region *map = MAP_FAILED;
	struct proc *p;
	struct sev e;
	struct stat sb;
	uint64_t size = 0;

	/* The size is the memfd's; the header must agree with it. */
	if (fstat(memfd, &sb) == 0 && (uint64_t)sb.st_size >= MPR_HDR_SIZE &&
	    (uint64_t)sb.st_size <= MPR_REGION_SIZE) {
		size = (uint64_t)sb.st_size;
		map = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_NORESERVE, memfd, 0);
	}
	if (map == MAP_FAILED || map->magic != MPR_MAGIC ||
	    map->version != MPR_VERSION || map->max_slots == 0 ||
	    map->max_slots > MPR_SLOTS ||
	    MPR_REGION_BYTES(map->max_slots) != size) {
		if (map != MAP_FAILED)
			munmap(map, size);
		send_ack(fd, EPROTO);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.type = MPT_REC_PROCESS_START;
	e.time = m->time;
	e.ppid = m->ppid;
	p = proc_find((pid_t)m->pid);
	if (p && m->origin == MPR_ORIGIN_IMAGE) {
		if (p->rg) {
			/* A new image of a known process: exec. */
			for (struct region *rg = p->rg; rg; rg = rg->next)
				rg->final = 1;
			e.kind = MPT_PROC_EXEC;
			e.p = p;
			e.ppid = (uint32_t)p->ppid;
			e.path = read_link(p->pid);
			read_cmdline(p->pid, &e);
			sev_push(&e);
		}
		/* else: the initial program's first image. */
	} else {
		struct proc *parent = proc_find((pid_t)m->ppid);

		e.inherit = m->origin != MPR_ORIGIN_IMAGE;
		/*
		 * The child starts at its fork, which its parent held back
		 * everything after until now (see do_fork()); the watermark is
		 * a bound should it not have.
		 */
		if (e.time < M.watermark)
			e.time = M.watermark;
		p = proc_new((pid_t)m->pid, (pid_t)m->ppid);
		e.kind = m->origin == MPR_ORIGIN_FORK ? MPT_PROC_FORK :
							MPT_PROC_VFORK;
		e.p = p;
		e.path = read_link(p->pid);
		read_cmdline(p->pid, &e);
		sev_push(&e);
		if (parent && parent->rg && parent->rg->map)
			atomic_fetch_add(&parent->rg->map->forks_acked, 1);
	}
	if (!region_attach(p, map, size)) {
		munmap(map, size);
		send_ack(fd, ENOMEM);
		return;
	}
	send_ack(fd, 0);
}

static void handle_exit(int fd, const struct mpr_msg *m)
{
	struct proc *p = proc_find((pid_t)m->pid);

	if (p && !p->scanned && M.o.leak_scan && M.o.sample_bytes) {
		/*
		 * Sampling knows only some blocks: pointers held in the others
		 * would be missed, and kinds would be wrong.
		 */
		p->scanned = 1;
		leak_scan_unavailable(p, EOPNOTSUPP);
	} else if (p && !p->scanned && M.o.leak_scan) {
		/* Everything the process did before asking must be out. */
		for (int i = 0; i < 1000 && M.watermark <= m->time; i++) {
			if (i > 10)
				usleep(1000);
			drain_pass(0);
		}
		p->scanned = 1;
		leak_scan(p, m->tid, m->sp, m->stack_hi, m->flags);
	}
	send_ack(fd, 0);
}

static void handle_conn(int fd)
{
	struct mpr_msg m;
	struct iovec iov = { &m, sizeof(m) };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct msghdr mh;
	struct cmsghdr *c;
	struct timeval tv = { 2, 0 };
	int memfd = -1;
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&memfd, CMSG_DATA(c), sizeof(int));
	if (n != (ssize_t)sizeof(m) || m.magic != MPR_MAGIC) {
		send_ack(fd, EPROTO);
	} else if (m.type == MPR_MSG_HELLO && memfd >= 0) {
		handle_hello(fd, &m, memfd);
	} else if (m.type == MPR_MSG_EXIT) {
		handle_exit(fd, &m);
	} else {
		send_ack(fd, EPROTO);
	}
	if (memfd >= 0)
		close(memfd);
	close(fd);
}

static void accept_all(void)
{
	int fd;

	while ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		handle_conn(fd);
}

/* Reaped statuses of our own children (the first process and orphans). */
static struct {
	pid_t pid;
	int status;
} reaped[256];
static size_t nreaped;
static int no_children;

static void reap(void)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG | __WALL)) > 0) {
		if (pid == child_pid)
			child_status = st;
		if (nreaped < 256) {
			reaped[nreaped].pid = pid;
			reaped[nreaped].status = st;
			nreaped++;
		} else {
			memmove(reaped, reaped + 1,
				sizeof(reaped) - sizeof(reaped[0]));
			reaped[255].pid = pid;
			reaped[255].status = st;
		}
	}
	no_children = pid < 0 && errno == ECHILD;
}

/* Statuses the app's own parents reported when they reaped a child. */
static struct {
	pid_t pid;
	int status;
} childst[256];
static unsigned nchildst;

void child_status_note(pid_t pid, int status)
{
	childst[nchildst % 256].pid = pid;
	childst[nchildst % 256].status = status;
	nchildst++;
}

static int child_status_take(pid_t pid, int *status)
{
	for (unsigned i = 0; i < 256 && i < nchildst; i++) {
		if (childst[i].pid == pid) {
			*status = childst[i].status;
			childst[i].pid = 0;
			return 1;
		}
	}
	return 0;
}

/* Exit status of a zombie that is not ours, from /proc/PID/stat. */
static int zombie_status(pid_t pid, int *status)
{
	char path[64], buf[4096], *p;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!read_small(path, buf, sizeof(buf)))
		return 0;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] != 'Z')
		return 0;
	/* Field 3 is the state; exit_code is field 52. */
	for (field = 2; *p && field < 52; p++)
		if (*p == ' ')
			field++;
	if (field != 52)
		return 0;
	*status = atoi(p);
	return 1;
}

static void note_end(struct proc *p, int have, int st)
{
	struct sev e;

	memset(&e, 0, sizeof(e));
	e.type = MPT_REC_PROCESS_END;
	e.time = p->gone_at ? p->gone_at : raw_now();
	e.p = p;
	if (!have) {
		struct region *rg = p->rg;

		if (rg && atomic_load(&rg->map->exit_called)) {
			e.kind = MPT_END_EXIT;
			e.code = atomic_load(&rg->map->exit_code) & 0xff;
		} else {
			e.kind = MPT_END_UNKNOWN;
		}
	} else if (WIFSIGNALED(st)) {
		e.kind = MPT_END_SIGNAL;
		e.code = WTERMSIG(st);
		e.core = WCOREDUMP(st) ? 1 : 0;
	} else {
		e.kind = MPT_END_EXIT;
		e.code = WEXITSTATUS(st);
	}
	p->state = PROC_DEAD;
	sev_push(&e);
}

static void check_ends(void)
{
	for (struct proc *p = M.procs; p; p = p->next) {
		struct pollfd pf = { p->pidfd, POLLIN, 0 };
		int st = 0, have = 0, gone = 0;

		if (p->state != PROC_ALIVE)
			continue;
		for (size_t i = 0; i < nreaped; i++)
			if (reaped[i].pid == p->pid) {
				st = reaped[i].status;
				have = gone = 1;
				reaped[i] = reaped[--nreaped];
				break;
			}
		if (!gone) {
			if (p->gone_at)
				gone = 1;
			else if (p->pidfd >= 0)
				gone = poll(&pf, 1, 0) > 0;
			else
				gone = kill(p->pid, 0) < 0 && errno == ESRCH;
			if (gone)
				have = zombie_status(p->pid, &st) ||
				       child_status_take(p->pid, &st);
		}
		if (!gone)
			continue;
		/*
		 * Reaped by its parent before we looked: unless it called
		 * exit, wait a little for the parent's report of the status.
		 */
		if (!have &&
		    !(p->rg && atomic_load(&p->rg->map->exit_called))) {
			uint64_t now = raw_now();

			if (!p->gone_at)
				p->gone_at = now;
			if (raw_ns(now - p->gone_at) < 200000000)
				continue;
		}
		if (p->pidfd >= 0)
			close(p->pidfd);
		p->pidfd = -1;
		note_end(p, have, st);
	}
}

/* Forget processes whose end is written. */
static void prune_done(void)
{
	struct proc **pp = &M.procs;

	while (*pp) {
		struct proc *p = *pp;

		if (p->state == PROC_DONE && !p->rg) {
			*pp = p->next;
			proc_free(p);
		} else {
			pp = &p->next;
		}
	}
}

static int all_done(void)
{
	for (struct proc *p = M.procs; p; p = p->next)
		if (p->state != PROC_DONE)
			return 0;
	return 1;
}

static sigset_t doorbell_open; /* our mask, with SIGUSR1 let through */
static sigset_t orig_mask;     /* the mask we were started with */

static void on_doorbell(int sig)
{
	(void)sig;
}

/*
 * Once the program itself has ended, mprec only waits for what it left
 * behind (daemons): then SIGINT, SIGTERM or SIGHUP stop the waiting, and
 * the trace ends with those processes' end unknown.  Before, SIGTERM and
 * SIGHUP go to the program and SIGINT is left to the program (a terminal
 * sends it to the whole process group).
 */
static volatile sig_atomic_t stop_waiting;
static const int passed_sigs[] = { SIGPIPE, SIGINT, SIGQUIT,
				   SIGTERM, SIGHUP, SIGUSR1 };
#define NSIGS (sizeof(passed_sigs) / sizeof(passed_sigs[0]))
static struct sigaction orig_act[NSIGS];

static void on_forward(int sig)
{
	if (child_status >= 0)
		stop_waiting = 1;
	else if (child_pid && sig != SIGINT)
		kill(child_pid, sig);
}

static void put_header(int argc, char **argv)
{
	struct mpt_record r;
	struct mpt_bytes *av, opt[8];
	char obuf[8][128];
	struct utsname un;
	struct timespec ts;
	int nopt = 0;

	memset(&r, 0, sizeof(r));
	r.type = MPT_REC_HEADER;
	r.u.header.major = MPT_VERSION_MAJOR;
	r.u.header.minor = MPT_VERSION_MINOR;
	r.u.header.clock_id = CLOCK_MONOTONIC;
	clock_gettime(CLOCK_REALTIME, &ts);
	r.u.header.wall_start_ns =
		(uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	r.u.header.page_size = (uint32_t)sysconf(_SC_PAGESIZE);
	r.u.header.sample_bytes = M.o.sample_bytes;
	if (uname(&un) < 0)
		strcpy(un.nodename, "");
	r.u.header.host.ptr = un.nodename;
	r.u.header.host.len = (uint32_t)strlen(un.nodename);
	av = calloc((size_t)argc + 1, sizeof(*av));
	if (!av)
		die(EXIT_MPREC, "out of memory");
	for (int i = 0; i < argc; i++) {
		av[i].ptr = argv[i];
		av[i].len = (uint32_t)strlen(argv[i]);
	}
	r.u.header.argc = (uint32_t)argc;
	r.u.header.argv = av;
	snprintf(obuf[nopt++], 128, "depth=%d", M.o.depth);
	snprintf(obuf[nopt++], 128, "unwind=%s", M.o.fp ? "fp" : "cfi");
	snprintf(obuf[nopt++], 128, "sample_bytes=%llu",
		 (unsigned long long)M.o.sample_bytes);
	snprintf(obuf[nopt++], 128, "follow=%d", M.o.follow);
	snprintf(obuf[nopt++], 128, "leak_scan=%d", M.o.leak_scan);
	snprintf(obuf[nopt++], 128, "freeres=%d", M.o.freeres);
	snprintf(obuf[nopt++], 128, "recorder=mprec %s", MPREC_VERSION);
	for (int i = 0; i < nopt; i++) {
		opt[i].ptr = obuf[i];
		opt[i].len = (uint32_t)strlen(obuf[i]);
	}
	r.u.header.nopts = (uint32_t)nopt;
	r.u.header.opts = opt;
	emit(&r, M.t0, NULL, 0);
	free(av);
}

static void cleanup(void)
{
	while (M.procs) {
		struct proc *p = M.procs;

		M.procs = p->next;
		while (p->rg) {
			struct region *rg = p->rg;

			p->rg = rg->next;
			region_free(rg);
		}
		proc_free(p);
	}
	free(M.sev);
	u64map_release(&M.stacks);
	if (listen_fd >= 0)
		close(listen_fd);
}

static char *dup_env(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = malloc(n);

	if (!s)
		die(EXIT_MPREC, "out of memory");
	snprintf(s, n, "%s=%s", name, value);
	return s;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "depth", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "no-follow", no_argument, NULL, 'F' },
		{ "no-freeres", no_argument, NULL, 'R' },
		{ "no-leak-scan", no_argument, NULL, 'L' },
		{ "output", required_argument, NULL, 'o' },
		{ "sample-bytes", required_argument, NULL, 's' },
		{ "unwind", required_argument, NULL, 'u' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char sockname[64], opts[256], *path, *lib = NULL, *ld;
	struct sockaddr_un sa;
	int c, out_fd, err, is_static, to_stdout;
	struct mpt_writer_opts wo;
	struct sev e;
	pid_t pid;
	uint64_t last_pass = mono_ns();
	double rate = 0;

	M.o.depth = 64;
	M.o.follow = 1;
	M.o.leak_scan = 1;
	M.o.freeres = 1;
	while ((c = getopt_long(argc, argv, "+ho:V", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			M.o.depth = (int)parse_num("--depth", optarg, 1,
						   MPR_DEPTH_MAX);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'F':
			M.o.follow = 0;
			break;
		case 'L':
			M.o.leak_scan = 0;
			break;
		case 'R':
			M.o.freeres = 0;
			break;
		case 'o':
			M.o.output = optarg;
			break;
		case 's':
			M.o.sample_bytes = parse_num("--sample-bytes", optarg,
						     0, UINT64_MAX / 2);
			break;
		case 'u':
			if (!strcmp(optarg, "cfi"))
				M.o.fp = 0;
			else if (!strcmp(optarg, "fp"))
				M.o.fp = 1;
			else {
				fprintf(stderr,
					"%s: invalid value '%s' for --unwind (expected cfi or fp)\n",
					me, optarg);
				return 2;
			}
			break;
		case 'V':
			printf("mprec %s (trace format %d.%d)\n", MPREC_VERSION,
			       MPT_VERSION_MAJOR, MPT_VERSION_MINOR);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	to_stdout = !M.o.output || !strcmp(M.o.output, "-");
	if (to_stdout && isatty(STDOUT_FILENO))
		die(2, "refusing to write a binary trace to a terminal; "
		       "redirect standard output or use -o FILE");
	path = resolve_program(argv[optind]);
	is_static = is_static_elf(path);
	if (is_static)
		warn("'%s' is statically linked: no heap events can be "
		     "recorded, only its process lifecycle",
		     argv[optind]);
	else
		lib = find_lib();
	if (to_stdout) {
		out_fd = STDOUT_FILENO;
	} else {
		out_fd = open(M.o.output,
			      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (out_fd < 0)
			die(EXIT_MPREC, "cannot open '%s': %s", M.o.output,
			    strerror(errno));
	}

	/* The control socket, in the abstract namespace. */
	listen_fd = socket(AF_UNIX,
			   SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		die(EXIT_MPREC, "cannot create socket: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sockname, sizeof(sockname), "mprec.%d.%llx", (int)getpid(),
		 (unsigned long long)mono_ns());
	memcpy(sa.sun_path + 1, sockname, strlen(sockname));
	if (bind(listen_fd, (struct sockaddr *)&sa,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			     strlen(sockname))) < 0 ||
	    listen(listen_fd, 256) < 0)
		die(EXIT_MPREC, "cannot listen on socket: %s", strerror(errno));
	/* Orphaned descendants come to us, so we learn how they end. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* The program starts with the dispositions mprec was started with
	 * (a shell starts background jobs with SIGINT and SIGQUIT ignored). */
	for (size_t i = 0; i < NSIGS; i++)
		sigaction(passed_sigs[i], NULL, &orig_act[i]);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	{
		struct sigaction fw;

		memset(&fw, 0, sizeof(fw));
		fw.sa_handler = on_forward;
		fw.sa_flags = SA_RESTART;
		sigaction(SIGINT, &fw, NULL);
		sigaction(SIGTERM, &fw, NULL);
		sigaction(SIGHUP, &fw, NULL);
	}
	/*
	 * The doorbell: a thread whose ring is full sends SIGUSR1, which
	 * interrupts our nap; it is blocked except inside ppoll, so none is
	 * missed.
	 */
	{
		struct sigaction act;
		sigset_t bell;

		memset(&act, 0, sizeof(act));
		act.sa_handler = on_doorbell;
		sigaction(SIGUSR1, &act, NULL);
		sigemptyset(&bell);
		sigaddset(&bell, SIGUSR1);
		sigprocmask(SIG_BLOCK, &bell, &orig_mask);
		doorbell_open = orig_mask;
		sigdelset(&doorbell_open, SIGUSR1);
	}

	memset(&wo, 0, sizeof(wo));
	/*
	 * zstd level 2 writes traces within 1% of level 3's size in two
	 * thirds of the time; mprec must keep up with the app.
	 */
	wo.level = 2;
	if (getenv("MPREC_ZSTD_LEVEL"))
		wo.level = atoi(getenv("MPREC_ZSTD_LEVEL"));
	M.w = mpt_writer_new(out_fd, &wo, &err);
	if (!M.w)
		die(EXIT_MPREC, "cannot write trace: %s", mpt_strerror(err));
	tsc_setup();
	M.t0 = raw_now();
	put_header(argc - optind, argv + optind);

	snprintf(
		opts, sizeof(opts),
		"depth=%d,unwind=%s,sample=%llu,follow=%d,scan=%d,freeres=%d,mprec=%d,tsc=%d%s",
		M.o.depth, M.o.fp ? "fp" : "cfi",
		(unsigned long long)M.o.sample_bytes, M.o.follow, M.o.leak_scan,
		M.o.freeres, (int)getpid(), M.tsc,
		getenv("MPREC_NO_UCACHE") ? ",ucache=0" : "");
	ld = getenv("LD_PRELOAD");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die(EXIT_MPREC, "cannot fork: %s", strerror(errno));
	if (pid == 0) {
		for (size_t i = 0; i < NSIGS; i++)
			sigaction(passed_sigs[i], &orig_act[i], NULL);
		sigprocmask(SIG_SETMASK, &orig_mask, NULL);
		if (to_stdout && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(EXIT_MPREC);
		if (lib) {
			char *pre =
				malloc(strlen(lib) + (ld ? strlen(ld) : 0) + 2);

			if (!pre)
				_exit(EXIT_MPREC);
			strcpy(pre, lib);
			if (ld && *ld) {
				strcat(pre, ":");
				strcat(pre, ld);
			}
			putenv(dup_env("LD_PRELOAD", pre));
			putenv(dup_env(MPR_ENV_SOCK, sockname));
			putenv(dup_env(MPR_ENV_OPTS, opts));
		}
		execv(path, argv + optind);
		fprintf(stderr, "%s: cannot run '%s': %s\n", me, argv[optind],
			strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	child_pid = pid;
	memset(&e, 0, sizeof(e));
	e.type = MPT_REC_PROCESS_START;
	e.kind = MPT_PROC_INITIAL;
	e.time = raw_now();
	e.ppid = (uint32_t)getpid();
	e.path = strdup(path);
	e.argc = (uint32_t)(argc - optind);
	e.argv = calloc(e.argc + 1, sizeof(char *));
	for (uint32_t i = 0; e.argv && i < e.argc; i++)
		e.argv[i] = strdup(argv[optind + (int)i]);
	e.p = proc_new(pid, getpid());
	sev_push(&e);

	for (;;) {
		struct pollfd pf[64];
		nfds_t npf = 0;
		long timeout;

		accept_all();
		reap();
		check_ends();
		drain_pass(0);
		prune_done();
		if (child_status >= 0 &&
		    ((no_children && all_done()) || stop_waiting))
			break;
		/*
		 * Sleep by the rate the rings fill (bytes per ns, smoothed over
		 * passes: a pass right after a busy one may find nothing new
		 * only because the writers have not woken up yet): a quarter of
		 * the time one ring would take to fill, 0.1 to 5 ms.  At once
		 * when a thread waits for room or the pass found a lot; a full
		 * ring also rings the doorbell.
		 */
		{
			uint64_t now = mono_ns(), dt = now - last_pass;

			last_pass = now;
			if (dt)
				rate = 0.75 * rate +
				       0.25 * ((double)M.moved / (double)dt);
			if (M.moved > MPR_RING_SIZE / 16 || M.waiters)
				timeout = 0;
			else if (rate * 5e6 < MPR_RING_SIZE / 64)
				timeout = 5000000;
			else
				timeout = (long)(MPR_RING_SIZE / 4 / rate);
			if (timeout > 5000000)
				timeout = 5000000;
			if (timeout && timeout < 100000)
				timeout = 100000;
		}
		pf[npf].fd = listen_fd;
		pf[npf++].events = POLLIN;
		for (struct proc *p = M.procs; p && npf < 64; p = p->next)
			if (p->state == PROC_ALIVE && p->pidfd >= 0) {
				pf[npf].fd = p->pidfd;
				pf[npf++].events = POLLIN;
			}
		dbg_passes++;
		if (timeout) {
			uint64_t t1 = mono_ns();
			struct timespec ts = { 0, timeout };

			ppoll(pf, npf, &ts, &doorbell_open);
			dbg_sleep += mono_ns() - t1;
			dbg_naps++;
			dbg_asked += (uint64_t)timeout;
		}
	}
	drain_pass(1);
	for (struct proc *p = M.procs; p; p = p->next)
		if (p->state != PROC_DONE)
			note_end(p, 0, 0);
	drain_pass(1);
	{
		int st = child_status, code;

		code = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
		err = mpt_writer_finish(M.w, (uint32_t)code);
		if (err < 0) {
			M.write_errno = err == MPT_E_IO ? errno : EIO;
			fatal_write();
		}
		if (out_fd != STDOUT_FILENO && close(out_fd) < 0) {
			M.write_errno = errno;
			fatal_write();
		}
		if (getenv("MPREC_DEBUG")) {
			struct rusage ru;

			getrusage(RUSAGE_SELF, &ru);
			fprintf(stderr,
				"mprec: %llu passes, %llu naps of %.3f s "
				"(asked %.3f s), %llu wakes\n",
				(unsigned long long)dbg_passes,
				(unsigned long long)dbg_naps, dbg_sleep / 1e9,
				dbg_asked / 1e9, (unsigned long long)M.wakes);
			fprintf(stderr,
				"mprec: cpu %.3f s, %llu records, %llu bytes\n",
				ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
					(ru.ru_utime.tv_usec +
					 ru.ru_stime.tv_usec) /
						1e6,
				(unsigned long long)mpt_writer_records(M.w),
				(unsigned long long)mpt_writer_bytes(M.w));
		}
		mpt_writer_free(M.w);
		free(path);
		free(lib);
		cleanup();
		return code;
	}
}
