/* u64map.c - open-addressing hash map of 64-bit keys (see u64map.h). */
#include <stdlib.h>
#include <string.h>

#include "u64map.h"

static inline size_t slot_of(uint64_t key, size_t mask)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return (size_t)key & mask;
}

void u64map_release(struct u64map *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

int u64map_get(const struct u64map *m, uint64_t key, uint64_t *val)
{
	size_t mask = m->cap - 1, i;

	if (!m->cap || !key)
		return 0;
	for (i = slot_of(key, mask);; i = (i + 1) & mask) {
		if (m->key[i] == key) {
			if (val)
				*val = m->val[i];
			return 1;
		}
		if (!m->key[i])
			return 0;
	}
}

static int grow(struct u64map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024, mask = cap - 1;
	uint64_t *key = calloc(cap, sizeof(*key));
	uint64_t *val = malloc(cap * sizeof(*val));

	if (!key || !val) {
		free(key);
		free(val);
		return -1;
	}
	for (size_t j = 0; j < m->cap; j++) {
		size_t i;

		if (!m->key[j])
			continue;
		for (i = slot_of(m->key[j], mask); key[i]; i = (i + 1) & mask)
			;
		key[i] = m->key[j];
		val[i] = m->val[j];
	}
	free(m->key);
	free(m->val);
	m->key = key;
	m->val = val;
	m->cap = cap;
	return 0;
}

int u64map_put(struct u64map *m, uint64_t key, uint64_t val)
{
	size_t mask, i;

	if (!key)
		return -1;
	if ((m->count + 1) * 4 > m->cap * 3 && grow(m) < 0)
		return -1;
	mask = m->cap - 1;
	for (i = slot_of(key, mask);; i = (i + 1) & mask) {
		if (m->key[i] == key) {
			m->val[i] = val;
			return 0;
		}
		if (!m->key[i]) {
			m->key[i] = key;
			m->val[i] = val;
			m->count++;
			return 0;
		}
	}
}

int u64map_del(struct u64map *m, uint64_t key, uint64_t *val)
{
	size_t mask = m->cap - 1, i, j;

	if (!m->cap || !key)
		return 0;
	for (i = slot_of(key, mask);; i = (i + 1) & mask) {
		if (!m->key[i])
			return 0;
		if (m->key[i] == key)
			break;
	}
	if (val)
		*val = m->val[i];
	/* Backward shift: move later entries of the run into the hole. */
	for (j = (i + 1) & mask; m->key[j]; j = (j + 1) & mask) {
		size_t home = slot_of(m->key[j], mask);

		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->key[i] = m->key[j];
			m->val[i] = m->val[j];
			i = j;
		}
	}
	m->key[i] = 0;
	m->count--;
	return 1;
}

int u64map_copy(struct u64map *dst, const struct u64map *src)
{
	u64map_release(dst);
	if (!src->cap)
		return 0;
	dst->key = malloc(src->cap * sizeof(*dst->key));
	dst->val = malloc(src->cap * sizeof(*dst->val));
	if (!dst->key || !dst->val) {
		u64map_release(dst);
		return -1;
	}
	memcpy(dst->key, src->key, src->cap * sizeof(*dst->key));
	memcpy(dst->val, src->val, src->cap * sizeof(*dst->val));
	dst->cap = src->cap;
	dst->count = src->count;
	return 0;
}

void u64map_clear(struct u64map *m)
{
	if (m->cap)
		memset(m->key, 0, m->cap * sizeof(*m->key));
	m->count = 0;
}

int u64map_next(const struct u64map *m, size_t *pos, uint64_t *key,
		uint64_t *val)
{
	for (; *pos < m->cap; (*pos)++) {
		if (m->key[*pos]) {
			*key = m->key[*pos];
			*val = m->val[*pos];
			(*pos)++;
			return 1;
		}
	}
	return 0;
}
