# qa_stats: tests/qa/recurse counts what it allocates, frees and leaves
# live (malloc/free from a recursive function, no stdio, so libc allocates
# nothing of its own).  mpdump --stats counts exactly its allocations, every
# free record mpdump prints is counted, the frees of blocks the trace saw
# allocated are exactly the program's, and mpstacks' folded totals give
# the program's allocation count and live bytes.
set -u
prog=$BUILD/tests/qa/recurse
for f in "$BIN/mprec" "$BIN/mpdump" "$BIN/mpstacks" "$prog"; do
	[ -x "$f" ] || { echo "FAIL: missing $f"; exit 1; }
done
cd "$TMPDIR" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
expect() { [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"; }
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

"$BIN/mprec" -o r.trace "$prog" 30 >out 2>err || fail "mprec exited $?: $(head -3 err)"
line=$(grep '^expect ' out) || fail "no expect line: $(cat out)"
allocs=$(field allocs "$line") frees=$(field frees "$line")
live=$(field live_bytes "$line")

"$BIN/mpdump" --stats r.trace >stats || fail "mpdump --stats exited $?"
pid=$(awk '$1 == "process" && $3 == "ppid" { print $2; exit }' stats)
stat() { awk -v p="$pid" -v k="$1" '$1 == "process" && $2 == p && $3 == k { print $4 }' stats; }
expect "--stats allocs" "$(stat allocs)" "$allocs"
expect "--stats malloc" "$(stat malloc)" "$allocs"

"$BIN/mpdump" r.trace >dump || fail "mpdump exited $?"
# From the records themselves: frees of addresses the trace allocated.
counts=$(awk -v p="$pid" '$2 != p { next }
	{ a = ""; for (i = 5; i <= NF; i++) if ($i ~ /^addr=/) a = substr($i, 6) }
	$4 == "alloc" { live[a] = 1; n++ }
	$4 == "free" { nf++; if (a in live) { delete live[a]; m++ } }
	END { printf "%d %d %d\n", n, nf, m }' dump)
set -- $counts
expect "alloc records" "$1" "$allocs"
expect "--stats frees (the free records)" "$(stat frees)" "$2"
expect "frees of allocated blocks" "$3" "$frees"

"$BIN/mpstacks" --metric allocations -f folded r.trace >fa ||
	fail "mpstacks exited $?"
expect "folded allocations" "$(awk '{ s += $NF } END { print s }' fa)" "$allocs"
"$BIN/mpstacks" --metric leaked -f folded r.trace >fl ||
	fail "mpstacks exited $?"
expect "folded leaked bytes" "$(awk '{ s += $NF } END { print s }' fl)" "$live"
echo "ok allocs=$allocs frees=$frees live_bytes=$live"
