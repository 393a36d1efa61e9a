/*
 * demangle.h - C++ names through libstdc++'s demangler, loaded on first use.
 *
 * Most traces are replayed with names from the symbol cache, or have no
 * C++ at all: libstdc++ (about half a millisecond of loading and
 * relocation) is opened only when a mangled name first needs it.
 */
#ifndef MPT_DEMANGLE_H
#define MPT_DEMANGLE_H

/*
 * The demangled form of `name` (malloc'd; the caller frees it), or NULL if
 * it is not a mangled C++ name, does not demangle, or libstdc++.so.6 cannot
 * be loaded (then the name is shown as it is).
 */
char *mpt_demangle(const char *name);

#endif /* MPT_DEMANGLE_H */
