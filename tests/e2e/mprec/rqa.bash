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

# block_kinds PROG KIND:BYTES...: record PROG, and for each KIND:BYTES
# (definite, indirect, possible, reachable) require that the one block of
# BYTES bytes has that kind in mpleaks --all, and in valgrind's report of
# the same program when valgrind is installed.
block_kinds() {
	local prog=$1 kb kind bytes got vg
	shift
	rec -- "$prog"
	expect_rc 0
	valid_trace
	"$BIN/mpleaks" --all -f csv "$T" >"$TMPDIR/leaks.csv" || fail "mpleaks failed"
	for kb in "$@"; do
		kind=${kb%%:*} bytes=${kb#*:}
		# columns: pid,record,kind,domain,device,blocks,bytes,...
		got=$(awk -F, -v b="$bytes" 'NR > 1 && $7 == b && $6 == 1 { print $3 }' "$TMPDIR/leaks.csv")
		expect "kind of the $bytes-byte block" "$got" "$kind"
	done
	command -v valgrind >/dev/null || return 0
	valgrind --leak-check=full --show-leak-kinds=all "$prog" 2>"$TMPDIR/vg.txt" >/dev/null ||
		fail "valgrind failed"
	for kb in "$@"; do
		kind=${kb%%:*} bytes=${kb#*:}
		case $kind in
		definite) vg="definitely lost" ;;
		indirect) vg="indirectly lost" ;;
		possible) vg="possibly lost" ;;
		reachable) vg="still reachable" ;;
		esac
		grep -q " $bytes bytes in 1 blocks are $vg" "$TMPDIR/vg.txt" ||
			fail "valgrind does not call the $bytes bytes $vg"
	done
}
