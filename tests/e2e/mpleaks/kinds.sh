# kinds: kind selection, totals, --fail, --pid, CSV, --min-age, --at and the
# GPU domain, on a trace written here with mptgen, whose answers follow from
# its spec: each process leaks blocks of one kind.
. "$TOP/tests/e2e/mpleaks/lib.bash"
need "$MPLEAKS" "$MPTGEN"
T=$TMPDIR/k.trace

"$MPTGEN" -o "$T" \
	'stack 1 frames=0x401000,0x402000' 'stack 2 frames=0x401100' \
	'stack 3 frames=0x401200,0x402000' \
	'process 100; alloc 2 size=10 stack=1; leaks kind=definite; exit 0' \
	'process 200; alloc 3 size=20 stack=2; leaks kind=indirect; exit 0' \
	'process 300; alloc 4 size=30 stack=3; leaks kind=possible; exit 0' \
	'process 400; alloc 5 size=40 stack=1; leaks kind=reachable; exit 0' \
	'process 500; alloc 6 size=50 stack=2; signal 9' \
	'process 600; at 1s; alloc 1 size=100 stack=1; at 3s; mark epoch; at 5s; alloc 1 size=7 stack=2; at 6s; exit 0' \
	'process 700; gpu 0; gpualloc 2 device=0 size=4096; alloc 1 size=1 stack=1; free 1; exit 0' ||
	fail "mptgen failed"

reported() { # total bytes of the CSV loss records
	"$MPLEAKS" -f csv "$@" "$T" | awk -F, 'NR > 1 { b += $7; n += $6 } END { print n + 0 "/" b + 0 }'
}

# Default: definitely and indirectly lost, plus blocks of processes that had
# no leak scan (pid 500 killed, pid 600 without scan).
expect "default kinds" "$(reported)" "$((2 + 3 + 6 + 2))/$((20 + 60 + 300 + 107))"
expect "--all" "$(reported --all)" "$((2 + 3 + 4 + 5 + 6 + 2))/$((20 + 60 + 120 + 200 + 300 + 107))"
expect "--kind all" "$(reported --kind all)" "$(reported --all)"
expect "--kind possible" "$(reported --kind possible)" "4/120"
expect "--kind reachable,definite" "$(reported --kind reachable,definite)" "7/220"
expect "--kind unknown" "$(reported --kind unknown)" "8/407"
expect "--pid 300 --all" "$(reported --pid 300 --all)" "4/120"
expect "--pid 300" "$(reported --pid 300)" "0/0"

# --min-age and --at on pid 600: 100 bytes allocated at 1s, 7 at 5s, end 6s.
expect "--min-age 2s" "$(reported --pid 600 --min-age 2s)" "1/100"
expect "--min-age 500ms" "$(reported --pid 600 --min-age 500ms)" "2/107"
expect "--at 3" "$(reported --pid 600 --at 3)" "1/100"
expect "--at 5.5" "$(reported --pid 600 --at 5.5)" "2/107"
expect "--at mark:epoch" "$(reported --pid 600 --at mark:epoch)" "1/100"

# GPU buffers are their own domain.
expect "--domain gpu" "$(reported --pid 700 --domain gpu)" "2/8192"
expect "--domain gpu:0" "$(reported --pid 700 --domain gpu:0)" "2/8192"
expect "--domain gpu:1" "$(reported --pid 700 --domain gpu:1)" "0/0"
expect "heap of pid 700" "$(reported --pid 700)" "0/0"

# Text: the summary per process and the loss record headers.
"$MPLEAKS" --all "$T" >"$TMPDIR/out" || fail "mpleaks exited $?"
expect "summary pid 100" "$(summary "$TMPDIR/out" 100)" "D=2/20 I=0/0 P=0/0 R=0/0 U=0/0 S=0/0"
expect "summary pid 200" "$(summary "$TMPDIR/out" 200)" "D=0/0 I=3/60 P=0/0 R=0/0 U=0/0 S=0/0"
expect "summary pid 500" "$(summary "$TMPDIR/out" 500)" "D=0/0 I=0/0 P=0/0 R=0/0 U=6/300 S=0/0"
grep -q '^300 bytes in 6 blocks are not freed in loss record 1 of 1$' "$TMPDIR/out" ||
	fail "no 'not freed' record for the killed process"
grep -q '^# pid 500 .*killed by signal 9; no leak scan' "$TMPDIR/out" ||
	fail "pid 500 not described as killed without a scan"
grep -q '^120 bytes in 4 blocks are possibly lost in loss record 1 of 1$' "$TMPDIR/out" ||
	fail "no possibly lost record for pid 300"

# --fail: exit 1 only when the reported bytes exceed the threshold.
"$MPLEAKS" --fail "$T" >/dev/null; expect "--fail" "$?" 1
"$MPLEAKS" --fail=487 "$T" >/dev/null; expect "--fail=487" "$?" 0
"$MPLEAKS" --fail=486 "$T" >/dev/null; expect "--fail=486" "$?" 1
"$MPLEAKS" --fail=1K "$T" >/dev/null; expect "--fail=1K" "$?" 0
"$MPLEAKS" --fail --pid 400 "$T" >/dev/null; expect "--fail, nothing reported" "$?" 0
"$MPLEAKS" "$T" >/dev/null; expect "no --fail" "$?" 0

# Bad usage.
"$MPLEAKS" --kind lost "$T" 2>/dev/null; expect "--kind lost" "$?" 2
"$MPLEAKS" --fail=x "$T" 2>/dev/null; expect "--fail=x" "$?" 2
"$MPLEAKS" --min-age mark:x "$T" 2>/dev/null; expect "--min-age mark:x" "$?" 2
"$MPLEAKS" --at mark:nosuch "$T" >/dev/null 2>&1; expect "--at of a missing mark" "$?" 1
"$MPLEAKS" "$TMPDIR/missing.trace" 2>"$TMPDIR/err"; expect "missing trace" "$?" 2
grep -q "^mpleaks: cannot open '$TMPDIR/missing.trace': No such file or directory$" "$TMPDIR/err" ||
	fail "message for a missing trace: $(cat "$TMPDIR/err")"
exit 0
