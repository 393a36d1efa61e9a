# rqa.bash - helpers for the rqa_* cases, which record real programs and
# the programs of tests/rqa (sourced after lib.bash, not a case).

RQA=$BUILD/tests/rqa

# every_end_known: every process of the trace (after valid_trace) has a
# PROCESS_END saying how it ended (an exit status or a signal); prints the
# number of processes.
every_end_known() {
	local procs ends
	procs=$(awk -F, '$1 == "process" && $3 == "ppid" { print $2 }' "$TMPDIR/stats.csv" | sort -u)
	[ -n "$procs" ] || fail "no process in the trace"
	for p in $procs; do
		ends=$(awk -F, -v p="$p" '$1 == "process" && $2 == p && ($3 == "exit" || $3 == "signal") { n++ } END { print n + 0 }' "$TMPDIR/stats.csv")
		[ "$ends" = 1 ] || {
			grep "^process,$p," "$TMPDIR/stats.csv" | sed 's/^/  /'
			fail "process $p has no known end"
		}
	done
	echo "$procs" | wc -l
}

# real NAME CMD...: run CMD alone and under mprec (standard input from
# /dev/null, output to files), check that mprec exits with CMD's status,
# the trace is valid and complete with nothing lost, and every process has
# a known end; sets $nprocs.
real() {
	local name=$1 want
	shift
	want=0
	"$@" </dev/null >"$TMPDIR/$name.out0" 2>&1 || want=$?
	rec -- "$@" </dev/null >"$TMPDIR/$name.out1"
	expect_rc "$want"
	valid_trace
	nprocs=$(every_end_known) || { echo "$nprocs"; exit 1; }
	cmp -s "$TMPDIR/$name.out0" "$TMPDIR/$name.out1" ||
		fail "$name printed something else under mprec"
}
