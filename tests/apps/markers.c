/*
 * markers.c - the markers API of collector/mprec.h.
 *
 * Known answer (one process, one thread), in this order:
 *   MARKER "start"
 *   SPAN_BEGIN "phase1", 5 x malloc(121001), SPAN_END "phase1"
 *   TAG_PUSH "cache", 3 x malloc(121002), TAG_POP
 *   2 x malloc(121003) (outside any span or tag)
 *   MARKER "end"
 * Runs unchanged, with exit status 0, without mprec.
 */
#include <stdlib.h>

#include "apps.h"
#include "mprec.h"

int main(void)
{
	mprec_mark("start");
	mprec_span_begin("phase1");
	for (int i = 0; i < 5; i++)
		keep(malloc(opaque_size(121001)));
	mprec_span_end("phase1");
	mprec_tag_push("cache");
	for (int i = 0; i < 3; i++)
		keep(malloc(opaque_size(121002)));
	mprec_tag_pop();
	for (int i = 0; i < 2; i++)
		keep(malloc(opaque_size(121003)));
	mprec_mark("end");
	return 0;
}
