/*
 * basic.c - every allocation function, with exact counts by construction.
 *
 * Known answer (one process, one thread; sizes are chosen so that nothing
 * else in the process asks for them):
 *   f():  100 x malloc(1111)                     -> 100 ALLOC malloc 1111
 *   g():   50 x calloc(7, 333)                   ->  50 ALLOC calloc 2331
 *   r():   30 x realloc(NULL, 3001)              ->  30 ALLOC realloc 3001, no
 * old_addr 30 x realloc(p, 3002) of those blocks ->  30 FREE realloc (the 3001
 * blocks) 30 ALLOC realloc 3002, old_addr set m():    3 x memalign(64, 4001), 3
 * x posix_memalign(128, 4002), 3 x aligned_alloc(256, 4352), 3 x valloc(4004),
 * 3 x pvalloc(4005), 3 x reallocarray(NULL, 7, 601) (size 4207) x():    2 x
 * malloc(1 << 62): failed, flags bit 0, addr 0 z():    5 x malloc(1234), each
 * then realloc(p, 0), which frees it (glibc returns NULL): 5 FREE func realloc
 * of the 1234 blocks and no other record; 1 x malloc(1235), then realloc(q, 1
 * << 62), which fails: 1 failed ALLOC func realloc with old_addr q; q stays
 * live and is freed (1 FREE func free) frees: all 100 malloc(1111) blocks, the
 * first 25 calloc blocks, all 30 3002 blocks, and the 18 blocks of m(): 173
 * FREE func free of those addresses.  25 calloc(2331) blocks stay live (leaked)
 * at exit. Exit status 0.
 */
#include <malloc.h>
#include <stdlib.h>

#include "apps.h"

#define NF 100
#define NG 50
#define NR 30
#define NM 3

static void *fb[NF], *gb[NG], *rb[NR], *mb[6 * NM];
/* A NULL the compiler cannot see: it folds realloc(NULL, n) into malloc(n). */
static void *volatile null_block;
void *volatile basic_failed[2];

__attribute__((noinline)) static void f(void)
{
	for (int i = 0; i < NF; i++)
		fb[i] = keep(malloc(opaque_size(1111)));
}

__attribute__((noinline)) static void g(void)
{
	for (int i = 0; i < NG; i++)
		gb[i] = keep(calloc(opaque_size(7), opaque_size(333)));
}

__attribute__((noinline)) static void r(void)
{
	for (int i = 0; i < NR; i++)
		rb[i] = keep(realloc(null_block, opaque_size(3001)));
	for (int i = 0; i < NR; i++)
		rb[i] = keep(realloc(rb[i], opaque_size(3002)));
}

__attribute__((noinline)) static void m(void)
{
	int k = 0;

	for (int i = 0; i < NM; i++)
		mb[k++] = keep(memalign(64, opaque_size(4001)));
	for (int i = 0; i < NM; i++) {
		void *p = NULL;
		if (posix_memalign(&p, 128, opaque_size(4002)) != 0)
			abort();
		mb[k++] = keep(p);
	}
	for (int i = 0; i < NM; i++)
		mb[k++] = keep(aligned_alloc(256, opaque_size(4352)));
	for (int i = 0; i < NM; i++)
		mb[k++] = keep(valloc(opaque_size(4004)));
	for (int i = 0; i < NM; i++)
		mb[k++] = keep(pvalloc(opaque_size(4005)));
	for (int i = 0; i < NM; i++)
		mb[k++] = keep(reallocarray(null_block, opaque_size(7),
					    opaque_size(601)));
}

__attribute__((noinline)) static void x(void)
{
	for (int i = 0; i < 2; i++)
		basic_failed[i] = malloc(opaque_size((size_t)1 << 62));
}

__attribute__((noinline)) static void z(void)
{
	void *q;

	for (int i = 0; i < 5; i++) {
		void *p = keep(malloc(opaque_size(1234)));
		if (realloc(p, opaque_size(0)) != NULL)
			abort();
	}
	q = keep(malloc(opaque_size(1235)));
	if (realloc(q, opaque_size((size_t)1 << 62)) != NULL)
		abort();
	free(q);
}

int main(void)
{
	f();
	g();
	r();
	m();
	x();
	z();
	for (int i = 0; i < NF; i++)
		free(fb[i]);
	for (int i = 0; i < NG / 2; i++)
		free(gb[i]);
	for (int i = 0; i < NR; i++)
		free(rb[i]);
	for (int i = 0; i < 6 * NM; i++)
		free(mb[i]);
	if (basic_failed[0] || basic_failed[1])
		return 1;
	return 0;
}
