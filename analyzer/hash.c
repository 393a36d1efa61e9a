/* hash.c - open-addressing u64 -> u64 map with backward-shift deletion. */
#include <stdlib.h>
#include <string.h>

#include "hash.h"

void mpt_hmap_init(struct mpt_hmap *m)
{
	memset(m, 0, sizeof(*m));
}

void mpt_hmap_release(struct mpt_hmap *m)
{
	free(m->slot);
	mpt_hmap_init(m);
}

static uint32_t home(uint64_t key, uint32_t cap)
{
	return (uint32_t)mpt_hash64(key) & (cap - 1);
}

uint64_t *mpt_hmap_get(const struct mpt_hmap *m, uint64_t key)
{
	uint32_t i;

	if (!key)
		return m->has_zero ? (uint64_t *)&m->zero_val : NULL;
	if (!m->cap)
		return NULL;
	for (i = home(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->slot[i].key == key)
			return &m->slot[i].val;
		if (!m->slot[i].key)
			return NULL;
	}
}

static int grow(struct mpt_hmap *m)
{
	uint32_t ncap = m->cap ? m->cap * 2 : 16, i, j;
	struct mpt_hmap_slot *ns;

	if (ncap < m->cap)
		return -1;
	ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -1;
	for (i = 0; i < m->cap; i++) {
		if (!m->slot[i].key)
			continue;
		for (j = home(m->slot[i].key, ncap); ns[j].key;
		     j = (j + 1) & (ncap - 1))
			;
		ns[j] = m->slot[i];
	}
	free(m->slot);
	m->slot = ns;
	m->cap = ncap;
	return 0;
}

uint64_t *mpt_hmap_put(struct mpt_hmap *m, uint64_t key, int *isnew)
{
	uint32_t i;

	if (isnew)
		*isnew = 0;
	if (!key) {
		if (!m->has_zero) {
			m->has_zero = 1;
			m->zero_val = 0;
			m->n++;
			if (isnew)
				*isnew = 1;
		}
		return &m->zero_val;
	}
	/* Keep the load under 3/4 so probe runs stay short. */
	if ((uint64_t)(m->n + 1) * 4 > (uint64_t)m->cap * 3 && grow(m) < 0)
		return NULL;
	for (i = home(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->slot[i].key == key)
			return &m->slot[i].val;
		if (!m->slot[i].key)
			break;
	}
	m->slot[i].key = key;
	m->slot[i].val = 0;
	m->n++;
	if (isnew)
		*isnew = 1;
	return &m->slot[i].val;
}

int mpt_hmap_del(struct mpt_hmap *m, uint64_t key)
{
	uint32_t i, j, mask = m->cap - 1;

	if (!key) {
		if (!m->has_zero)
			return 0;
		m->has_zero = 0;
		m->n--;
		return 1;
	}
	if (!m->cap)
		return 0;
	for (i = home(key, m->cap);; i = (i + 1) & mask) {
		if (!m->slot[i].key)
			return 0;
		if (m->slot[i].key == key)
			break;
	}
	/* Backward shift: pull later members of the run into the hole. */
	for (j = (i + 1) & mask; m->slot[j].key; j = (j + 1) & mask) {
		uint32_t h = home(m->slot[j].key, m->cap);

		if (((j - h) & mask) >= ((j - i) & mask)) {
			m->slot[i] = m->slot[j];
			i = j;
		}
	}
	m->slot[i].key = 0;
	m->n--;
	return 1;
}

int mpt_hmap_next(const struct mpt_hmap *m, uint64_t *pos, uint64_t *key,
		  uint64_t *val)
{
	if (*pos == 0) {
		*pos = 1;
		if (m->has_zero) {
			*key = 0;
			*val = m->zero_val;
			return 1;
		}
	}
	while (*pos - 1 < m->cap) {
		const struct mpt_hmap_slot *s = &m->slot[*pos - 1];

		(*pos)++;
		if (s->key) {
			*key = s->key;
			*val = s->val;
			return 1;
		}
	}
	return 0;
}
