/* tree.c - a binary search tree freed partially: lost subtrees. */
#include <stdio.h>
#include <stdlib.h>

struct node {
	long key;
	struct node *left, *right;
	char payload[40];
};

static struct node *insert(struct node *n, long key)
{
	if (!n) {
		n = calloc(1, sizeof(*n));
		n->key = key;
		return n;
	}
	if (key < n->key)
		n->left = insert(n->left, key);
	else
		n->right = insert(n->right, key);
	return n;
}

static size_t count(const struct node *n)
{
	return n ? 1 + count(n->left) + count(n->right) : 0;
}

static void free_tree(struct node *n)
{
	if (!n)
		return;
	free_tree(n->left);
	free_tree(n->right);
	free(n);
}

int main(void)
{
	struct node *root = NULL;
	size_t nl, nr;
	long i, k = 1;

	/* A pseudo-random but fixed order gives a bushy tree. */
	for (i = 0; i < 255; i++) {
		k = (k * 1103515245 + 12345) & 0x7fffffff;
		root = insert(root, k % 100000);
	}
	nl = count(root->left);
	nr = count(root->right);
	/* Free the right subtree properly; forget the root (and its left). */
	free_tree(root->right);
	root->right = NULL;
	root = NULL;
	printf("expect D=1/%zu I=%zu/%zu\n", sizeof(struct node), nl,
	       nl * sizeof(struct node));
	(void)nr;
	return 0;
}
