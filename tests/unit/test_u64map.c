/* Unit tests of collector/u64map.c: the live set and stack interning map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "u64map.h"

static void test_u64map__empty_needs_nothing(void **state)
{
	struct u64map m = { 0 };
	uint64_t k, v = 7;
	size_t pos = 0;

	(void)state;
	assert_int_equal(u64map_get(&m, 1, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(u64map_del(&m, 1, NULL), 0);
	assert_int_equal(u64map_next(&m, &pos, &k, &v), 0);
	u64map_clear(&m);
	assert_null(m.ent);
	u64map_release(&m);
}

static void test_u64map__put_get_replace(void **state)
{
	struct u64map m = { 0 };
	uint64_t v = 0;

	(void)state;
	assert_int_equal(u64map_put(&m, 42, 1), 0);
	assert_int_equal(u64map_put(&m, 43, 2), 0);
	assert_int_equal(u64map_get(&m, 42, &v), 1);
	assert_int_equal(v, 1);
	assert_int_equal(u64map_put(&m, 42, 3), 0);
	assert_int_equal(m.count, 2);
	assert_int_equal(u64map_get(&m, 42, &v), 1);
	assert_int_equal(v, 3);
	assert_int_equal(u64map_get(&m, 44, NULL), 0);
	u64map_release(&m);
	assert_int_equal(m.count, 0);
}

static void test_u64map__zero_key_refused(void **state)
{
	struct u64map m = { 0 };

	(void)state;
	assert_int_equal(u64map_put(&m, 0, 1), -1);
	assert_int_equal(m.count, 0);
	assert_int_equal(u64map_get(&m, 0, NULL), 0);
	assert_int_equal(u64map_del(&m, 0, NULL), 0);
	u64map_release(&m);
}

/*
 * Against a plain array model: random puts and deletes of keys that
 * collide a lot (heap addresses: multiples of 16 in a small range, and
 * multiples of the table size), across growth; every key's presence and
 * value agree after each step, and the count too.
 */
#define NKEYS 4096

static uint64_t key_of(unsigned i)
{
	return i % 2 ? 0x555500000000ull + 16ull * i : (uint64_t)(i + 1) << 20;
}

static void test_u64map__random_against_model(void **state)
{
	static uint64_t model[NKEYS]; /* 0: absent, else value + 1 */
	struct u64map m = { 0 };
	uint64_t seed = 88172645463325252ull, v;
	size_t live = 0;

	(void)state;
	memset(model, 0, sizeof(model));
	for (int step = 0; step < 200000; step++) {
		unsigned i;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		i = (unsigned)(seed % NKEYS);
		if ((seed >> 32) % 3) {
			if (!model[i])
				live++;
			model[i] = (uint64_t)step + 1;
			assert_int_equal(
				u64map_put(&m, key_of(i), (uint64_t)step), 0);
		} else {
			int had = model[i] != 0;

			v = UINT64_MAX;
			assert_int_equal(u64map_del(&m, key_of(i), &v), had);
			if (had) {
				assert_true(v == model[i] - 1);
				live--;
			}
			model[i] = 0;
		}
		assert_int_equal(m.count, live);
		if (step % 997 == 0)
			for (unsigned j = 0; j < NKEYS; j++) {
				int in = u64map_get(&m, key_of(j), &v);

				assert_int_equal(in, model[j] != 0);
				if (in)
					assert_true(v == model[j] - 1);
			}
	}
	assert_true(m.cap >= 2 * m.count);
	u64map_release(&m);
}

static void test_u64map__iterate_copy_clear(void **state)
{
	struct u64map m = { 0 }, c = { 0 };
	static unsigned char seen[1000];
	uint64_t k, v, sum = 0;
	size_t pos = 0, n = 0;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (uint64_t i = 1; i <= 1000; i++)
		assert_int_equal(u64map_put(&m, i * 4096, i), 0);
	while (u64map_next(&m, &pos, &k, &v)) {
		assert_true(k == v * 4096);
		assert_int_equal(seen[v - 1], 0);
		seen[v - 1] = 1;
		sum += v;
		n++;
	}
	assert_int_equal(n, 1000);
	assert_true(sum == 1000 * 1001 / 2);
	assert_int_equal(u64map_copy(&c, &m), 0);
	u64map_clear(&m);
	assert_int_equal(m.count, 0);
	assert_int_equal(u64map_get(&m, 4096, NULL), 0);
	assert_int_equal(c.count, 1000);
	assert_int_equal(u64map_get(&c, 4096 * 500, &v), 1);
	assert_true(v == 500);
	/* a cleared map is usable again */
	assert_int_equal(u64map_put(&m, 4096, 9), 0);
	assert_int_equal(u64map_get(&m, 4096, &v), 1);
	assert_true(v == 9);
	u64map_release(&m);
	u64map_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64map__empty_needs_nothing),
		cmocka_unit_test(test_u64map__put_get_replace),
		cmocka_unit_test(test_u64map__zero_key_refused),
		cmocka_unit_test(test_u64map__random_against_model),
		cmocka_unit_test(test_u64map__iterate_copy_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
