# A trace cut at any byte: the records of its complete frames, then one
# warning line that it is cut; exit 0.
. "$TOP/tests/e2e/mpdump/lib.bash"

spec1='process 1; alloc 10 size=32; flush; alloc 20 size=64; flush'
# The first two frames alone (no END, no index), and the whole trace with a
# third frame.  Frames are self-contained, so the first is a prefix of the
# second; its size is where the third frame starts.
"$MPTGEN" --no-end --no-index -o two.trace "$spec1" || fail "mptgen two"
"$MPTGEN" --no-index -o full.trace "$spec1" 'alloc 30 size=128' || fail "mptgen full"
"$MPTGEN" -o indexed.trace "$spec1" 'alloc 30 size=128' || fail "mptgen indexed"
s=$(stat -c %s two.trace)
e=$(stat -c %s full.trace)
cmp -s -n "$s" two.trace full.trace || fail "two.trace is not a prefix"
cmp -s -n "$e" full.trace indexed.trace || fail "full.trace is not a prefix"
warn="trace is cut (no end record); showing what it holds"

# Cut inside the third frame, densely: 30 allocations and the warning.
off=$s
while [ "$off" -lt "$e" ]; do
	head -c "$off" full.trace >cut.trace
	rc=0
	"$MPDUMP" -f csv cut.trace >c.csv 2>err || rc=$?
	expect "cut at $off: status" "$rc" 0
	expect "cut at $off: allocs" "$(rows c.csv alloc)" 30
	expect "cut at $off: stderr" "$(cat err)" "mpdump: cut.trace: $warn"
	off=$((off + 3))
done

# --stats says so too.
head -c $((s + 5)) full.trace >cut.trace
"$MPDUMP" --stats -f csv cut.trace >s.csv 2>err || fail "stats of a cut trace"
expect "stats status" "$(statv s.csv trace '' status)" cut
expect "stats allocs" "$(statv s.csv kind '' alloc)" 30
expect "stats stderr" "$(cat err)" "mpdump: cut.trace: $warn"

# Cut inside the first frame: no records, the warning.
head -c 20 full.trace >cut.trace
rc=0
"$MPDUMP" cut.trace >out 2>err || rc=$?
expect "cut in frame 1: status" "$rc" 0
expect "cut in frame 1: stdout" "$(cat out)" ""
expect "cut in frame 1: stderr" "$(cat err)" "mpdump: cut.trace: $warn"

# The whole trace, and with its index: complete, no warning.
for f in full.trace indexed.trace; do
	"$MPDUMP" -f csv "$f" >c.csv 2>err || fail "$f"
	expect "$f allocs" "$(rows c.csv alloc)" 60
	expect "$f stderr" "$(cat err)" ""
done
exit 0
