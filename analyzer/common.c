/* common.c - what the analyzer commands share: CLI, errors, traces, output. */
#include "common.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *prog = "mptrace";
/* The status a die() is exiting with, so the exit check keeps it. */
static int exit_status_hint;
static FILE *out_file;
static const char *out_path;
static int exit_check_armed;

static void check_output_at_exit(void);

void set_progname(const char *name)
{
	const char *slash = strrchr(name, '/');

	prog = slash ? slash + 1 : name;
	if (!exit_check_armed) {
		exit_check_armed = 1;
		atexit(check_output_at_exit);
	}
}

const char *progname(void)
{
	return prog;
}

static void vreport(const char *prefix, const char *fmt, va_list ap,
		    const char *suffix)
{
	char msg[1024];

	/* Flush our own output first so the message lands after it. */
	if (out_file)
		fflush(out_file);
	fflush(stdout);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: %s%s%s%s\n", prog, prefix, msg, suffix ? ": " : "",
		suffix ? suffix : "");
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, NULL);
	va_end(ap);
	exit_status_hint = EXIT_USAGE;
	exit(EXIT_USAGE);
}

void die_errno(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	vreport("", fmt, ap, e);
	va_end(ap);
	exit_status_hint = EXIT_USAGE;
	exit(EXIT_USAGE);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, NULL);
	va_end(ap);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, NULL);
	va_end(ap);
	return -1;
}

/*
 * Allocation.
 */

static void *nomem(size_t n)
{
	errno = ENOMEM;
	die_errno("out of memory allocating %zu bytes", n);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	return p ? p : nomem(n);
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	return p ? p : nomem(nmemb * size);
}

void *xrealloc(void *old, size_t n)
{
	void *p = realloc(old, n ? n : 1);

	return p ? p : nomem(n);
}

void *xreallocarray(void *old, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		nomem(SIZE_MAX);
	return xrealloc(old, nmemb * size);
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	return p ? p : nomem(strlen(s) + 1);
}

/*
 * Parsing.
 */

long long parse_num(const char *s, long long min, long long max,
		    const char **errstr)
{
	char *end;
	long long v;

	*errstr = NULL;
	if (min > max || !s || !*s || isspace((unsigned char)*s)) {
		*errstr = "invalid";
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end) {
		*errstr = "invalid";
		return 0;
	}
	if ((v == LLONG_MIN && errno == ERANGE) || v < min) {
		*errstr = "too small";
		return 0;
	}
	if ((v == LLONG_MAX && errno == ERANGE) || v > max) {
		*errstr = "too large";
		return 0;
	}
	return v;
}

/* Digits of base 10 or 16 into *out; returns the end, or NULL on overflow. */
static const char *scan_u64(const char *s, int base, uint64_t *out, int *ndig)
{
	uint64_t v = 0;
	int n = 0;

	for (;; s++, n++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return NULL;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*out = v;
	*ndig = n;
	return s;
}

int parse_u64(const char *s, uint64_t max, uint64_t *out, const char **errstr)
{
	uint64_t v;
	int base = 10, n;
	const char *end;

	*errstr = "invalid";
	if (!s || !*s)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	end = scan_u64(s, base, &v, &n);
	if (!end) {
		*errstr = "too large";
		return -1;
	}
	if (!n || *end)
		return -1;
	if (v > max) {
		*errstr = "too large";
		return -1;
	}
	*out = v;
	*errstr = NULL;
	return 0;
}

int parse_size(const char *s, uint64_t *out, const char **errstr)
{
	uint64_t v, mul = 1;
	const char *p;
	int n;

	*errstr = "invalid";
	if (!s)
		return -1;
	p = scan_u64(s, 10, &v, &n);
	if (!p) {
		*errstr = "too large";
		return -1;
	}
	if (!n)
		return -1;
	switch (*p) {
	case 'k':
	case 'K':
		mul = 1ull << 10;
		p++;
		break;
	case 'm':
	case 'M':
		mul = 1ull << 20;
		p++;
		break;
	case 'g':
	case 'G':
		mul = 1ull << 30;
		p++;
		break;
	case 't':
	case 'T':
		mul = 1ull << 40;
		p++;
		break;
	}
	if (mul > 1 && !strcmp(p, "iB"))
		p += 2;
	else if (!strcmp(p, "B"))
		p++;
	if (*p)
		return -1;
	if (v > UINT64_MAX / mul) {
		*errstr = "too large";
		return -1;
	}
	*out = v * mul;
	*errstr = NULL;
	return 0;
}

int parse_time(const char *s, struct time_spec *out, const char **errstr)
{
	uint64_t whole, frac = 0, unit = 1000000000ull, v;
	const char *p;
	int n, nfrac = 0;

	*errstr = "invalid";
	/* Defined even on failure: callers look at out->mark. */
	out->mark = NULL;
	out->ns = 0;
	if (!s)
		return -1;
	if (!strncmp(s, "mark:", 5)) {
		if (!s[5]) {
			*errstr = "empty marker name";
			return -1;
		}
		out->mark = s + 5;
		out->ns = 0;
		*errstr = NULL;
		return 0;
	}
	p = scan_u64(s, 10, &whole, &n);
	if (!p) {
		*errstr = "too large";
		return -1;
	}
	if (*p == '.') {
		const char *q = ++p;

		while (*p >= '0' && *p <= '9') {
			/* Digits past nanoseconds cannot matter; drop them. */
			if (nfrac < 9) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				nfrac++;
			}
			p++;
		}
		if (p == q)
			return -1;
		n += (int)(p - q);
	}
	if (!n)
		return -1;
	if (!*p || !strcmp(p, "s"))
		unit = 1000000000ull;
	else if (!strcmp(p, "ms"))
		unit = 1000000ull;
	else if (!strcmp(p, "us"))
		unit = 1000ull;
	else if (!strcmp(p, "ns"))
		unit = 1ull;
	else
		return -1;
	/* frac holds nfrac decimals: scale it to units of 1e-9 of the unit. */
	while (nfrac < 9) {
		frac *= 10;
		nfrac++;
	}
	if (whole > UINT64_MAX / unit) {
		*errstr = "too large";
		return -1;
	}
	v = whole * unit;
	/* frac / 1e9 of a unit; exact for units of 1 ns and above. */
	frac /= 1000000000ull / unit; /* below a nanosecond: dropped */
	if (v > UINT64_MAX - frac) {
		*errstr = "too large";
		return -1;
	}
	out->ns = v + frac;
	out->mark = NULL;
	*errstr = NULL;
	return 0;
}

/*
 * Options.
 */

enum {
	CODE_FROM = 0x1000,
	CODE_TO,
	CODE_PID,
	CODE_DOMAIN,
	CODE_NO_SYMBOLS,
	CODE_DEBUG_DIR,
	CODE_NO_CACHE,
};

/* The shared options: their text lives here only. */
static const struct shared_option {
	unsigned bit; /* 0: always accepted */
	struct cmd_option opt;
} shared_option[] = {
	{ OPT_SYMBOLS,
	  { "debug-dir", CODE_DEBUG_DIR, "DIR",
	    "look for separate debug files under DIR" } },
	{ OPT_DOMAIN,
	  { "domain", CODE_DOMAIN, "D",
	    "memory to look at: heap, mmap, gpu, gpu:N or all" } },
	{ OPT_FORMAT,
	  { "format", 'f', "FMT", NULL /* built from the list */ } },
	{ OPT_WINDOW,
	  { "from", CODE_FROM, "T",
	    "start at time T: seconds (2.5, 100ms) or mark:NAME" } },
	{ 0, { "help", 'h', NULL, "print this help and exit" } },
	{ OPT_SYMBOLS,
	  { "no-cache", CODE_NO_CACHE, NULL,
	    "neither read nor write the symbol cache" } },
	{ OPT_SYMBOLS,
	  { "no-symbols", CODE_NO_SYMBOLS, NULL,
	    "print addresses, do not resolve symbols" } },
	{ OPT_OUTPUT,
	  { "output", 'o', "FILE",
	    "write to FILE instead of standard output" } },
	{ OPT_PID,
	  { "pid", CODE_PID, "PID",
	    "only the process PID of a multi-process trace" } },
	{ OPT_WINDOW,
	  { "to", CODE_TO, "T", "stop before time T: seconds or mark:NAME" } },
	{ OPT_TOP, { "top", 'n', "N", "print at most N rows (0: all)" } },
	{ 0, { "version", 'V', NULL, "print the version and exit" } },
};

static const char *const default_formats[] = { "text", "csv", "gnuplot", NULL };

static const char *const *spec_formats(const struct cmd_spec *spec)
{
	return spec->formats ? spec->formats : default_formats;
}

/* Options a command accepts, shared and own, sorted by long name. */
struct opt_ref {
	const struct cmd_option *opt;
	int shared;
};

static int opt_ref_cmp(const void *a, const void *b)
{
	const struct opt_ref *x = a, *y = b;

	return strcmp(x->opt->name, y->opt->name);
}

static size_t collect_options(const struct cmd_spec *spec, struct opt_ref **out)
{
	size_t n = 0, i, cap = sizeof(shared_option) / sizeof(*shared_option);
	struct opt_ref *ref;

	for (i = 0; spec->options && spec->options[i].name; i++)
		cap++;
	ref = xcalloc(cap, sizeof(*ref));
	for (i = 0; i < sizeof(shared_option) / sizeof(*shared_option); i++) {
		if (shared_option[i].bit &&
		    !(spec->shared & shared_option[i].bit))
			continue;
		ref[n].opt = &shared_option[i].opt;
		ref[n++].shared = 1;
	}
	for (i = 0; spec->options && spec->options[i].name; i++)
		ref[n++].opt = &spec->options[i];
	qsort(ref, n, sizeof(*ref), opt_ref_cmp);
	*out = ref;
	return n;
}

static void print_option(FILE *f, const struct cmd_spec *spec,
			 const struct cmd_option *o)
{
	char left[64];
	int len = 0;

	if (o->val < 0x100)
		len = snprintf(left, sizeof(left), "-%c, ", o->val);
	snprintf(left + len, sizeof(left) - (size_t)len, "--%s%s%s", o->name,
		 o->arg && o->arg[0] != '[' ? " " : "", o->arg ? o->arg : "");
	if (strlen(left) > 20)
		fprintf(f, "  %s\n  %-20s  ", left, "");
	else
		fprintf(f, "  %-20s  ", left);
	if (o->help) {
		fprintf(f, "%s\n", o->help);
	} else {
		const char *const *fmt = spec_formats(spec);
		size_t i;

		fprintf(f, "output format:");
		for (i = 0; fmt[i]; i++)
			fprintf(f, "%s %s%s", i ? "," : "", fmt[i],
				i ? "" : " (default)");
		fprintf(f, "\n");
	}
}

/*
 * "usage: NAME SYNOPSIS", wrapped before 80 columns at spaces outside
 * brackets, continuation lines aligned under the first option.
 */
static void print_synopsis(FILE *f, const struct cmd_spec *spec)
{
	const char *p = spec->synopsis;
	int indent = (int)strlen("usage: ") + (int)strlen(spec->name) + 1;
	int col = indent;

	fprintf(f, "usage: %s", spec->name);
	while (*p) {
		const char *q = p;
		int depth = 0, len;

		while (*q && (depth || *q != ' ')) {
			if (*q == '[')
				depth++;
			else if (*q == ']' && depth)
				depth--;
			q++;
		}
		len = (int)(q - p);
		if (col > indent && col + 1 + len > 79) {
			fprintf(f, "\n%*s", indent - 1, "");
			col = indent - 1;
		}
		fprintf(f, " %.*s", len, p);
		col += 1 + len;
		p = *q ? q + 1 : q;
	}
	putc('\n', f);
}

void cmd_usage(const struct cmd_spec *spec, FILE *f, int full)
{
	struct opt_ref *ref;
	size_t n, i;

	print_synopsis(f, spec);
	if (!full) {
		fprintf(f, "Try '%s --help' for more information.\n",
			spec->name);
		return;
	}
	fprintf(f, "%s\n\n", spec->summary);
	n = collect_options(spec, &ref);
	for (i = 0; i < n; i++)
		print_option(f, spec, ref[i].opt);
	free(ref);
}

int cmd_format_is(const struct cmd_args *args, const char *name)
{
	return args->format && !strcmp(args->format, name);
}

/* The option tables of cmd_parse(), freed on every way out of it. */
static struct opt_ref *parse_ref;
static struct option *parse_lopt;
static int parse_free_armed;

static void parse_free(void)
{
	free(parse_ref);
	free(parse_lopt);
	parse_ref = NULL;
	parse_lopt = NULL;
}

static __attribute__((noreturn)) void bad_usage(const struct cmd_spec *spec)
{
	cmd_usage(spec, stderr, 0);
	exit_status_hint = EXIT_USAGE;
	exit(EXIT_USAGE);
}

static int parse_domain(const char *s, struct cmd_args *args,
			const char **errstr)
{
	char *copy = xstrdup(s), *tok, *save = NULL;
	int rc = 0;

	args->domain = 0;
	args->gpu_device = -1;
	*errstr = "expected heap, mmap, gpu, gpu:N or all";
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "heap")) {
			args->domain |= DOMAIN_HEAP;
		} else if (!strcmp(tok, "mmap")) {
			args->domain |= DOMAIN_MMAP;
		} else if (!strcmp(tok, "gpu")) {
			args->domain |= DOMAIN_GPU;
		} else if (!strcmp(tok, "all")) {
			args->domain |= DOMAIN_ALL;
		} else if (!strncmp(tok, "gpu:", 4)) {
			const char *e;
			long long dev = parse_num(tok + 4, 0, INT_MAX, &e);

			if (e) {
				rc = -1;
				break;
			}
			args->domain |= DOMAIN_GPU;
			args->gpu_device = (int)dev;
		} else {
			rc = -1;
			break;
		}
	}
	if (!args->domain)
		rc = -1;
	free(copy);
	if (!rc)
		*errstr = NULL;
	return rc;
}

static __attribute__((noreturn)) void bad_value(const struct cmd_spec *spec,
						const char *opt,
						const char *arg,
						const char *why)
{
	if (!strcmp(why, "invalid"))
		why = strcmp(opt, "--from") && strcmp(opt, "--to") ?
			      "not a number" :
			      "not a time (2.5, 100ms or mark:NAME)";
	error("invalid %s '%s': %s", opt, arg, why);
	bad_usage(spec);
}

/*
 * getopt_long() takes an abbreviation of a long option: the length of
 * the name typed in `typed` if it is an abbreviation of `matched` that is
 * itself the whole name of a shared option, one this command does not
 * have (mpleaks took --to T for --top, which no other command would).
 */
static size_t other_option(const char *typed, const char *matched)
{
	size_t n, i;

	if (strncmp(typed, "--", 2))
		return 0;
	n = strcspn(typed + 2, "=");
	if (strlen(matched) == n)
		return 0;
	for (i = 0; i < sizeof(shared_option) / sizeof(shared_option[0]); i++)
		if (strlen(shared_option[i].opt.name) == n &&
		    !strncmp(shared_option[i].opt.name, typed + 2, n))
			return n;
	return 0;
}

void cmd_parse(const struct cmd_spec *spec, int argc, char **argv,
	       struct cmd_args *args)
{
	struct opt_ref *ref;
	struct option *lopt;
	char shortopts[128];
	size_t n, i, sl = 0;
	const char *errstr;
	int c;

	set_progname(spec->name);
	memset(args, 0, sizeof(*args));
	args->format = spec_formats(spec)[0];
	args->top = -1;
	args->gpu_device = -1;

	n = collect_options(spec, &ref);
	lopt = xcalloc(n + 1, sizeof(*lopt));
	parse_ref = ref;
	parse_lopt = lopt;
	if (!parse_free_armed) {
		parse_free_armed = 1;
		atexit(parse_free);
	}
	shortopts[sl++] = ':'; /* report a missing argument as ':' */
	for (i = 0; i < n; i++) {
		const struct cmd_option *o = ref[i].opt;

		lopt[i].name = o->name;
		lopt[i].has_arg = !o->arg	   ? no_argument :
				  o->arg[0] == '[' ? optional_argument :
						     required_argument;
		lopt[i].val = o->val;
		if (o->val < 0x100 && sl + 3 < sizeof(shortopts)) {
			shortopts[sl++] = (char)o->val;
			if (o->arg)
				shortopts[sl++] = ':';
			if (o->arg && o->arg[0] == '[')
				shortopts[sl++] = ':';
		}
	}
	shortopts[sl] = 0;

	opterr = 0;
	for (;;) {
		int li = -1, at = optind;
		const char *arg;
		size_t other;

		c = getopt_long(argc, argv, shortopts, lopt, &li);
		if (c == -1)
			break;
		arg = optarg;
		other = li >= 0 && at < argc ?
				other_option(argv[at], lopt[li].name) :
				0;
		if (other) {
			error("unknown option '--%.*s'", (int)other,
			      argv[at] + 2);
			bad_usage(spec);
		}
		switch (c) {
		case 'h':
			cmd_usage(spec, stdout, 1);
			exit(EXIT_OK);
		case 'V':
			printf("%s (mptrace) %s, trace format %d.%d\n",
			       spec->name, MPTRACE_VERSION, MPT_VERSION_MAJOR,
			       MPT_VERSION_MINOR);
			exit(EXIT_OK);
		case '?':
			if (optopt && optopt < 0x100 && isprint(optopt))
				error("unknown option '-%c'", optopt);
			else
				error("unknown option '%s'", argv[optind - 1]);
			bad_usage(spec);
		case ':':
			if (optopt && optopt < 0x100 && isprint(optopt) &&
			    argv[optind - 1][1] != '-')
				error("option '-%c' needs an argument", optopt);
			else
				error("option '%s' needs an argument",
				      argv[optind - 1]);
			bad_usage(spec);
		}
		for (i = 0; i < n; i++)
			if (ref[i].opt->val == c)
				break;
		if (i == n || !ref[i].shared) {
			if (!spec->handle ||
			    spec->handle(c, arg, spec->ctx) < 0)
				bad_usage(spec);
			continue;
		}
		switch (c) {
		case 'f': {
			const char *const *fmt = spec_formats(spec);
			size_t k;

			for (k = 0; fmt[k]; k++)
				if (!strcmp(fmt[k], arg))
					break;
			if (!fmt[k]) {
				char list[256];
				size_t len = 0;

				for (k = 0; fmt[k] && len < sizeof(list); k++)
					len += (size_t)snprintf(
						list + len, sizeof(list) - len,
						"%s%s", k ? ", " : "expected ",
						fmt[k]);
				bad_value(spec, "--format", arg, list);
			}
			args->format = fmt[k];
			break;
		}
		case 'o':
			args->output = arg;
			break;
		case 'n':
			args->top = (long)parse_num(arg, 0, INT_MAX, &errstr);
			if (errstr)
				bad_value(spec, "--top", arg, errstr);
			break;
		case CODE_FROM:
			if (parse_time(arg, &args->from, &errstr) < 0)
				bad_value(spec, "--from", arg, errstr);
			args->has_from = 1;
			break;
		case CODE_TO:
			if (parse_time(arg, &args->to, &errstr) < 0)
				bad_value(spec, "--to", arg, errstr);
			args->has_to = 1;
			break;
		case CODE_PID:
			args->pid = (uint32_t)parse_num(arg, 1, UINT32_MAX,
							&errstr);
			if (errstr)
				bad_value(spec, "--pid", arg, errstr);
			args->has_pid = 1;
			break;
		case CODE_DOMAIN:
			if (parse_domain(arg, args, &errstr) < 0)
				bad_value(spec, "--domain", arg, errstr);
			break;
		case CODE_NO_SYMBOLS:
			args->no_symbols = 1;
			break;
		case CODE_DEBUG_DIR:
			args->debug_dir = arg;
			break;
		case CODE_NO_CACHE:
			args->no_cache = 1;
			break;
		}
	}
	parse_free();
	/* An empty window is a typo more often than a question. */
	if (args->has_from && args->has_to && !args->from.mark &&
	    !args->to.mark && args->from.ns > args->to.ns) {
		error("invalid window: --from is after --to");
		bad_usage(spec);
	}

	args->ntrace = argc - optind;
	args->trace = argv + optind;
	if (!args->ntrace) {
		static char *stdin_trace[] = { "-", NULL };

		if (isatty(STDIN_FILENO)) {
			error("no trace given (and standard input is a terminal)");
			bad_usage(spec);
		}
		args->ntrace = 1;
		args->trace = stdin_trace;
	}
	if (spec->max_traces && args->ntrace > spec->max_traces) {
		error("too many traces (at most %d)", spec->max_traces);
		bad_usage(spec);
	}
}

/*
 * Traces.
 */

struct trace *trace_open(const char *path, const struct cmd_args *args,
			 int no_seek)
{
	struct trace *t = xcalloc(1, sizeof(*t));
	struct stat st;
	int err = 0;

	t->path = path;
	t->name = strcmp(path, "-") ? path : "standard input";
	if (strcmp(path, "-")) {
		if (stat(path, &st) < 0)
			die_errno("cannot open '%s'", path);
		if (S_ISDIR(st.st_mode))
			die("'%s': is a directory", path);
	}
	t->reader = mpt_reader_open(path, 0, &err);
	if (!t->reader) {
		if (err == MPT_E_IO)
			die_errno("cannot open '%s'", path);
		die("cannot open '%s': %s", path, mpt_strerror(err));
	}
	if (args) {
		t->has_from = args->has_from;
		t->has_to = args->has_to;
		t->from = args->from;
		t->to = args->to;
		t->has_pid = args->has_pid;
		t->pid = args->pid;
	}
	if (!t->has_from)
		t->from_open = 1;
	if (t->has_from && !t->from.mark && !no_seek && t->from.ns > 0) {
		err = mpt_reader_seek(t->reader, t->from.ns);
		if (err < 0)
			trace_die(t, err);
		t->seeked = 1;
	} else {
		/* Decompress ahead on a second thread; alone if that fails. */
		(void)mpt_reader_set_threads(t->reader, 1);
	}
	return t;
}

void trace_die(const struct trace *t, int err)
{
	const char *msg = mpt_reader_errmsg(t->reader);

	if (!msg || !*msg)
		msg = mpt_strerror(err);
	die("%s: %s", t->name, msg);
}

static int is_mark(const struct mpt_record *rec, const char *label)
{
	size_t len = strlen(label);

	return rec->type == MPT_REC_MARKER && rec->u.marker.label.len == len &&
	       !memcmp(rec->u.marker.label.ptr, label, len);
}

int trace_next(struct trace *t)
{
	struct mpt_record *rec = &t->rec;
	int rc;

	if (t->to_hit || t->ended)
		return 0;
	for (;;) {
		rc = mpt_reader_next(t->reader, rec);
		if (rc < 0)
			trace_die(t, rc);
		if (rc == 0) {
			t->ended = 1;
			t->cut = mpt_reader_is_cut(t->reader);
			if (t->cut)
				warn("%s: trace is cut (no end record); showing what it holds",
				     t->name);
			return 0;
		}
		t->nrec++;
		if (t->has_pid && rec->pid == t->pid)
			t->pid_seen = 1;
		if (!t->from_open) {
			if (t->from.mark ? is_mark(rec, t->from.mark) :
					   rec->time >= t->from.ns)
				t->from_open = 1;
		}
		if (t->from_open && t->has_to) {
			if (t->to.mark ? is_mark(rec, t->to.mark) :
					 rec->time >= t->to.ns) {
				/* The marker itself is outside the window. */
				t->to_hit = 1;
				return 0;
			}
		}
		if (t->from_open) {
			t->where = TRACE_IN;
			return 1;
		}
		if (mpt_type_is_definition(rec->type)) {
			t->where = TRACE_BEFORE;
			return 1;
		}
	}
}

int trace_window_check(const struct trace *t)
{
	int rc = 0;

	if (t->has_from && t->from.mark && !t->from_open) {
		warn("%s: no marker '%s' (for --from)", t->name, t->from.mark);
		rc = -1;
	}
	if (t->has_to && t->to.mark && !t->to_hit) {
		warn("%s: no marker '%s' (for --to)", t->name, t->to.mark);
		rc = -1;
	}
	/* Past --to the pid may come later: only a whole read can tell. */
	if (t->has_pid && !t->pid_seen && !t->seeked && !t->to_hit) {
		warn("%s: no process %u (for --pid)", t->name, t->pid);
		rc = -1;
	}
	return rc;
}

void trace_close(struct trace *t)
{
	if (!t)
		return;
	mpt_reader_close(t->reader);
	free(t);
}

/*
 * Output.
 */

FILE *out_open(const struct cmd_args *args)
{
	struct stat ost, tst;

	if (!exit_check_armed)
		set_progname(prog);
	if (!args || !args->output || !strcmp(args->output, "-"))
		return stdout;
	/* Opening for writing would empty the trace before it is read. */
	if (stat(args->output, &ost) == 0 && S_ISREG(ost.st_mode)) {
		int i;

		for (i = 0; i < args->ntrace; i++)
			if (strcmp(args->trace[i], "-") &&
			    stat(args->trace[i], &tst) == 0 &&
			    tst.st_dev == ost.st_dev &&
			    tst.st_ino == ost.st_ino)
				die("'%s' is both a trace and the output",
				    args->output);
	}
	out_file = fopen(args->output, "w");
	if (!out_file)
		die_errno("cannot open '%s' for writing", args->output);
	out_path = args->output;
	return out_file;
}

/* fflush, ferror and fclose `f`; returns 0 or an errno value. */
static int close_checked(FILE *f)
{
	int err = 0;

	errno = 0;
	if (fflush(f) || ferror(f))
		err = errno ? errno : EIO;
	if (fclose(f) && !err)
		err = errno ? errno : EIO;
	return err;
}

static void check_output_at_exit(void)
{
	struct stat st;
	int err, failed = 0;

	if (out_file) {
		err = close_checked(out_file);
		out_file = NULL;
		if (err) {
			fprintf(stderr, "%s: cannot write '%s': %s\n", prog,
				out_path, strerror(err));
			failed = 1;
		}
	}
	/* Standard output closed by the caller: nothing to check. */
	if (fstat(STDOUT_FILENO, &st) == 0) {
		err = close_checked(stdout);
		if (err && err != EBADF) {
			fprintf(stderr, "%s: write error: %s\n", prog,
				strerror(err));
			failed = 1;
		}
	}
	if (failed)
		_exit(exit_status_hint > EXIT_FAIL ? exit_status_hint :
						     EXIT_FAIL);
}

void csv_str(FILE *f, const char *s, size_t len)
{
	size_t i;
	int quote = 0;

	for (i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			quote = 1;
	if (len && (s[0] == ' ' || s[len - 1] == ' '))
		quote = 1;
	if (!quote) {
		fwrite(s, 1, len, f);
		return;
	}
	putc('"', f);
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			putc('"', f);
		putc(s[i], f);
	}
	putc('"', f);
}

void text_str(FILE *f, const char *s, size_t len)
{
	size_t i;

	putc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\x%02x", c);
			else
				putc(c, f);
		}
	}
	putc('"', f);
}

const char *human_bytes(char *buf, size_t len, uint64_t n)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB",
					    "TiB", "PiB", "EiB" };
	double v = (double)n;
	size_t u = 0;

	if (n < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)n);
		return buf;
	}
	v /= 1024;
	/* Move up when rounding to one decimal would print 1024.0. */
	while (v >= 1023.95 && u + 1 < sizeof(unit) / sizeof(*unit)) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, unit[u]);
	return buf;
}

const char *fmt_time(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%llu.%09llu",
		 (unsigned long long)(ns / 1000000000ull),
		 (unsigned long long)(ns % 1000000000ull));
	return buf;
}
