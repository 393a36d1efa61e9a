/* stacktree.c - call trees of interned frame names for stack aggregation. */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "mptrace.h"
#include "stacktree.h"

struct node {
	struct mpt_stacknode pub;
	uint32_t parent;
	uint32_t child;	  /* first child, 0: none (node 0 is the root) */
	uint32_t sibling; /* next sibling, 0: none */
};

struct mpt_stacktree {
	struct node *node;
	size_t nnode, nodecap;
	struct mpt_hmap edge; /* (parent << 32 | name) -> node index */
	char **name;	      /* index 0 unused */
	size_t nname, namecap;
	struct mpt_hmap byhash; /* string hash -> name id (probed on clash) */
};

struct mpt_stacktree *mpt_stacktree_new(void)
{
	struct mpt_stacktree *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->node = calloc(64, sizeof(*t->node));
	t->name = calloc(64, sizeof(*t->name));
	if (!t->node || !t->name) {
		free(t->node);
		free(t->name);
		free(t);
		return NULL;
	}
	t->nodecap = 64;
	t->nnode = 1;
	t->namecap = 64;
	t->nname = 1;
	mpt_hmap_init(&t->edge);
	mpt_hmap_init(&t->byhash);
	return t;
}

void mpt_stacktree_free(struct mpt_stacktree *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 1; i < t->nname; i++)
		free(t->name[i]);
	free(t->name);
	free(t->node);
	mpt_hmap_release(&t->edge);
	mpt_hmap_release(&t->byhash);
	free(t);
}

uint32_t mpt_stacktree_intern(struct mpt_stacktree *t, const char *name,
			      size_t len)
{
	uint64_t key = mpt_hash_bytes(name, len), *slot;
	int isnew;
	char *copy;

	for (;; key = mpt_hash64(key + 1)) {
		slot = mpt_hmap_put(&t->byhash, key, &isnew);
		if (!slot)
			return 0;
		if (isnew)
			break;
		if (strlen(t->name[*slot]) == len &&
		    !memcmp(t->name[*slot], name, len))
			return (uint32_t)*slot;
	}
	if (t->nname == t->namecap || t->nname >= UINT32_MAX) {
		char **nn =
			t->nname < UINT32_MAX ?
				realloc(t->name, t->namecap * 2 * sizeof(*nn)) :
				NULL;

		if (!nn) {
			mpt_hmap_del(&t->byhash, key);
			return 0;
		}
		t->name = nn;
		t->namecap *= 2;
	}
	copy = malloc(len + 1);
	if (!copy) {
		mpt_hmap_del(&t->byhash, key);
		return 0;
	}
	memcpy(copy, name, len);
	copy[len] = 0;
	t->name[t->nname] = copy;
	*slot = t->nname;
	return (uint32_t)t->nname++;
}

const char *mpt_stacktree_name(const struct mpt_stacktree *t, uint32_t id)
{
	return id && id < t->nname ? t->name[id] : "";
}

int mpt_stacktree_add(struct mpt_stacktree *t, const uint32_t *path, size_t n,
		      uint64_t value)
{
	uint32_t cur = 0;
	size_t i;

	t->node[0].pub.total += value;
	for (i = 0; i < n; i++) {
		uint64_t key = ((uint64_t)cur << 32) | path[i], *slot;
		int isnew;

		slot = mpt_hmap_put(&t->edge, key, &isnew);
		if (!slot)
			return MPT_E_NOMEM;
		if (isnew) {
			struct node *nd;

			if (t->nnode == t->nodecap || t->nnode >= UINT32_MAX) {
				struct node *nn =
					t->nnode < UINT32_MAX ?
						realloc(t->node,
							t->nodecap * 2 *
								sizeof(*nn)) :
						NULL;

				if (!nn) {
					mpt_hmap_del(&t->edge, key);
					return MPT_E_NOMEM;
				}
				t->node = nn;
				t->nodecap *= 2;
			}
			nd = &t->node[t->nnode];
			memset(nd, 0, sizeof(*nd));
			nd->pub.name = path[i];
			nd->pub.depth = (uint32_t)i + 1;
			nd->parent = cur;
			nd->sibling = t->node[cur].child;
			t->node[cur].child = (uint32_t)t->nnode;
			*slot = t->nnode++;
		}
		cur = (uint32_t)*slot;
		t->node[cur].pub.total += value;
	}
	t->node[cur].pub.self += value;
	return 0;
}

uint64_t mpt_stacktree_total(const struct mpt_stacktree *t)
{
	return t->node[0].pub.total;
}

struct walk {
	const struct mpt_stacktree *t;
	size_t top, max_depth;
	int (*fn)(void *ctx, const struct mpt_stacknode *node,
		  const uint32_t *path);
	void *ctx;
	uint32_t *path;
	size_t pathcap;
};

static const struct mpt_stacktree *sort_tree;

static int child_cmp(const void *a, const void *b)
{
	const struct node *x = &sort_tree->node[*(const uint32_t *)a];
	const struct node *y = &sort_tree->node[*(const uint32_t *)b];

	if (x->pub.total != y->pub.total)
		return x->pub.total > y->pub.total ? -1 : 1;
	return strcmp(mpt_stacktree_name(sort_tree, x->pub.name),
		      mpt_stacktree_name(sort_tree, y->pub.name));
}

static int walk_node(struct walk *w, uint32_t idx)
{
	const struct node *nd = &w->t->node[idx];
	uint32_t *kids, c;
	size_t n = 0, i;
	int ret = 0;

	if (idx) {
		size_t d = nd->pub.depth;

		if (d > w->pathcap) {
			uint32_t *np = realloc(w->path, d * 2 * sizeof(*np));

			if (!np)
				return MPT_E_NOMEM;
			w->path = np;
			w->pathcap = d * 2;
		}
		w->path[d - 1] = nd->pub.name;
		ret = w->fn(w->ctx, &nd->pub, w->path);
		if (ret)
			return ret;
		if (w->max_depth && d >= w->max_depth)
			return 0;
	}
	for (c = nd->child; c; c = w->t->node[c].sibling)
		n++;
	if (!n)
		return 0;
	kids = malloc(n * sizeof(*kids));
	if (!kids)
		return MPT_E_NOMEM;
	n = 0;
	for (c = nd->child; c; c = w->t->node[c].sibling)
		kids[n++] = c;
	sort_tree = w->t;
	qsort(kids, n, sizeof(*kids), child_cmp);
	if (w->top && n > w->top)
		n = w->top;
	for (i = 0; i < n && !ret; i++)
		ret = walk_node(w, kids[i]);
	free(kids);
	return ret;
}

int mpt_stacktree_walk(const struct mpt_stacktree *t, size_t top,
		       size_t max_depth,
		       int (*fn)(void *ctx, const struct mpt_stacknode *node,
				 const uint32_t *path),
		       void *ctx)
{
	struct walk w = { t, top, max_depth, fn, ctx, NULL, 0 };
	int ret = walk_node(&w, 0);

	free(w.path);
	return ret;
}
