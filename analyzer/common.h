/*
 * common.h - what every analyzer command shares: messages and exit codes,
 * allocation that dies, strict number/size/time parsing, the one option
 * table, trace opening and iteration with a time window, and output helpers.
 *
 * Commands die; this is command code, never library code (formats/ and the
 * analysis modules return errors instead).
 */
#ifndef MPT_COMMON_H
#define MPT_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mptrace.h" /* struct mpt_reader, struct mpt_record */

#define MPTRACE_VERSION "0.1"

/* Exit statuses (see EXIT STATUS in every man page). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,	/* a finding asked to fail on, a per-input failure */
	EXIT_USAGE = 2, /* bad usage or unreadable input */
};

/*
 * Messages.  Each prints "<prog>: <message>" on one line to stderr; set the
 * program name once with cmd_parse() (or set_progname()).
 */
void set_progname(const char *name);
const char *progname(void);

/* Print and exit 2 (unreadable input, bad usage). */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
/* As die(), appending ": strerror(errno)". */
__attribute__((noreturn, format(printf, 1, 2))) void die_errno(const char *fmt,
							       ...);
/* Print "<prog>: ..." and go on (a note, not a failure). */
__attribute__((format(printf, 1, 2))) void warn(const char *fmt, ...);
/* Print "<prog>: ..." and return -1, so that `return error(...)` works. */
__attribute__((format(printf, 1, 2))) int error(const char *fmt, ...);

/* Allocation that dies on failure (and on size overflow). */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow-by-half reallocation of an array of `nmemb` elements of `size`. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);

/*
 * Parsing.  Every parser rejects empty strings, signs where none belong,
 * trailing junk and out-of-range values, and names the reason in *errstr
 * ("invalid", "too small", "too large").  The int-returning ones return 0,
 * or -1 with *errstr set.
 */

/*
 * Decimal integer in [min, max], modeled on strtonum(3).  Returns the value,
 * or 0 with *errstr set ("invalid", "too small", "too large"); *errstr is
 * NULL on success.
 */
long long parse_num(const char *s, long long min, long long max,
		    const char **errstr);

/* Unsigned decimal (or 0x hex) in [0, max]. */
int parse_u64(const char *s, uint64_t max, uint64_t *out, const char **errstr);

/*
 * Byte size: a decimal count with an optional binary suffix K, M, G or T
 * (optionally followed by "iB" or "B"), or a plain "B": "4096", "64K",
 * "1M", "2GiB".
 */
int parse_size(const char *s, uint64_t *out, const char **errstr);

/*
 * A point in trace time: seconds with up to 9 decimals and an optional unit
 * s, ms, us or ns ("2.5", "100ms", "250us"), or "mark:NAME", the time of the
 * first MARKER record labelled NAME.
 */
struct time_spec {
	uint64_t ns;	  /* when mark is NULL */
	const char *mark; /* the NAME of mark:NAME (points into the argument) */
};
int parse_time(const char *s, struct time_spec *out, const char **errstr);

/*
 * Options.  The shared options are spelled once, here; a command picks the
 * ones it accepts and adds its own.
 */
enum cmd_shared {
	OPT_FORMAT = 1 << 0,  /* -f, --format FMT */
	OPT_OUTPUT = 1 << 1,  /* -o, --output FILE */
	OPT_WINDOW = 1 << 2,  /* --from T, --to T */
	OPT_PID = 1 << 3,     /* --pid PID */
	OPT_DOMAIN = 1 << 4,  /* --domain D */
	OPT_TOP = 1 << 5,     /* -n, --top N */
	OPT_SYMBOLS = 1 << 6, /* --no-symbols, --no-cache, --debug-dir DIR */
	/* -h, --help and -V, --version are always accepted. */
};

enum domain {
	DOMAIN_HEAP = 1 << 0,
	DOMAIN_MMAP = 1 << 1,
	DOMAIN_GPU = 1 << 2,
	DOMAIN_ALL = DOMAIN_HEAP | DOMAIN_MMAP | DOMAIN_GPU,
};

/* One option of the command's own.  Arrays end with a zeroed entry. */
struct cmd_option {
	const char *name; /* long name, without "--" */
	int val;	  /* a short letter, or a code >= 0x100 for long-only */
	/*
	 * Argument name for the help: "N" (required), "[=N]" (optional,
	 * given as --name=N), NULL (none).  The handler gets NULL for an
	 * optional argument that is absent.
	 */
	const char *arg;
	const char *help; /* one line */
};

struct cmd_spec {
	const char *name;     /* "mpdump" */
	const char *synopsis; /* after the name: "[options] trace..." */
	const char *summary;  /* one line: what the command does */
	unsigned shared;      /* OPT_* the command accepts */
	/*
	 * Formats for -f, NULL-terminated, the first is the default.  NULL
	 * means text, csv, gnuplot.
	 */
	const char *const *formats;
	const struct cmd_option *options; /* the command's own, may be NULL */
	/*
	 * Called for each of the command's own options, with its argument or
	 * NULL.  Returns 0, or -1 after error(...) (bad usage: exit 2).
	 */
	int (*handle)(int val, const char *arg, void *ctx);
	void *ctx;
	int max_traces; /* 0: any number of traces */
};

struct cmd_args {
	const char *format; /* one of spec->formats (compare with strcmp) */
	const char *output; /* NULL: standard output */
	int has_from, has_to;
	struct time_spec from, to;
	int has_pid;
	uint32_t pid;
	unsigned domain; /* DOMAIN_* bits; 0 if not given */
	int gpu_device;	 /* with DOMAIN_GPU: the device, or -1 for all */
	long top;	 /* -1 if not given; 0 means all */
	int no_symbols;
	int no_cache; /* --no-cache: no persistent symbol cache */
	const char *debug_dir;
	int ntrace; /* operands; at least one ("-" if none given) */
	char **trace;
};

/*
 * Parse argv.  Prints the full usage and exits 0 for -h, prints the version
 * and exits 0 for -V; on a bad option prints one line and a short usage to
 * stderr and exits 2.  With no trace operand, reads standard input ("-")
 * unless it is a terminal (then a usage error).
 */
void cmd_parse(const struct cmd_spec *spec, int argc, char **argv,
	       struct cmd_args *args);

/* Usage: the full help (to stdout, for -h) or a short hint (stderr). */
void cmd_usage(const struct cmd_spec *spec, FILE *f, int full);

/* 1 if the chosen format is `name`. */
int cmd_format_is(const struct cmd_args *args, const char *name);

/*
 * Traces.
 */
enum trace_where {
	TRACE_BEFORE = -1, /* before --from: a definition record */
	TRACE_IN = 0,	   /* inside the window */
};

struct trace {
	const char *path; /* as given ("-" for standard input) */
	const char *name; /* for messages ("standard input" for "-") */
	struct mpt_reader *reader;
	struct mpt_record rec; /* the current record (borrowed) */
	int where;	       /* enum trace_where of rec */
	uint64_t nrec;	       /* records delivered by the reader so far */
	int cut;	       /* the trace ended without an END record */
	int ended;	       /* the reader reached the end of the trace */
	/* window state */
	int has_from, has_to;
	struct time_spec from, to;
	int from_open; /* --from reached */
	int to_hit;    /* --to reached */
	int seeked;
	int has_pid; /* --pid given */
	uint32_t pid;
	int pid_seen; /* a record of --pid was read */
};

/*
 * Open `path` ("-": standard input) and set up the window of `args` (may be
 * NULL: no window).  Dies with one line and exit 2 if the file cannot be
 * read.  With a plain-time --from, uses mpt_reader_seek() unless `no_seek`.
 */
struct trace *trace_open(const char *path, const struct cmd_args *args,
			 int no_seek);

/*
 * Next record: 1 with t->rec and t->where set, 0 at the end (the end of the
 * trace, or --to reached).  Records before --from are delivered only if
 * they are definitions (where = TRACE_BEFORE).  A record that does not
 * decode dies: "<prog>: run.trace: byte N: what", exit 2.  At the end of a
 * cut trace, warns once that it is cut.
 */
int trace_next(struct trace *t);

/*
 * After trace_next() returned 0: warns if a mark:NAME of the window was
 * never seen, or if no record of the --pid process was read (unless the
 * reader skipped part of the trace to reach --from), and returns -1 then
 * (a per-input failure), else 0.
 */
int trace_window_check(const struct trace *t);

void trace_close(struct trace *t);

/* Dies with the reader's error for `err` (exit 2). */
__attribute__((noreturn)) void trace_die(const struct trace *t, int err);

/*
 * Output.
 */

/*
 * Open -o FILE (or take stdout) and arrange for it to be checked at exit:
 * fflush, ferror and fclose, so a full disk is an error ("<prog>: write
 * error: No space left on device", exit 1) rather than a silent success.
 * Standard output is always checked at exit, even without this call.
 * Dies (exit 2) when FILE is one of the traces: it would be emptied.
 */
FILE *out_open(const struct cmd_args *args);

/* Write "s" as a CSV field: quoted (with "" for ") only when needed. */
void csv_str(FILE *f, const char *s, size_t len);

/*
 * Write "s" as a double-quoted, escaped string (\" \\ \n \t \r \xNN for other
 * control bytes), so that a line never breaks.
 */
void text_str(FILE *f, const char *s, size_t len);

/* Human bytes: "512 B", "1.5 KiB", "3.0 MiB", ... into buf (>= 16 bytes). */
const char *human_bytes(char *buf, size_t len, uint64_t n);

/* Trace time as seconds with 9 decimals ("12.000345678") into buf (>= 24). */
const char *fmt_time(char *buf, size_t len, uint64_t ns);

#endif /* MPT_COMMON_H */
