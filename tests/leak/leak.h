/*
 * Leak validation programs: each one leaks a known number of blocks of known
 * sizes in each of memcheck's kinds, and says so on standard output.
 */
#ifndef MPT_TESTS_LEAK_H
#define MPT_TESTS_LEAK_H

#include <stddef.h>

/* Expected totals by kind, in enum mpt_leak_kind order (D, I, P, R). */
struct leak_want {
	unsigned long blocks[4];
	unsigned long bytes[4];
};

/* Which process this is ("main", "parent", "child"); read at exit. */
extern const char *leak_role;

/*
 * Write "expect pid=N role=R D=blocks/bytes I=... P=... R=..." to standard
 * output with write(2): no stdio, so no buffer of libc's own stays live.
 */
void leak_expect(const char *role, const struct leak_want *e);

/* Keep the compiler from dropping or moving an allocation. */
void *leak_keep(void *p);

/* calloc() that aborts on failure: blocks hold no stale data. */
void *leak_alloc(size_t n);

/*
 * Overwrite the stack below the caller with zeros, so that no copy of a
 * pointer is left in dead frames (memcheck does not scan below the stack
 * pointer, a scan of a whole thread stack mapping does).
 */
void leak_scrub_stack(void);

#endif
