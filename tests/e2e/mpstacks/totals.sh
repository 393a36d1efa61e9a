# totals: `mpstacks -f folded` adds up to `mpdump --stats` (allocations and
# bytes) on a generated multi-process trace and on a recorded program, and
# the recorded chain main -> a -> b -> c of tests/apps/deep appears whole.
. "$TOP/tests/e2e/mpstacks/lib.bash"
need "$MPSTACKS" "$MPDUMP" "$MPTGEN"
T=$TMPDIR/g.trace

"$MPTGEN" --seed 7 -o "$T" 'stacks 40 depth=12' \
	'process 100; alloc 3000 size=1-5000 stack=zipf; free 1200; realloc 300 size=10-100000; alloc 7 failed; thread 101; alloc 500 size=16-64' \
	'process 200 ppid=100 kind=fork; alloc 400 func=calloc size=1-300; free 100; exit 0' \
	'use 100; alloc 9 func=new size=24; exit 0' || fail "mptgen failed"

for m in allocations bytes; do
	col=4
	[ $m = bytes ] && col=5
	want=$(stats_sum "$T" allocs $col)
	[ "$want" -gt 0 ] || fail "mpdump --stats gave no allocs"
	got=$("$MPSTACKS" -f folded --metric $m "$T" | folded_sum)
	expect "folded $m total vs mpdump --stats" "$got" "$want"
	got=$("$MPSTACKS" -f csv --metric $m "$T" | awk -F, 'NR > 1 { s += $3 } END { print s + 0 }')
	expect "csv $m total vs mpdump --stats" "$got" "$want"
	got=$("$MPSTACKS" --metric $m "$T" | sed -n 's/^# .*; total \([0-9]*\)$/\1/p')
	expect "text $m total" "$got" "$want"
done
# Two traces: one CSV, one header row.
n=$("$MPSTACKS" -f csv "$T" "$T" | grep -c '^pid,')
expect "csv header rows for two traces" "$n" 1
# One process only.
want=$("$MPDUMP" --stats -f csv "$T" | awk -F, '$1 == "process" && $2 == 200 && $3 == "allocs" { print $4 }')
got=$("$MPSTACKS" -f folded --metric allocations --pid 200 "$T" | folded_sum)
expect "--pid 200 allocations" "$got" "$want"

# A recorded program: tests/apps/deep makes 10 x malloc(101001) from c,
# called as main -> a -> b -> c.
need "$MPREC" "$APPS/deep"
R=$TMPDIR/deep.trace
"$MPREC" -o "$R" "$APPS/deep" >/dev/null 2>&1 || fail "mprec exited $?"
for m in allocations bytes; do
	col=4
	[ $m = bytes ] && col=5
	expect "deep: folded $m total" \
		"$("$MPSTACKS" -f folded --metric $m "$R" | folded_sum)" \
		"$(stats_sum "$R" allocs $col)"
done
"$MPSTACKS" -f folded --metric allocations "$R" >"$TMPDIR/f"
expect "deep: stacks ending main;a;b;c" \
	"$(awk '$1 ~ /(^|;)main;a;b;c$/ { s += $NF } END { print s + 0 }' "$TMPDIR/f")" 10
"$MPSTACKS" -f folded --metric bytes "$R" >"$TMPDIR/f"
expect "deep: bytes from c" \
	"$(awk '$1 ~ /;c$/ { s += $NF } END { print s + 0 }' "$TMPDIR/f")" 1010010
exit 0
