/* Unit tests of the symbolizer: every frame of the test programs agrees with
 * addr2line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "symbolize.h"

#define MAX_MOD 32
#define MAX_ADDR 64
#define MAX_FR 32

struct mod {
	char path[4096];
	uint64_t bias;
	uint8_t id[64];
	size_t idlen;
	struct mpt_segment seg[16];
	uint32_t nseg;
};

struct paddr {
	int exact;
	uint64_t addr;
	char label[64];
};

struct prog {
	struct mod mod[MAX_MOD];
	int nmod;
	struct paddr addr[MAX_ADDR];
	int naddr;
};

struct a2l_frame {
	char function[1024];
	char file[8192];
	unsigned line;
};

static char sym_dir[4096];
/* the persistent cache of the symbolizers made here; "" for none */
static char cache_dir[4096];

static int nwarn;
static char last_warn[1024];

static void count_warn(void *ctx, const char *msg)
{
	(void)ctx;
	nwarn++;
	snprintf(last_warn, sizeof(last_warn), "%s", msg);
}

/* $BUILD/tests/unit/test_symbolize -> $BUILD/tests/sym */
static const char *find_sym_dir(void)
{
	char exe[2048];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *sl;

	if (n < 0)
		return NULL;
	exe[n] = '\0';
	sl = strrchr(exe, '/');
	if (!sl)
		return NULL;
	*sl = '\0';
	sl = strrchr(exe, '/');
	if (!sl)
		return NULL;
	*sl = '\0';
	snprintf(sym_dir, sizeof(sym_dir), "%s/sym", exe);
	return sym_dir;
}

static int hexval(int c)
{
	return c >= 'a' ? c - 'a' + 10 : c - '0';
}

static void parse_module(struct mod *m, char *line)
{
	char *save = NULL, *tok;
	unsigned i;
	size_t k;

	tok = strtok_r(line, " ", &save); /* "module" */
	tok = strtok_r(NULL, " ", &save);
	m->bias = strtoull(tok, NULL, 16);
	tok = strtok_r(NULL, " ", &save);
	m->idlen = 0;
	if (strcmp(tok, "-"))
		for (k = 0; tok[k] && tok[k + 1] && m->idlen < 64; k += 2)
			m->id[m->idlen++] = hexval(tok[k]) << 4 |
					    hexval(tok[k + 1]);
	tok = strtok_r(NULL, " ", &save);
	m->nseg = strtoul(tok, NULL, 16);
	assert_true(m->nseg <= 16);
	for (i = 0; i < m->nseg; i++) {
		m->seg[i].vaddr =
			strtoull(strtok_r(NULL, " ", &save), NULL, 16);
		m->seg[i].memsz =
			strtoull(strtok_r(NULL, " ", &save), NULL, 16);
		m->seg[i].offset =
			strtoull(strtok_r(NULL, " ", &save), NULL, 16);
		m->seg[i].flags = strtoul(strtok_r(NULL, " ", &save), NULL, 16);
	}
	snprintf(m->path, sizeof(m->path), "%s", save);
}

static void run_prog(const char *name, struct prog *p)
{
	char cmd[8192], line[8192];
	FILE *f;

	memset(p, 0, sizeof(*p));
	if (*name == '/')
		snprintf(cmd, sizeof(cmd), "'%s'", name);
	else
		snprintf(cmd, sizeof(cmd), "'%s/%s'", sym_dir, name);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "module ", 7)) {
			assert_true(p->nmod < MAX_MOD);
			parse_module(&p->mod[p->nmod++], line);
		} else if (!strncmp(line, "addr ", 5)) {
			struct paddr *a = &p->addr[p->naddr++];
			char kind[8];

			assert_true(p->naddr <= MAX_ADDR);
			assert_int_equal(sscanf(line, "addr %7s %lx %63s", kind,
						(unsigned long *)&a->addr,
						a->label),
					 3);
			a->exact = !strcmp(kind, "pc");
		}
	}
	assert_int_equal(pclose(f), 0);
	assert_true(p->nmod >= 3);
	assert_true(p->naddr >= 3);
}

static struct mpt_symbolizer *sym_for(const struct prog *p, uint32_t pid)
{
	struct mpt_sym_opts o = { .warn = count_warn, .cache_dir = cache_dir };
	struct mpt_symbolizer *s = mpt_sym_new(&o);
	int i;

	assert_non_null(s);
	for (i = 0; i < p->nmod; i++) {
		const struct mod *m = &p->mod[i];

		assert_int_equal(mpt_sym_add_module(s, pid, i + 1, m->path,
						    strlen(m->path), m->id,
						    m->idlen, m->bias, m->seg,
						    m->nseg, 0),
				 0);
	}
	return s;
}

static const struct mod *mod_of(const struct prog *p, uint64_t a)
{
	int i;
	uint32_t j;

	for (i = 0; i < p->nmod; i++)
		for (j = 0; j < p->mod[i].nseg; j++) {
			uint64_t lo = p->mod[i].bias + p->mod[i].seg[j].vaddr;

			if (a >= lo && a < lo + p->mod[i].seg[j].memsz)
				return &p->mod[i];
		}
	return NULL;
}

static const struct paddr *addr_of(const struct prog *p, const char *label)
{
	int i;

	for (i = 0; i < p->naddr; i++)
		if (!strcmp(p->addr[i].label, label))
			return &p->addr[i];
	fail_msg("the program printed no address '%s'", label);
	return NULL;
}

/*
 * The file addr2line should read for a module: its separate debug file
 * when the build-id names one, as addr2line is told in the documentation.
 */
static void a2l_file(const struct mod *m, char *out, size_t size)
{
	char path[4096];
	struct stat st;
	int n;
	size_t i;

	if (m->idlen >= 2) {
		n = snprintf(path, sizeof(path),
			     "/usr/lib/debug/.build-id/%02x/", m->id[0]);
		for (i = 1; i < m->idlen; i++)
			n += snprintf(path + n, sizeof(path) - n, "%02x",
				      m->id[i]);
		snprintf(path + n, sizeof(path) - n, ".debug");
		if (!stat(path, &st)) {
			snprintf(out, size, "%s", path);
			return;
		}
	}
	snprintf(out, size, "%s", m->path);
}

/* Run addr2line -f -i -C on one module offset; returns the frame count. */
static int addr2line(const char *file, uint64_t off, struct a2l_frame *fr,
		     int max)
{
	char cmd[8192], fn[1024], loc[8192];
	FILE *f;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "addr2line -f -i -C -e '%s' 0x%llx", file,
		 (unsigned long long)off);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (n < max && fgets(fn, sizeof(fn), f) &&
	       fgets(loc, sizeof(loc), f)) {
		char *colon, *disc;

		fn[strcspn(fn, "\n")] = '\0';
		loc[strcspn(loc, "\n")] = '\0';
		disc = strstr(loc, " (discriminator");
		if (disc)
			*disc = '\0';
		colon = strrchr(loc, ':');
		assert_non_null(colon);
		*colon = '\0';
		snprintf(fr[n].function, sizeof(fr[n].function), "%s",
			 strcmp(fn, "??") ? fn : "");
		snprintf(fr[n].file, sizeof(fr[n].file), "%s",
			 strcmp(loc, "??") ? loc : "");
		fr[n].line = strtoul(colon + 1, NULL, 10);
		n++;
	}
	assert_int_equal(pclose(f), 0);
	return n;
}

static const char *base_of(const char *p)
{
	const char *sl = strrchr(p, '/');

	return sl ? sl + 1 : p;
}

/*
 * 1 if the row of `file`'s line table nearest at or before `off` (the last
 * of equals), as `objdump --dwarf=decodedline` decodes it, is of a file
 * named `base` and line `line`.  binutils 2.40's addr2line starts a DWARF 5
 * line program's file register at 0, where the standard has 1, and so
 * names the unit's own file for code that gcc put in file 1 (glibc's
 * __libc_start_call_main, in libc_start_call_main.h); objdump decodes
 * those rows right, as gdb, llvm-addr2line and valgrind do.
 */
static int objdump_row_is(const char *file, uint64_t off, const char *base,
			  unsigned line)
{
	char cmd[4200], l[1024], name[512], best[512] = "";
	unsigned long long a, ln, best_a = 0, best_ln = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "objdump --dwarf=decodedline '%s' 2>/dev/null", file);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(l, sizeof(l), f))
		if (sscanf(l, "%511s %llu 0x%llx", name, &ln, &a) == 3 &&
		    a <= off && a >= best_a) {
			best_a = a;
			best_ln = ln;
			snprintf(best, sizeof(best), "%s", name);
		}
	pclose(f);
	return !strcmp(best, base) && best_ln == line;
}

/*
 * Resolve one printed address with the symbolizer and with addr2line and
 * require the same frames: function, file, line, inline order.
 */
static int check_agree(struct mpt_symbolizer *s, const struct prog *p,
		       const struct paddr *a, struct mpt_frame *fr)
{
	const struct mod *m = mod_of(p, a->addr);
	struct a2l_frame want[MAX_FR];
	char file[4096];
	uint64_t off;
	int n, nw, i;

	assert_non_null(m);
	n = mpt_sym_resolve(s, 1, MPT_SYM_TIME_LATEST, a->addr,
			    a->exact ? MPT_SYM_EXACT : 0, fr, MAX_FR);
	assert_true(n >= 1 && n <= MAX_FR);
	off = a->addr - m->bias - (a->exact ? 0 : 1);
	a2l_file(m, file, sizeof(file));
	nw = addr2line(file, off, want, MAX_FR);
	for (i = 0; i < n || i < nw; i++) {
		const struct mpt_frame *f = i < n ? &fr[i] : NULL;
		const struct a2l_frame *w = i < nw ? &want[i] : NULL;
		char buf[2048];

		if (f)
			mpt_frame_format(f, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "(none)");
		print_message("  %-14s #%d ours: %s%s\n", a->label, i, buf,
			      f && (f->flags & MPT_FRAME_INLINED) ?
				      " [inlined]" :
				      "");
		if (w)
			print_message("  %-14s #%d a2l:  %s (%s:%u)\n", "", i,
				      w->function, w->file, w->line);
	}
	assert_int_equal(n, nw);
	for (i = 0; i < n; i++) {
		assert_string_equal(fr[i].function ? fr[i].function : "",
				    want[i].function);
		/*
		 * Without a line addr2line may still print a file, taken from
		 * an STT_FILE symbol: no line information, so not compared.
		 */
		if (want[i].line) {
			assert_non_null(fr[i].file);
			if (i == 0 && strcmp(fr[i].file, want[i].file) &&
			    fr[i].line == want[i].line &&
			    objdump_row_is(file, off, base_of(fr[i].file),
					   fr[i].line))
				print_message("  addr2line misreads the file; "
					      "objdump agrees with ours\n");
			else
				assert_string_equal(fr[i].file, want[i].file);
		}
		assert_int_equal(fr[i].line, want[i].line);
		assert_int_equal(!!(fr[i].flags & MPT_FRAME_INLINED),
				 i < n - 1);
		assert_string_equal(fr[i].module, m->path);
		assert_int_equal(fr[i].module_offset, a->addr - m->bias);
	}
	return n;
}

static void check_all(const char *name, struct prog *p)
{
	struct mpt_symbolizer *s;
	struct mpt_frame fr[MAX_FR];
	int i;

	run_prog(name, p);
	s = sym_for(p, 1);
	for (i = 0; i < p->naddr; i++)
		check_agree(s, p, &p->addr[i], fr);
	mpt_sym_free(s);
}

/* Resolve a labelled address of the program; returns the frame count. */
static int resolve_label(struct mpt_symbolizer *s, const struct prog *p,
			 const char *label, struct mpt_frame *fr)
{
	const struct paddr *a = addr_of(p, label);

	return mpt_sym_resolve(s, 1, MPT_SYM_TIME_LATEST, a->addr,
			       a->exact ? MPT_SYM_EXACT : 0, fr, MAX_FR);
}

/* What sym_c.c was written to produce, independently of addr2line. */
static void check_c_known(const struct prog *p)
{
	struct mpt_symbolizer *s = sym_for(p, 1);
	struct mpt_frame fr[MAX_FR];
	int n;

	n = resolve_label(s, p, "inline2", fr);
	assert_int_equal(n, 3);
	assert_string_equal(fr[0].function, "helper_inner");
	assert_string_equal(fr[1].function, "helper");
	assert_string_equal(fr[2].function, "outer");
	assert_true(fr[0].flags & MPT_FRAME_INLINED);
	assert_true(fr[1].flags & MPT_FRAME_INLINED);
	assert_false(fr[2].flags & MPT_FRAME_INLINED);
	assert_string_equal(base_of(fr[0].file), "sym_c.c");

	n = resolve_label(s, p, "inline1", fr);
	assert_int_equal(n, 2);
	assert_string_equal(fr[0].function, "helper");
	assert_string_equal(fr[1].function, "outer");

	n = resolve_label(s, p, "outer_entry", fr);
	assert_int_equal(n, 1);
	assert_string_equal(fr[0].function, "outer");

	n = resolve_label(s, p, "libc_start", fr);
	assert_int_equal(n, 1);
	assert_string_equal(fr[0].function, "__libc_start_call_main");

	n = resolve_label(s, p, "lib_global", fr);
	assert_int_equal(n, 1);
	assert_string_equal(fr[0].function, "symlib_call");
	assert_true(fr[0].flags & MPT_FRAME_NO_DEBUG);
	assert_null(fr[0].file);

	n = resolve_label(s, p, "lib_local", fr);
	assert_int_equal(n, 1);
	assert_string_equal(fr[0].function, "symlib_local");
	assert_int_equal(nwarn, 0);
	mpt_sym_free(s);
}

static void test_symbolize__c_dwarf4(void **state)
{
	struct prog *p = malloc(sizeof(*p));

	(void)state;
	nwarn = 0;
	check_all("sym_c_dw4", p);
	check_c_known(p);
	free(p);
}

static void test_symbolize__c_dwarf5(void **state)
{
	struct prog *p = malloc(sizeof(*p));

	(void)state;
	nwarn = 0;
	check_all("sym_c_dw5", p);
	check_c_known(p);
	free(p);
}

/*
 * Every frame of every address of the program, as one text; `brief`: apart
 * from where the program was loaded (module base names, no addresses).
 */
static char *frames_text(struct mpt_symbolizer *s, const struct prog *p,
			 int brief)
{
	struct mpt_frame fr[MAX_FR];
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int i, k, n;

	assert_non_null(f);
	for (i = 0; i < p->naddr; i++) {
		n = mpt_sym_resolve(s, 1, MPT_SYM_TIME_LATEST, p->addr[i].addr,
				    p->addr[i].exact ? MPT_SYM_EXACT : 0, fr,
				    MAX_FR);
		assert_true(n >= 1 && n <= MAX_FR);
		for (k = 0; k < n; k++) {
			const char *m = fr[k].module;

			fprintf(f, "%s|%s|%s|%u|%u|%s|%llx|", p->addr[i].label,
				fr[k].function ? fr[k].function : "(null)",
				fr[k].file ? fr[k].file : "(null)", fr[k].line,
				fr[k].column,
				m ? (brief ? base_of(m) : m) : "(null)",
				(unsigned long long)fr[k].module_offset);
			if (!brief)
				fprintf(f, "%llx|",
					(unsigned long long)fr[k].addr);
			fprintf(f, "%x\n", fr[k].flags);
		}
	}
	fclose(f);
	return buf;
}

/* What the program's addresses resolve to, apart from where it was loaded. */
static char *frames_brief(const struct prog *p)
{
	struct mpt_symbolizer *s = sym_for(p, 1);
	char *buf = frames_text(s, p, 1);

	mpt_sym_free(s);
	return buf;
}

/*
 * The program with its DWARF compressed in place, as SHF_COMPRESSED
 * sections (gcc -gz): the frames addr2line gives; as GNU .zdebug_ sections
 * (which this addr2line misreads): the same frames again.
 */
static void test_symbolize__compressed_sections(void **state)
{
	const char *how[] = { "zlib", "zlib-gnu" };
	struct prog *p = malloc(sizeof(*p));
	char tmpl[] = "/tmp/test_symbolize.XXXXXX", cmd[16384], prog[64];
	char *text[2];
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	for (i = 0; i < sizeof(how) / sizeof(how[0]); i++) {
		/* same name in two directories: the same module name */
		snprintf(prog, sizeof(prog), "%s/%zu", tmpl, i);
		snprintf(cmd, sizeof(cmd),
			 "mkdir '%s' && cp '%s/libsymlib.so' '%s/' && "
			 "objcopy --compress-debug-sections=%s '%s/sym_c_dw5' "
			 "'%s/sym_c' && readelf -S '%s/sym_c' | grep -q '%s'",
			 prog, sym_dir, prog, how[i], sym_dir, prog, prog,
			 i ? "zdebug_info" : "debug_info");
		assert_int_equal(system(cmd), 0);
		strcat(prog, "/sym_c");
		nwarn = 0;
		if (i == 0)
			check_all(prog, p);
		else
			run_prog(prog, p);
		check_c_known(p);
		text[i] = frames_brief(p);
	}
	assert_string_equal(text[0], text[1]);
	free(text[0]);
	free(text[1]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	assert_int_equal(system(cmd), 0);
	free(p);
}

static void check_cxx_known(const struct prog *p)
{
	struct mpt_symbolizer *s = sym_for(p, 1);
	struct mpt_frame fr[MAX_FR];
	int n;

	n = resolve_label(s, p, "method", fr);
	assert_int_equal(n, 1);
	assert_non_null(strstr(fr[0].function,
			       "outer_ns::inner::Box<int>::twice(int) const"));
	n = resolve_label(s, p, "inlined_method", fr);
	assert_int_equal(n, 2);
	assert_non_null(strstr(fr[0].function,
			       "outer_ns::inner::Box<int>::peek() const"));
	assert_non_null(strstr(fr[1].function, "outer_ns::inner::apply<int>("));
	n = resolve_label(s, p, "apply_int_entry", fr);
	assert_int_equal(n, 1);
	assert_non_null(strstr(fr[0].function, "outer_ns::inner::apply<int>("));
	assert_string_equal(base_of(fr[0].file), "sym_cxx.cc");
	n = resolve_label(s, p, "lambda", fr);
	assert_int_equal(n, 1);
	assert_non_null(strstr(fr[0].function, "{lambda(int)#1}::operator()"));
	mpt_sym_free(s);
}

static void test_symbolize__cxx_dwarf4(void **state)
{
	struct prog *p = malloc(sizeof(*p));

	(void)state;
	check_all("sym_cxx_dw4", p);
	check_cxx_known(p);
	free(p);
}

static void test_symbolize__cxx_dwarf5(void **state)
{
	struct prog *p = malloc(sizeof(*p));

	(void)state;
	check_all("sym_cxx_dw5", p);
	check_cxx_known(p);
	free(p);
}

/* A libc frame goes through libc6-dbg's build-id debug file. */
static void test_symbolize__libc_debug_file(void **state)
{
	struct prog *p = malloc(sizeof(*p));
	struct mpt_symbolizer *s;
	struct mpt_frame fr[MAX_FR];
	const struct mod *m;
	char file[4096];
	int n;

	(void)state;
	run_prog("sym_c_dw5", p);
	m = mod_of(p, addr_of(p, "libc_qsort")->addr);
	assert_non_null(m);
	a2l_file(m, file, sizeof(file));
	if (!strcmp(file, m->path)) {
		free(p);
		skip(); /* libc6-dbg is not installed */
	}
	s = sym_for(p, 1);
	n = check_agree(s, p, addr_of(p, "libc_qsort"), fr);
	assert_true(n >= 1);
	assert_non_null(fr[n - 1].file);
	assert_true(fr[n - 1].line > 0);
	assert_false(fr[0].flags & MPT_FRAME_NO_DEBUG);
	mpt_sym_free(s);
	free(p);
}

/* A library with .dynsym only: exported names, agreeing with addr2line. */
static void test_symbolize__dynsym_only(void **state)
{
	struct prog *p = malloc(sizeof(*p));
	struct mpt_sym_opts o = { .warn = count_warn };
	struct mpt_symbolizer *s;
	struct mpt_frame fr[MAX_FR];
	struct a2l_frame want[MAX_FR];
	const struct mod *m;
	char dyn[8192];
	const char *labels[] = { "lib_global", "lib_entry", "lib_local" };
	size_t i;

	(void)state;
	run_prog("sym_c_dw4", p);
	m = mod_of(p, addr_of(p, "lib_global")->addr);
	assert_non_null(m);
	snprintf(dyn, sizeof(dyn), "%s/libsymlib-dynsym.so", sym_dir);
	s = mpt_sym_new(&o);
	nwarn = 0;
	/* the same mapping, read from the copy stripped of .symtab */
	assert_int_equal(mpt_sym_add_module(s, 1, 1, dyn, strlen(dyn), m->id,
					    m->idlen, m->bias, m->seg, m->nseg,
					    0),
			 0);
	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		const struct paddr *a = addr_of(p, labels[i]);
		uint64_t off = a->addr - m->bias - (a->exact ? 0 : 1);
		int n = mpt_sym_resolve(s, 1, MPT_SYM_TIME_LATEST, a->addr,
					a->exact ? MPT_SYM_EXACT : 0, fr,
					MAX_FR);
		int nw = addr2line(dyn, off, want, MAX_FR);

		print_message("  %s: ours '%s', addr2line '%s'\n", labels[i],
			      fr[0].function ? fr[0].function : "",
			      want[0].function);
		assert_int_equal(n, 1);
		assert_int_equal(nw, 1);
		assert_string_equal(fr[0].function ? fr[0].function : "",
				    want[0].function);
		assert_true(fr[0].flags & MPT_FRAME_NO_DEBUG);
	}
	assert_int_equal(nwarn, 0);
	mpt_sym_free(s);
	free(p);
}

/* Run a shell command and read one hex number from its output. */
static uint64_t popen_hex(const char *cmd)
{
	char line[256] = "";
	FILE *f = popen(cmd, "r");

	assert_non_null(f);
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	pclose(f);
	assert_true(line[0] != '\0');
	return strtoull(line, NULL, 16);
}

static size_t read_build_id(const char *path, uint8_t *id)
{
	char cmd[16384], line[256] = "";
	size_t n = 0, k;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "readelf -n '%s' | sed -n 's/.*Build ID: *//p'", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	pclose(f);
	for (k = 0; line[k] && line[k + 1] && line[k] != '\n' && n < 64; k += 2)
		id[n++] = hexval(line[k]) << 4 | hexval(line[k + 1]);
	return n;
}

/*
 * Resolve a point inside symlib_call of the library `lib` (mapped at a made
 * up base) with debug directories `dir`; returns the frame count.
 */
static int resolve_in_lib(const char *lib, const char *const *dir,
			  struct mpt_frame *fr, uint64_t *off)
{
	struct mpt_sym_opts o = { .debug_dir = dir,
				  .warn = count_warn,
				  .cache_dir = cache_dir };
	struct mpt_symbolizer *s = mpt_sym_new(&o);
	struct mpt_segment seg = { 0, 0x10000000, 0, 5 };
	uint64_t base = 0x7f0000000000ULL;
	char path[8192], cmd[16384];
	uint8_t id[64];
	size_t idlen;
	int n;

	if (*lib == '/')
		snprintf(path, sizeof(path), "%s", lib);
	else
		snprintf(path, sizeof(path), "%s/%s", sym_dir, lib);
	snprintf(
		cmd, sizeof(cmd),
		"nm -D --defined-only '%s' | awk '$3 == \"symlib_call\" { print $1 }'",
		path);
	*off = popen_hex(cmd) + 4;
	idlen = read_build_id(path, id);
	assert_true(idlen > 0);
	nwarn = 0;
	assert_int_equal(mpt_sym_add_module(s, 1, 1, path, strlen(path), id,
					    idlen, base, &seg, 1, 0),
			 0);
	n = mpt_sym_resolve(s, 1, MPT_SYM_TIME_LATEST, base + *off,
			    MPT_SYM_EXACT, fr, MAX_FR);
	assert_int_equal(nwarn, 0);
	assert_true(n >= 1);
	/* the strings outlive nothing: check them before freeing */
	assert_string_equal(fr[n - 1].function, "symlib_call");
	if (fr[0].file)
		assert_string_equal(base_of(fr[0].file), "symlib.c");
	n = fr[0].file && fr[0].line > 0 ? n : -n;
	mpt_sym_free(s);
	return n;
}

/* .gnu_debuglink in .debug/, with a matching CRC: full line info. */
static void test_symbolize__debuglink(void **state)
{
	struct mpt_frame fr[MAX_FR];
	struct a2l_frame want[MAX_FR];
	char dbg[8192];
	uint64_t off;
	int n;

	(void)state;
	n = resolve_in_lib("libsymlink.so", NULL, fr, &off);
	assert_true(n > 0);
	snprintf(dbg, sizeof(dbg), "%s/.debug/libsymlink.so.debug", sym_dir);
	assert_int_equal(addr2line(dbg, off, want, MAX_FR), n);
	assert_string_equal(want[n - 1].function, "symlib_call");
	assert_int_equal(want[0].line, fr[0].line);
}

/* A debuglink file whose CRC differs is not used: symbol table only. */
static void test_symbolize__debuglink_bad_crc(void **state)
{
	struct mpt_frame fr[MAX_FR];
	uint64_t off;

	(void)state;
	assert_int_equal(resolve_in_lib("libsymcrc.so", NULL, fr, &off), -1);
	assert_true(fr[0].flags & MPT_FRAME_NO_DEBUG);
}

/* A debug file found by build-id under a given debug directory. */
static void test_symbolize__debug_dir_build_id(void **state)
{
	struct mpt_frame fr[MAX_FR];
	char root[8192];
	const char *dir[] = { "/nonexistent", root, NULL };
	uint64_t off;

	(void)state;
	snprintf(root, sizeof(root), "%s/debugroot/", sym_dir);
	assert_true(resolve_in_lib("libsymbid.so", dir, fr, &off) > 0);
	/* not under the default directory */
	assert_true(resolve_in_lib("libsymbid.so", NULL, fr, &off) < 0);
}

/* A module whose file is gone: module+offset, one warning, nothing else. */
static void test_symbolize__missing_file(void **state)
{
	struct mpt_sym_opts o = { .warn = count_warn };
	struct mpt_symbolizer *s = mpt_sym_new(&o);
	struct mpt_segment seg = { 0x1000, 0x5000, 0x1000, 5 };
	const char *path = "/nonexistent/libgone.so";
	uint8_t id[20] = { 0xde, 0xad, 0xbe, 0xef };
	struct mpt_frame fr[4];
	char buf[256];
	int i;

	(void)state;
	nwarn = 0;
	assert_int_equal(mpt_sym_add_module(s, 7, 1, path, strlen(path), id,
					    sizeof(id), 0x400000, &seg, 1, 0),
			 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(mpt_sym_resolve(s, 7, MPT_SYM_TIME_LATEST,
						 0x401234 + i * 16, 0, fr, 4),
				 1);
		assert_null(fr[0].function);
		assert_null(fr[0].file);
		assert_true(fr[0].flags & MPT_FRAME_UNKNOWN_MODULE);
		assert_int_equal(fr[0].module_offset, 0x1234 + i * 16);
	}
	mpt_frame_format(&fr[0], buf, sizeof(buf));
	assert_string_equal(buf, "libgone.so+0x1254");
	assert_int_equal(nwarn, 1);
	assert_non_null(strstr(last_warn, "libgone.so"));
	mpt_sym_free(s);
}

/* The file on disk is not the one recorded: never its names. */
static void test_symbolize__build_id_mismatch(void **state)
{
	struct prog *p = malloc(sizeof(*p));
	struct mpt_sym_opts o = { .warn = count_warn };
	struct mpt_symbolizer *s;
	struct mpt_frame fr[MAX_FR];
	char buf[256];
	struct mod m;
	int i, n;

	(void)state;
	run_prog("sym_c_dw5", p);
	m = p->mod[0]; /* the executable */
	assert_true(m.idlen > 0);
	m.id[0] ^= 0xff;
	s = mpt_sym_new(&o);
	nwarn = 0;
	assert_int_equal(mpt_sym_add_module(s, 1, 1, m.path, strlen(m.path),
					    m.id, m.idlen, m.bias, m.seg,
					    m.nseg, 0),
			 0);
	for (i = 0; i < p->naddr; i++) {
		const struct paddr *a = &p->addr[i];

		if (mod_of(p, a->addr) != &p->mod[0])
			continue;
		n = mpt_sym_resolve(s, 1, MPT_SYM_TIME_LATEST, a->addr,
				    a->exact ? MPT_SYM_EXACT : 0, fr, MAX_FR);
		assert_int_equal(n, 1);
		assert_null(fr[0].function);
		assert_true(fr[0].flags & MPT_FRAME_MISMATCH);
		mpt_frame_format(&fr[0], buf, sizeof(buf));
		assert_non_null(strstr(buf, "sym_c_dw5+0x"));
	}
	assert_int_equal(nwarn, 1);
	assert_non_null(strstr(last_warn, "build-id"));
	mpt_sym_free(s);
	free(p);
}

/* Batches give what single lookups give, in the caller's order. */
static void test_symbolize__batch(void **state)
{
	struct prog *p = malloc(sizeof(*p));
	struct mpt_symbolizer *s, *s2;
	struct mpt_frame *all = NULL, fr[MAX_FR];
	uint64_t addr[MAX_ADDR + 1];
	size_t start[MAX_ADDR + 2];
	int i, n, k;

	(void)state;
	run_prog("sym_c_dw5", p);
	s = sym_for(p, 1);
	s2 = sym_for(p, 1);
	for (i = 0; i < p->naddr; i++)
		addr[i] = p->addr[i].addr;
	addr[p->naddr] = 0x10; /* in no module */
	assert_int_equal(mpt_sym_resolve_batch(s, 1, MPT_SYM_TIME_LATEST, addr,
					       p->naddr + 1, 0, &all, start),
			 0);
	for (i = 0; i <= p->naddr; i++) {
		n = mpt_sym_resolve(s2, 1, MPT_SYM_TIME_LATEST, addr[i], 0, fr,
				    MAX_FR);
		assert_int_equal((int)(start[i + 1] - start[i]), n);
		for (k = 0; k < n; k++) {
			const struct mpt_frame *b = &all[start[i] + k];

			assert_string_equal(b->function ? b->function : "",
					    fr[k].function ? fr[k].function :
							     "");
			assert_int_equal(b->line, fr[k].line);
			assert_int_equal(b->addr, addr[i]);
		}
	}
	assert_true(all[start[p->naddr]].flags & MPT_FRAME_NO_MODULE);
	free(all);
	mpt_sym_free(s);
	mpt_sym_free(s2);
	free(p);
}

/* Maps per process: fork inherits, exec and unload keep history by time. */
static void test_symbolize__process_maps(void **state)
{
	struct prog *p = malloc(sizeof(*p));
	struct mpt_symbolizer *s;
	struct mpt_frame fr[MAX_FR];
	const struct paddr *a;
	const struct mod *m;
	const char *gone = "/nonexistent/other.so";

	(void)state;
	run_prog("sym_c_dw5", p);
	a = addr_of(p, "outer_entry");
	m = mod_of(p, a->addr);
	s = sym_for(p, 1);
	nwarn = 0;
	/* pid 2 knows nothing */
	mpt_sym_resolve(s, 2, MPT_SYM_TIME_LATEST, a->addr, MPT_SYM_EXACT, fr,
			MAX_FR);
	assert_true(fr[0].flags & MPT_FRAME_NO_MODULE);
	/* fork at t=100: the child inherits */
	assert_int_equal(mpt_sym_fork(s, 1, 2, 100), 0);
	mpt_sym_resolve(s, 2, MPT_SYM_TIME_LATEST, a->addr, MPT_SYM_EXACT, fr,
			MAX_FR);
	assert_string_equal(fr[0].function, "outer");
	/* exec at t=200, then another image at the same addresses */
	mpt_sym_exec(s, 2, 200);
	assert_int_equal(mpt_sym_add_module(s, 2, 99, gone, strlen(gone), NULL,
					    0, m->bias, m->seg, m->nseg, 200),
			 0);
	mpt_sym_resolve(s, 2, 150, a->addr, MPT_SYM_EXACT, fr, MAX_FR);
	assert_string_equal(fr[0].function, "outer");
	mpt_sym_resolve(s, 2, 250, a->addr, MPT_SYM_EXACT, fr, MAX_FR);
	assert_null(fr[0].function);
	assert_true(fr[0].flags & MPT_FRAME_UNKNOWN_MODULE);
	assert_int_equal(nwarn, 1);
	/* the parent is untouched; its unloaded module still resolves */
	assert_int_equal(mpt_sym_remove_module(s, 1, 1, 300), 0);
	mpt_sym_resolve(s, 1, MPT_SYM_TIME_LATEST, a->addr, MPT_SYM_EXACT, fr,
			MAX_FR);
	assert_string_equal(fr[0].function, "outer");
	assert_int_equal(mpt_sym_remove_module(s, 1, 12345, 300), MPT_E_INVAL);
	mpt_sym_free(s);
	free(p);
}

static void test_symbolize__no_symbols_and_format(void **state)
{
	struct prog *p = malloc(sizeof(*p));
	struct mpt_sym_opts o = { .no_symbols = 1, .warn = count_warn };
	struct mpt_symbolizer *s = mpt_sym_new(&o);
	struct mpt_frame fr[MAX_FR], f;
	const struct paddr *a;
	char buf[256], want[256];
	int i;

	(void)state;
	run_prog("sym_c_dw4", p);
	nwarn = 0;
	for (i = 0; i < p->nmod; i++)
		mpt_sym_add_module(s, 1, i + 1, p->mod[i].path,
				   strlen(p->mod[i].path), p->mod[i].id,
				   p->mod[i].idlen, p->mod[i].bias,
				   p->mod[i].seg, p->mod[i].nseg, 0);
	a = addr_of(p, "inline2");
	assert_int_equal(mpt_sym_resolve(s, 1, MPT_SYM_TIME_LATEST, a->addr, 0,
					 fr, MAX_FR),
			 1);
	assert_null(fr[0].function);
	mpt_frame_format(&fr[0], buf, sizeof(buf));
	snprintf(want, sizeof(want), "sym_c_dw4+0x%llx",
		 (unsigned long long)(a->addr - p->mod[0].bias));
	assert_string_equal(buf, want);
	assert_int_equal(nwarn, 0);
	mpt_sym_free(s);
	free(p);

	memset(&f, 0, sizeof(f));
	f.function = "a;b";
	f.file = "/x/y.c";
	f.line = 12;
	mpt_frame_format(&f, buf, sizeof(buf));
	assert_string_equal(buf, "a;b (/x/y.c:12)");
	mpt_frame_format_folded(&f, buf, sizeof(buf));
	assert_string_equal(buf, "a:b");
	f.function = NULL;
	f.file = NULL;
	f.addr = 0x1234;
	assert_int_equal(mpt_frame_format(&f, buf, 3), 6);
	assert_string_equal(buf, "0x");
	mpt_sym_free(NULL);
}

/* The first n frames of a and b: same function, line and flags. */
static void assert_frames_same(const struct mpt_frame *a,
			       const struct mpt_frame *b, int n)
{
	int k;

	for (k = 0; k < n; k++) {
		assert_string_equal(a[k].function ? a[k].function : "",
				    b[k].function ? b[k].function : "");
		assert_int_equal(a[k].line, b[k].line);
		assert_int_equal(a[k].flags, b[k].flags);
	}
}

/*
 * libc's frames read from its compressed debug file are the same whether
 * libdeflate or zlib inflates the sections.
 */
static void test_symbolize__zlib_inflate(void **state)
{
	struct prog *p = malloc(sizeof(*p));
	struct mpt_sym_opts o = { .warn = count_warn, .zlib_only = 1 };
	struct mpt_symbolizer *a, *b;
	struct mpt_frame fa[MAX_FR], fb[MAX_FR];
	int i, k, na, nb, libc = 0;

	(void)state;
	run_prog("sym_c_dw5", p);
	a = sym_for(p, 1);
	b = mpt_sym_new(&o);
	assert_non_null(b);
	for (i = 0; i < p->nmod; i++)
		assert_int_equal(
			mpt_sym_add_module(b, 1, i + 1, p->mod[i].path,
					   strlen(p->mod[i].path), p->mod[i].id,
					   p->mod[i].idlen, p->mod[i].bias,
					   p->mod[i].seg, p->mod[i].nseg, 0),
			0);
	for (i = 0; i < p->naddr; i++) {
		unsigned fl = p->addr[i].exact ? MPT_SYM_EXACT : 0;

		na = mpt_sym_resolve(a, 1, MPT_SYM_TIME_LATEST, p->addr[i].addr,
				     fl, fa, MAX_FR);
		nb = mpt_sym_resolve(b, 1, MPT_SYM_TIME_LATEST, p->addr[i].addr,
				     fl, fb, MAX_FR);
		assert_int_equal(na, nb);
		assert_frames_same(fa, fb, na);
		for (k = 0; k < na; k++)
			assert_string_equal(fa[k].file ? fa[k].file : "",
					    fb[k].file ? fb[k].file : "");
		if (strstr(fa[0].module, "libc.so") && fa[0].line)
			libc++;
	}
	assert_true(libc > 0); /* a line from libc6-dbg's debug file */
	mpt_sym_free(a);
	mpt_sym_free(b);
	free(p);
}

/*
 * The table of resolved addresses grows from small and, at its bound,
 * starts over: thousands of libc addresses give the same frames through
 * a table of two entries, and again from the grown table.
 */
static void test_symbolize__memo_growth(void **state)
{
	struct prog *p = malloc(sizeof(*p));
	struct mpt_sym_opts o = { .warn = count_warn, .cache_max = 2 };
	struct mpt_symbolizer *a, *b;
	struct mpt_frame fa[MAX_FR], fb[MAX_FR];
	struct mpt_sym_stats st;
	const struct mod *m = NULL;
	uint64_t lo = 0, step;
	int i, k, pass, na, nb, named = 0;
	uint32_t j;

	(void)state;
	run_prog("sym_c_dw5", p);
	for (i = 0; i < p->nmod; i++)
		if (strstr(p->mod[i].path, "libc.so"))
			m = &p->mod[i];
	assert_non_null(m);
	for (j = 0; j < m->nseg; j++)
		if (m->seg[j].flags & 1) /* PF_X */
			break;
	assert_true(j < m->nseg);
	lo = m->bias + m->seg[j].vaddr;
	step = m->seg[j].memsz / 3001;
	a = sym_for(p, 1);
	b = mpt_sym_new(&o);
	assert_non_null(b);
	assert_int_equal(mpt_sym_add_module(b, 1, 1, m->path, strlen(m->path),
					    m->id, m->idlen, m->bias, m->seg,
					    m->nseg, 0),
			 0);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < 3000; i++) {
			uint64_t addr = lo + 1 + i * step;

			na = mpt_sym_resolve(a, 1, MPT_SYM_TIME_LATEST, addr, 0,
					     fa, MAX_FR);
			nb = mpt_sym_resolve(b, 1, MPT_SYM_TIME_LATEST, addr, 0,
					     fb, MAX_FR);
			assert_int_equal(na, nb);
			assert_frames_same(fa, fb, na < MAX_FR ? na : MAX_FR);
			for (k = 0; k < na && k < MAX_FR; k++)
				assert_int_equal(fa[k].addr, addr);
			named += fa[0].function != NULL;
		}
	}
	mpt_sym_get_stats(a, &st);
	assert_int_equal(st.cache_hits, 3000);
	assert_true(named > 5000);
	mpt_sym_free(a);
	mpt_sym_free(b);
	free(p);
}

/* ---- the persistent cache ---- */

/* A fresh cache directory for one test (cache_dir), removed by cache_end. */
static void cache_begin(void)
{
	char tmpl[] = "/tmp/test_symbolize.XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	snprintf(cache_dir, sizeof(cache_dir), "%s/cache", tmpl);
}

static void cache_end(void)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'",
		 (int)(strrchr(cache_dir, '/') - cache_dir), cache_dir);
	assert_int_equal(system(cmd), 0);
	cache_dir[0] = '\0';
}

/* Resolve every address with a new symbolizer; its stats in *st. */
static char *run_sym(const struct prog *p, struct mpt_sym_stats *st)
{
	struct mpt_symbolizer *s = sym_for(p, 1);
	char *t = frames_text(s, p, 0);

	mpt_sym_get_stats(s, st);
	mpt_sym_free(s);
	return t;
}

static int count_files(const char *dir)
{
	char cmd[8192], line[64] = "";
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' 2>/dev/null | wc -l", dir);
	f = popen(cmd, "r");
	assert_non_null(f);
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	pclose(f);
	return atoi(line);
}

/*
 * A warm cache answers exactly as the symbolizer without one, for C++ and
 * libc (through libc6-dbg) frames, and without decoding any DWARF unit.
 */
static void test_symbolize__cache_warm_equals_cold(void **state)
{
	const char *progs[] = { "sym_cxx_dw5", "sym_c_dw5" };
	struct prog *p = malloc(sizeof(*p));
	struct mpt_sym_stats st;
	char *plain, *cold, *warm;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		run_prog(progs[i], p);
		plain = run_sym(p, &st); /* cache_dir is "": no cache */
		assert_true(st.units_loaded > 0);
		cache_begin();
		cold = run_sym(p, &st);
		assert_int_equal(st.cache_file_hits, 0);
		assert_true(st.units_loaded > 0);
		/* the program, and libc for sym_c */
		assert_true(count_files(cache_dir) >= (int)i + 1);
		warm = run_sym(p, &st);
		assert_string_equal(cold, plain);
		assert_string_equal(warm, plain);
		assert_true(st.cache_file_hits > 0);
		assert_int_equal(st.units_loaded, 0);
		cache_end();
		free(plain);
		free(cold);
		free(warm);
	}
	free(p);
}

/* Damaged cache files are ignored and written anew. */
static void test_symbolize__cache_corrupt(void **state)
{
	struct prog *p = malloc(sizeof(*p));
	struct mpt_sym_stats st;
	char *plain, *t, cmd[16384];
	const char *damage[] = {
		/* cut in the middle */
		"for f in '%s'/*; do head -c $(($(wc -c <\"$f\") / 2)) \"$f\" >x && mv x \"$f\"; done",
		/* one byte changed in the middle */
		"for f in '%s'/*; do n=$(($(wc -c <\"$f\") / 2)); printf '\\377' | dd of=\"$f\" bs=1 seek=$n conv=notrunc status=none; done",
		/* garbage */
		"for f in '%s'/*; do head -c 5000 /dev/urandom >\"$f\"; done",
		/* empty */
		"for f in '%s'/*; do : >\"$f\"; done",
		/* a directory where a file should be */
		"for f in '%s'/*; do rm \"$f\" && mkdir \"$f\"; done",
	};
	size_t i;

	(void)state;
	run_prog("sym_c_dw5", p);
	plain = run_sym(p, &st);
	cache_begin();
	for (i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
		free(run_sym(p, &st)); /* (re)fill the cache */
		snprintf(cmd, sizeof(cmd), damage[i], cache_dir);
		assert_int_equal(system(cmd), 0);
		t = run_sym(p, &st);
		assert_string_equal(t, plain);
		free(t);
		if (i == sizeof(damage) / sizeof(damage[0]) - 1) {
			snprintf(cmd, sizeof(cmd), "rm -r '%s'/*", cache_dir);
			assert_int_equal(system(cmd), 0);
			free(run_sym(p, &st));
		}
		/* rewritten: the next run takes its answers from it */
		t = run_sym(p, &st);
		assert_string_equal(t, plain);
		assert_true(st.cache_file_hits > 0);
		assert_int_equal(st.units_loaded, 0);
		free(t);
	}
	cache_end();
	free(plain);
	free(p);
}

/* A cache directory that cannot be made changes nothing but speed. */
static void test_symbolize__cache_unwritable(void **state)
{
	struct prog *p = malloc(sizeof(*p));
	struct mpt_sym_stats st;
	char *plain, *t;
	FILE *f;

	(void)state;
	run_prog("sym_c_dw4", p);
	plain = run_sym(p, &st);
	cache_begin();
	/* a regular file where the cache directory's parent should be */
	f = fopen(cache_dir, "w");
	assert_non_null(f);
	fclose(f);
	strcat(cache_dir, "/sub");
	nwarn = 0;
	t = run_sym(p, &st);
	assert_string_equal(t, plain);
	free(t);
	t = run_sym(p, &st);
	assert_string_equal(t, plain);
	assert_int_equal(st.cache_file_hits, 0);
	assert_int_equal(nwarn, 0);
	free(t);
	*strrchr(cache_dir, '/') = '\0';
	cache_end();
	free(plain);
	free(p);
}

/*
 * The cache never answers for other files than its own: a debug file found
 * (or no longer found) by build-id, and a module replaced by a copy with the
 * same build-id but no symbol table, give what they give without a cache.
 */
static void test_symbolize__cache_key(void **state)
{
	struct mpt_frame fr[MAX_FR];
	char root[8192], lib[8192], cmd[16384];
	const char *dir[] = { root, NULL };
	uint64_t off;
	int i;

	(void)state;
	snprintf(root, sizeof(root), "%s/debugroot/", sym_dir);
	cache_begin();
	for (i = 0; i < 2; i++) {
		/* symbol table only, then DWARF lines from the debug file */
		assert_true(resolve_in_lib("libsymbid.so", NULL, fr, &off) < 0);
		assert_true(resolve_in_lib("libsymbid.so", dir, fr, &off) > 0);
	}
	assert_true(count_files(cache_dir) >= 1);
	/* a module with DWARF, replaced by a stripped copy (same build-id) */
	snprintf(lib, sizeof(lib), "%.*s/libsymx.so",
		 (int)(strrchr(cache_dir, '/') - cache_dir), cache_dir);
	snprintf(cmd, sizeof(cmd), "cp '%s/libsymbid.full' '%s'", sym_dir, lib);
	assert_int_equal(system(cmd), 0);
	assert_true(resolve_in_lib(lib, NULL, fr, &off) > 0);
	assert_true(resolve_in_lib(lib, NULL, fr, &off) > 0);
	snprintf(cmd, sizeof(cmd), "cp '%s/libsymbid.so' '%s'", sym_dir, lib);
	assert_int_equal(system(cmd), 0);
	assert_true(resolve_in_lib(lib, NULL, fr, &off) < 0);
	assert_true(fr[0].flags & MPT_FRAME_NO_DEBUG);
	cache_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_symbolize__c_dwarf4),
		cmocka_unit_test(test_symbolize__c_dwarf5),
		cmocka_unit_test(test_symbolize__compressed_sections),
		cmocka_unit_test(test_symbolize__cxx_dwarf4),
		cmocka_unit_test(test_symbolize__cxx_dwarf5),
		cmocka_unit_test(test_symbolize__libc_debug_file),
		cmocka_unit_test(test_symbolize__dynsym_only),
		cmocka_unit_test(test_symbolize__debuglink),
		cmocka_unit_test(test_symbolize__debuglink_bad_crc),
		cmocka_unit_test(test_symbolize__debug_dir_build_id),
		cmocka_unit_test(test_symbolize__missing_file),
		cmocka_unit_test(test_symbolize__build_id_mismatch),
		cmocka_unit_test(test_symbolize__batch),
		cmocka_unit_test(test_symbolize__process_maps),
		cmocka_unit_test(test_symbolize__no_symbols_and_format),
		cmocka_unit_test(test_symbolize__zlib_inflate),
		cmocka_unit_test(test_symbolize__memo_growth),
		cmocka_unit_test(test_symbolize__cache_warm_equals_cold),
		cmocka_unit_test(test_symbolize__cache_corrupt),
		cmocka_unit_test(test_symbolize__cache_unwritable),
		cmocka_unit_test(test_symbolize__cache_key),
	};

	if (!find_sym_dir())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
