/* cmdsetup.c - symbolizer and domain mask from the shared options. */
#include "cmdsetup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"    /* MPT_DOMAIN_BIT */
#include "symbolize.h" /* mpt_sym_new */

static void sym_warn(void *ctx, const char *msg)
{
	warn("%s", msg);
}

/*
 * The persistent symbol cache: MPTRACE_CACHE_DIR, else
 * $XDG_CACHE_HOME/mptrace, else ~/.cache/mptrace; none when
 * MPTRACE_NO_CACHE is set (and not empty) or under --no-symbols.
 */
static const char *cache_dir(const struct cmd_args *args, char *buf,
			     size_t size)
{
	const char *e;
	int n;

	e = getenv("MPTRACE_NO_CACHE");
	if (args->no_symbols || args->no_cache || (e && *e))
		return NULL;
	e = getenv("MPTRACE_CACHE_DIR");
	if (e && *e)
		return e;
	e = getenv("XDG_CACHE_HOME");
	if (e && *e == '/')
		n = snprintf(buf, size, "%s/mptrace", e);
	else if ((e = getenv("HOME")) && *e == '/')
		n = snprintf(buf, size, "%s/.cache/mptrace", e);
	else
		return NULL;
	return n > 0 && (size_t)n < size ? buf : NULL;
}

struct mpt_symbolizer *cmd_symbolizer(const struct cmd_args *args)
{
	const char *const dirs[] = { args->debug_dir, "/usr/lib/debug", NULL };
	struct mpt_sym_opts so;
	struct mpt_symbolizer *sym;
	char buf[4096];

	memset(&so, 0, sizeof(so));
	so.debug_dir = args->debug_dir ? dirs : NULL; /* copied */
	so.no_symbols = args->no_symbols;
	so.warn = sym_warn;
	so.cache_dir = cache_dir(args, buf, sizeof(buf)); /* copied */
	sym = mpt_sym_new(&so);
	if (!sym)
		die("out of memory");
	return sym;
}

unsigned cmd_domain_mask(const struct cmd_args *args)
{
	unsigned mask = 0;

	if (!args->domain || (args->domain & DOMAIN_HEAP))
		mask |= MPT_DOMAIN_BIT(MPT_DOMAIN_HEAP);
	if (args->domain & DOMAIN_MMAP)
		mask |= MPT_DOMAIN_BIT(MPT_DOMAIN_MMAP);
	if (args->domain & DOMAIN_GPU)
		mask |= MPT_DOMAIN_BIT(MPT_DOMAIN_GPU);
	return mask;
}
