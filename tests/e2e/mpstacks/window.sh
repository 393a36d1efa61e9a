# window: --from and --to (seconds and markers) count only the allocations
# made inside the window, on a trace whose answers follow from its spec:
#   1s: 2 allocations   2s: mark m   3s: 3 allocations   4s: mark n, 5 more
. "$TOP/tests/e2e/mpstacks/lib.bash"
need "$MPSTACKS" "$MPTGEN"
T=$TMPDIR/w.trace
"$MPTGEN" -o "$T" 'stack 1 frames=0x401000' \
	'process 100; at 1s; alloc 2 size=10 stack=1; at 2s; mark m' \
	'at 3s; alloc 3 size=20 stack=1; at 4s; mark n; alloc 5 size=1 stack=1' \
	'at 5s; exit 0' 2>/dev/null || fail "mptgen failed"

n() { "$MPSTACKS" -f folded --metric allocations "$@" "$T" 2>/dev/null | folded_sum; }
expect "whole trace" "$(n)" 10
expect "--from 2.5" "$(n --from 2.5)" 8
expect "--to 2.5" "$(n --to 2.5)" 2
expect "--from 2s --to 3500ms" "$(n --from 2s --to 3500ms)" 3
expect "--from mark:m --to mark:n" "$(n --from mark:m --to mark:n)" 3
expect "--from mark:n" "$(n --from mark:n)" 5
# A block allocated before the window still counts for the peak.
expect "peak with --from 3.5" \
	"$("$MPSTACKS" -f folded --metric peak --from 3.5 "$T" 2>/dev/null | folded_sum)" \
	$((2 * 10 + 3 * 20 + 5))
"$MPSTACKS" --from mark:nosuch "$T" >/dev/null 2>"$TMPDIR/err"
expect "missing marker: exit" "$?" 1
grep -q "no marker 'nosuch' (for --from)" "$TMPDIR/err" || fail "message: $(cat "$TMPDIR/err")"
exit 0
