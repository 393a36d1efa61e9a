# --from/--to: plain times (with units) and mark:NAME, while streaming and
# through the time index; records before the window are not printed.
. "$TOP/tests/e2e/mpdump/lib.bash"

t=$TMPDIR/w.trace
"$MPTGEN" -o "$t" 'process 1; at 1s; alloc 10; at 2s; mark A; alloc 20' \
	'at 3s; mark B; alloc 30; at 4s; alloc 5' || fail "mptgen failed"

win() { # expected-allocs expected-markers options...
	local want=$1 marks=$2
	shift 2
	"$MPDUMP" -f csv "$@" "$t" >w.csv 2>err || fail "mpdump $*: $(cat err)"
	[ -s err ] && fail "mpdump $*: unexpected stderr: $(cat err)"
	expect "allocs for $*" "$(rows w.csv alloc)" "$want"
	expect "markers for $*" "$(rows w.csv marker)" "$marks"
	# Nothing before the window, not even a definition.
	expect "process_start for $*" "$(rows w.csv process_start)" 0
}
win 20 1 --from 2 --to 3
win 20 1 --from 2s --to 3s
win 20 1 --from 2000ms --to 3000000us
win 20 1 --from 2000000000ns --to 2.999999999
win 20 1 --from mark:A --to mark:B
win 30 1 --from mark:B --to 4
win 35 1 --from 2.5
win 5 0 --from 3.5
win 50 2 --from mark:A --to 3.5

# --to alone keeps the definitions before it.
"$MPDUMP" -f csv --to 1.5 "$t" >w.csv || fail "mpdump --to 1.5"
expect "--to 1.5 allocs" "$(rows w.csv alloc)" 10
expect "--to 1.5 process_start" "$(rows w.csv process_start)" 1

# The same windows through the index of a many-frame trace: the result is
# the full dump filtered by time.
big=$TMPDIR/big.trace
"$MPTGEN" -o "$big" --frame-max 4K 'process 9; stacks 20' \
	'alloc 3000 size=16-256; free 1000; alloc 1000' || fail "mptgen big"
[ "$(zstd -lv "$big" 2>/dev/null | awk '/Zstandard Frames/ { print $NF }')" -gt 10 ] ||
	fail "the big trace has too few frames"
"$MPDUMP" -f csv "$big" >all.csv || fail "mpdump big"
for from in 0.001 0.0025 0.004; do
	want=$(awk -F, -v f="$from" 'NR > 1 && $1 >= f * 1e9 && $4 != "end"' all.csv | wc -l)
	"$MPDUMP" -f csv --from "$from" "$big" >part.csv || fail "mpdump --from $from"
	got=$(awk -F, 'NR > 1 && $4 != "end"' part.csv | wc -l)
	expect "--from $from records" "$got" "$want"
	cmp -s <(awk -F, -v f="$from" 'NR > 1 && $1 >= f * 1e9' all.csv) \
		<(tail -n +2 part.csv) || fail "--from $from differs from the filtered dump"
done

# A plain --from seeks with the index: fewer frames are decoded.
"$MPDUMP" --stats -f csv "$big" >all.stats || fail "stats big"
"$MPDUMP" --stats -f csv --from 0.004 "$big" >late.stats || fail "stats --from"
nall=$(statv all.stats trace '' frames)
nlate=$(statv late.stats trace '' frames)
[ "$nlate" -lt $((nall / 2)) ] ||
	fail "--from 0.004 decoded $nlate of $nall frames: no seek?"

# From a pipe there is no index: the reader decodes from the start, with
# the same result.
cat "$big" | "$MPDUMP" -f csv --from 0.0025 - >pipe.csv || fail "mpdump --from from a pipe"
"$MPDUMP" -f csv --from 0.0025 "$big" >file.csv || fail "mpdump --from 0.0025"
cmp -s pipe.csv file.csv || fail "--from from a pipe differs from the file"

# A marker that is not there: a warning and exit 1.
rc=0
"$MPDUMP" --from mark:nope "$t" >out 2>err || rc=$?
expect "missing marker status" "$rc" 1
expect "missing marker stderr" "$(cat err)" \
	"mpdump: $t: no marker 'nope' (for --from)"
expect "missing marker stdout" "$(grep -vc '^#' out)" 0
exit 0
