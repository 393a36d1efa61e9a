# Output: -o FILE, standard input (explicit "-" and implicit), several
# traces, --pid, and write errors reported with exit 1.
. "$TOP/tests/e2e/mpdump/lib.bash"

t=$TMPDIR/o.trace
"$MPTGEN" -o "$t" 'process 10; alloc 4; process 20 ppid=10 kind=fork; alloc 6' \
	'use 10; free 2; exit 0; use 20; exit 1' || fail "mptgen failed"

"$MPDUMP" -f csv "$t" >a.csv || fail "mpdump"
"$MPDUMP" -f csv -o b.csv "$t" >out || fail "mpdump -o"
expect "-o stdout" "$(cat out)" ""
cmp -s a.csv b.csv || fail "-o output differs from stdout"
"$MPDUMP" -f csv - <"$t" >c.csv || fail "mpdump -"
cmp -s a.csv c.csv || fail "'-' differs from the file"
"$MPDUMP" -f csv <"$t" >d.csv || fail "mpdump <trace"
cmp -s a.csv d.csv || fail "implicit standard input differs from the file"
"$MPDUMP" --stats -f csv - <"$t" >s.csv || fail "mpdump --stats -"
expect "stdin stats allocs" "$(statv s.csv kind '' alloc)" 10
expect "stdin stats file" "$(statv s.csv trace '' file)" "standard input"

# Two traces: one CSV header, both traces' rows.
"$MPDUMP" -f csv "$t" "$t" >two.csv || fail "two traces"
expect "two: headers" "$(grep -c '^time_ns,' two.csv)" 1
expect "two: allocs" "$(rows two.csv alloc)" 20

# --pid: only that process's records.
"$MPDUMP" -f csv --pid 20 "$t" >p.csv || fail "--pid 20"
expect "--pid 20 allocs" "$(rows p.csv alloc)" 6
expect "--pid 20 other pids" "$(awk -F, 'NR > 1 && $2 != 20' p.csv | wc -l)" 0
"$MPDUMP" --stats -f csv --pid 10 "$t" >p.csv || fail "--stats --pid 10"
expect "--stats --pid 10 processes" "$(statv p.csv trace '' processes)" 1
expect "--stats --pid 10 allocs" "$(statv p.csv process 10 allocs)" 4
expect "--stats --pid 10 frees" "$(statv p.csv process 10 frees)" 2

# Write errors: a full disk is exit 1 with one line.
rc=0
"$MPDUMP" "$t" >/dev/full 2>err || rc=$?
expect "/dev/full status" "$rc" 1
expect "/dev/full stderr" "$(cat err)" "mpdump: write error: No space left on device"
rc=0
"$MPDUMP" -o /dev/full "$t" 2>err || rc=$?
expect "-o /dev/full status" "$rc" 1
expect "-o /dev/full stderr" "$(cat err)" \
	"mpdump: cannot write '/dev/full': No space left on device"
rc=0
"$MPDUMP" -o "$TMPDIR/no/such/dir" "$t" 2>err || rc=$?
expect "-o bad dir status" "$rc" 2
expect "-o bad dir stderr" "$(cat err)" \
	"mpdump: cannot open '$TMPDIR/no/such/dir' for writing: No such file or directory"
exit 0
