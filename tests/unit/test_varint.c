/* Unit tests of formats/varint.h: LEB128 varints and zigzag at their edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "varint.h"

struct known {
	uint64_t v;
	size_t len;
	uint8_t bytes[10];
};

/* Encodings worked out by hand from FORMAT.md section 1. */
static const struct known known[] = {
	{ 0, 1, { 0x00 } },
	{ 1, 1, { 0x01 } },
	{ 127, 1, { 0x7f } },
	{ 128, 2, { 0x80, 0x01 } },
	{ 300, 2, { 0xac, 0x02 } },
	{ 16383, 2, { 0xff, 0x7f } },
	{ 16384, 3, { 0x80, 0x80, 0x01 } },
	{ 1ull << 32, 5, { 0x80, 0x80, 0x80, 0x80, 0x10 } },
	{ (1ull << 56) - 1,
	  8,
	  { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f } },
	{ 1ull << 56,
	  9,
	  { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 } },
	{ 1ull << 63,
	  10,
	  { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 } },
	{ UINT64_MAX,
	  10,
	  { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 } },
};

static void test_varint__known_encodings(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(*known); i++) {
		uint8_t buf[32], fast[32];
		uint8_t *end;

		memset(buf, 0xee, sizeof(buf));
		end = mpt_varint_put(buf, known[i].v);
		assert_int_equal(end - buf, known[i].len);
		assert_memory_equal(buf, known[i].bytes, known[i].len);
		assert_int_equal(buf[known[i].len], 0xee);
		assert_int_equal(mpt_varint_size(known[i].v), known[i].len);

		end = mpt_varint_put_fast(fast, known[i].v);
		assert_int_equal(end - fast, known[i].len);
		assert_memory_equal(fast, known[i].bytes, known[i].len);
	}
}

static void test_varint__decode_known(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(*known); i++) {
		/* Room for the 8-byte loads of the fast decoder. */
		uint8_t buf[32] = { 0 };
		const uint8_t *end;
		uint64_t v = 12345;

		memcpy(buf, known[i].bytes, known[i].len);
		end = mpt_varint_get(buf, buf + known[i].len, &v);
		assert_non_null(end);
		assert_int_equal(end - buf, known[i].len);
		assert_true(v == known[i].v);

		v = 12345;
		end = mpt_varint_get_fast(buf, buf + known[i].len,
					  buf + sizeof(buf), &v);
		assert_non_null(end);
		assert_int_equal(end - buf, known[i].len);
		assert_true(v == known[i].v);

		/* Cut by one byte: truncated, *v untouched. */
		v = 12345;
		assert_null(mpt_varint_get(buf, buf + known[i].len - 1, &v));
		assert_null(mpt_varint_get_fast(buf, buf + known[i].len - 1,
						buf + sizeof(buf), &v));
		assert_true(v == 12345);
	}
}

static void test_varint__malformed(void **state)
{
	/* 11 bytes: longer than any 64-bit value. */
	static const uint8_t too_long[16] = { 0x80, 0x80, 0x80, 0x80,
					      0x80, 0x80, 0x80, 0x80,
					      0x80, 0x80, 0x00 };
	/* 10th byte 2: bit 64. */
	static const uint8_t too_big[16] = { 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff, 0xff, 0x02 };
	/* 10th byte with a continuation bit. */
	static const uint8_t cont10[16] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
					    0x80, 0x80, 0x80, 0x81, 0x00 };
	/* Non-minimal but legal: 0 in two bytes. */
	static const uint8_t nonmin[16] = { 0x80, 0x00 };
	uint64_t v = 7;

	assert_null(mpt_varint_get(too_long, too_long + 11, &v));
	assert_null(mpt_varint_get_fast(too_long, too_long + 11, too_long + 16,
					&v));
	assert_null(mpt_varint_get(too_big, too_big + 10, &v));
	assert_null(
		mpt_varint_get_fast(too_big, too_big + 10, too_big + 16, &v));
	assert_null(mpt_varint_get(cont10, cont10 + 11, &v));
	assert_true(v == 7);
	/* Empty input. */
	assert_null(mpt_varint_get(nonmin, nonmin, &v));
	assert_null(mpt_varint_get_fast(nonmin, nonmin, nonmin + 16, &v));
	assert_true(v == 7);
	assert_ptr_equal(mpt_varint_get(nonmin, nonmin + 2, &v), nonmin + 2);
	assert_true(v == 0);
	v = 7;
	assert_ptr_equal(mpt_varint_get_fast(nonmin, nonmin + 2, nonmin + 16,
					     &v),
			 nonmin + 2);
	assert_true(v == 0);
}

/* The fast coders agree with the simple ones on values of every length. */
static void test_varint__fast_matches_simple(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int i;

	for (i = 0; i < 20000; i++) {
		uint8_t a[32] = { 0 }, b[32] = { 0 };
		const uint8_t *ea, *eb;
		uint64_t v, va = 1, vb = 2;
		size_t la, lb;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v = x >> (i % 64);
		la = (size_t)(mpt_varint_put(a, v) - a);
		lb = (size_t)(mpt_varint_put_fast(b, v) - b);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		ea = mpt_varint_get(a, a + la, &va);
		eb = mpt_varint_get_fast(a, a + la, a + sizeof(a), &vb);
		assert_ptr_equal(ea, a + la);
		assert_ptr_equal(eb, a + la);
		assert_true(va == v && vb == v);
	}
}

static void test_zigzag__edges(void **state)
{
	assert_true(mpt_zigzag(0) == 0);
	assert_true(mpt_zigzag(-1) == 1);
	assert_true(mpt_zigzag(1) == 2);
	assert_true(mpt_zigzag(-2) == 3);
	assert_true(mpt_zigzag(2) == 4);
	assert_true(mpt_zigzag(INT64_MAX) == UINT64_MAX - 1);
	assert_true(mpt_zigzag(INT64_MIN) == UINT64_MAX);
	assert_true(mpt_unzigzag(0) == 0);
	assert_true(mpt_unzigzag(1) == -1);
	assert_true(mpt_unzigzag(4) == 2);
	assert_true(mpt_unzigzag(UINT64_MAX) == INT64_MIN);
	assert_true(mpt_unzigzag(UINT64_MAX - 1) == INT64_MAX);
	assert_true(mpt_unzigzag(mpt_zigzag(-123456789)) == -123456789);
	assert_true(mpt_unzigzag(mpt_zigzag(INT32_MIN)) == INT32_MIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varint__known_encodings),
		cmocka_unit_test(test_varint__decode_known),
		cmocka_unit_test(test_varint__malformed),
		cmocka_unit_test(test_varint__fast_matches_simple),
		cmocka_unit_test(test_zigzag__edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
