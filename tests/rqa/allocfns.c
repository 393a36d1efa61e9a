/* allocfns.c - one definitely lost block from each allocation function,
 * glibc's __libc_* names included: sizes 1001 to 1014 except 1009 (13
 * blocks, 13096 bytes); a block from malloc freed through __libc_free, one
 * from __libc_malloc freed through free, and an obstack whose chunks are all
 * freed.  With an argument, also pvalloc(1009) and __libc_pvalloc(2002)
 * lost (valgrind cannot run pvalloc at all). */
#include <malloc.h>
#include <obstack.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);
extern void __libc_free(void *);

#define obstack_chunk_alloc malloc
#define obstack_chunk_free free

/* Pointers go through here and are then forgotten: definitely lost. */
static void *volatile sink;

static __attribute__((noinline)) void lose(void *p)
{
	sink = p;
	sink = NULL;
}

static __attribute__((noinline)) void lose_posix_memalign(size_t n)
{
	void *volatile q = NULL;

	if (posix_memalign((void **)&q, 64, n) == 0)
		lose(q);
	q = NULL;
}

int main(int argc, char **argv)
{
	struct obstack ob;
	void *p;

	(void)argv;
	lose(malloc(1001));
	lose(calloc(1, 1002));
	lose(realloc(NULL, 1003));
	lose(reallocarray(NULL, 1, 1004));
	lose(memalign(64, 1005));
	lose(aligned_alloc(64, 1006));
	lose_posix_memalign(1007);
	lose(valloc(1008));
	lose(__libc_malloc(1010));
	lose(__libc_calloc(1, 1011));
	lose(__libc_memalign(64, 1012));
	lose(__libc_realloc(NULL, 1013));
	lose(__libc_valloc(1014));
	if (argc > 1) {
		lose(pvalloc(1009));
		lose(__libc_pvalloc(2002));
	}
	/* the usable size may exceed the request: writing there is allowed */
	p = malloc(100);
	memset(p, 0, malloc_usable_size(p));
	__libc_free(p);
	free(__libc_malloc(2000));
	/* grown by reallocarray, then freed by a reallocarray of 0 bytes */
	p = reallocarray(NULL, 3, 1000);
	p = reallocarray(p, 4, 1000);
	if (reallocarray(p, 0, 8) != NULL)
		abort();
	obstack_init(&ob);
	for (int i = 0; i < 1000; i++)
		obstack_alloc(&ob, 100);
	obstack_free(&ob, NULL);
	return 0;
}
