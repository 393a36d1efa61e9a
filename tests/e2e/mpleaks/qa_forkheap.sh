# qa_forkheap: a fork child inherits its parent's heap as of the fork
# (tests/qa/forkheap.c): what the parent frees and allocates right after
# the fork is not the child's.  Per-kind totals of both processes equal
# valgrind's, run here.
. "$TOP/tests/e2e/mpleaks/lib.bash"
command -v valgrind >/dev/null || skip "valgrind not installed"
PROG=$BUILD/tests/qa/forkheap
need "$MPLEAKS" "$MPREC" "$PROG"

vg_procs "$PROG" 2
for run in 1 2 3; do
	"$MPREC" -o "$TMPDIR/fh.trace" "$PROG" >/dev/null 2>&1 || fail "mprec exited $?"
	"$MPLEAKS" --all "$TMPDIR/fh.trace" >"$TMPDIR/fh.leaks" || fail "mpleaks exited $?"
	pids=$(awk '/^# pid / { print $3 }' "$TMPDIR/fh.leaks")
	for k in 1 2; do
		want=$(vg_totals "$(echo "$logs" | sed -n ${k}p)")
		got=$(summary "$TMPDIR/fh.leaks" "$(echo "$pids" | sed -n ${k}p)")
		expect "run $run, process $k" "${got% U=*}" "$want"
	done
done
echo "ok   parent and child as valgrind has them"
