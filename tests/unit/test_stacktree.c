/* test_stacktree.c - call trees, folded paths, suppressions, record runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "mptrace.h"
#include "stacktree.h"
#include "suppress.h"

static uint32_t id(struct mpt_stacktree *t, const char *s)
{
	uint32_t v = mpt_stacktree_intern(t, s, strlen(s));

	assert_int_not_equal(v, 0);
	return v;
}

struct seen {
	char line[16][128];
	int n;
	struct mpt_stacktree *t;
};

/* Record each node as "depth name total self". */
static int visit(void *ctx, const struct mpt_stacknode *node,
		 const uint32_t *path)
{
	struct seen *s = ctx;

	assert_true(s->n < 16);
	assert_int_equal(path[node->depth - 1], node->name);
	snprintf(s->line[s->n++], sizeof(s->line[0]), "%u %s %llu %llu",
		 node->depth, mpt_stacktree_name(s->t, node->name),
		 (unsigned long long)node->total,
		 (unsigned long long)node->self);
	return 0;
}

static void test_stacktree__intern(void **state)
{
	struct mpt_stacktree *t = mpt_stacktree_new();
	uint32_t a = id(t, "main"), b = id(t, "parse");
	int i;

	assert_int_not_equal(a, b);
	assert_int_equal(id(t, "main"), a);
	assert_int_equal(mpt_stacktree_intern(t, "mainx", 4), a);
	assert_string_equal(mpt_stacktree_name(t, b), "parse");
	assert_string_equal(mpt_stacktree_name(t, 0), "");
	/* many names: the table grows, ids stay */
	for (i = 0; i < 5000; i++) {
		char buf[32];

		snprintf(buf, sizeof(buf), "f%d", i);
		assert_int_equal(id(t, buf), (uint32_t)i + 3);
	}
	assert_int_equal(id(t, "f1234"), 1237);
	mpt_stacktree_free(t);
}

static void test_stacktree__tree_and_order(void **state)
{
	struct mpt_stacktree *t = mpt_stacktree_new();
	struct seen s = { .t = t };
	uint32_t m = id(t, "main"), a = id(t, "a"), b = id(t, "b"),
		 c = id(t, "c");
	uint32_t p1[] = { m, a, b }, p2[] = { m, a }, p3[] = { m, c },
		 p4[] = { m, a, b };

	assert_int_equal(mpt_stacktree_add(t, p1, 3, 10), 0);
	assert_int_equal(mpt_stacktree_add(t, p2, 2, 5), 0);
	assert_int_equal(mpt_stacktree_add(t, p3, 2, 20), 0);
	assert_int_equal(mpt_stacktree_add(t, p4, 3, 1), 0);
	assert_int_equal(mpt_stacktree_total(t), 36);
	assert_int_equal(mpt_stacktree_walk(t, 0, 0, visit, &s), 0);
	assert_int_equal(s.n, 4);
	/* heaviest child first: c (20) before a (16) */
	assert_string_equal(s.line[0], "1 main 36 0");
	assert_string_equal(s.line[1], "2 c 20 20");
	assert_string_equal(s.line[2], "2 a 16 5");
	assert_string_equal(s.line[3], "3 b 11 11");
	/* top 1 and depth 2 */
	s.n = 0;
	assert_int_equal(mpt_stacktree_walk(t, 1, 0, visit, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.line[1], "2 c 20 20");
	s.n = 0;
	assert_int_equal(mpt_stacktree_walk(t, 0, 2, visit, &s), 0);
	assert_int_equal(s.n, 3);
	mpt_stacktree_free(t);
}

static void test_stacktree__empty(void **state)
{
	struct mpt_stacktree *t = mpt_stacktree_new();
	struct seen s = { .t = t };

	assert_int_equal(mpt_stacktree_total(t), 0);
	assert_int_equal(mpt_stacktree_walk(t, 0, 0, visit, &s), 0);
	assert_int_equal(s.n, 0);
	mpt_stacktree_free(t);
	mpt_stacktree_free(NULL);
}

static void test_suppress__glob(void **state)
{
	assert_true(mpt_glob_match("*", ""));
	assert_true(mpt_glob_match("ma?n", "main"));
	assert_true(mpt_glob_match("*alloc", "calloc"));
	assert_true(mpt_glob_match("a*b*c", "aXXbYYc"));
	assert_false(mpt_glob_match("a*b*c", "aXXbYY"));
	assert_true(mpt_glob_match("operator new[]*",
				   "operator new[](unsigned long)"));
	assert_false(mpt_glob_match("main", "main2"));
	assert_false(mpt_glob_match("?", ""));
}

static struct mpt_suppressions *parse(const char *text, int want)
{
	struct mpt_suppressions *s = mpt_supp_new();
	char msg[128] = "";

	assert_non_null(s);
	assert_int_equal(
		mpt_supp_parse(s, text, strlen(text), msg, sizeof(msg)), want);
	return s;
}

static void test_suppress__valgrind(void **state)
{
	static const struct mpt_supp_frame st[] = {
		{ "malloc", NULL, NULL, 0, 0 },
		{ "xmalloc", "/usr/lib/libx.so.1", "x.c", 10, 0 },
		{ "build", "/bin/app", "/src/list.c", 29, 0 },
		{ "main", "/bin/app", "/src/main.c", 5, 0 },
	};
	struct mpt_suppressions *s = parse(
		"# comment\n"
		"{\n  first\n  Memcheck:Leak\n  match-leak-kinds: definite\n"
		"  fun:malloc\n  ...\n  fun:build\n}\n"
		"{\n  second\n  Memcheck:Leak\n  match-leak-kinds: reachable,possible\n"
		"  fun:*alloc\n  obj:/usr/lib/libx.so*\n  src:list.c:29\n}\n"
		"{\n  race\n  Helgrind:Race\n  fun:main\n}\n",
		0);

	assert_int_equal(mpt_supp_count(s), 2);
	assert_int_equal(mpt_supp_match(s, MPT_LEAK_DEFINITE, st, 4), 0);
	assert_string_equal(mpt_supp_name(s, 0), "first");
	assert_int_equal(mpt_supp_match(s, MPT_LEAK_REACHABLE, st, 4), 1);
	assert_int_equal(mpt_supp_match(s, MPT_LEAK_INDIRECT, st, 4), -1);
	/* unknown kind (no scan): any kind list applies */
	assert_int_equal(mpt_supp_match(s, MPT_LEAK_UNKNOWN, st, 4), 0);
	/* the patterns are a prefix: a stack too short fails */
	assert_int_equal(mpt_supp_match(s, MPT_LEAK_REACHABLE, st, 2), -1);
	mpt_supp_free(s);
}

static void test_suppress__mangled_new(void **state)
{
	static const struct mpt_supp_frame st[] = {
		{ "operator new(unsigned long)", NULL, NULL, 0, 0 },
		{ "make", "/bin/app", "a.cc", 3, 0 },
	};
	struct mpt_suppressions *s =
		parse("{\n n\n Memcheck:Leak\n fun:_Znwm\n fun:make\n}\n", 0);

	assert_int_equal(mpt_supp_match(s, MPT_LEAK_DEFINITE, st, 2), 0);
	mpt_supp_free(s);
}

/*
 * valgrind --gen-suppressions names frames its own way: mangled names for
 * functions, unqualified DWARF names (with DWARF's spelling of template
 * arguments) for inlined calls, public aliases for glibc's functions.
 * Frames carry demangled names as addr2line -C prints them.
 */
static void test_suppress__valgrind_names(void **state)
{
	static const struct mpt_supp_frame st[] = {
		{ "operator new(unsigned long)", NULL, NULL, 0, 0 },
		{ "void std::__cxx11::basic_string<char, std::char_traits<char>, "
		  "std::allocator<char> >::_M_construct<char const*>(char const*, "
		  "char const*, std::forward_iterator_tag)",
		  "/bin/app", "basic_string.tcc", 225, 1 },
		{ "std::map<int, int, std::less<int>, std::allocator<std::pair<"
		  "int const, int> > >::_M_emplace<std::pair<int, int> const&>("
		  "std::pair<int, int> const&)",
		  "/bin/app", "stl_map.h", 9, 1 },
		{ "ns::Labelled::Labelled(char const*)", "/bin/app", "a.cc", 39,
		  1 },
		{ "make_polygon", "/bin/app", "a.cc", 48, 0 },
		{ "ns::f(int)", "/bin/app", "a.cc", 60, 0 },
		{ "main", "/bin/app", "a.cc", 70, 0 },
	};
	static const struct mpt_supp_frame libc[] = {
		{ "malloc", NULL, NULL, 0, 0 },
		{ "__GI___strdup", "/lib/x86_64-linux-gnu/libc.so.6",
		  "strdup.c", 42, 0 },
		{ "___asprintf", "/lib/x86_64-linux-gnu/libc.so.6",
		  "asprintf.c", 31, 0 },
		{ "__helper", "/bin/app", "a.c", 3, 0 },
		{ "main", "/bin/app", "a.c", 9, 0 },
	};
	struct mpt_suppressions *s = parse(
		"{\n cxx\n Memcheck:Leak\n fun:_Znwm\n"
		" fun:_M_construct<char const*>\n"
		" fun:_M_emplace<const std::pair<int, int>&>\n fun:Labelled\n"
		" fun:_ZL12make_polygoniPKc\n fun:_ZN2ns1fEi\n fun:main\n}\n",
		0);

	assert_int_equal(mpt_supp_match(s, MPT_LEAK_DEFINITE, st, 7), 0);
	mpt_supp_free(s);
	/* an unqualified name is for inlined calls only */
	s = parse("{\n q\n Memcheck:Leak\n fun:_Znwm\n fun:*\n fun:*\n"
		  " fun:*\n fun:*\n fun:f\n}\n",
		  0);
	assert_int_equal(mpt_supp_match(s, MPT_LEAK_DEFINITE, st, 7), -1);
	mpt_supp_free(s);
	s = parse("{\n g\n Memcheck:Leak\n fun:malloc\n fun:strdup\n"
		  " fun:asprintf\n fun:__helper\n}\n",
		  0);
	assert_int_equal(mpt_supp_match(s, MPT_LEAK_DEFINITE, libc, 5), 0);
	mpt_supp_free(s);
	/* leading underscores are dropped only in libc */
	s = parse("{\n h\n Memcheck:Leak\n fun:malloc\n fun:*\n fun:*\n"
		  " fun:helper\n}\n",
		  0);
	assert_int_equal(mpt_supp_match(s, MPT_LEAK_DEFINITE, libc, 5), -1);
	mpt_supp_free(s);
}

static void test_suppress__lsan(void **state)
{
	static const struct mpt_supp_frame st[] = {
		{ "malloc", NULL, NULL, 0, 0 },
		{ "strdup_wrapper", "/usr/lib/libfoo.so.2", "/src/foo/str.c", 4,
		  0 },
		{ "main", "/bin/app", "/src/main.c", 5, 0 },
	};
	struct mpt_suppressions *s;

	s = parse("leak:libfoo.so\n", 0);
	assert_int_equal(mpt_supp_match(s, MPT_LEAK_DEFINITE, st, 3), 0);
	mpt_supp_free(s);
	s = parse("leak:^strdup\n", 0);
	assert_int_equal(mpt_supp_match(s, MPT_LEAK_DEFINITE, st, 3), 0);
	mpt_supp_free(s);
	s = parse("leak:^dup\n", 0);
	assert_int_equal(mpt_supp_match(s, MPT_LEAK_DEFINITE, st, 3), -1);
	mpt_supp_free(s);
	s = parse("leak:wrap*$\n", 0); /* "wrapper" then end: '*' eats it */
	assert_int_equal(mpt_supp_match(s, MPT_LEAK_DEFINITE, st, 3), 0);
	mpt_supp_free(s);
	s = parse("leak:str.c$\n", 0);
	assert_int_equal(mpt_supp_match(s, MPT_LEAK_DEFINITE, st, 3), 0);
	mpt_supp_free(s);
	s = parse("leak:main.cc\n", 0);
	assert_int_equal(mpt_supp_match(s, MPT_LEAK_DEFINITE, st, 3), -1);
	mpt_supp_free(s);
	/* other sanitizer types are not leaks */
	s = parse("race:main\ncalled_from_lib:libfoo.so\n", 0);
	assert_int_equal(mpt_supp_count(s), 0);
	mpt_supp_free(s);
}

static void test_suppress__errors(void **state)
{
	mpt_supp_free(
		parse("{\n name\n Memcheck:Leak\n fun:a\n", MPT_E_CORRUPT));
	mpt_supp_free(parse("{\n}\n", MPT_E_CORRUPT));
	mpt_supp_free(parse("{\n n\n}\n", MPT_E_CORRUPT));
	mpt_supp_free(parse("junk\n", MPT_E_CORRUPT));
	mpt_supp_free(
		parse("{\n n\n Memcheck:Leak\n bogus:a\n}\n", MPT_E_CORRUPT));
	mpt_supp_free(
		parse("{\n n\n Memcheck:Leak\n match-leak-kinds: lost\n}\n",
		      MPT_E_CORRUPT));
	/* No frame line: it would match every leak (valgrind refuses it). */
	mpt_supp_free(parse("{\n n\n Memcheck:Leak\n}\n", MPT_E_CORRUPT));
	mpt_supp_free(parse("{\n n\n Memcheck:Leak\n"
			    " match-leak-kinds: definite\n}\n",
			    MPT_E_CORRUPT));
	/* Another tool's needs none: skipped. */
	mpt_supp_free(parse("{\n n\n Memcheck:Cond\n}\n", 0));
	/* Other sanitizers' types are skipped, unknown ones refused. */
	mpt_supp_free(parse("race:f\ninterceptor_via_fun:g\n"
			    "signed-integer-overflow:h\n",
			    0));
	mpt_supp_free(parse("lek:f\n", MPT_E_CORRUPT));
	mpt_supp_free(parse("leak:f\n\x01\x02:zz\n", MPT_E_CORRUPT));
	mpt_supp_free(parse("", 0));
	mpt_supp_free(NULL);
}

/* One record at a time out of mpt_reader_next_run()'s runs. */
static int next_one(struct mpt_reader *rd, const struct mpt_record **rec)
{
	static const struct mpt_record *run;
	static int n, i;

	if (i == n) {
		n = mpt_reader_next_run(rd, &run);
		i = 0;
		if (n <= 0)
			return n;
	}
	*rec = &run[i++];
	return 1;
}

/*
 * Runs of records (mpt_reader_next_run(), as the replay takes them) with a
 * helper thread: the records written, pointers and all.
 */
static void test_run__same_records(void **state)
{
	enum { N = 30000 };
	static uint64_t frames[3] = { 1, 2, 3 };
	struct mpt_writer *w;
	struct mpt_reader *rd;
	const struct mpt_record *got;
	struct mpt_record r;
	int fd = memfd_create("t", 0), err = 0, i, n = 0, ret;

	assert_true(fd >= 0);
	w = mpt_writer_new(fd, NULL, &err);
	assert_non_null(w);
	memset(&r, 0, sizeof(r));
	r.type = MPT_REC_HEADER;
	r.u.header.major = MPT_VERSION_MAJOR;
	assert_int_equal(mpt_writer_put(w, &r), 0);
	for (i = 0; i < N; i++) {
		memset(&r, 0, sizeof(r));
		r.time = (uint64_t)i;
		r.pid = r.tid = 7;
		if (i % 100 == 0) {
			r.type = MPT_REC_STACK;
			r.pid = r.tid = 0;
			r.u.stack.id = (uint64_t)i + 1;
			r.u.stack.nframe = 3;
			frames[0] = (uint64_t)i;
			r.u.stack.frame = frames;
		} else if (i % 100 == 1) {
			r.type = MPT_REC_MARKER;
			r.u.marker.label.ptr = "label";
			r.u.marker.label.len = 5;
		} else {
			r.type = MPT_REC_ALLOC;
			r.u.alloc.addr = 0x1000 + (uint64_t)i * 16;
			r.u.alloc.size = (uint64_t)i;
		}
		assert_int_equal(mpt_writer_put(w, &r), 0);
	}
	assert_int_equal(mpt_writer_finish(w, 0), 0);
	mpt_writer_free(w);
	assert_true(lseek(fd, 0, SEEK_SET) == 0);
	rd = mpt_reader_fdopen(fd, 0, &err);
	assert_non_null(rd);
	assert_int_equal(mpt_reader_set_threads(rd, 1), 0);
	while ((ret = next_one(rd, &got)) > 0) {
		if (got->type == MPT_REC_HEADER || got->type == MPT_REC_END)
			continue;
		assert_int_equal(got->time, (uint64_t)n);
		if (n % 100 == 0) {
			assert_int_equal(got->type, MPT_REC_STACK);
			assert_int_equal(got->u.stack.nframe, 3);
			assert_int_equal(got->u.stack.frame[0], (uint64_t)n);
			assert_int_equal(got->u.stack.frame[2], 3);
		} else if (n % 100 == 1) {
			assert_int_equal(got->type, MPT_REC_MARKER);
			assert_int_equal(got->u.marker.label.len, 5);
			assert_memory_equal(got->u.marker.label.ptr, "label",
					    5);
		} else {
			assert_int_equal(got->type, MPT_REC_ALLOC);
			assert_int_equal(got->u.alloc.size, (uint64_t)n);
		}
		n++;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(n, N);
	assert_int_equal(mpt_reader_next_run(rd, &got), 0);
	mpt_reader_close(rd);
	close(fd);
}

/* Closing the reader after one run joins its thread cleanly. */
static void test_run__stop_early(void **state)
{
	struct mpt_writer *w;
	struct mpt_reader *rd;
	const struct mpt_record *got;
	struct mpt_record r;
	int fd = memfd_create("t", 0), err = 0, i;

	w = mpt_writer_new(fd, NULL, &err);
	memset(&r, 0, sizeof(r));
	r.type = MPT_REC_HEADER;
	r.u.header.major = MPT_VERSION_MAJOR;
	assert_int_equal(mpt_writer_put(w, &r), 0);
	for (i = 0; i < 100000; i++) {
		memset(&r, 0, sizeof(r));
		r.type = MPT_REC_FREE;
		r.pid = r.tid = 1;
		r.u.free.addr = 0x1000;
		assert_int_equal(mpt_writer_put(w, &r), 0);
	}
	assert_int_equal(mpt_writer_finish(w, 0), 0);
	mpt_writer_free(w);
	assert_true(lseek(fd, 0, SEEK_SET) == 0);
	rd = mpt_reader_fdopen(fd, 0, &err);
	assert_int_equal(mpt_reader_set_threads(rd, 1), 0);
	assert_true(mpt_reader_next_run(rd, &got) >= 1);
	assert_int_equal(got->type, MPT_REC_HEADER);
	mpt_reader_close(rd);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stacktree__intern),
		cmocka_unit_test(test_stacktree__tree_and_order),
		cmocka_unit_test(test_stacktree__empty),
		cmocka_unit_test(test_suppress__glob),
		cmocka_unit_test(test_suppress__valgrind),
		cmocka_unit_test(test_suppress__mangled_new),
		cmocka_unit_test(test_suppress__valgrind_names),
		cmocka_unit_test(test_suppress__lsan),
		cmocka_unit_test(test_suppress__errors),
		cmocka_unit_test(test_run__same_records),
		cmocka_unit_test(test_run__stop_early),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
