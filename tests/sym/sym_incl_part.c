/* sym_incl_part.c - #included by sym_incl.c, ahead of its own code, so that
 * gcc gives this file the first file number of the unit's line program. */
#include <stdlib.h>

void *volatile part_kept;

__attribute__((noinline)) void part_alloc(void)
{
	part_kept = malloc(48); /* PART_ALLOC_LINE */
}
