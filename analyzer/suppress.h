/*
 * suppress.h - leak suppressions in valgrind's and LeakSanitizer's formats.
 *
 * valgrind (memcheck) entries:
 *
 *	{
 *	   name
 *	   Memcheck:Leak
 *	   match-leak-kinds: definite,possible
 *	   fun:malloc
 *	   fun:make_*
 *	   ...
 *	   obj:/usr/lib/libfoo.so*
 *	}
 *
 * match the innermost frames of a stack in order (`fun:` the function,
 * compared as valgrind names it too: a mangled C++ name matches the
 * demangled one, an inlined call its unqualified name (`_M_construct<char
 * const*>`, `Labelled`), and glibc's internal `__GI___strdup` matches
 * `__strdup` and `strdup`;
 * `obj:` the module path, `src:` the file or file:line; `*` and `?` are
 * wildcards; a `...` line stands for any number of frames).  Entries of
 * other tools or kinds than Memcheck:Leak are read and ignored.
 *
 * LeakSanitizer lines `leak:PATTERN` match when any frame's function,
 * module path or source file contains PATTERN (`*` wildcard, `^` and `$`
 * anchor at the start and end).  `#` starts a comment.
 *
 * A file may mix both.  Errors: negative MPT_E_* codes; a parse error
 * fills the caller's message buffer with "line N: what".
 */
#ifndef MPT_SUPPRESS_H
#define MPT_SUPPRESS_H

#include <stddef.h>
#include <stdint.h>

struct mpt_suppressions;

/* One frame as matching sees it; NULL members are unknown. */
struct mpt_supp_frame {
	const char *function;
	const char *module;
	const char *file;
	uint32_t line;
	int inlined; /* an inlined call (valgrind names it unqualified) */
};

/* An empty set, or NULL when memory runs out. */
struct mpt_suppressions *mpt_supp_new(void);

/* Free the set.  NULL is a no-op. */
void mpt_supp_free(struct mpt_suppressions *s);

/*
 * Add the suppressions of `text` (`len` bytes).  Returns 0, or
 * MPT_E_CORRUPT with "line N: what" in msg (size `msgsize`), or
 * MPT_E_NOMEM.
 */
int mpt_supp_parse(struct mpt_suppressions *s, const char *text, size_t len,
		   char *msg, size_t msgsize);

/* Read and add a file; MPT_E_IO (errno kept) when it cannot be read. */
int mpt_supp_load(struct mpt_suppressions *s, const char *path, char *msg,
		  size_t msgsize);

/*
 * The index (0..) of the first suppression matching a leak of `kind`
 * (enum mpt_leak_kind) whose stack is frame[0..n), innermost first,
 * frame[0] being the allocation function itself (malloc, operator new...),
 * or -1 if none.
 */
int mpt_supp_match(const struct mpt_suppressions *s, int kind,
		   const struct mpt_supp_frame *frame, size_t n);

/* Name of suppression `i` (valgrind: its name; LSan: "leak:PATTERN"). */
const char *mpt_supp_name(const struct mpt_suppressions *s, int i);

/* Number of suppressions. */
size_t mpt_supp_count(const struct mpt_suppressions *s);

/* Glob match with `*` and `?` only (valgrind's wildcards); 1 if it matches. */
int mpt_glob_match(const char *pat, const char *str);

#endif /* MPT_SUPPRESS_H */
