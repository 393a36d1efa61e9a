/* suppress.c - parse and match valgrind and LeakSanitizer leak suppressions. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demangle.h"
#include "mptrace.h"
#include "suppress.h"

enum pat_kind { PAT_FUN, PAT_OBJ, PAT_SRC, PAT_DOTS };

struct pat {
	int kind;
	char *text;
	/*
	 * fun: a mangled name without wildcards, demangled: valgrind writes
	 * mangled names, frames carry demangled ones.  NULL otherwise.
	 */
	char *demangled;
};

struct supp {
	char *name;
	int lsan;	/* a leak:PATTERN line */
	unsigned kinds; /* bit per enum mpt_leak_kind */
	struct pat *pat;
	size_t npat;
};

struct mpt_suppressions {
	struct supp *supp;
	size_t n, cap;
};

#define ALL_KINDS 0x1fu

struct mpt_suppressions *mpt_supp_new(void)
{
	return calloc(1, sizeof(struct mpt_suppressions));
}

static void supp_release(struct supp *s)
{
	size_t i;

	free(s->name);
	for (i = 0; i < s->npat; i++) {
		free(s->pat[i].text);
		free(s->pat[i].demangled);
	}
	free(s->pat);
}

void mpt_supp_free(struct mpt_suppressions *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		supp_release(&s->supp[i]);
	free(s->supp);
	free(s);
}

size_t mpt_supp_count(const struct mpt_suppressions *s)
{
	return s->n;
}

const char *mpt_supp_name(const struct mpt_suppressions *s, int i)
{
	return i >= 0 && (size_t)i < s->n ? s->supp[i].name : NULL;
}

int mpt_glob_match(const char *pat, const char *str)
{
	const char *star = NULL, *resume = NULL;

	/* Iterative glob: on a mismatch, let the last '*' eat one more byte. */
	while (*str) {
		if (*pat == '*') {
			star = ++pat;
			resume = str;
		} else if (*pat == '?' || *pat == *str) {
			pat++;
			str++;
		} else if (star) {
			pat = star;
			str = ++resume;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}

/*
 * LeakSanitizer's template match: substring search for each '*'-separated
 * piece in order; '^' anchors the first piece, '$' the end.
 */
static int lsan_match(const char *templ, const char *str)
{
	int start = 0, asterisk = 0;

	if (!str || !*str)
		return 0;
	if (*templ == '^') {
		start = 1;
		templ++;
	}
	while (*templ) {
		size_t len;
		const char *spos;
		char piece[512];

		if (*templ == '*') {
			templ++;
			start = 0;
			asterisk = 1;
			continue;
		}
		if (*templ == '$')
			return !*str || asterisk;
		if (!*str)
			return 0;
		len = strcspn(templ, "*$");
		if (len >= sizeof(piece))
			len = sizeof(piece) - 1;
		memcpy(piece, templ, len);
		piece[len] = 0;
		spos = strstr(str, piece);
		if (!spos || (start && spos != str))
			return 0;
		str = spos + len;
		templ += strcspn(templ, "*$");
		start = 0;
		asterisk = 0;
	}
	return 1;
}

static int add_supp(struct mpt_suppressions *s, struct supp *n)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct supp *ns = realloc(s->supp, cap * sizeof(*ns));

		if (!ns)
			return MPT_E_NOMEM;
		s->supp = ns;
		s->cap = cap;
	}
	s->supp[s->n++] = *n;
	return 0;
}

static int add_pat(struct supp *n, int kind, const char *text, size_t len)
{
	struct pat *np = realloc(n->pat, (n->npat + 1) * sizeof(*np));

	if (!np)
		return MPT_E_NOMEM;
	n->pat = np;
	np[n->npat].kind = kind;
	np[n->npat].demangled = NULL;
	np[n->npat].text = strndup(text, len);
	if (!np[n->npat].text)
		return MPT_E_NOMEM;
	n->npat++;
	if (kind == PAT_FUN && len > 2 && !memcmp(text, "_Z", 2) &&
	    !strpbrk(np[n->npat - 1].text, "*?"))
		/* NULL when it does not demangle: then only the text counts */
		np[n->npat - 1].demangled = mpt_demangle(np[n->npat - 1].text);
	return 0;
}

static void set_msg(char *msg, size_t size, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (!size)
		return;
	k = snprintf(msg, size, "line %u: ", line);
	if (k < 0 || (size_t)k >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(msg + k, size - (size_t)k, fmt, ap);
	va_end(ap);
}

static int parse_kinds(const char *p, size_t len, unsigned *out)
{
	static const char *const name[] = { "definite", "indirect", "possible",
					    "reachable" };
	unsigned kinds = 0;

	while (len) {
		size_t w = 0, i;

		while (len && (*p == ',' || *p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (w < len && p[w] != ',' && p[w] != ' ' && p[w] != '\t')
			w++;
		if (!w)
			break;
		if (w == 3 && !memcmp(p, "all", 3)) {
			kinds |= ALL_KINDS;
		} else if (w == 4 && !memcmp(p, "none", 4)) {
			/* nothing */
		} else {
			for (i = 0; i < 4; i++)
				if (strlen(name[i]) == w &&
				    !memcmp(p, name[i], w))
					break;
			if (i == 4)
				return -1;
			kinds |= 1u << i;
		}
		p += w;
		len -= w;
	}
	*out = kinds;
	return 0;
}

/* 1 if [b, e) holds no control character but tabs. */
static int printable(const char *b, const char *e)
{
	for (; b < e; b++)
		if (((unsigned char)*b < 0x20 && *b != '\t') || *b == 0x7f)
			return 0;
	return 1;
}

/*
 * 1 if [b, e) is a line of another sanitizer's suppressions file: TYPE:...
 * with a type of AddressSanitizer's, ThreadSanitizer's or (lower case and
 * dashes) UndefinedBehaviorSanitizer's.  Any other type is a mistake, as
 * the sanitizers have it (lek:f would suppress nothing).
 */
static int other_sanitizer_type(const char *b, const char *e)
{
	static const char *const known[] = {
		"interceptor_name",
		"interceptor_via_fun",
		"interceptor_via_lib",
		"odr_violation",
		"race",
		"race_top",
		"mutex",
		"thread",
		"signal",
		"called_from_lib",
		"deadlock",
		"alignment",
		"bool",
		"bounds",
		"enum",
		"function",
		"null",
		"return",
		"unreachable",
		"vptr",
		"vptr_check",
	};
	const char *colon = memchr(b, ':', (size_t)(e - b));
	size_t n, i;

	if (!colon || colon == b)
		return 0;
	n = (size_t)(colon - b);
	for (i = 0; i < n; i++)
		if (!(b[i] >= 'a' && b[i] <= 'z') && b[i] != '-' && b[i] != '_')
			return 0;
	if (memchr(b, '-', n))
		return 1;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i]) == n && !memcmp(known[i], b, n))
			return 1;
	return 0;
}

int mpt_supp_parse(struct mpt_suppressions *s, const char *text, size_t len,
		   char *msg, size_t msgsize)
{
	/* Entry state: 0 outside, 1 expect name, 2 expect tool:kind, 3 body */
	int state = 0, keep = 0, err;
	struct supp cur;
	unsigned lineno = 0, open_line = 0;
	const char *p = text, *end = text + len;

	memset(&cur, 0, sizeof(cur));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *b = p, *colon;

		p = nl ? nl + 1 : end;
		lineno++;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b &&
		       (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (b == e || (*b == '#' && state != 1))
			continue;
		switch (state) {
		case 0:
			if (*b == '{' && e - b == 1) {
				memset(&cur, 0, sizeof(cur));
				cur.kinds = ALL_KINDS;
				open_line = lineno;
				state = 1;
			} else if (e - b > 5 && !memcmp(b, "leak:", 5)) {
				memset(&cur, 0, sizeof(cur));
				cur.lsan = 1;
				cur.kinds = ALL_KINDS;
				cur.name = strndup(b, (size_t)(e - b));
				err = cur.name ? add_pat(&cur, PAT_FUN, b + 5,
							 (size_t)(e - b - 5)) :
						 MPT_E_NOMEM;
				if (!err)
					err = add_supp(s, &cur);
				if (err) {
					supp_release(&cur);
					return err;
				}
			} else if (other_sanitizer_type(b, e)) {
				/* The other sanitizers' types: not leaks. */
			} else if (!printable(b, e)) {
				set_msg(msg, msgsize, lineno,
					"binary data: not a suppressions file");
				return MPT_E_CORRUPT;
			} else if ((colon = memchr(b, ':', (size_t)(e - b))) &&
				   b[0] != '{' && b[0] != '}') {
				set_msg(msg, msgsize, lineno,
					"unknown suppression type '%.*s'",
					(int)(colon - b), b);
				return MPT_E_CORRUPT;
			} else {
				set_msg(msg, msgsize, lineno,
					"expected '{' or 'leak:PATTERN'");
				return MPT_E_CORRUPT;
			}
			break;
		case 1:
			if (*b == '}' || *b == '{') {
				set_msg(msg, msgsize, lineno,
					"suppression without a name");
				return MPT_E_CORRUPT;
			}
			cur.name = strndup(b, (size_t)(e - b));
			if (!cur.name)
				return MPT_E_NOMEM;
			state = 2;
			break;
		case 2: {
			const char *colon = memchr(b, ':', (size_t)(e - b));

			if (!colon || *b == '}') {
				set_msg(msg, msgsize, lineno,
					"expected 'Tool:Kind' (e.g. Memcheck:Leak)");
				supp_release(&cur);
				return MPT_E_CORRUPT;
			}
			keep = e - b == 13 && !memcmp(b, "Memcheck:Leak", 13);
			state = 3;
			break;
		}
		case 3:
			if (*b == '}' && e - b == 1) {
				if (keep && !cur.npat) {
					/*
					 * valgrind refuses it too: it would
					 * match every stack.
					 */
					set_msg(msg, msgsize, lineno,
						"suppression without a fun:, "
						"obj:, src: or ... line");
					supp_release(&cur);
					return MPT_E_CORRUPT;
				}
				if (keep) {
					err = add_supp(s, &cur);
					if (err) {
						supp_release(&cur);
						return err;
					}
				} else {
					supp_release(&cur);
				}
				memset(&cur, 0, sizeof(cur));
				state = 0;
				break;
			}
			err = 0;
			if (e - b == 3 && !memcmp(b, "...", 3))
				err = add_pat(&cur, PAT_DOTS, "", 0);
			else if (e - b >= 4 && !memcmp(b, "fun:", 4))
				err = add_pat(&cur, PAT_FUN, b + 4,
					      (size_t)(e - b - 4));
			else if (e - b >= 4 && !memcmp(b, "obj:", 4))
				err = add_pat(&cur, PAT_OBJ, b + 4,
					      (size_t)(e - b - 4));
			else if (e - b >= 4 && !memcmp(b, "src:", 4))
				err = add_pat(&cur, PAT_SRC, b + 4,
					      (size_t)(e - b - 4));
			else if (e - b >= 17 &&
				 !memcmp(b, "match-leak-kinds:", 17)) {
				if (parse_kinds(b + 17, (size_t)(e - b - 17),
						&cur.kinds) < 0) {
					set_msg(msg, msgsize, lineno,
						"bad match-leak-kinds");
					supp_release(&cur);
					return MPT_E_CORRUPT;
				}
			} else if (keep) {
				set_msg(msg, msgsize, lineno,
					"expected fun:, obj:, src:, ... or '}'");
				supp_release(&cur);
				return MPT_E_CORRUPT;
			}
			if (err) {
				supp_release(&cur);
				return err;
			}
			break;
		}
	}
	if (state) {
		set_msg(msg, msgsize, open_line,
			"suppression not closed by '}'");
		supp_release(&cur);
		return MPT_E_CORRUPT;
	}
	return 0;
}

int mpt_supp_load(struct mpt_suppressions *s, const char *path, char *msg,
		  size_t msgsize)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, k;
	int err;

	if (!f)
		return MPT_E_IO;
	for (;;) {
		if (cap - len < 4096) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			if (cap > (64u << 20)) {
				fclose(f);
				free(buf);
				set_msg(msg, msgsize, 0, "file too large");
				return MPT_E_LIMIT;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				fclose(f);
				free(buf);
				return MPT_E_NOMEM;
			}
			buf = nb;
		}
		k = fread(buf + len, 1, cap - len, f);
		len += k;
		if (k == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		free(buf);
		errno = e;
		return MPT_E_IO;
	}
	fclose(f);
	err = mpt_supp_parse(s, buf ? buf : "", len, msg, msgsize);
	free(buf);
	return err;
}

/* C++ allocation functions are spelled mangled in valgrind's files. */
static const char *mangled_alias(const char *fn)
{
	if (!fn)
		return NULL;
	if (!strcmp(fn, "operator new(unsigned long)"))
		return "_Znwm";
	if (!strcmp(fn, "operator new[](unsigned long)"))
		return "_Znam";
	return NULL;
}

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path;
}

/*
 * The unqualified name of a demangled C++ function, as DWARF names an
 * inlined call: "void ns::C<int>::f<char>(char) const" -> "f<char>".
 * Returns 0 when `fn` does not look like one (no top-level parameter list).
 */
static int unqualified(const char *fn, char *buf, size_t size)
{
	const char *p, *start = fn, *open = NULL;
	int depth = 0;
	size_t len;

	for (p = fn; *p; p++) {
		if (*p == '<' && !(p > fn && p[-1] == '<') &&
		    strncmp(p, "<<", 2)) {
			depth++;
		} else if (*p == '>' && depth > 0 &&
			   !(p > fn && p[-1] == '-')) {
			depth--;
		} else if (depth == 0 && *p == ':' && p[1] == ':') {
			start = p + 2;
			p++;
		} else if (depth == 0 && *p == ' ' && p[1] != '(' &&
			   strncmp(start, "operator", 8)) {
			start = p + 1; /* a return type before the name */
		} else if (depth == 0 && *p == '(' && p > start) {
			open = p;
			break;
		}
	}
	if (!open)
		return 0;
	len = (size_t)(open - start);
	if (!len || len >= size)
		return 0;
	memcpy(buf, start, len);
	buf[len] = 0;
	return 1;
}

static int fun_match(const struct pat *p, const struct mpt_supp_frame *f)
{
	const char *alias, *fn = f->function;
	char buf[1024];

	if (!fn)
		return 0;
	if (mpt_glob_match(p->text, fn))
		return 1;
	alias = mangled_alias(fn);
	if (alias && mpt_glob_match(p->text, alias))
		return 1;
	if (p->demangled && !strcmp(p->demangled, fn))
		return 1;
	/*
	 * A function that has inlined calls may carry only its DWARF name
	 * ("make_polygon", as addr2line prints it too).
	 */
	if (p->demangled && !strchr(fn, '(') &&
	    unqualified(p->demangled, buf, sizeof(buf)) && !strcmp(buf, fn))
		return 1;
	if (f->inlined && unqualified(fn, buf, sizeof(buf))) {
		const char *pl = strchr(p->text, '<'), *bl = strchr(buf, '<');

		if (mpt_glob_match(p->text, buf))
			return 1;
		/*
		 * DWARF spells template arguments its own way ("const T&"
		 * where the demangler says "T const&"): compare the names
		 * without them.
		 */
		if (pl && bl && pl - p->text == bl - buf &&
		    !memcmp(p->text, buf, (size_t)(bl - buf)) &&
		    !strpbrk(p->text, "*?"))
			return 1;
	}
	/*
	 * glibc's functions: DWARF names the internal symbol (__GI___strdup,
	 * ___asprintf), valgrind the public alias (strdup, asprintf).
	 */
	if (!strncmp(fn, "__GI_", 5) ||
	    (fn[0] == '_' && f->module &&
	     !strncmp(base_name(f->module), "libc.so", 7))) {
		if (!strncmp(fn, "__GI_", 5)) {
			fn += 5;
			if (mpt_glob_match(p->text, fn))
				return 1;
		}
		while (*fn == '_')
			fn++;
		if (*fn && mpt_glob_match(p->text, fn))
			return 1;
	}
	return 0;
}

static int frame_match(const struct pat *p, const struct mpt_supp_frame *f)
{
	switch (p->kind) {
	case PAT_FUN:
		return fun_match(p, f);
	case PAT_OBJ:
		return f->module && mpt_glob_match(p->text, f->module);
	case PAT_SRC: {
		char buf[4096];
		const char *bn = base_name(f->file);

		if (!f->file)
			return 0;
		if (strchr(p->text, ':')) {
			snprintf(buf, sizeof(buf), "%s:%u", bn, f->line);
			if (mpt_glob_match(p->text, buf))
				return 1;
			snprintf(buf, sizeof(buf), "%s:%u", f->file, f->line);
			return mpt_glob_match(p->text, buf);
		}
		return mpt_glob_match(p->text, bn) ||
		       mpt_glob_match(p->text, f->file);
	}
	default:
		return 0;
	}
}

static int vg_match(const struct pat *pat, size_t npat,
		    const struct mpt_supp_frame *frame, size_t n)
{
	size_t k;

	if (!npat)
		return 1; /* the patterns are a prefix of the stack */
	if (pat->kind == PAT_DOTS) {
		for (k = 0; k <= n; k++)
			if (vg_match(pat + 1, npat - 1, frame + k, n - k))
				return 1;
		return 0;
	}
	if (!n || !frame_match(pat, frame))
		return 0;
	return vg_match(pat + 1, npat - 1, frame + 1, n - 1);
}

int mpt_supp_match(const struct mpt_suppressions *s, int kind,
		   const struct mpt_supp_frame *frame, size_t n)
{
	size_t i, k;

	for (i = 0; s && i < s->n; i++) {
		const struct supp *sp = &s->supp[i];

		/* A block of unknown kind (no scan) matches any kind list. */
		if (kind >= 0 && kind < MPT_LEAK_UNKNOWN &&
		    !(sp->kinds & (1u << kind)))
			continue;
		if (sp->lsan) {
			const char *t = sp->pat[0].text;

			for (k = 0; k < n; k++)
				if (lsan_match(t, frame[k].function) ||
				    lsan_match(t, frame[k].module) ||
				    lsan_match(t, frame[k].file))
					return (int)i;
			continue;
		}
		if (vg_match(sp->pat, sp->npat, frame, n))
			return (int)i;
	}
	return -1;
}
