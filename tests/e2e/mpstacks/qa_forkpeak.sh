# qa_forkpeak: a fork child frees the block it inherited and allocates a
# smaller one (tests/qa/forkfree.c): its peak is its start, the 1000
# inherited bytes, counted once, from parent_alloc's stack.
. "$TOP/tests/e2e/mpstacks/lib.bash"
PROG=$BUILD/tests/qa/forkfree
need "$MPSTACKS" "$MPREC" "$PROG"

"$MPREC" -o "$TMPDIR/ff.trace" "$PROG" >/dev/null 2>&1 || fail "mprec exited $?"
"$MPSTACKS" --metric peak -f csv "$TMPDIR/ff.trace" >"$TMPDIR/peak.csv" ||
	fail "mpstacks failed"
# the child: the process whose pid is not the first one listed
child=$("$MPDUMP" -f csv "$TMPDIR/ff.trace" |
	awk -F, '$4 == "process_start" && $10 == 1 { print $2 }')
[ -n "$child" ] || fail "no child process"
# columns: pid,stack_id,peak,function,stack
total=$(awk -F, -v p="$child" 'NR > 1 && $1 == p { s += $3 } END { print s + 0 }' "$TMPDIR/peak.csv")
expect "child's peak" "$total" 1000
site=$(awk -F, -v p="$child" 'NR > 1 && $1 == p && $3 > 0 { print $4 }' "$TMPDIR/peak.csv")
expect "child's peak site" "$site" parent_alloc
