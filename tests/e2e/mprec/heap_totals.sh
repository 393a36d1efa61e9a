#!/bin/bash
# The allocations and frees of a process, as mpdump --stats counts them,
# equal valgrind's "total heap usage" for programs that use no stdio (whose
# buffer valgrind frees at exit): the recorder's own setup leaves nothing
# behind in the app's counts.
set -u
fail() { echo "FAIL: $*"; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind not installed"; exit 77; }
cd "$TMPDIR" || exit 1

cat >nop.c <<'C'
int main(void) { return 0; }
C
cat >pairs.c <<'C'
#include <stdlib.h>
int main(void)
{
	void *volatile keep[7];
	for (int i = 0; i < 100; i++)
		free(malloc(100 + i));
	for (int i = 0; i < 7; i++)
		keep[i] = calloc(3, 1000 + i);
	for (int i = 0; i < 5; i++)
		free(keep[i]);
	return 0;
}
C
for prog in nop pairs; do
	cc -O1 -o $prog $prog.c || fail "cc $prog"
	vg=$(valgrind ./$prog 2>&1 | sed -n 's/.*total heap usage: \([0-9,]*\) allocs, \([0-9,]*\) frees.*/\1 \2/p' | tr -d ,)
	[ -n "$vg" ] || fail "$prog: no total heap usage from valgrind"
	"$BIN/mprec" -o $prog.trace ./$prog || fail "mprec $prog"
	mp=$("$BIN/mpdump" --stats $prog.trace |
		awk '$3 == "allocs" { a = $4 } $3 == "frees" { f = $4 } END { print a + 0, f + 0 }')
	[ "$mp" = "$vg" ] || fail "$prog: mprec allocs/frees $mp, valgrind $vg"
	echo "ok $prog: $mp"
done
