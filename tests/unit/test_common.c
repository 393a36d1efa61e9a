/* Unit tests of analyzer/common.c: parsers, options, output helpers. */
#include <getopt.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"

static void test_num__valid(void **state)
{
	const char *e;

	assert_int_equal(parse_num("0", 0, 10, &e), 0);
	assert_null(e);
	assert_int_equal(parse_num("10", 0, 10, &e), 10);
	assert_null(e);
	assert_int_equal(parse_num("-5", -10, 10, &e), -5);
	assert_null(e);
	assert_true(parse_num("9223372036854775807", 0, LLONG_MAX, &e) ==
		    LLONG_MAX);
	assert_null(e);
}

static void test_num__junk(void **state)
{
	static const char *const junk[] = { "",	    " 1",  "1 ",  "1x", "x1",
					    "0x10", "1.5", "--1", "+",	"-" };
	const char *e;
	size_t i;

	for (i = 0; i < sizeof(junk) / sizeof(*junk); i++) {
		assert_int_equal(parse_num(junk[i], -100, 100, &e), 0);
		assert_string_equal(e, "invalid");
	}
	parse_num(NULL, 0, 1, &e);
	assert_string_equal(e, "invalid");
}

static void test_num__range(void **state)
{
	const char *e;

	parse_num("11", 0, 10, &e);
	assert_string_equal(e, "too large");
	parse_num("-1", 0, 10, &e);
	assert_string_equal(e, "too small");
	parse_num("99999999999999999999", 0, LLONG_MAX, &e);
	assert_string_equal(e, "too large");
	parse_num("-99999999999999999999", LLONG_MIN, 0, &e);
	assert_string_equal(e, "too small");
	/* min > max is a caller error, reported as invalid (strtonum(3)). */
	parse_num("5", 10, 0, &e);
	assert_string_equal(e, "invalid");
}

static void test_u64__edges(void **state)
{
	uint64_t v = 1;
	const char *e;

	assert_int_equal(parse_u64("18446744073709551615", UINT64_MAX, &v, &e),
			 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", UINT64_MAX, &v, &e),
			 -1);
	assert_string_equal(e, "too large");
	assert_int_equal(parse_u64("0x10", UINT64_MAX, &v, &e), 0);
	assert_true(v == 16);
	assert_int_equal(parse_u64("0xffffffffffffffff", UINT64_MAX, &v, &e),
			 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("0x", UINT64_MAX, &v, &e), -1);
	assert_int_equal(parse_u64("-1", UINT64_MAX, &v, &e), -1);
	assert_int_equal(parse_u64("12", 11, &v, &e), -1);
	assert_string_equal(e, "too large");
	assert_int_equal(parse_u64("", 11, &v, &e), -1);
}

static void test_size__suffixes(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} ok[] = {
		{ "0", 0 },	   { "4096", 4096 },
		{ "64K", 65536 },  { "64k", 65536 },
		{ "1M", 1048576 }, { "2GiB", 2147483648ull },
		{ "3KB", 3072 },   { "1T", 1ull << 40 },
		{ "100B", 100 },
	};
	static const char *const bad[] = { "",	 "K",	 "1X", "1Ki", "1KiBs",
					   "-1", "1.5M", " 1", "1 K" };
	uint64_t v;
	const char *e;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		assert_int_equal(parse_size(ok[i].s, &v, &e), 0);
		assert_true(v == ok[i].v);
		assert_null(e);
	}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(parse_size(bad[i], &v, &e), -1);
	assert_int_equal(parse_size("17179869184G", &v, &e), -1);
	assert_string_equal(e, "too large");
}

static void test_time__units(void **state)
{
	static const struct {
		const char *s;
		uint64_t ns;
	} ok[] = {
		{ "0", 0 },
		{ "2.5", 2500000000ull },
		{ "2.5s", 2500000000ull },
		{ ".5", 500000000ull },
		{ "100ms", 100000000ull },
		{ "1.5ms", 1500000ull },
		{ "250us", 250000ull },
		{ "7ns", 7 },
		{ "0.000000001", 1 },
		{ "1.0000000019", 1000000001ull }, /* below 1 ns: dropped */
		{ "18446744073", 18446744073000000000ull },
	};
	static const char *const bad[] = { "",	  ".",	"1.", "1.5.2", "1m",
					   "1 s", "-1", "s",  "1e3",   "mark" };
	struct time_spec t;
	const char *e;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		assert_int_equal(parse_time(ok[i].s, &t, &e), 0);
		assert_true(t.ns == ok[i].ns);
		assert_null(t.mark);
	}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(parse_time(bad[i], &t, &e), -1);
	assert_int_equal(parse_time("18446744074", &t, &e), -1);
	assert_string_equal(e, "too large");
}

/* A failed parse leaves no stale marker behind (mpleaks --min-age looked). */
static void test_time__failure_clears(void **state)
{
	static const char *const bad[] = { "99999999999999999999", "1e3", "-1",
					   "mark:" };
	struct time_spec t;
	const char *e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		t.mark = "stale";
		t.ns = 42;
		assert_int_equal(parse_time(bad[i], &t, &e), -1);
		assert_null(t.mark);
		assert_true(t.ns == 0);
		assert_non_null(e);
	}
}

static void test_time__mark(void **state)
{
	struct time_spec t;
	const char *e;

	assert_int_equal(parse_time("mark:epoch3", &t, &e), 0);
	assert_string_equal(t.mark, "epoch3");
	assert_int_equal(parse_time("mark:a b:c", &t, &e), 0);
	assert_string_equal(t.mark, "a b:c");
	assert_int_equal(parse_time("mark:", &t, &e), -1);
}

static void test_human__units(void **state)
{
	char b[32];

	assert_string_equal(human_bytes(b, sizeof(b), 0), "0 B");
	assert_string_equal(human_bytes(b, sizeof(b), 1023), "1023 B");
	assert_string_equal(human_bytes(b, sizeof(b), 1024), "1.0 KiB");
	assert_string_equal(human_bytes(b, sizeof(b), 1536), "1.5 KiB");
	assert_string_equal(human_bytes(b, sizeof(b), 1048575), "1.0 MiB");
	assert_string_equal(human_bytes(b, sizeof(b), 3u << 20), "3.0 MiB");
	assert_string_equal(human_bytes(b, sizeof(b), 5ull << 30), "5.0 GiB");
	assert_string_equal(human_bytes(b, sizeof(b), UINT64_MAX), "16.0 EiB");
}

static void test_time__format(void **state)
{
	char b[32];

	assert_string_equal(fmt_time(b, sizeof(b), 0), "0.000000000");
	assert_string_equal(fmt_time(b, sizeof(b), 1), "0.000000001");
	assert_string_equal(fmt_time(b, sizeof(b), 12000345678ull),
			    "12.000345678");
	assert_string_equal(fmt_time(b, sizeof(b), UINT64_MAX),
			    "18446744073.709551615");
}

/* Runs fn(f, s, len) into memory and returns the text (static buffer). */
static const char *capture(void (*fn)(FILE *, const char *, size_t),
			   const char *s, size_t len)
{
	static char buf[256];
	FILE *f;

	memset(buf, 0, sizeof(buf));
	f = fmemopen(buf, sizeof(buf) - 1, "w");
	assert_non_null(f);
	fn(f, s, len);
	fclose(f);
	return buf;
}

static void test_csv__quoting(void **state)
{
	assert_string_equal(capture(csv_str, "plain", 5), "plain");
	assert_string_equal(capture(csv_str, "", 0), "");
	assert_string_equal(capture(csv_str, "a,b", 3), "\"a,b\"");
	assert_string_equal(capture(csv_str, "say \"hi\"", 8),
			    "\"say \"\"hi\"\"\"");
	assert_string_equal(capture(csv_str, "two\nlines", 9),
			    "\"two\nlines\"");
	assert_string_equal(capture(csv_str, " pad", 4), "\" pad\"");
}

static void test_text__escapes(void **state)
{
	assert_string_equal(capture(text_str, "plain", 5), "\"plain\"");
	assert_string_equal(capture(text_str, "a\"b\\c", 5), "\"a\\\"b\\\\c\"");
	assert_string_equal(capture(text_str, "x\ny\tz\r", 6),
			    "\"x\\ny\\tz\\r\"");
	assert_string_equal(capture(text_str, "\x01\x7f", 2), "\"\\x01\\x7f\"");
	/* An embedded NUL is escaped, not the end of the string. */
	assert_string_equal(capture(text_str, "a\0b", 3), "\"a\\x00b\"");
	/* UTF-8 passes through. */
	assert_string_equal(capture(text_str, "\xc3\xa9", 2), "\"\xc3\xa9\"");
}

static int seen_own;
static const char *seen_limit = "unset";

static int own_handler(int val, const char *arg, void *ctx)
{
	if (val == 0x101)
		seen_limit = arg;
	else
		seen_own = val;
	return 0;
}

static void test_cmd__parse(void **state)
{
	static const struct cmd_option own[] = {
		{ "fail", 0x100, NULL, "fail on findings" },
		{ "limit", 0x101, "[=BYTES]", "optional argument" },
		{ "zzz", 'z', "N", "a short option of its own" },
		{ NULL, 0, NULL, NULL },
	};
	static const char *const formats[] = { "text", "csv", "folded", NULL };
	static const struct cmd_spec spec = {
		.name = "mptest",
		.synopsis = "[options] trace...",
		.summary = "Test.",
		.shared = OPT_FORMAT | OPT_OUTPUT | OPT_WINDOW | OPT_PID |
			  OPT_DOMAIN | OPT_TOP | OPT_SYMBOLS,
		.formats = formats,
		.options = own,
		.handle = own_handler,
	};
	char *argv[] = { "mptest",	"-f",	   "folded", "-o",
			 "out",		"--from",  "1.5",    "--to",
			 "mark:end",	"--pid",   "42",     "--domain",
			 "gpu:3",	"-n",	   "7",	     "--no-symbols",
			 "--debug-dir", "/dbg",	   "--fail", "--limit=4K",
			 "a.trace",	"b.trace", NULL };
	struct cmd_args a;

	optind = 0; /* reinitialize getopt */
	cmd_parse(&spec, (int)(sizeof(argv) / sizeof(*argv)) - 1, argv, &a);
	assert_string_equal(a.format, "folded");
	assert_true(cmd_format_is(&a, "folded"));
	assert_string_equal(a.output, "out");
	assert_true(a.has_from && !a.from.mark && a.from.ns == 1500000000ull);
	assert_true(a.has_to);
	assert_string_equal(a.to.mark, "end");
	assert_true(a.has_pid && a.pid == 42);
	assert_int_equal(a.domain, DOMAIN_GPU);
	assert_int_equal(a.gpu_device, 3);
	assert_int_equal(a.top, 7);
	assert_true(a.no_symbols);
	assert_string_equal(a.debug_dir, "/dbg");
	assert_int_equal(seen_own, 0x100);
	assert_string_equal(seen_limit, "4K");
	assert_int_equal(a.ntrace, 2);
	assert_string_equal(a.trace[0], "a.trace");
	assert_string_equal(a.trace[1], "b.trace");
}

static void test_cmd__defaults(void **state)
{
	static const struct cmd_spec spec = {
		.name = "mptest",
		.synopsis = "trace",
		.summary = "Test.",
		.shared = OPT_FORMAT | OPT_DOMAIN,
	};
	char *argv[] = { "mptest", "--domain", "heap,mmap", "x.trace", NULL };
	struct cmd_args a;

	optind = 0;
	cmd_parse(&spec, 4, argv, &a);
	assert_string_equal(a.format, "text");
	assert_null(a.output);
	assert_false(a.has_from || a.has_to || a.has_pid);
	assert_int_equal(a.domain, DOMAIN_HEAP | DOMAIN_MMAP);
	assert_int_equal(a.top, -1);
	assert_int_equal(a.ntrace, 1);
}

static void test_cmd__usage_lists_options_sorted(void **state)
{
	static const struct cmd_option own[] = {
		{ "alpha", 0x100, NULL, "first" },
		{ NULL, 0, NULL, NULL },
	};
	static const struct cmd_spec spec = {
		.name = "mptest",
		.synopsis = "[options] trace...",
		.summary = "Test.",
		.shared = OPT_FORMAT | OPT_PID,
		.options = own,
	};
	char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	char *alpha, *format, *help, *pid, *version;

	assert_non_null(f);
	cmd_usage(&spec, f, 1);
	fclose(f);
	assert_non_null(strstr(buf, "usage: mptest [options] trace...\n"));
	alpha = strstr(buf, "--alpha");
	format = strstr(buf, "-f, --format FMT");
	help = strstr(buf, "-h, --help");
	pid = strstr(buf, "--pid PID");
	version = strstr(buf, "-V, --version");
	assert_true(alpha && format && help && pid && version);
	assert_true(alpha < format && format < help && help < pid &&
		    pid < version);
	assert_non_null(strstr(buf, "text (default), csv, gnuplot"));
	/* Options not asked for are not listed. */
	assert_null(strstr(buf, "--domain"));
	assert_null(strstr(buf, "--top"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_num__valid),
		cmocka_unit_test(test_num__junk),
		cmocka_unit_test(test_num__range),
		cmocka_unit_test(test_u64__edges),
		cmocka_unit_test(test_size__suffixes),
		cmocka_unit_test(test_time__units),
		cmocka_unit_test(test_time__mark),
		cmocka_unit_test(test_time__failure_clears),
		cmocka_unit_test(test_human__units),
		cmocka_unit_test(test_time__format),
		cmocka_unit_test(test_csv__quoting),
		cmocka_unit_test(test_text__escapes),
		cmocka_unit_test(test_cmd__parse),
		cmocka_unit_test(test_cmd__defaults),
		cmocka_unit_test(test_cmd__usage_lists_options_sorted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
