# metrics: every --metric on a trace whose answers follow from its spec,
# and the tree, bottom-up, --depth, --filter and --top shapes.
#
#   stack 1: 0x402000 (outer) -> 0x401000      2 x 100 bytes, freed after the peak
#   stack 2: 0x402000 -> 0x401000 -> 0x401100  1 x 1000 bytes, freed after the peak
#   stack 3: 0x403000                          1 x 50 bytes, never freed
#   stack 4: 0x404000                          2 x 8 bytes, each freed at once
# The peak (1200 bytes) is when stacks 1 and 2 are all live.
. "$TOP/tests/e2e/mpstacks/lib.bash"
need "$MPSTACKS" "$MPTGEN"
T=$TMPDIR/m.trace
"$MPTGEN" -o "$T" 'stack 1 frames=0x401000,0x402000' \
	'stack 2 frames=0x401100 parent=1' 'stack 3 frames=0x403000' \
	'stack 4 frames=0x404000' \
	'process 100; alloc 2 size=100 stack=1; alloc 1 size=1000 stack=2; free all' \
	'alloc 1 size=8 stack=4; free 1; alloc 1 size=8 stack=4; free 1' \
	'alloc 1 size=50 stack=3; exit 0' 2>/dev/null || fail "mptgen failed"

folded() { "$MPSTACKS" -f folded "$@" "$T" 2>/dev/null | sort; }
lines() { printf '%s\n' "$@" | sort; }

expect "allocations" "$(folded --metric allocations)" \
	"$(lines '0x402000;0x401000 2' '0x402000;0x401000;0x401100 1' '0x403000 1' '0x404000 2')"
expect "bytes" "$(folded --metric bytes)" \
	"$(lines '0x402000;0x401000 200' '0x402000;0x401000;0x401100 1000' '0x403000 50' '0x404000 16')"
expect "bytes is the default" "$(folded)" "$(folded --metric bytes)"
expect "peak" "$(folded --metric peak)" \
	"$(lines '0x402000;0x401000 200' '0x402000;0x401000;0x401100 1000')"
expect "leaked" "$(folded --metric leaked)" "0x403000 50"
# The stack-2 block is freed with no allocation after it: temporary too.
expect "temporary" "$(folded --metric temporary)" \
	"$(lines '0x402000;0x401000;0x401100 1' '0x404000 2')"

# --depth keeps the outermost frames of each stack.
expect "--depth 2" "$(folded --depth 2)" \
	"$(lines '0x402000;0x401000 1200' '0x403000 50' '0x404000 16')"
expect "--depth 1" "$(folded --depth 1)" \
	"$(lines '0x402000 1200' '0x403000 50' '0x404000 16')"
# --filter keeps whole stacks that have a matching frame.
expect "--filter" "$(folded --filter 0x401100)" '0x402000;0x401000;0x401100 1000'
expect "--filter with *" "$(folded --filter '0x40[3]*')" ''
expect "--filter with ?" "$(folded --filter '0x40?000' --metric allocations)" \
	"$(lines '0x402000;0x401000 2' '0x402000;0x401000;0x401100 1' '0x403000 1' '0x404000 2')"

# Top-down tree: percentages of the 1266 bytes, children by weight.
"$MPSTACKS" "$T" 2>/dev/null >"$TMPDIR/tree"
expect "tree" "$(sed 1d "$TMPDIR/tree" | awk '{ $1 = $1; print }')" \
	"$(printf '%s\n' '94.79% 1200 0x402000' '94.79% 1200 0x401000' \
		'78.99% 1000 0x401100' '3.95% 50 0x403000' '1.26% 16 0x404000')"
expect "tree indentation" "$(sed -n 4p "$TMPDIR/tree" | grep -c '  1000      0x401100$')" 1
expect "header" "$(head -1 "$TMPDIR/tree" | sed 's/^# mpstacks: [^:]*: //')" \
	"bytes, top-down (callees below); total 1266"
# Bottom-up: allocation sites first, their callers below.
"$MPSTACKS" --bottom-up "$T" 2>/dev/null | sed 1d | awk '{ $1 = $1; print }' >"$TMPDIR/bu"
expect "bottom-up" "$(cat "$TMPDIR/bu")" \
	"$(printf '%s\n' '78.99% 1000 0x401100' '78.99% 1000 0x401000' \
		'78.99% 1000 0x402000' '15.80% 200 0x401000' '15.80% 200 0x402000' \
		'3.95% 50 0x403000' '1.26% 16 0x404000')"
# --top 1: the heaviest child of each node only.
expect "--top 1" "$("$MPSTACKS" --top 1 "$T" 2>/dev/null | sed 1d | awk '{ print $2 }' | tr '\n' ' ')" \
	"1200 1200 1000 "
# CSV: one row per stack, heaviest first, exact integers.
expect "csv" "$("$MPSTACKS" -f csv "$T" 2>/dev/null)" \
	"$(printf '%s\n' 'pid,stack_id,bytes,function,stack' \
		'100,2,1000,0x401100,0x402000;0x401000;0x401100' \
		'100,1,200,0x401000,0x402000;0x401000' \
		'100,3,50,0x403000,0x403000' '100,4,16,0x404000,0x404000')"
expect "csv --top 2" "$("$MPSTACKS" -f csv -n 2 "$T" 2>/dev/null | wc -l)" 3

# Bad usage.
"$MPSTACKS" --metric speed "$T" 2>/dev/null; expect "--metric speed" "$?" 2
"$MPSTACKS" --depth 0 "$T" 2>/dev/null; expect "--depth 0" "$?" 2
"$MPSTACKS" -f gnuplot "$T" 2>/dev/null; expect "-f gnuplot" "$?" 2
exit 0
