# rqa_daemon: daemon(3) forks inside libc (not through fork()): the child
# is its own process with its parent known, and its allocation is its own
# (tests/rqa/daemon.c).  mprec waits for the daemon; once the program
# itself has ended, SIGINT stops the waiting and the trace still ends well.
. "$TOP/tests/e2e/mprec/lib.bash"
. "$TOP/tests/e2e/mprec/rqa.bash"
need "$RQA/daemon"

rec -- "$RQA/daemon" 0
expect_rc 0
valid_trace
dump
parent=$(pids_of_size 31004)
child=$(pids_of_size 31005)
expect "pids making malloc(31004)" "$(echo $parent | wc -w)" 1
expect "pids making malloc(31005)" "$(echo $child | wc -w)" 1
[ "$parent" != "$child" ] || fail "the daemon's allocation is in its parent $parent"
expect "malloc(31005) by the daemon" "$(n_alloc 31005 malloc "$child")" 1
expect "PROCESS_START fork of $child with parent $parent" \
	"$(q 'ty == "process_start" && v("pid") == C && v("kind") + 0 == 1 && v("ppid") == P { n++ } END { print n + 0 }' C=$child P=$parent)" 1
for p in $parent $child; do
	expect "PROCESS_END exit 0 of $p" \
		"$(q 'ty == "process_end" && v("pid") == X && v("kind") + 0 == 0 && v("code") + 0 == 0 { n++ } END { print n + 0 }' X=$p)" 1
done

# A daemon that would run 60 s: SIGINT to mprec after the program ended.
"$MPREC" -o "$T" -- "$RQA/daemon" 60 "$TMPDIR/pid" 2>"$TMPDIR/rec.err" &
mp=$!
i=0
while [ ! -s "$TMPDIR/pid" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$TMPDIR/pid" ] || { kill -TERM $mp; fail "the daemon never started"; }
dpid=$(cat "$TMPDIR/pid")
# mprec may not have reaped the program yet: repeat until it finishes.
i=0
while kill -0 $mp 2>/dev/null && [ $i -lt 100 ]; do
	kill -INT $mp 2>/dev/null
	sleep 0.1
	i=$((i + 1))
done
kill -0 $mp 2>/dev/null && { kill -KILL $mp $dpid; fail "mprec kept waiting for the daemon after SIGINT"; }
rc=0
wait $mp || rc=$?
kill -TERM "$dpid" 2>/dev/null
expect_rc 0
valid_trace
dump
expect "the daemon $dpid in the trace" \
	"$(q 'ty == "process_start" && v("pid") == D { n++ } END { print n + 0 }' D=$dpid)" 1
