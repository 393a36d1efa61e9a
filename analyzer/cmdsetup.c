/* cmdsetup.c - symbolizer and domain mask from the shared options. */
#include "cmdsetup.h"

#include <string.h>

#include "replay.h"    /* MPT_DOMAIN_BIT */
#include "symbolize.h" /* mpt_sym_new */

static void sym_warn(void *ctx, const char *msg)
{
	warn("%s", msg);
}

struct mpt_symbolizer *cmd_symbolizer(const struct cmd_args *args)
{
	const char *const dirs[] = { args->debug_dir, "/usr/lib/debug", NULL };
	struct mpt_sym_opts so;
	struct mpt_symbolizer *sym;

	memset(&so, 0, sizeof(so));
	so.debug_dir = args->debug_dir ? dirs : NULL; /* copied */
	so.no_symbols = args->no_symbols;
	so.warn = sym_warn;
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
