/* sym_incl.c - code of an #included .c file comes first in this unit: its
 * frame must name that file (tests/e2e/symbolize/included.sh). */
#include "sym_incl_part.c"

int main(void)
{
	part_alloc(); /* MAIN_CALL_LINE */
	return 0;
}
