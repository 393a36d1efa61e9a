# An abbreviated long option is taken (--no-sym), but not the whole name of
# a shared option that mpleaks does not have: --to T was --top T.  One
# line and a short usage on stderr, exit 2.
. "$TOP/tests/e2e/mpleaks/lib.bash"
need "$MPLEAKS" "$MPTGEN"

t=$TMPDIR/u.trace
"$MPTGEN" -o "$t" 'process 1; alloc 1' || fail "mptgen failed"
rc=0
"$MPLEAKS" --all --to 1 "$t" >out 2>err || rc=$?
expect "--to: status" "$rc" 2
expect "--to: stdout" "$(cat out)" ""
expect "--to: first line" "$(head -1 err)" "mpleaks: unknown option '--to'"
rc=0
"$MPLEAKS" --all --to=1 "$t" >out 2>err || rc=$?
expect "--to=1: status" "$rc" 2
"$MPLEAKS" --all --top 1 --no-sym "$t" >out 2>err ||
	fail "--top 1 --no-sym failed: $(cat err)"
grep -q 'LEAK SUMMARY' out || fail "--top 1 --no-sym: no report"
