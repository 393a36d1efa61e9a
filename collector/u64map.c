/* u64map.c - open-addressing hash map of 64-bit keys (see u64map.h). */
#include <stdlib.h>
#include <string.h>

#include "u64map.h"

static inline size_t slot_of(uint64_t key, size_t mask)
{
	key ^= key >> 29;
	key *= 0xbf58476d1ce4e5b9ull;
	key ^= key >> 32;
	return (size_t)key & mask;
}

void u64map_release(struct u64map *m)
{
	free(m->ent);
	memset(m, 0, sizeof(*m));
}

int u64map_get(const struct u64map *m, uint64_t key, uint64_t *val)
{
	size_t mask = m->cap - 1, i;

	if (!m->cap || !key)
		return 0;
	for (i = slot_of(key, mask);; i = (i + 1) & mask) {
		if (m->ent[i].key == key) {
			if (val)
				*val = m->ent[i].val;
			return 1;
		}
		if (!m->ent[i].key)
			return 0;
	}
}

static int grow(struct u64map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024, mask = cap - 1;
	struct u64map_ent *ent = calloc(cap, sizeof(*ent));

	if (!ent)
		return -1;
	for (size_t j = 0; j < m->cap; j++) {
		size_t i;

		if (!m->ent[j].key)
			continue;
		for (i = slot_of(m->ent[j].key, mask); ent[i].key;
		     i = (i + 1) & mask)
			;
		ent[i] = m->ent[j];
	}
	free(m->ent);
	m->ent = ent;
	m->cap = cap;
	return 0;
}

int u64map_put(struct u64map *m, uint64_t key, uint64_t val)
{
	size_t mask, i;

	if (!key)
		return -1;
	if ((m->count + 1) * 2 > m->cap && grow(m) < 0)
		return -1;
	mask = m->cap - 1;
	for (i = slot_of(key, mask);; i = (i + 1) & mask) {
		if (m->ent[i].key == key) {
			m->ent[i].val = val;
			return 0;
		}
		if (!m->ent[i].key) {
			m->ent[i].key = key;
			m->ent[i].val = val;
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
		if (!m->ent[i].key)
			return 0;
		if (m->ent[i].key == key)
			break;
	}
	if (val)
		*val = m->ent[i].val;
	/* Backward shift: move later entries of the run into the hole. */
	for (j = (i + 1) & mask; m->ent[j].key; j = (j + 1) & mask) {
		size_t home = slot_of(m->ent[j].key, mask);

		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->ent[i] = m->ent[j];
			i = j;
		}
	}
	m->ent[i].key = 0;
	m->count--;
	return 1;
}

int u64map_copy(struct u64map *dst, const struct u64map *src)
{
	u64map_release(dst);
	if (!src->cap)
		return 0;
	dst->ent = malloc(src->cap * sizeof(*dst->ent));
	if (!dst->ent)
		return -1;
	memcpy(dst->ent, src->ent, src->cap * sizeof(*dst->ent));
	dst->cap = src->cap;
	dst->count = src->count;
	return 0;
}

void u64map_clear(struct u64map *m)
{
	if (m->cap)
		memset(m->ent, 0, m->cap * sizeof(*m->ent));
	m->count = 0;
}

int u64map_next(const struct u64map *m, size_t *pos, uint64_t *key,
		uint64_t *val)
{
	for (; *pos < m->cap; (*pos)++) {
		if (m->ent[*pos].key) {
			*key = m->ent[*pos].key;
			*val = m->ent[*pos].val;
			(*pos)++;
			return 1;
		}
	}
	return 0;
}
