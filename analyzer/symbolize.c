/* Symbolizer: process maps, ELF symbol tables, DWARF lines and inlines, debug
 * files. */
#include "symbolize.h"
#include "demangle.h"
#include "hash.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dwarf.h>
#include <gelf.h>
#include <libdwarf.h>
#include <libelf.h>

#define MAX_INLINE 64	  /* inline levels kept per address */
#define MAX_ORIGIN_HOPS 8 /* abstract_origin/specification chain */
#define NO_IDX UINT32_MAX
/*
 * Decoded compilation units kept per module.  Frames only point to interned
 * strings, so dropping units costs time, never correctness.
 */
#ifndef MAX_LOADED_UNITS
#define MAX_LOADED_UNITS 1024
#endif

/* ---- small helpers ---------------------------------------------------- */

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return p;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	np = realloc(p, ncap * elem);
	if (!np)
		return NULL;
	*cap = ncap;
	return np;
}

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/*
 * Interned strings: every name and path handed out lives here until the
 * symbolizer is freed, so frames can be cached and evicted freely while
 * callers keep the strings.
 */
struct strchunk {
	struct strchunk *next;
	size_t used, size;
	char data[];
};

struct strpool {
	const char **slot;
	size_t nslot, n;
	struct strchunk *chunk;
};

static char *pool_alloc(struct strpool *p, size_t len)
{
	struct strchunk *c = p->chunk;
	char *r;

	if (!c || c->size - c->used < len) {
		size_t sz = len > 65536 ? len : 65536;

		c = malloc(sizeof(*c) + sz);
		if (!c)
			return NULL;
		c->size = sz;
		c->used = 0;
		c->next = p->chunk;
		p->chunk = c;
	}
	r = c->data + c->used;
	c->used += len;
	return r;
}

static const char *intern_n(struct strpool *p, const char *s, size_t len)
{
	uint64_t h;
	size_t i;
	char *copy;

	if (!s)
		return NULL;
	if (p->n * 2 >= p->nslot) {
		size_t nn = p->nslot ? p->nslot * 2 : 1024;
		const char **ns = calloc(nn, sizeof(*ns));

		if (!ns)
			return NULL;
		for (i = 0; i < p->nslot; i++) {
			const char *o = p->slot[i];
			size_t j;

			if (!o)
				continue;
			j = mpt_hash_bytes(o, strlen(o)) & (nn - 1);
			while (ns[j])
				j = (j + 1) & (nn - 1);
			ns[j] = o;
		}
		free(p->slot);
		p->slot = ns;
		p->nslot = nn;
	}
	h = mpt_hash_bytes(s, len);
	for (i = h & (p->nslot - 1); p->slot[i]; i = (i + 1) & (p->nslot - 1))
		if (!strncmp(p->slot[i], s, len) && p->slot[i][len] == '\0')
			return p->slot[i];
	copy = pool_alloc(p, len + 1);
	if (!copy)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	p->slot[i] = copy;
	p->n++;
	return copy;
}

static const char *intern(struct strpool *p, const char *s)
{
	return s ? intern_n(p, s, strlen(s)) : NULL;
}

static void pool_release(struct strpool *p)
{
	struct strchunk *c, *n;

	for (c = p->chunk; c; c = n) {
		n = c->next;
		free(c);
	}
	free(p->slot);
	memset(p, 0, sizeof(*p));
}

/* ---- data structures -------------------------------------------------- */

struct addr_range {
	uint64_t lo, hi;
	uint32_t idx;
};

/* The frames of one image-relative address in the persistent cache. */
struct pc_ent {
	uint64_t v;
	uint32_t first, n; /* into image->pc_fr */
};

struct line_row {
	uint64_t addr;
	uint32_t line, column;
	uint32_t file; /* index into unit->file, NO_IDX: unknown */
	uint32_t end;  /* end_sequence: no line from here on */
	uint32_t order;
};

/*
 * A function or inlined-function node, in DFS preorder: the subtree of node
 * i is i + 1 .. end - 1.
 */
struct func_node {
	uint32_t end;
	uint32_t range0, nrange;
	uint8_t inlined;
	uint8_t linkage; /* name from a linkage name */
	const char *name;
	const char *call_file;
	uint32_t call_line, call_column;
};

struct unit {
	Dwarf_Off die_off;
	int state; /* 0 not loaded, 1 loaded, -1 failed */
	struct line_row *line;
	size_t nline;
	const char **file;
	size_t nfile;
	uint16_t version;
	uint8_t mangled; /* a language with mangled names (C++, D, Rust...) */
	struct func_node *node;
	size_t nnode;
	struct addr_range *node_range; /* idx unused */
	size_t nnode_range;
	struct addr_range *root; /* idx: node */
	size_t nroot;
};

struct elf_sym {
	uint64_t value, size;
	uint64_t sec_lo, sec_hi; /* the symbol's section */
	const char *raw;	 /* in the ELF's mmap */
	const char *name;	 /* demangled and interned, on first use */
	uint32_t order;
	uint8_t type;
};

enum image_state {
	IM_NEW = 0,
	IM_OK,
	IM_MISSING,
	IM_MISMATCH,
};

struct name_memo {
	Dwarf_Off off;
	const char *name;
	int linkage;
};

struct image {
	struct image *next;
	char *path;
	uint8_t *build_id;
	size_t build_id_len;
	enum image_state state;

	int fd, dfd;	 /* the module file and its debug file (or -1) */
	Elf *elf, *delf; /* same */
	Dwarf_Debug dbg;
	int dwarf_tried;
	struct dwobj *obj; /* what libdwarf reads dbg through */
	Dwarf_Obj_Access_Interface obj_if;

	struct unit *unit;
	size_t nunit, nloaded;
	struct addr_range *unit_range; /* idx: unit */
	size_t nunit_range;

	struct elf_sym *sym;
	size_t nsym;

	struct name_memo *memo; /* open addressing, by DIE offset */
	size_t nmemo, memo_used;

	char *dpath;	 /* the debug file opened, or NULL */
	int syms_loaded; /* the symbol table is read on first use */

	/* the persistent cache (see "the persistent cache" below) */
	int pc_state; /* 0 not tried yet, 1 in use, -1 off */
	char *pc_file;
	unsigned char *pc_key;
	size_t pc_key_len;
	struct pc_ent *pc_ent; /* [0, pc_nold) read and sorted; then new */
	size_t pc_nent, pc_nold, pc_capent;
	struct mpt_frame *pc_fr;
	size_t pc_nfr, pc_capfr;
};

/*
 * libdeflate, when the system has it: it inflates the zlib-compressed
 * sections of debug files (libc6-dbg's) about 2.5 times as fast as zlib.
 * It is looked up at run time so that nothing is needed to build.
 */
typedef void *(*inflater_new_fn)(void);
typedef int (*inflater_run_fn)(void *d, const void *in, size_t in_len,
			       void *out, size_t out_len, size_t *got);
typedef void (*inflater_free_fn)(void *d);

struct inflater {
	int tried;
	void *dl, *d;
	inflater_run_fn run;
	inflater_free_fn free;
};

struct map {
	uint64_t module_id;
	uint64_t base;
	struct mpt_segment *seg;
	uint32_t nseg;
	uint64_t t_load, t_unload;
	struct image *im;
};

struct proc {
	struct proc *next;
	uint32_t pid;
	struct map *map;
	size_t nmap, cap;
};

struct cache_ent {
	struct image *im; /* NULL: empty slot */
	uint64_t v;
	struct mpt_frame *frame;
	int n;
};

#define NPROC_BUCKET 256

struct mpt_symbolizer {
	char **debug_dir;
	size_t ndebug_dir;
	int no_symbols;
	mpt_sym_warn_fn *warn;
	void *warn_ctx;

	struct strpool str;
	struct image *image;
	struct proc *proc[NPROC_BUCKET];

	struct cache_ent *cache;
	size_t ncache, cache_used, cache_max;
	char *cache_dir; /* the persistent cache, or NULL */
	struct inflater inflate;

	struct mpt_sym_stats stats;
};

/* ---- warnings --------------------------------------------------------- */

static void warnf(struct mpt_symbolizer *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warnf(struct mpt_symbolizer *s, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!s->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->warn(s->warn_ctx, buf);
}

/* ---- demangling ------------------------------------------------------- */

/*
 * Demangle like addr2line -C: only "_Z" names (so a C function called "i" is
 * not turned into "int"); anything that does not demangle stays as is.
 */
static const char *demangle_intern(struct strpool *p, const char *name)
{
	const char *r;
	char *d;

	if (!name)
		return NULL;
	d = mpt_demangle(name);
	if (!d)
		return intern(p, name);
	r = intern(p, d);
	free(d);
	return r;
}

/* ---- ELF: build-id, debug files, symbols ------------------------------ */

static int elf_build_id(Elf *elf, uint8_t *out, size_t max, size_t *len)
{
	Elf_Scn *scn = NULL;
	size_t i, nph;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		GElf_Nhdr nh;
		size_t off = 0, noff, doff;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		while ((off = gelf_getnote(d, off, &nh, &noff, &doff)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)d->d_buf + noff, "GNU", 4)) {
				*len = nh.n_descsz < max ? nh.n_descsz : max;
				memcpy(out, (char *)d->d_buf + doff, *len);
				return 1;
			}
		}
	}
	if (elf_getphdrnum(elf, &nph))
		return 0;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;
		Elf_Data *d;
		GElf_Nhdr nh;
		size_t off = 0, noff, doff;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_NOTE)
			continue;
		d = elf_getdata_rawchunk(elf, ph.p_offset, ph.p_filesz,
					 ELF_T_NHDR);
		if (!d)
			continue;
		while ((off = gelf_getnote(d, off, &nh, &noff, &doff)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)d->d_buf + noff, "GNU", 4)) {
				*len = nh.n_descsz < max ? nh.n_descsz : max;
				memcpy(out, (char *)d->d_buf + doff, *len);
				return 1;
			}
		}
	}
	return 0;
}

static Elf_Scn *find_section(Elf *elf, const char *name, GElf_Shdr *out)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (!gelf_getshdr(scn, &sh))
			continue;
		n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (n && !strcmp(n, name)) {
			if (out)
				*out = sh;
			return scn;
		}
	}
	return NULL;
}

static int has_dwarf(Elf *elf)
{
	GElf_Shdr sh;

	return find_section(elf, ".debug_info", &sh) &&
	       sh.sh_type != SHT_NOBITS && sh.sh_size > 0;
}

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	static uint32_t table[256];
	static int ready;
	size_t i;

	if (!ready) {
		for (i = 0; i < 256; i++) {
			uint32_t c = i;
			int k;

			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
		ready = 1;
	}
	crc = ~crc;
	for (i = 0; i < n; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static int file_crc32(int fd, uint32_t *out)
{
	unsigned char buf[65536];
	uint32_t crc = 0;
	ssize_t r;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		crc = crc32_update(crc, buf, r);
	if (r < 0)
		return -1;
	*out = crc;
	return 0;
}

/* Open `path` as an ELF file: 0 and *fd, *elf set, or -1 with errno. */
static int open_elf(const char *path, int *fd, Elf **elf)
{
	int f = open(path, O_RDONLY | O_CLOEXEC);
	Elf *e;

	if (f < 0)
		return -1;
	e = elf_begin(f, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		if (e)
			elf_end(e);
		close(f);
		errno = ENOEXEC;
		return -1;
	}
	*fd = f;
	*elf = e;
	return 0;
}

static void close_elf(int *fd, Elf **elf)
{
	if (*elf)
		elf_end(*elf);
	if (*fd >= 0)
		close(*fd);
	*elf = NULL;
	*fd = -1;
}

static int path_fmt(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* snprintf that tells whether the whole path fitted */
static int path_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < size;
}

/* Look for <dir>/.build-id/xx/rest.debug whose own build-id matches. */
static int open_by_build_id(struct mpt_symbolizer *s, const uint8_t *id,
			    size_t len, int *fd, Elf **elf, char **found)
{
	char path[PATH_MAX];
	size_t d, i;

	if (len < 2)
		return -1;
	for (d = 0; d < s->ndebug_dir; d++) {
		int n = snprintf(path, sizeof(path), "%s/.build-id/%02x/",
				 s->debug_dir[d], id[0]);
		uint8_t got[64];
		size_t glen = 0;

		for (i = 1; i < len && n + 3 < (int)sizeof(path); i++)
			n += snprintf(path + n, sizeof(path) - n, "%02x",
				      id[i]);
		snprintf(path + n, sizeof(path) - n, ".debug");
		if (open_elf(path, fd, elf))
			continue;
		if (elf_build_id(*elf, got, sizeof(got), &glen) &&
		    glen == len && !memcmp(got, id, len)) {
			*found = strdup(path); /* NULL: no caching, only */
			return 0;
		}
		close_elf(fd, elf);
	}
	return -1;
}

/*
 * .gnu_debuglink: the name next to the module, in its .debug/ subdirectory,
 * and under each debug directory, accepted only with the recorded CRC32.
 */
static int open_by_debuglink(struct mpt_symbolizer *s, const char *modpath,
			     Elf *elf, int *fd, Elf **delf, char **found)
{
	Elf_Scn *scn = find_section(elf, ".gnu_debuglink", NULL);
	Elf_Data *data;
	const char *name;
	size_t nlen, off, d;
	uint32_t want;
	char dir[PATH_MAX], path[PATH_MAX];
	const char *slash;
	char real[PATH_MAX];

	if (!scn || !(data = elf_getdata(scn, NULL)) || data->d_size < 8)
		return -1;
	name = data->d_buf;
	nlen = strnlen(name, data->d_size);
	off = (nlen + 4) & ~(size_t)3;
	if (nlen == 0 || off + 4 > data->d_size)
		return -1;
	memcpy(&want, (char *)data->d_buf + off, 4);
	if (realpath(modpath, real))
		modpath = real;
	slash = strrchr(modpath, '/');
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - modpath),
			 modpath);
	else
		snprintf(dir, sizeof(dir), ".");
	for (d = 0; d < s->ndebug_dir + 2; d++) {
		uint32_t crc;

		int ok;

		if (d == 0)
			ok = path_fmt(path, sizeof(path), "%s/%s", dir, name);
		else if (d == 1)
			ok = path_fmt(path, sizeof(path), "%s/.debug/%s", dir,
				      name);
		else
			ok = path_fmt(path, sizeof(path), "%s%s/%s",
				      s->debug_dir[d - 2], dir, name);
		if (!ok || !strcmp(path, modpath))
			continue;
		if (open_elf(path, fd, delf))
			continue;
		if (!file_crc32(*fd, &crc) && crc == want) {
			*found = strdup(path);
			return 0;
		}
		close_elf(fd, delf);
	}
	return -1;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct elf_sym *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Read one symbol table.  Only what addr2line would consider a function
 * start: no objects, TLS, sections or files, nothing undefined.
 */
static int load_symtab(struct image *im, Elf *elf, Elf_Scn *scn)
{
	GElf_Shdr sh;
	Elf_Data *data;
	size_t i, n, cap = im->nsym;

	if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize ||
	    !(data = elf_getdata(scn, NULL)))
		return 0;
	n = sh.sh_size / sh.sh_entsize;
	for (i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Shdr ssh;
		Elf_Scn *sscn;
		int type;
		const char *name;
		struct elf_sym *es;

		if (!gelf_getsym(data, i, &sym))
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC &&
		    type != STT_NOTYPE)
			continue;
		if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE)
			continue;
		/* annobin markers, as binutils skips them */
		if (type == STT_NOTYPE && sym.st_size == 0 &&
		    GELF_ST_BIND(sym.st_info) == STB_LOCAL &&
		    GELF_ST_VISIBILITY(sym.st_other) == STV_HIDDEN)
			continue;
		sscn = elf_getscn(elf, sym.st_shndx);
		if (!sscn || !gelf_getshdr(sscn, &ssh) ||
		    !(ssh.sh_flags & SHF_ALLOC))
			continue;
		name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		im->sym = grow(im->sym, &cap, im->nsym + 1, sizeof(*im->sym));
		if (!im->sym)
			return MPT_E_NOMEM;
		es = &im->sym[im->nsym];
		es->value = sym.st_value;
		es->size = sym.st_size;
		es->sec_lo = ssh.sh_addr;
		es->sec_hi = ssh.sh_addr + ssh.sh_size;
		es->raw = name;
		es->name = NULL;
		es->type = type;
		es->order = im->nsym++;
	}
	return 0;
}

/*
 * As addr2line: the table of the file holding the DWARF (a debug file keeps
 * .symtab), else the module's .symtab, else its .dynsym.
 */
static int load_symbols(struct image *im)
{
	Elf *cand[2] = { im->delf, im->elf };
	int i, r;

	for (i = 0; i < 2; i++) {
		GElf_Shdr sh;
		Elf_Scn *scn;

		if (!cand[i])
			continue;
		scn = find_section(cand[i], ".symtab", &sh);
		if (scn && sh.sh_type == SHT_SYMTAB) {
			r = load_symtab(im, cand[i], scn);
			if (r)
				return r;
			if (im->nsym)
				break;
		}
	}
	if (!im->nsym && im->elf) {
		GElf_Shdr sh;
		Elf_Scn *scn = find_section(im->elf, ".dynsym", &sh);

		if (scn && sh.sh_type == SHT_DYNSYM) {
			r = load_symtab(im, im->elf, scn);
			if (r)
				return r;
		}
	}
	if (im->nsym)
		qsort(im->sym, im->nsym, sizeof(*im->sym), sym_cmp);
	return 0;
}

/* Is candidate b a better function for v than a (binutils' rules)? */
static int sym_better(const struct elf_sym *a, const struct elf_sym *b,
		      uint64_t v)
{
	uint64_t asz = a->size ? a->size : 1, bsz = b->size ? b->size : 1;
	int acov = v < a->value + asz, bcov = v < b->value + bsz;
	int afn = a->type != STT_NOTYPE, bfn = b->type != STT_NOTYPE;

	if (!acov)
		return bsz > asz;
	if (!bcov)
		return 0;
	if (afn != bfn)
		return bfn;
	return bsz < asz;
}

static struct elf_sym *sym_lookup(struct image *im, uint64_t v)
{
	size_t lo, hi;
	struct elf_sym *best = NULL;
	ssize_t i;

	if (!im->syms_loaded) {
		im->syms_loaded = 1;
		if (load_symbols(im) < 0)
			im->nsym = 0;
	}
	lo = 0;
	hi = im->nsym;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (im->sym[mid].value <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* the closest start in the section holding v, ties by table order */
	for (i = (ssize_t)lo - 1; i >= 0; i--) {
		struct elf_sym *e = &im->sym[i];

		if (v < e->sec_lo || v >= e->sec_hi)
			continue;
		if (best && e->value != best->value)
			break;
		if (!best || sym_better(best, e, v) ||
		    (e->order < best->order && !sym_better(e, best, v)))
			best = e;
	}
	return best;
}

/* ---- DWARF ------------------------------------------------------------ */

#define DWERR(im, e)                                         \
	do {                                                 \
		if (e) {                                     \
			dwarf_dealloc_error((im)->dbg, (e)); \
			(e) = NULL;                          \
		}                                            \
	} while (0)

static int range_cmp(const void *a, const void *b)
{
	const struct addr_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

struct rangebuf {
	struct addr_range *r;
	size_t n, cap;
};

static int push_range(struct rangebuf *b, uint64_t lo, uint64_t hi,
		      uint32_t idx)
{
	if (hi <= lo || lo == 0)
		return 0; /* empty, or a discarded (garbage-collected) body */
	b->r = grow(b->r, &b->cap, b->n + 1, sizeof(*b->r));
	if (!b->r)
		return MPT_E_NOMEM;
	b->r[b->n].lo = lo;
	b->r[b->n].hi = hi;
	b->r[b->n].idx = idx;
	b->n++;
	return 0;
}

/*
 * Append the address ranges of `die` (low/high pc, or DW_AT_ranges in
 * .debug_ranges or DWARF 5 .debug_rnglists) to `b`.  `cu_base` is the
 * unit's base address for DWARF 4 range lists.  Returns how many were added
 * or MPT_E_NOMEM.
 */
static int die_ranges(struct image *im, Dwarf_Die die, uint64_t cu_base,
		      uint16_t version, struct rangebuf *b, uint32_t idx)
{
	Dwarf_Error err = NULL;
	Dwarf_Addr lo = 0, hi = 0;
	Dwarf_Half form = 0;
	enum Dwarf_Form_Class cls;
	Dwarf_Attribute attr = NULL;
	size_t before = b->n;
	int r;

	if (dwarf_lowpc(die, &lo, &err) == DW_DLV_OK) {
		if (dwarf_highpc_b(die, &hi, &form, &cls, &err) == DW_DLV_OK) {
			if (cls == DW_FORM_CLASS_CONSTANT)
				hi += lo;
			r = push_range(b, lo, hi, idx);
			return r ? r : (int)(b->n - before);
		}
		DWERR(im, err);
		/* a lone low_pc (an entry point) covers nothing */
	} else {
		DWERR(im, err);
	}
	if (dwarf_attr(die, DW_AT_ranges, &attr, &err) != DW_DLV_OK) {
		DWERR(im, err);
		return 0;
	}
	if (dwarf_whatform(attr, &form, &err) != DW_DLV_OK) {
		DWERR(im, err);
		dwarf_dealloc_attribute(attr);
		return 0;
	}
	if (version >= 5 || form == DW_FORM_rnglistx) {
		Dwarf_Unsigned val = 0, cnt = 0, goff = 0, i;
		Dwarf_Rnglists_Head head = NULL;

		if (form == DW_FORM_rnglistx)
			r = dwarf_formudata(attr, &val, &err);
		else
			r = dwarf_global_formref(attr, &val, &err);
		if (r != DW_DLV_OK ||
		    dwarf_rnglists_get_rle_head(attr, form, val, &head, &cnt,
						&goff, &err) != DW_DLV_OK) {
			DWERR(im, err);
			dwarf_dealloc_attribute(attr);
			return 0;
		}
		for (i = 0; i < cnt; i++) {
			unsigned elen = 0, code = 0;
			Dwarf_Unsigned r1, r2, c1 = 0, c2 = 0;
			Dwarf_Bool unavail = 0;

			if (dwarf_get_rnglists_entry_fields_a(
				    head, i, &elen, &code, &r1, &r2, &unavail,
				    &c1, &c2, &err) != DW_DLV_OK) {
				DWERR(im, err);
				break;
			}
			if (unavail)
				continue;
			switch (code) {
			case DW_RLE_offset_pair:
			case DW_RLE_start_end:
			case DW_RLE_start_length:
			case DW_RLE_startx_endx:
			case DW_RLE_startx_length:
				if (push_range(b, c1, c2, idx)) {
					dwarf_dealloc_rnglists_head(head);
					dwarf_dealloc_attribute(attr);
					return MPT_E_NOMEM;
				}
				break;
			default:
				break;
			}
		}
		dwarf_dealloc_rnglists_head(head);
	} else {
		Dwarf_Unsigned off = 0;
		Dwarf_Off real = 0;
		Dwarf_Ranges *rng = NULL;
		Dwarf_Signed cnt = 0, i;
		Dwarf_Unsigned bytes = 0;
		uint64_t base = cu_base;

		if (dwarf_global_formref(attr, &off, &err) != DW_DLV_OK) {
			DWERR(im, err);
			if (dwarf_formudata(attr, &off, &err) != DW_DLV_OK) {
				DWERR(im, err);
				dwarf_dealloc_attribute(attr);
				return 0;
			}
		}
		if (dwarf_get_ranges_b(im->dbg, off, die, &real, &rng, &cnt,
				       &bytes, &err) != DW_DLV_OK) {
			DWERR(im, err);
			dwarf_dealloc_attribute(attr);
			return 0;
		}
		for (i = 0; i < cnt; i++) {
			if (rng[i].dwr_type == DW_RANGES_END)
				break;
			if (rng[i].dwr_type == DW_RANGES_ADDRESS_SELECTION) {
				base = rng[i].dwr_addr2;
				continue;
			}
			if (push_range(b, base + rng[i].dwr_addr1,
				       base + rng[i].dwr_addr2, idx)) {
				dwarf_ranges_dealloc(im->dbg, rng, cnt);
				dwarf_dealloc_attribute(attr);
				return MPT_E_NOMEM;
			}
		}
		dwarf_ranges_dealloc(im->dbg, rng, cnt);
	}
	dwarf_dealloc_attribute(attr);
	return (int)(b->n - before);
}

/* Enumerate the compilation units and their address ranges. */
static int load_units(struct image *im)
{
	Dwarf_Error err = NULL;
	struct rangebuf rb = { 0 };
	size_t cap = 0;

	for (;;) {
		Dwarf_Unsigned len, toff, next;
		Dwarf_Half ver, asz, lsz, esz, cutype;
		Dwarf_Off abbr, off;
		Dwarf_Sig8 sig;
		Dwarf_Die die = NULL;
		Dwarf_Addr base = 0;
		int r;

		r = dwarf_next_cu_header_d(im->dbg, 1, &len, &ver, &abbr, &asz,
					   &lsz, &esz, &sig, &toff, &next,
					   &cutype, &err);
		if (r != DW_DLV_OK) {
			DWERR(im, err);
			break;
		}
		if (dwarf_siblingof_b(im->dbg, NULL, 1, &die, &err) !=
		    DW_DLV_OK) {
			DWERR(im, err);
			continue;
		}
		if (dwarf_dieoffset(die, &off, &err) != DW_DLV_OK) {
			DWERR(im, err);
			dwarf_dealloc_die(die);
			continue;
		}
		im->unit =
			grow(im->unit, &cap, im->nunit + 1, sizeof(*im->unit));
		if (!im->unit) {
			dwarf_dealloc_die(die);
			free(rb.r);
			return MPT_E_NOMEM;
		}
		memset(&im->unit[im->nunit], 0, sizeof(*im->unit));
		im->unit[im->nunit].die_off = off;
		im->unit[im->nunit].version = ver;
		if (dwarf_lowpc(die, &base, &err) != DW_DLV_OK) {
			DWERR(im, err);
			base = 0;
		}
		if (die_ranges(im, die, base, ver, &rb, im->nunit) < 0) {
			dwarf_dealloc_die(die);
			free(rb.r);
			return MPT_E_NOMEM;
		}
		im->nunit++;
		dwarf_dealloc_die(die);
	}
	if (rb.n)
		qsort(rb.r, rb.n, sizeof(*rb.r), range_cmp);
	im->unit_range = rb.r;
	im->nunit_range = rb.n;
	return 0;
}

/*
 * libdwarf reads the debug sections through libelf (dwarf_object_init_b)
 * rather than through its own reader: sections stored as they are are
 * used in place in libelf's mapping of the file instead of being read into
 * copies, and compressed ones are inflated once, by libdeflate when there
 * is one.  libdwarf sees the same bytes either way.
 */
struct dwobj {
	struct mpt_symbolizer *s;
	Elf *elf;
	size_t shstrndx, nsec;
	int is64, msb;
	void **own; /* inflated sections, by index (ours to free) */
};

static void inflater_load(struct inflater *in)
{
	inflater_new_fn make;

	in->tried = 1;
	in->dl = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!in->dl)
		return;
	make = (inflater_new_fn)dlsym(in->dl, "libdeflate_alloc_decompressor");
	in->run = (inflater_run_fn)dlsym(in->dl, "libdeflate_zlib_decompress");
	in->free =
		(inflater_free_fn)dlsym(in->dl, "libdeflate_free_decompressor");
	if (make && in->run && in->free)
		in->d = make();
	if (!in->d) {
		dlclose(in->dl);
		memset(in, 0, sizeof(*in));
		in->tried = 1;
	}
}

static void inflater_release(struct inflater *in)
{
	if (in->d)
		in->free(in->d);
	if (in->dl)
		dlclose(in->dl);
	memset(in, 0, sizeof(*in));
}

static int obj_section_info(void *o, Dwarf_Half i,
			    Dwarf_Obj_Access_Section *ret, int *error)
{
	struct dwobj *ob = o;
	Elf_Scn *scn = elf_getscn(ob->elf, i);
	GElf_Shdr sh;
	GElf_Chdr ch;
	const char *name;

	(void)error;
	if (!scn || !gelf_getshdr(scn, &sh))
		return DW_DLV_NO_ENTRY;
	name = elf_strptr(ob->elf, ob->shstrndx, sh.sh_name);
	/*
	 * Location lists are never asked for here, but libdwarf would load
	 * (and inflate) them with the first unit: it does not see them.
	 */
	if (name &&
	    (!strcmp(name, ".debug_loclists") || !strcmp(name, ".debug_loc") ||
	     !strcmp(name, ".zdebug_loclists") || !strcmp(name, ".zdebug_loc")))
		name = ".mpt_unused";
	memset(ret, 0, sizeof(*ret));
	ret->addr = sh.sh_addr;
	ret->type = sh.sh_type;
	ret->size = sh.sh_size;
	ret->name = name ? name : "";
	ret->link = sh.sh_link;
	ret->info = sh.sh_info;
	ret->entrysize = sh.sh_entsize;
	/* libdwarf is handed a compressed section inflated */
	if (sh.sh_flags & SHF_COMPRESSED)
		ret->size = gelf_getchdr(scn, &ch) ? ch.ch_size : 0;
	return DW_DLV_OK;
}

static Dwarf_Endianness obj_byte_order(void *o)
{
	return ((struct dwobj *)o)->msb ? DW_OBJECT_MSB : DW_OBJECT_LSB;
}

/* As libdwarf's own ELF reader: the size of the ELF class. */
static Dwarf_Small obj_length_size(void *o)
{
	return ((struct dwobj *)o)->is64 ? 8 : 4;
}

static Dwarf_Unsigned obj_section_count(void *o)
{
	return ((struct dwobj *)o)->nsec;
}

static int obj_load_section(void *o, Dwarf_Half i, Dwarf_Small **data,
			    int *error)
{
	struct dwobj *ob = o;
	struct inflater *in = &ob->s->inflate;
	Elf_Scn *scn = elf_getscn(ob->elf, i);
	GElf_Shdr sh;
	GElf_Chdr ch;
	Elf_Data *d;
	size_t hdr, got = 0;
	void *out;

	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
		return DW_DLV_NO_ENTRY;
	if (ob->own[i]) {
		*data = ob->own[i];
		return DW_DLV_OK;
	}
	if (sh.sh_flags & SHF_COMPRESSED) {
		if (!in->tried)
			inflater_load(in);
		hdr = ob->is64 ? sizeof(Elf64_Chdr) : sizeof(Elf32_Chdr);
		if (in->d && gelf_getchdr(scn, &ch) &&
		    ch.ch_type == ELFCOMPRESS_ZLIB &&
		    (d = elf_rawdata(scn, NULL)) && d->d_size >= hdr &&
		    (out = malloc(ch.ch_size ? ch.ch_size : 1))) {
			if (!in->run(in->d, (char *)d->d_buf + hdr,
				     d->d_size - hdr, out, ch.ch_size, &got) &&
			    got == ch.ch_size) {
				ob->own[i] = out;
				*data = out;
				return DW_DLV_OK;
			}
			free(out);
		}
		/* libelf inflates it (zlib), and keeps it until elf_end */
		if (elf_compress(scn, 0, 0) < 0 ||
		    !(d = elf_getdata(scn, NULL))) {
			*error = DW_DLE_ZLIB_UNCOMPRESS_ERROR;
			return DW_DLV_ERROR;
		}
	} else if (!(d = elf_rawdata(scn, NULL))) {
		*error = DW_DLE_SECTION_SIZE_ERROR;
		return DW_DLV_ERROR;
	}
	/* libdwarf reads as far as obj_section_info() said */
	if (!gelf_getshdr(scn, &sh) || d->d_size < sh.sh_size) {
		*error = DW_DLE_SECTION_SIZE_ERROR;
		return DW_DLV_ERROR;
	}
	*data = d->d_buf;
	return DW_DLV_OK;
}

static const Dwarf_Obj_Access_Methods obj_methods = {
	obj_section_info,
	obj_byte_order,
	obj_length_size,
	obj_length_size,
	obj_section_count,
	obj_load_section,
	NULL,
};

static void dwobj_free(struct dwobj *ob)
{
	size_t i;

	if (!ob)
		return;
	for (i = 0; ob->own && i < ob->nsec; i++)
		free(ob->own[i]);
	free(ob->own);
	free(ob);
}

static int open_dwarf(struct mpt_symbolizer *s, struct image *im)
{
	Dwarf_Error err = NULL;
	Elf *elf = im->dfd >= 0 ? im->delf : im->elf;
	GElf_Shdr sh;
	int fd = im->dfd >= 0 ? im->dfd : im->fd;
	struct dwobj *ob;
	const char *ident;
	int r;

	im->dwarf_tried = 1;
	/*
	 * Without compilation units there is nothing to look up: a module
	 * with a symbol table only is not handed to libdwarf at all.
	 */
	if (fd < 0 || !elf ||
	    (!has_dwarf(elf) && !(find_section(elf, ".zdebug_info", &sh) &&
				  sh.sh_type != SHT_NOBITS && sh.sh_size > 0)))
		return 0;
	ob = calloc(1, sizeof(*ob));
	if (!ob)
		return MPT_E_NOMEM;
	ob->s = s;
	ob->elf = elf;
	if (elf_getshdrstrndx(elf, &ob->shstrndx) ||
	    elf_getshdrnum(elf, &ob->nsec) ||
	    !(ident = elf_getident(elf, NULL))) {
		dwobj_free(ob);
		return 0;
	}
	ob->is64 = ident[EI_CLASS] == ELFCLASS64;
	ob->msb = ident[EI_DATA] == ELFDATA2MSB;
	ob->own = calloc(ob->nsec ? ob->nsec : 1, sizeof(*ob->own));
	im->obj_if.object = ob;
	im->obj_if.methods = &obj_methods;
	if (!ob->own) {
		dwobj_free(ob);
		return MPT_E_NOMEM;
	}
	/*
	 * Every libdwarf object this file gets it also deallocates, so
	 * libdwarf need not keep its own record of them (a search tree
	 * updated on every allocation, a third of the cost of a unit).
	 */
	dwarf_set_de_alloc_flag(0);
	r = dwarf_object_init_b(&im->obj_if, NULL, NULL, DW_GROUPNUMBER_ANY,
				&im->dbg, &err);
	if (r != DW_DLV_OK) {
		if (err)
			dwarf_dealloc_error(NULL, err);
		im->dbg = NULL;
		dwobj_free(ob);
		return 0;
	}
	im->obj = ob;
	return load_units(im);
}

static const char *memo_get(struct image *im, Dwarf_Off off, int *linkage,
			    int *found)
{
	size_t i;

	*found = 0;
	if (!im->nmemo)
		return NULL;
	for (i = hash64(off) & (im->nmemo - 1); im->memo[i].off;
	     i = (i + 1) & (im->nmemo - 1)) {
		if (im->memo[i].off == off) {
			*found = 1;
			*linkage = im->memo[i].linkage;
			return im->memo[i].name;
		}
	}
	return NULL;
}

static void memo_put(struct image *im, Dwarf_Off off, const char *name,
		     int linkage)
{
	size_t i;

	if (off == 0)
		return;
	if (im->memo_used * 2 >= im->nmemo) {
		size_t nn = im->nmemo ? im->nmemo * 2 : 256;
		struct name_memo *nm = calloc(nn, sizeof(*nm));

		if (!nm)
			return; /* only a memo: carry on without it */
		for (i = 0; i < im->nmemo; i++) {
			size_t j;

			if (!im->memo[i].off)
				continue;
			j = hash64(im->memo[i].off) & (nn - 1);
			while (nm[j].off)
				j = (j + 1) & (nn - 1);
			nm[j] = im->memo[i];
		}
		free(im->memo);
		im->memo = nm;
		im->nmemo = nn;
	}
	for (i = hash64(off) & (im->nmemo - 1); im->memo[i].off;
	     i = (i + 1) & (im->nmemo - 1))
		if (im->memo[i].off == off)
			return;
	im->memo[i].off = off;
	im->memo[i].name = name;
	im->memo[i].linkage = linkage;
	im->memo_used++;
}

static char *die_string(struct image *im, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Error err = NULL;
	Dwarf_Attribute attr = NULL;
	char *str = NULL;

	if (dwarf_attr(die, at, &attr, &err) != DW_DLV_OK) {
		DWERR(im, err);
		return NULL;
	}
	if (dwarf_formstring(attr, &str, &err) != DW_DLV_OK) {
		DWERR(im, err);
		str = NULL;
	}
	dwarf_dealloc_attribute(attr);
	return str;
}

static int die_ref(struct image *im, Dwarf_Die die, Dwarf_Half at,
		   Dwarf_Off *off)
{
	Dwarf_Error err = NULL;
	Dwarf_Attribute attr = NULL;
	int ok;

	if (dwarf_attr(die, at, &attr, &err) != DW_DLV_OK) {
		DWERR(im, err);
		return 0;
	}
	ok = dwarf_global_formref(attr, off, &err) == DW_DLV_OK;
	DWERR(im, err);
	dwarf_dealloc_attribute(attr);
	return ok;
}

static uint32_t die_udata(struct image *im, Dwarf_Die die, Dwarf_Half at,
			  int *has)
{
	Dwarf_Error err = NULL;
	Dwarf_Attribute attr = NULL;
	Dwarf_Unsigned v = 0;

	*has = 0;
	if (dwarf_attr(die, at, &attr, &err) != DW_DLV_OK) {
		DWERR(im, err);
		return 0;
	}
	if (dwarf_formudata(attr, &v, &err) == DW_DLV_OK) {
		*has = 1;
	} else {
		/* DWARF 5 DW_FORM_implicit_const is a signed constant */
		Dwarf_Signed sv = 0;

		DWERR(im, err);
		if (dwarf_formsdata(attr, &sv, &err) == DW_DLV_OK && sv >= 0) {
			*has = 1;
			v = sv;
		}
	}
	DWERR(im, err);
	dwarf_dealloc_attribute(attr);
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/*
 * A function's name as addr2line -C prints it: the demangled linkage name
 * wherever it is found along DW_AT_abstract_origin/DW_AT_specification, else
 * the first DW_AT_name.  *linkage tells which.
 */
static const char *func_name(struct mpt_symbolizer *s, struct image *im,
			     Dwarf_Die die, int hops, int *linkage)
{
	Dwarf_Error err = NULL;
	Dwarf_Off self = 0, ref = 0;
	const char *name = NULL, *rname;
	char *str;
	int found, rlink = 0;
	Dwarf_Half ats[2] = { DW_AT_abstract_origin, DW_AT_specification };
	int i;

	*linkage = 0;
	if (dwarf_dieoffset(die, &self, &err) != DW_DLV_OK) {
		DWERR(im, err);
		self = 0;
	}
	if (self) {
		name = memo_get(im, self, linkage, &found);
		if (found)
			return name;
	}
	str = die_string(im, die, DW_AT_linkage_name);
	if (!str)
		str = die_string(im, die, DW_AT_MIPS_linkage_name);
	if (str) {
		name = demangle_intern(&s->str, str);
		*linkage = 1;
		goto done;
	}
	str = die_string(im, die, DW_AT_name);
	if (str)
		name = intern(&s->str, str);
	if (hops >= MAX_ORIGIN_HOPS)
		goto done;
	for (i = 0; i < 2; i++) {
		Dwarf_Die odie = NULL;

		if (!die_ref(im, die, ats[i], &ref))
			continue;
		/* an origin named before (most are): no need to read it */
		rname = memo_get(im, ref, &rlink, &found);
		if (!found) {
			if (dwarf_offdie_b(im->dbg, ref, 1, &odie, &err) !=
			    DW_DLV_OK) {
				DWERR(im, err);
				continue;
			}
			rname = func_name(s, im, odie, hops + 1, &rlink);
			dwarf_dealloc_die(odie);
		}
		if (rname && (rlink || !name)) {
			name = rname;
			*linkage = rlink;
		}
		break;
	}
done:
	if (self)
		memo_put(im, self, name, *linkage);
	return name;
}

struct unit_build {
	struct mpt_symbolizer *s;
	struct image *im;
	struct unit *u;
	uint64_t cu_base;
	size_t cap_node, cap_nrange;
	struct rangebuf root;
	struct rangebuf tmp;
	int depth;
};

static const char *unit_file(struct unit *u, uint32_t idx)
{
	/* DWARF 5 file numbers are 0-based, earlier ones 1-based */
	if (u->version < 5) {
		if (idx == 0)
			return NULL;
		idx--;
	}
	return idx < u->nfile ? u->file[idx] : NULL;
}

static int walk_dies(struct unit_build *b, Dwarf_Die parent, int in_func);

/* Add a function node for `die` (a subprogram or an inlined subroutine). */
static int add_node(struct unit_build *b, Dwarf_Die die, int inlined)
{
	struct unit *u = b->u;
	struct func_node *n;
	uint32_t idx = u->nnode;
	int r, has, linkage;
	size_t i;

	b->tmp.n = 0;
	r = die_ranges(b->im, die, b->cu_base, u->version, &b->tmp, idx);
	if (r < 0)
		return r;
	if (r == 0)
		return walk_dies(b, die, 0); /* no code: look inside only */
	u->node = grow(u->node, &b->cap_node, u->nnode + 1, sizeof(*u->node));
	u->node_range = grow(u->node_range, &b->cap_nrange,
			     u->nnode_range + b->tmp.n, sizeof(*u->node_range));
	if (!u->node || !u->node_range)
		return MPT_E_NOMEM;
	n = &u->node[idx];
	memset(n, 0, sizeof(*n));
	n->range0 = u->nnode_range;
	n->nrange = b->tmp.n;
	memcpy(&u->node_range[u->nnode_range], b->tmp.r,
	       b->tmp.n * sizeof(*b->tmp.r));
	u->nnode_range += b->tmp.n;
	n->inlined = inlined;
	n->name = func_name(b->s, b->im, die, 0, &linkage);
	n->linkage = linkage;
	if (inlined) {
		n->call_file = unit_file(u, die_udata(b->im, die,
						      DW_AT_call_file, &has));
		if (!has)
			n->call_file = NULL;
		n->call_line = die_udata(b->im, die, DW_AT_call_line, &has);
		n->call_column = die_udata(b->im, die, DW_AT_call_column, &has);
	} else {
		/* every concrete function is a root, even a nested one */
		for (i = 0; i < b->tmp.n; i++)
			if (push_range(&b->root, b->tmp.r[i].lo, b->tmp.r[i].hi,
				       idx))
				return MPT_E_NOMEM;
	}
	u->nnode++;
	r = walk_dies(b, die, 1);
	u->node[idx].end = u->nnode;
	return r;
}

static int walk_dies(struct unit_build *b, Dwarf_Die parent, int in_func)
{
	Dwarf_Error err = NULL;
	Dwarf_Die die = NULL, next;
	int r = 0;

	if (++b->depth > 256) {
		b->depth--;
		return 0;
	}
	if (dwarf_child(parent, &die, &err) != DW_DLV_OK) {
		DWERR(b->im, err);
		b->depth--;
		return 0;
	}
	while (die && r == 0) {
		Dwarf_Half tag = 0;

		if (dwarf_tag(die, &tag, &err) != DW_DLV_OK) {
			DWERR(b->im, err);
			tag = 0;
		}
		switch (tag) {
		case DW_TAG_subprogram:
			r = add_node(b, die, 0);
			break;
		case DW_TAG_inlined_subroutine:
			if (in_func)
				r = add_node(b, die, 1);
			break;
		case DW_TAG_lexical_block:
		case DW_TAG_try_block:
		case DW_TAG_catch_block:
		case DW_TAG_namespace:
		case DW_TAG_class_type:
		case DW_TAG_structure_type:
		case DW_TAG_union_type:
		case DW_TAG_module:
			r = walk_dies(b, die, in_func);
			break;
		default:
			break;
		}
		next = NULL;
		if (dwarf_siblingof_b(b->im->dbg, die, 1, &next, &err) !=
		    DW_DLV_OK) {
			DWERR(b->im, err);
			next = NULL;
		}
		dwarf_dealloc_die(die);
		die = next;
	}
	if (die)
		dwarf_dealloc_die(die);
	b->depth--;
	return r;
}

static int row_cmp(const void *a, const void *b)
{
	const struct line_row *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* an end of sequence yields to a row starting at the same address */
	if (x->end != y->end)
		return x->end ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Drop the sequences that start at address 0: code of functions the linker
 * discarded, whose rows would otherwise overlay real code once sorted.
 * Returns the rows kept, in their order.
 */
static size_t drop_discarded(struct line_row *row, size_t n)
{
	size_t i, k = 0, seq = 0;

	for (i = 0; i < n; i++) {
		row[k++] = row[i];
		if (row[i].end) {
			if (row[seq].addr == 0)
				k = seq;
			seq = k;
		}
	}
	if (seq < k && row[seq].addr == 0)
		k = seq; /* an unterminated last sequence */
	for (i = 0; i < k; i++)
		row[i].order = i;
	return k;
}

/*
 * 1 if `cu` is from gcc, which numbers the files of a DWARF 5 line table
 * from 1 in the line program (entry 0, the unit's own file, is never set)
 * and leaves the rows of file 1 at the file register's initial value, 1.
 */
static int gcc_unit(struct image *im, Dwarf_Die cu)
{
	char *p = die_string(im, cu, DW_AT_producer);

	return p && !strncmp(p, "GNU ", 4);
}

static int load_lines(struct image *im, struct unit *u, Dwarf_Die cu,
		      struct strpool *pool)
{
	Dwarf_Error err = NULL;
	Dwarf_Unsigned ver = 0;
	Dwarf_Small tc = 0;
	Dwarf_Line_Context ctx = NULL;
	Dwarf_Line *line = NULL;
	Dwarf_Signed n = 0, i, nf = 0;
	char **files = NULL;
	size_t k;
	int file0_is_1;

	if (dwarf_srcfiles(cu, &files, &nf, &err) == DW_DLV_OK) {
		u->file = calloc(nf ? nf : 1, sizeof(*u->file));
		for (i = 0; i < nf; i++) {
			if (u->file)
				u->file[i] = intern(pool, files[i]);
			dwarf_dealloc(im->dbg, files[i], DW_DLA_STRING);
		}
		dwarf_dealloc(im->dbg, files, DW_DLA_LIST);
		if (!u->file)
			return MPT_E_NOMEM;
		u->nfile = nf;
	} else {
		DWERR(im, err);
	}
	if (dwarf_srclines_b(cu, &ver, &tc, &ctx, &err) != DW_DLV_OK) {
		DWERR(im, err);
		return 0;
	}
	if (dwarf_srclines_from_linecontext(ctx, &line, &n, &err) !=
		    DW_DLV_OK ||
	    n <= 0) {
		DWERR(im, err);
		dwarf_srclines_dealloc_b(ctx);
		return 0;
	}
	/*
	 * libdwarf 20210528 starts a DWARF 5 line program's file register at
	 * 0, where the standard (table 6.4) says 1 (later releases agree):
	 * the rows before a sequence's first set_file come out as file 0.
	 * gcc never sets file 0, and its file 1 is the first file it gave
	 * rows, which is another than the unit's when code of an #included
	 * file or a header comes first (dl-error-skeleton.c in dl-error.c):
	 * those rows were named after the unit's file.  binutils' addr2line
	 * 2.40 reads them the same wrong way; objdump --dwarf=decodedline,
	 * gdb, llvm-addr2line and valgrind read file 1.
	 */
	file0_is_1 = ver == 5 && u->nfile > 1 && gcc_unit(im, cu);
	u->line = calloc(n, sizeof(*u->line));
	if (!u->line) {
		dwarf_srclines_dealloc_b(ctx);
		return MPT_E_NOMEM;
	}
	for (i = 0, k = 0; i < n; i++) {
		Dwarf_Addr a = 0;
		Dwarf_Unsigned ln = 0, col = 0, fno = 0;
		Dwarf_Bool end = 0;
		struct line_row *row = &u->line[k];

		if (dwarf_lineaddr(line[i], &a, &err) != DW_DLV_OK) {
			DWERR(im, err);
			continue;
		}
		if (dwarf_lineno(line[i], &ln, &err) != DW_DLV_OK)
			DWERR(im, err);
		if (dwarf_lineoff_b(line[i], &col, &err) != DW_DLV_OK)
			DWERR(im, err);
		if (dwarf_lineendsequence(line[i], &end, &err) != DW_DLV_OK)
			DWERR(im, err);
		if (dwarf_line_srcfileno(line[i], &fno, &err) != DW_DLV_OK) {
			DWERR(im, err);
			fno = UINT32_MAX;
		}
		row->addr = a;
		row->line = ln > UINT32_MAX ? UINT32_MAX : ln;
		row->column = col > UINT32_MAX ? UINT32_MAX : col;
		if (fno == 0 && file0_is_1)
			fno = 1;
		row->file = fno > UINT32_MAX ? NO_IDX : (uint32_t)fno;
		row->end = end ? 1 : 0;
		row->order = k;
		k++;
	}
	dwarf_srclines_dealloc_b(ctx);
	k = drop_discarded(u->line, k);
	qsort(u->line, k, sizeof(*u->line), row_cmp);
	u->nline = k;
	return 0;
}

/* The languages whose names binutils demangles (its mangle_style()). */
static int lang_is_mangled(uint32_t lang)
{
	switch (lang) {
	case DW_LANG_Ada83:
	case DW_LANG_Ada95:
	case DW_LANG_C_plus_plus:
	case DW_LANG_C_plus_plus_03:
	case DW_LANG_C_plus_plus_11:
	case DW_LANG_C_plus_plus_14:
	case DW_LANG_Java:
	case DW_LANG_D:
	case DW_LANG_Rust:
		return 1;
	default:
		return 0;
	}
}

static int load_unit(struct mpt_symbolizer *s, struct image *im, struct unit *u)
{
	Dwarf_Error err = NULL;
	Dwarf_Die cu = NULL;
	struct unit_build b;
	Dwarf_Addr base = 0;
	int r;

	u->state = -1;
	if (dwarf_offdie_b(im->dbg, u->die_off, 1, &cu, &err) != DW_DLV_OK) {
		DWERR(im, err);
		return 0;
	}
	s->stats.units_loaded++;
	r = load_lines(im, u, cu, &s->str);
	if (r) {
		dwarf_dealloc_die(cu);
		return r;
	}
	if (dwarf_lowpc(cu, &base, &err) != DW_DLV_OK) {
		DWERR(im, err);
		base = 0;
	}
	u->mangled = lang_is_mangled(die_udata(im, cu, DW_AT_language, &r));
	memset(&b, 0, sizeof(b));
	b.s = s;
	b.im = im;
	b.u = u;
	b.cu_base = base;
	r = walk_dies(&b, cu, 0);
	dwarf_dealloc_die(cu);
	free(b.tmp.r);
	if (r) {
		free(b.root.r);
		return r;
	}
	if (b.root.n)
		qsort(b.root.r, b.root.n, sizeof(*b.root.r), range_cmp);
	u->root = b.root.r;
	u->nroot = b.root.n;
	u->state = 1;
	return 0;
}

static void unit_release(struct unit *u)
{
	free(u->line);
	free(u->file);
	free(u->node);
	free(u->node_range);
	free(u->root);
	u->line = NULL;
	u->file = NULL;
	u->node = NULL;
	u->node_range = NULL;
	u->root = NULL;
	u->nline = u->nfile = u->nnode = u->nnode_range = u->nroot = 0;
}

/* Index of the last range with lo <= v that holds v, or -1. */
static ssize_t range_find(const struct addr_range *r, size_t n, uint64_t v)
{
	size_t lo = 0, hi = n;
	ssize_t i;
	int scan = 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (r[mid].lo <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* overlaps are rare and short: look back a little */
	for (i = (ssize_t)lo - 1; i >= 0 && scan < 64; i--, scan++)
		if (v < r[i].hi)
			return i;
	return -1;
}

static int node_holds(const struct unit *u, const struct func_node *n,
		      uint64_t v)
{
	uint32_t i;

	for (i = 0; i < n->nrange; i++) {
		const struct addr_range *r = &u->node_range[n->range0 + i];

		if (v >= r->lo && v < r->hi)
			return 1;
	}
	return 0;
}

static const struct line_row *line_find(const struct unit *u, uint64_t v)
{
	size_t lo = 0, hi = u->nline;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (u->line[mid].addr <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || u->line[lo - 1].end)
		return NULL;
	/* a row past the last end_sequence of its table covers nothing */
	if (lo == u->nline)
		return NULL;
	return &u->line[lo - 1];
}

/* ---- resolution ------------------------------------------------------- */

static void image_open(struct mpt_symbolizer *s, struct image *im)
{
	uint8_t got[64];
	size_t glen = 0;
	int have_id, err;

	s->stats.modules_opened++;
	im->state = IM_OK;
	if (open_elf(im->path, &im->fd, &im->elf)) {
		err = errno;
		if (open_by_build_id(s, im->build_id, im->build_id_len,
				     &im->dfd, &im->delf, &im->dpath) == 0)
			return;
		im->state = IM_MISSING;
		/* the vDSO has no file: nothing to tell */
		if (*im->path && !strstr(im->path, "vdso"))
			warnf(s,
			      "cannot open '%s': %s; its frames are shown as module+offset",
			      im->path, strerror(err));
		return;
	}
	have_id = elf_build_id(im->elf, got, sizeof(got), &glen);
	if (im->build_id_len && (!have_id || glen != im->build_id_len ||
				 memcmp(got, im->build_id, glen))) {
		close_elf(&im->fd, &im->elf);
		if (open_by_build_id(s, im->build_id, im->build_id_len,
				     &im->dfd, &im->delf, &im->dpath) == 0)
			return;
		im->state = IM_MISMATCH;
		warnf(s,
		      "'%s' does not match the recorded build-id; its frames are shown as module+offset",
		      im->path);
		return;
	}
	if (!has_dwarf(im->elf)) {
		const uint8_t *id = im->build_id_len ? im->build_id : got;
		size_t idlen = im->build_id_len ? im->build_id_len :
						  (have_id ? glen : 0);

		if (open_by_build_id(s, id, idlen, &im->dfd, &im->delf,
				     &im->dpath) &&
		    open_by_debuglink(s, im->path, im->elf, &im->dfd, &im->delf,
				      &im->dpath)) {
			im->dfd = -1;
			im->delf = NULL;
		}
	}
}

static struct unit *unit_for(struct mpt_symbolizer *s, struct image *im,
			     uint64_t v, int *nomem)
{
	ssize_t i;
	struct unit *u;

	*nomem = 0;
	if (!im->dwarf_tried && open_dwarf(s, im) < 0) {
		*nomem = 1;
		return NULL;
	}
	if (!im->dbg)
		return NULL;
	i = range_find(im->unit_range, im->nunit_range, v);
	if (i < 0)
		return NULL;
	u = &im->unit[im->unit_range[i].idx];
	if (u->state == 0 && im->nloaded >= MAX_LOADED_UNITS) {
		size_t k;

		for (k = 0; k < im->nunit; k++) {
			if (im->unit[k].state == 1) {
				unit_release(&im->unit[k]);
				im->unit[k].state = 0;
			}
		}
		im->nloaded = 0;
	}
	if (u->state == 0) {
		if (load_unit(s, im, u) < 0) {
			*nomem = 1;
			return NULL;
		}
		if (u->state == 1)
			im->nloaded++;
	}
	return u->state == 1 ? u : NULL;
}

static const char *sym_name(struct mpt_symbolizer *s, struct elf_sym *e)
{
	if (!e->name)
		e->name = demangle_intern(&s->str, e->raw);
	return e->name;
}

/* resolve_image() for a module whose files are open: DWARF, then symbols. */
static int resolve_dwarf(struct mpt_symbolizer *s, struct image *im, uint64_t v,
			 struct mpt_frame *out)
{
	struct unit *u;
	const struct line_row *row = NULL;
	uint32_t chain[MAX_INLINE];
	int nchain = 0, nomem, i;

	memset(out, 0, sizeof(*out));
	u = unit_for(s, im, v, &nomem);
	if (nomem)
		return MPT_E_NOMEM;
	if (u) {
		ssize_t ri = range_find(u->root, u->nroot, v);

		row = line_find(u, v);
		if (ri >= 0) {
			uint32_t j = u->root[ri].idx;

			chain[nchain++] = j;
			/* descend to the deepest inlined node holding v */
			for (uint32_t k = j + 1; k < u->node[j].end;) {
				if (!u->node[k].inlined) {
					k = u->node[k].end;
				} else if (node_holds(u, &u->node[k], v)) {
					if (nchain < MAX_INLINE)
						chain[nchain++] = k;
					j = k;
					k++;
				} else {
					k = u->node[k].end;
				}
			}
		}
	}
	if (nchain == 0) {
		struct elf_sym *e = sym_lookup(im, v);

		out->function = e ? sym_name(s, e) : NULL;
		if (row) {
			out->file = unit_file(u, row->file);
			out->line = row->line;
			out->column = row->column;
		} else {
			out->flags = MPT_FRAME_NO_DEBUG;
		}
		return 1;
	}
	/* chain[0] is the outermost function: emit innermost first */
	for (i = 0; i < nchain; i++) {
		const struct func_node *n = &u->node[chain[nchain - 1 - i]];
		struct mpt_frame *f = &out[i];

		memset(f, 0, sizeof(*f));
		f->function = n->name;
		if (i == 0) {
			if (row) {
				f->file = unit_file(u, row->file);
				f->line = row->line;
				f->column = row->column;
			}
		} else {
			const struct func_node *callee =
				&u->node[chain[nchain - i]];

			f->file = callee->call_file;
			f->line = callee->call_line;
			f->column = callee->call_column;
		}
		if (i < nchain - 1)
			f->flags |= MPT_FRAME_INLINED;
		if (!f->file && !f->line)
			f->flags |= MPT_FRAME_NO_DEBUG;
	}
	if (!out[0].function) {
		struct elf_sym *e = sym_lookup(im, v);

		if (e)
			out[0].function = sym_name(s, e);
	} else if (u->mangled && !u->node[chain[nchain - 1]].linkage) {
		/*
		 * As addr2line: the innermost function of a C++ unit named by
		 * a bare DW_AT_name (no linkage name: members of local types
		 * such as lambdas, extern "C" functions, main) takes the
		 * symbol table's name, which is qualified ("main::{lambda(int)
		 * #1}::operator()(int) const"), or "main.cold" in main's cold
		 * part.  For such an inlined function that is the name of the
		 * function it was inlined into (llvm-symbolizer keeps the
		 * DWARF name there); the frames after it are unchanged.
		 */
		struct elf_sym *e = sym_lookup(im, v);

		if (e)
			out[0].function = sym_name(s, e);
	}
	return nchain;
}

/* ---- the persistent cache --------------------------------------------- */

/*
 * What resolve_dwarf() answers for a module is kept across runs, in one file
 * per module build-id under the cache directory.  The file starts with a
 * key holding everything the answers depend on: this format's version,
 * libdwarf's version, and the module file and debug file actually opened
 * (path, device, inode, size, modification time, build-id; or "none").  The
 * key is rebuilt from the files found on each run (the debug file search
 * itself is never skipped), so a file of another build, a debug file
 * installed, removed or replaced since, or a stripped copy with the same
 * build-id never answers.  A file that does not check out (owner, key,
 * checksum, bounds) is ignored and replaced; no problem with the cache is
 * ever more than a slower run.
 *
 * Layout, in host byte order:
 *   "MPTSYMC\n", u32 key length, key,
 *   u32 string count, strings (u32 length, bytes),
 *   u32 entry count, entries (u64 address, u32 frame count, frames: u32
 *   function and file string numbers (0: none, else index + 1), u32 line,
 *   column, flags),
 *   u64 checksum of everything before.
 */
#define PC_MAGIC "MPTSYMC\n"
/* Bump whenever resolve_dwarf() may answer differently for the same files. */
#define PC_VERSION 2
#define PC_MAX_BYTES (64u << 20)
#define PC_MAX_ENT (1u << 22)

struct pcbuf {
	unsigned char *p;
	size_t n, cap;
	int nomem;
};

static void pb_put(struct pcbuf *b, const void *p, size_t n)
{
	unsigned char *np;

	if (b->nomem)
		return;
	np = grow(b->p, &b->cap, b->n + n, 1);
	if (!np) {
		b->nomem = 1;
		return;
	}
	b->p = np;
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void pb_u32(struct pcbuf *b, uint32_t v)
{
	pb_put(b, &v, sizeof(v));
}

static void pb_u64(struct pcbuf *b, uint64_t v)
{
	pb_put(b, &v, sizeof(v));
}

static void pb_str(struct pcbuf *b, const char *str, size_t len)
{
	pb_u32(b, (uint32_t)len);
	pb_put(b, str, len);
}

static uint64_t pc_checksum(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = hash64(h ^ w) + 0x632be59bd9b4e019ULL;
	}
	w = 0;
	memcpy(&w, p, n);
	return hash64(h ^ w);
}

/* One file of the key: tag, path, stat identity, its own build-id. */
static void pc_key_file(struct pcbuf *b, const char *path, int fd, Elf *elf)
{
	struct stat st;
	uint8_t id[64];
	size_t idlen = 0;

	if (fd < 0 || !elf) {
		pb_str(b, "none", 4);
		return;
	}
	if (!path || fstat(fd, &st)) {
		b->nomem = 1; /* not a usable key: no caching */
		return;
	}
	pb_str(b, "file", 4);
	pb_str(b, path, strlen(path));
	pb_u64(b, st.st_dev);
	pb_u64(b, st.st_ino);
	pb_u64(b, st.st_size);
	pb_u64(b, st.st_mtim.tv_sec);
	pb_u64(b, st.st_mtim.tv_nsec);
	pb_u64(b, st.st_ctim.tv_sec);
	pb_u64(b, st.st_ctim.tv_nsec);
	if (!elf_build_id(elf, id, sizeof(id), &idlen))
		idlen = 0;
	pb_str(b, (const char *)id, idlen);
}

static void pc_off(struct image *im)
{
	im->pc_state = -1;
	free(im->pc_ent);
	free(im->pc_fr);
	im->pc_ent = NULL;
	im->pc_fr = NULL;
	im->pc_nent = im->pc_nold = im->pc_capent = 0;
	im->pc_nfr = im->pc_capfr = 0;
}

/* Parse a cache file's contents; 0 if it is sound and has our key. */
static int pc_parse(struct mpt_symbolizer *s, struct image *im,
		    const unsigned char *p, size_t size)
{
	const unsigned char *end = p + size, *q = p;
	const char **str = NULL;
	uint32_t nstr, nent, i, j, k, len;
	uint64_t sum;
	int ok = -1;

#define TAKE(dst, n)                         \
	do {                                 \
		if ((size_t)(end - q) < (n)) \
			goto out;            \
		memcpy((dst), q, (n));       \
		q += (n);                    \
	} while (0)

	if (size < 8 + 4 + 8 || memcmp(p, PC_MAGIC, 8))
		return -1;
	memcpy(&sum, end - 8, 8);
	end -= 8;
	if (pc_checksum(p, end - p) != sum)
		return -1;
	q += 8;
	TAKE(&len, 4);
	if (len != im->pc_key_len || (size_t)(end - q) < len ||
	    memcmp(q, im->pc_key, len))
		goto out;
	q += len;
	TAKE(&nstr, 4);
	if (nstr > (size_t)(end - q) / 4)
		goto out;
	str = malloc((nstr ? nstr : 1) * sizeof(*str));
	if (!str)
		goto out;
	for (i = 0; i < nstr; i++) {
		TAKE(&len, 4);
		if ((size_t)(end - q) < len)
			goto out;
		str[i] = intern_n(&s->str, (const char *)q, len);
		if (!str[i])
			goto out;
		q += len;
	}
	TAKE(&nent, 4);
	if (nent > PC_MAX_ENT || nent > (size_t)(end - q) / 12)
		goto out;
	im->pc_ent = malloc((nent ? nent : 1) * sizeof(*im->pc_ent));
	if (!im->pc_ent)
		goto out;
	im->pc_capent = nent ? nent : 1;
	for (i = 0; i < nent; i++) {
		struct pc_ent *e = &im->pc_ent[i];

		TAKE(&e->v, 8);
		TAKE(&e->n, 4);
		if (e->n == 0 || e->n > MAX_INLINE ||
		    (size_t)(end - q) / 20 < e->n ||
		    (i && e->v <= im->pc_ent[i - 1].v))
			goto out;
		e->first = im->pc_nfr;
		im->pc_fr = grow(im->pc_fr, &im->pc_capfr, im->pc_nfr + e->n,
				 sizeof(*im->pc_fr));
		if (!im->pc_fr)
			goto out;
		for (j = 0; j < e->n; j++) {
			struct mpt_frame *f = &im->pc_fr[im->pc_nfr++];
			uint32_t w[5];

			TAKE(w, sizeof(w));
			memset(f, 0, sizeof(*f));
			for (k = 0; k < 2; k++)
				if (w[k] > nstr)
					goto out;
			f->function = w[0] ? str[w[0] - 1] : NULL;
			f->file = w[1] ? str[w[1] - 1] : NULL;
			f->line = w[2];
			f->column = w[3];
			f->flags = w[4];
		}
		im->pc_nent++;
	}
	ok = q == end ? 0 : -1;
out:
#undef TAKE
	free(str);
	if (ok) {
		/* start empty; the strings interned stay until the end */
		free(im->pc_ent);
		free(im->pc_fr);
		im->pc_ent = NULL;
		im->pc_fr = NULL;
		im->pc_nent = im->pc_capent = im->pc_nfr = im->pc_capfr = 0;
	}
	im->pc_nold = im->pc_nent;
	return ok;
}

/* Set up the image's persistent cache: its key, then its file if any. */
static void pc_open(struct mpt_symbolizer *s, struct image *im)
{
	struct pcbuf key = { 0 };
	char path[PATH_MAX];
	unsigned char *data = NULL;
	struct stat st;
	size_t i, n, got = 0;
	int fd;

	im->pc_state = -1;
	if (!s->cache_dir || !im->build_id_len)
		return;
	pb_put(&key, PC_MAGIC, 8);
	pb_u32(&key, PC_VERSION);
	pb_str(&key, dwarf_package_version(), strlen(dwarf_package_version()));
	pb_str(&key, (const char *)im->build_id, im->build_id_len);
	pc_key_file(&key, im->path, im->fd, im->elf);
	pc_key_file(&key, im->dpath, im->dfd, im->delf);
	n = snprintf(path, sizeof(path), "%s/", s->cache_dir);
	for (i = 0; i < im->build_id_len && n + 3 < sizeof(path); i++)
		n += snprintf(path + n, sizeof(path) - n, "%02x",
			      im->build_id[i]);
	if (key.nomem || n + 3 >= sizeof(path) ||
	    !(im->pc_file = strdup(path))) {
		free(key.p);
		return;
	}
	im->pc_key = key.p;
	im->pc_key_len = key.n;
	im->pc_state = 1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	/* a file someone else put there is not trusted */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    st.st_size > 0 && st.st_size <= PC_MAX_BYTES &&
	    (data = malloc(st.st_size))) {
		while (got < (size_t)st.st_size) {
			ssize_t r = read(fd, data + got, st.st_size - got);

			if (r <= 0)
				break;
			got += r;
		}
		if (got == (size_t)st.st_size)
			pc_parse(s, im, data, got);
	}
	free(data);
	close(fd);
}

/* The frames of v from the file read, if it had them: count, or 0. */
static int pc_lookup(struct image *im, uint64_t v, struct mpt_frame *out)
{
	size_t lo = 0, hi = im->pc_nold;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (im->pc_ent[mid].v < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == im->pc_nold || im->pc_ent[lo].v != v)
		return 0;
	memcpy(out, &im->pc_fr[im->pc_ent[lo].first],
	       im->pc_ent[lo].n * sizeof(*out));
	return im->pc_ent[lo].n;
}

/* Remember a fresh answer, to be written out with the file's others. */
static void pc_record(struct image *im, uint64_t v, const struct mpt_frame *fr,
		      int n)
{
	struct pc_ent *e;
	int i;

	if (im->pc_nent >= PC_MAX_ENT)
		return;
	im->pc_ent = grow(im->pc_ent, &im->pc_capent, im->pc_nent + 1,
			  sizeof(*im->pc_ent));
	im->pc_fr = grow(im->pc_fr, &im->pc_capfr, im->pc_nfr + n,
			 sizeof(*im->pc_fr));
	if (!im->pc_ent || !im->pc_fr) {
		pc_off(im);
		return;
	}
	e = &im->pc_ent[im->pc_nent++];
	e->v = v;
	e->n = n;
	e->first = im->pc_nfr;
	for (i = 0; i < n; i++) {
		struct mpt_frame *f = &im->pc_fr[im->pc_nfr++];

		memset(f, 0, sizeof(*f));
		f->function = fr[i].function;
		f->file = fr[i].file;
		f->line = fr[i].line;
		f->column = fr[i].column;
		f->flags = fr[i].flags;
	}
}

static int pc_ent_cmp(const void *a, const void *b)
{
	const struct pc_ent *x = a, *y = b;

	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* String numbers for the file: a table of the distinct string pointers. */
struct pc_strtab {
	const char **slot;
	uint32_t *num;
	size_t nslot;
	uint32_t n;
};

static uint32_t pc_strnum(struct pc_strtab *t, struct pcbuf *b, const char *str)
{
	size_t i;

	if (!str)
		return 0;
	i = hash64((uintptr_t)str) & (t->nslot - 1);
	while (t->slot[i] && t->slot[i] != str)
		i = (i + 1) & (t->nslot - 1);
	if (!t->slot[i]) {
		t->slot[i] = str;
		t->num[i] = ++t->n;
		pb_str(b, str, strlen(str));
	}
	return t->num[i];
}

static int mkdir_p(char *dir)
{
	char *p;

	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(dir, 0700) && errno != EEXIST ? -1 : 0;
}

/*
 * Write the image's cache file anew (the answers read plus the fresh
 * ones), through a temporary file renamed over it, so that a reader sees
 * the old file or the new one, never a mix.  Any failure leaves the old.
 */
static void pc_flush(struct mpt_symbolizer *s, struct image *im)
{
	struct pcbuf str = { 0 }, ent = { 0 }, out = { 0 };
	struct pc_strtab t = { 0 };
	struct pc_ent *e;
	char tmp[PATH_MAX + 64], dir[PATH_MAX];
	size_t i, k, n;
	uint32_t j, nent = 0;
	uint64_t sum;
	int fd;

	if (im->pc_state != 1 || im->pc_nent == im->pc_nold)
		return;
	n = im->pc_nent;
	qsort(im->pc_ent, n, sizeof(*im->pc_ent), pc_ent_cmp);
	for (t.nslot = 64; t.nslot < im->pc_nfr * 2; t.nslot *= 2)
		;
	t.slot = calloc(t.nslot, sizeof(*t.slot));
	t.num = calloc(t.nslot, sizeof(*t.num));
	if (!t.slot || !t.num)
		goto out;
	for (i = 0; i < n; i = k) {
		e = &im->pc_ent[i];
		for (k = i + 1; k < n && im->pc_ent[k].v == e->v; k++)
			;
		pb_u64(&ent, e->v);
		pb_u32(&ent, e->n);
		for (j = 0; j < e->n; j++) {
			const struct mpt_frame *f = &im->pc_fr[e->first + j];

			pb_u32(&ent, pc_strnum(&t, &str, f->function));
			pb_u32(&ent, pc_strnum(&t, &str, f->file));
			pb_u32(&ent, f->line);
			pb_u32(&ent, f->column);
			pb_u32(&ent, f->flags);
		}
		nent++;
	}
	pb_put(&out, PC_MAGIC, 8);
	pb_u32(&out, (uint32_t)im->pc_key_len);
	pb_put(&out, im->pc_key, im->pc_key_len);
	pb_u32(&out, t.n);
	if (str.n)
		pb_put(&out, str.p, str.n);
	pb_u32(&out, nent);
	if (ent.n)
		pb_put(&out, ent.p, ent.n);
	if (out.nomem || str.nomem || ent.nomem || out.n > PC_MAX_BYTES)
		goto out;
	sum = pc_checksum(out.p, out.n);
	pb_u64(&out, sum);
	if (out.nomem)
		goto out;
	snprintf(dir, sizeof(dir), "%s", s->cache_dir);
	if (mkdir_p(dir))
		goto out;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%lx", im->pc_file,
		 (long)getpid(), (unsigned long)(uintptr_t)im);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	for (i = 0; i < out.n;) {
		ssize_t r = write(fd, out.p + i, out.n - i);

		if (r <= 0)
			break;
		i += r;
	}
	if (close(fd) || i != out.n || rename(tmp, im->pc_file))
		unlink(tmp);
out:
	free(t.slot);
	free(t.num);
	free(str.p);
	free(ent.p);
	free(out.p);
}

/*
 * Frames of image-relative address v (already adjusted for return
 * addresses) into out[0..MAX_INLINE): returns the count or MPT_E_NOMEM.
 * Module fields are left for the caller.
 */
static int resolve_image(struct mpt_symbolizer *s, struct image *im, uint64_t v,
			 struct mpt_frame *out)
{
	int n;

	memset(out, 0, sizeof(*out));
	if (s->no_symbols) {
		out->flags = MPT_FRAME_NO_DEBUG;
		return 1;
	}
	if (im->state == IM_NEW)
		image_open(s, im);
	if (im->state == IM_MISSING) {
		out->flags = MPT_FRAME_UNKNOWN_MODULE | MPT_FRAME_NO_DEBUG;
		return 1;
	}
	if (im->state == IM_MISMATCH) {
		out->flags = MPT_FRAME_MISMATCH | MPT_FRAME_NO_DEBUG;
		return 1;
	}
	if (im->pc_state == 0)
		pc_open(s, im);
	if (im->pc_state == 1) {
		n = pc_lookup(im, v, out);
		if (n > 0) {
			s->stats.cache_file_hits++;
			return n;
		}
	}
	n = resolve_dwarf(s, im, v, out);
	if (n > 0 && im->pc_state == 1)
		pc_record(im, v, out, n);
	return n;
}

/* ---- the cache -------------------------------------------------------- */

static void cache_clear(struct mpt_symbolizer *s)
{
	size_t i;

	for (i = 0; i < s->ncache; i++) {
		free(s->cache[i].frame);
		s->cache[i].frame = NULL;
		s->cache[i].im = NULL;
	}
	s->cache_used = 0;
}

static struct cache_ent *cache_slot(struct mpt_symbolizer *s, struct image *im,
				    uint64_t v)
{
	size_t i;

	if (!s->ncache)
		return NULL;
	i = hash64(v ^ (uint64_t)(uintptr_t)im * 31) & (s->ncache - 1);
	while (s->cache[i].im && (s->cache[i].im != im || s->cache[i].v != v))
		i = (i + 1) & (s->ncache - 1);
	return &s->cache[i];
}

/*
 * Double the table (it starts small: a large one costs a page fault per
 * first touch, and most runs resolve a few hundred addresses).
 */
static int cache_grow(struct mpt_symbolizer *s)
{
	struct cache_ent *old = s->cache, *e;
	size_t n = s->ncache, i;

	s->cache = calloc(n * 2, sizeof(*s->cache));
	if (!s->cache) {
		s->cache = old;
		return MPT_E_NOMEM;
	}
	s->ncache = n * 2;
	for (i = 0; i < n; i++) {
		if (!old[i].im)
			continue;
		e = cache_slot(s, old[i].im, old[i].v);
		*e = old[i];
	}
	free(old);
	return 0;
}

/*
 * The frames of (im, v), from the cache or freshly resolved and cached.
 * Returns the count (*frame borrowed until the next call) or MPT_E_NOMEM.
 */
static int frames_of(struct mpt_symbolizer *s, struct image *im, uint64_t v,
		     const struct mpt_frame **frame)
{
	struct mpt_frame tmp[MAX_INLINE];
	struct cache_ent *e;
	int n;

	e = cache_slot(s, im, v);
	if (e && e->im) {
		s->stats.cache_hits++;
		*frame = e->frame;
		return e->n;
	}
	n = resolve_image(s, im, v, tmp);
	if (n < 0)
		return n;
	if (s->cache_used >= s->cache_max) {
		cache_clear(s);
		e = cache_slot(s, im, v);
	} else if ((s->cache_used + 1) * 2 > s->ncache) {
		if (cache_grow(s))
			return MPT_E_NOMEM;
		e = cache_slot(s, im, v);
	}
	e->frame = malloc(n * sizeof(*tmp));
	if (!e->frame)
		return MPT_E_NOMEM;
	memcpy(e->frame, tmp, n * sizeof(*tmp));
	e->im = im;
	e->v = v;
	e->n = n;
	s->cache_used++;
	*frame = e->frame;
	return n;
}

/* ---- processes and modules -------------------------------------------- */

static struct proc *proc_get(struct mpt_symbolizer *s, uint32_t pid, int create)
{
	struct proc **b = &s->proc[hash64(pid) % NPROC_BUCKET], *p;

	for (p = *b; p; p = p->next)
		if (p->pid == pid)
			return p;
	if (!create)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->next = *b;
	*b = p;
	return p;
}

static struct image *image_get(struct mpt_symbolizer *s, const char *path,
			       size_t plen, const uint8_t *id, size_t idlen)
{
	struct image *im;

	for (im = s->image; im; im = im->next)
		if (strlen(im->path) == plen && !memcmp(im->path, path, plen) &&
		    im->build_id_len == idlen &&
		    (!idlen || !memcmp(im->build_id, id, idlen)))
			return im;
	im = calloc(1, sizeof(*im));
	if (!im)
		return NULL;
	im->path = malloc(plen + 1);
	im->build_id = malloc(idlen ? idlen : 1);
	if (!im->path || !im->build_id) {
		free(im->path);
		free(im->build_id);
		free(im);
		return NULL;
	}
	memcpy(im->path, path, plen);
	im->path[plen] = '\0';
	if (idlen)
		memcpy(im->build_id, id, idlen);
	im->build_id_len = idlen;
	im->fd = im->dfd = -1;
	im->next = s->image;
	s->image = im;
	return im;
}

static int map_push(struct proc *p, const struct map *m)
{
	struct map *nm;

	p->map = grow(p->map, &p->cap, p->nmap + 1, sizeof(*p->map));
	if (!p->map)
		return MPT_E_NOMEM;
	nm = &p->map[p->nmap];
	*nm = *m;
	nm->seg = malloc((m->nseg ? m->nseg : 1) * sizeof(*m->seg));
	if (!nm->seg)
		return MPT_E_NOMEM;
	memcpy(nm->seg, m->seg, m->nseg * sizeof(*m->seg));
	p->nmap++;
	return 0;
}

int mpt_sym_add_module(struct mpt_symbolizer *s, uint32_t pid,
		       uint64_t module_id, const char *path, size_t path_len,
		       const uint8_t *build_id, size_t build_id_len,
		       uint64_t base, const struct mpt_segment *seg,
		       uint32_t nseg, uint64_t time)
{
	struct proc *p;
	struct map m;

	if (!s || (!path && path_len) || (!build_id && build_id_len) ||
	    (!seg && nseg) || build_id_len > 64)
		return MPT_E_INVAL;
	p = proc_get(s, pid, 1);
	if (!p)
		return MPT_E_NOMEM;
	memset(&m, 0, sizeof(m));
	m.module_id = module_id;
	m.base = base;
	m.seg = (struct mpt_segment *)seg;
	m.nseg = nseg;
	m.t_load = time;
	m.t_unload = UINT64_MAX;
	m.im = image_get(s, path ? path : "", path_len, build_id, build_id_len);
	if (!m.im)
		return MPT_E_NOMEM;
	return map_push(p, &m);
}

int mpt_sym_remove_module(struct mpt_symbolizer *s, uint32_t pid,
			  uint64_t module_id, uint64_t time)
{
	struct proc *p = s ? proc_get(s, pid, 0) : NULL;
	size_t i;

	if (!p)
		return MPT_E_INVAL;
	for (i = p->nmap; i-- > 0;) {
		if (p->map[i].module_id == module_id &&
		    p->map[i].t_unload == UINT64_MAX) {
			p->map[i].t_unload = time;
			return 0;
		}
	}
	return MPT_E_INVAL;
}

int mpt_sym_fork(struct mpt_symbolizer *s, uint32_t parent, uint32_t child,
		 uint64_t time)
{
	struct proc *pp, *cp;
	size_t i, n;

	if (!s)
		return MPT_E_INVAL;
	pp = proc_get(s, parent, 0);
	cp = proc_get(s, child, 1);
	if (!cp)
		return MPT_E_NOMEM;
	if (!pp)
		return 0;
	n = pp->nmap; /* cp may equal pp: copy only what was there */
	for (i = 0; i < n; i++) {
		struct map m = pp->map[i];

		if (m.t_unload != UINT64_MAX && m.t_unload <= time)
			continue;
		m.t_load = time;
		m.t_unload = UINT64_MAX;
		if (map_push(cp, &m))
			return MPT_E_NOMEM;
		pp = proc_get(s, parent, 0); /* map_push may move arrays */
	}
	return 0;
}

void mpt_sym_exec(struct mpt_symbolizer *s, uint32_t pid, uint64_t time)
{
	struct proc *p = s ? proc_get(s, pid, 0) : NULL;
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nmap; i++)
		if (p->map[i].t_unload == UINT64_MAX)
			p->map[i].t_unload = time;
}

static int map_holds(const struct map *m, uint64_t a)
{
	uint32_t i;

	for (i = 0; i < m->nseg; i++) {
		uint64_t lo = m->base + m->seg[i].vaddr;

		if (a >= lo && a - lo < m->seg[i].memsz)
			return 1;
	}
	return 0;
}

/*
 * The module of `a` at time t: one live at t (the latest loaded), else one
 * unloaded before t (the latest unloaded), else any.
 */
static struct map *map_find(struct proc *p, uint64_t t, uint64_t a)
{
	struct map *best = NULL;
	int best_class = -1;
	size_t i;

	if (!p)
		return NULL;
	for (i = 0; i < p->nmap; i++) {
		struct map *m = &p->map[i];
		int cls;

		if (!map_holds(m, a))
			continue;
		if (m->t_load <= t && t < m->t_unload)
			cls = 2;
		else if (m->t_unload <= t)
			cls = 1;
		else
			cls = 0;
		if (cls > best_class ||
		    (cls == best_class &&
		     (cls == 1 ? m->t_unload >= best->t_unload :
				 m->t_load >= best->t_load))) {
			best = m;
			best_class = cls;
		}
	}
	return best;
}

/* ---- public resolution ------------------------------------------------ */

static int resolve_addr(struct mpt_symbolizer *s, struct proc *p, uint64_t time,
			uint64_t addr, unsigned flags, struct mpt_frame *out,
			int max)
{
	uint64_t look = addr;
	const struct mpt_frame *fr;
	struct map *m;
	int n, i;

	s->stats.lookups++;
	if (!(flags & MPT_SYM_EXACT) && addr > 0)
		look = addr - 1;
	m = map_find(p, time, look);
	if (!m) {
		if (max > 0) {
			memset(out, 0, sizeof(*out));
			out->addr = addr;
			out->flags = MPT_FRAME_NO_MODULE | MPT_FRAME_NO_DEBUG;
		}
		return 1;
	}
	n = frames_of(s, m->im, look - m->base, &fr);
	if (n < 0)
		return n;
	for (i = 0; i < n && i < max; i++) {
		out[i] = fr[i];
		out[i].module = m->im->path;
		out[i].module_offset = addr - m->base;
		out[i].addr = addr;
	}
	return n;
}

int mpt_sym_resolve(struct mpt_symbolizer *s, uint32_t pid, uint64_t time,
		    uint64_t addr, unsigned flags, struct mpt_frame *out,
		    int max)
{
	if (!s || (max > 0 && !out))
		return MPT_E_INVAL;
	return resolve_addr(s, proc_get(s, pid, 0), time, addr, flags, out,
			    max);
}

struct batch_key {
	struct image *im;
	uint64_t v;
	size_t i;
};

static int batch_cmp(const void *a, const void *b)
{
	const struct batch_key *x = a, *y = b;

	if (x->im != y->im)
		return (uintptr_t)x->im < (uintptr_t)y->im ? -1 : 1;
	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int mpt_sym_resolve_batch(struct mpt_symbolizer *s, uint32_t pid, uint64_t time,
			  const uint64_t *addr, size_t n, unsigned flags,
			  struct mpt_frame **frame, size_t *start)
{
	struct proc *p;
	struct batch_key *key;
	int *count;
	struct mpt_frame *all, tmp[MAX_INLINE];
	size_t i, total = 0;
	int r = 0;

	if (!s || !frame || !start || (n && !addr))
		return MPT_E_INVAL;
	*frame = NULL;
	p = proc_get(s, pid, 0);
	key = malloc((n ? n : 1) * sizeof(*key));
	count = malloc((n ? n : 1) * sizeof(*count));
	if (!key || !count) {
		free(key);
		free(count);
		return MPT_E_NOMEM;
	}
	/* resolve in module and address order, to load each unit once */
	for (i = 0; i < n; i++) {
		uint64_t look = addr[i];
		struct map *m;

		if (!(flags & MPT_SYM_EXACT) && look > 0)
			look--;
		m = map_find(p, time, look);
		key[i].im = m ? m->im : NULL;
		key[i].v = m ? look - m->base : look;
		key[i].i = i;
	}
	qsort(key, n, sizeof(*key), batch_cmp);
	for (i = 0; i < n; i++) {
		r = resolve_addr(s, p, time, addr[key[i].i], flags, tmp,
				 MAX_INLINE);
		if (r < 0)
			goto out;
		count[key[i].i] = r;
	}
	for (i = 0; i < n; i++) {
		start[i] = total;
		total += count[i];
	}
	start[n] = total;
	all = malloc((total ? total : 1) * sizeof(*all));
	if (!all) {
		r = MPT_E_NOMEM;
		goto out;
	}
	/* second pass in caller order: every answer is now cached */
	for (i = 0; i < n; i++) {
		r = resolve_addr(s, p, time, addr[i], flags, all + start[i],
				 count[i]);
		if (r < 0) {
			free(all);
			goto out;
		}
		s->stats.lookups--;
	}
	*frame = all;
	r = 0;
out:
	free(key);
	free(count);
	return r;
}

/* ---- formatting ------------------------------------------------------- */

static const char *base_name(const char *p)
{
	const char *sl = p ? strrchr(p, '/') : NULL;

	return sl ? sl + 1 : p;
}

int mpt_frame_format(const struct mpt_frame *f, char *buf, size_t size)
{
	if (f->function && f->file && f->line)
		return snprintf(buf, size, "%s (%s:%u)", f->function, f->file,
				f->line);
	if (f->function)
		return snprintf(buf, size, "%s", f->function);
	if (f->file && f->line)
		return snprintf(buf, size, "?? (%s:%u)", f->file, f->line);
	if (f->module)
		return snprintf(buf, size, "%s+0x%llx", base_name(f->module),
				(unsigned long long)f->module_offset);
	return snprintf(buf, size, "0x%llx", (unsigned long long)f->addr);
}

int mpt_frame_format_folded(const struct mpt_frame *f, char *buf, size_t size)
{
	int n;
	size_t i;

	if (f->function)
		n = snprintf(buf, size, "%s", f->function);
	else if (f->module)
		n = snprintf(buf, size, "%s+0x%llx", base_name(f->module),
			     (unsigned long long)f->module_offset);
	else
		n = snprintf(buf, size, "0x%llx", (unsigned long long)f->addr);
	for (i = 0; size && i < size - 1 && buf[i]; i++)
		if (buf[i] == ';' || buf[i] == '\n' || buf[i] == '\r')
			buf[i] = buf[i] == ';' ? ':' : ' ';
	return n;
}

/* ---- lifecycle -------------------------------------------------------- */

struct mpt_symbolizer *mpt_sym_new(const struct mpt_sym_opts *opts)
{
	static const char *const default_dir[] = { "/usr/lib/debug", NULL };
	const char *const *dir = opts && opts->debug_dir ? opts->debug_dir :
							   default_dir;
	struct mpt_symbolizer *s;
	size_t i, n = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	while (dir[n])
		n++;
	s->debug_dir = calloc(n ? n : 1, sizeof(*s->debug_dir));
	if (!s->debug_dir)
		goto fail;
	for (i = 0; i < n; i++) {
		size_t len = strlen(dir[i]);

		while (len > 1 && dir[i][len - 1] == '/')
			len--;
		s->debug_dir[i] = strndup(dir[i], len);
		if (!s->debug_dir[i])
			goto fail;
		s->ndebug_dir++;
	}
	if (opts) {
		s->no_symbols = opts->no_symbols;
		s->warn = opts->warn;
		s->warn_ctx = opts->warn_ctx;
		s->cache_max = opts->cache_max;
		s->inflate.tried = opts->zlib_only;
		if (opts->cache_dir && *opts->cache_dir &&
		    !(s->cache_dir = strdup(opts->cache_dir)))
			goto fail;
	}
	if (!s->cache_max)
		s->cache_max = 65536;
	s->ncache = 1024;
	s->cache = calloc(s->ncache, sizeof(*s->cache));
	if (!s->cache)
		goto fail;
	return s;
fail:
	mpt_sym_free(s);
	return NULL;
}

static void image_free(struct image *im)
{
	size_t i;

	free(im->pc_file);
	free(im->pc_key);
	free(im->pc_ent);
	free(im->pc_fr);
	free(im->dpath);
	for (i = 0; i < im->nunit; i++)
		unit_release(&im->unit[i]);
	free(im->unit);
	free(im->unit_range);
	if (im->dbg) {
		Dwarf_Error err = NULL;

		dwarf_object_finish(im->dbg, &err);
	}
	dwobj_free(im->obj);
	close_elf(&im->dfd, &im->delf);
	close_elf(&im->fd, &im->elf);
	free(im->sym);
	free(im->memo);
	free(im->path);
	free(im->build_id);
	free(im);
}

void mpt_sym_free(struct mpt_symbolizer *s)
{
	struct image *im, *nim;
	size_t i;

	if (!s)
		return;
	if (s->cache) {
		cache_clear(s);
		free(s->cache);
	}
	for (im = s->image; im; im = nim) {
		nim = im->next;
		pc_flush(s, im);
		image_free(im);
	}
	for (i = 0; i < NPROC_BUCKET; i++) {
		struct proc *p, *np;

		for (p = s->proc[i]; p; p = np) {
			size_t j;

			np = p->next;
			for (j = 0; j < p->nmap; j++)
				free(p->map[j].seg);
			free(p->map);
			free(p);
		}
	}
	for (i = 0; i < s->ndebug_dir; i++)
		free(s->debug_dir[i]);
	free(s->debug_dir);
	free(s->cache_dir);
	inflater_release(&s->inflate);
	pool_release(&s->str);
	free(s);
}

void mpt_sym_get_stats(const struct mpt_symbolizer *s, struct mpt_sym_stats *st)
{
	if (s && st)
		*st = s->stats;
}
