# qa_forkthread: a fork child of a process with a second thread
# (tests/qa/forkthread.c).  The parent's second thread has a live TLS
# vector, possibly lost as memcheck says; in the child that thread does
# not exist, its stack is an ended thread's, and nothing is lost (memcheck
# has glibc free the vector, mpleaks suppresses it).  Per-kind block counts
# equal valgrind's for both processes, run here.
. "$TOP/tests/e2e/mpleaks/lib.bash"
command -v valgrind >/dev/null || skip "valgrind not installed"
PROG=$BUILD/tests/qa/forkthread
need "$MPLEAKS" "$MPREC" "$PROG"

vg_procs "$PROG" 2
"$MPREC" -o "$TMPDIR/ft.trace" "$PROG" >/dev/null 2>&1 || fail "mprec exited $?"
"$MPLEAKS" --all "$TMPDIR/ft.trace" >"$TMPDIR/ft.leaks" || fail "mpleaks exited $?"
# The parent is the first process mpleaks lists, the child the second;
# valgrind's log of the child is the one with the larger pid.
pids=$(awk '/^# pid / { print $3 }' "$TMPDIR/ft.leaks")
parent=$(echo "$pids" | sed -n 1p)
child=$(echo "$pids" | sed -n 2p)
[ -n "$child" ] || fail "no child process in the report"
# blocks per kind (bytes differ by the TLS modules the recorder adds)
blocks() { echo "$1" | sed 's/\/[0-9]*//g'; }
want=$(blocks "$(vg_totals "$(echo "$logs" | sed -n 1p)")")
got=$(summary "$TMPDIR/ft.leaks" "$parent")
expect "parent" "$(blocks "${got% U=*}")" "$want"
want=$(blocks "$(vg_totals "$(echo "$logs" | sed -n 2p)")")
got=$(summary "$TMPDIR/ft.leaks" "$child")
expect "child" "$(blocks "${got% U=*}")" "$want"
echo "ok   parent $(summary "$TMPDIR/ft.leaks" "$parent"), child $got"
