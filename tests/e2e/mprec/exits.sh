# exits: _exit, exit, abort and SIGSEGV (tests/apps/exits.c): mprec exits
# with the app's status, the trace is complete, holds all 100 allocations
# made before the end and says how the process ended.
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/exits"
ulimit -c 0

# mode, mprec's exit status, PROCESS_END kind (0 exit, 1 signal), code
while read -r mode status kind code; do
	rec -- "$APPS/exits" "$mode"
	expect_rc "$status"
	valid_trace
	dump
	expect "$mode: malloc(71001)" "$(n_alloc 71001 malloc)" 100
	expect "$mode: free of the 71001 blocks" "$(n_free_of 71001 free)" 10
	expect "$mode: PROCESS_END kind $kind code $code" \
		"$(q 'ty == "process_end" && v("kind") + 0 == K && v("code") + 0 == C { n++ } END { print n + 0 }' K=$kind C=$code)" 1
	expect "$mode: PROCESS_END records" "$(q 'ty == "process_end" { n++ } END { print n + 0 }')" 1
	pid=$(pids_of_size 71001)
	if [ "$kind" = 0 ]; then
		expect "$mode: mpdump --stats exit" "$(statv process "$pid" exit)" "$code"
	else
		expect "$mode: mpdump --stats signal" "$(statv process "$pid" signal)" "$code"
	fi
	expect "$mode: END exit_code" \
		"$(q 'ty == "end" { print v("exit_code") + 0 }')" "$status"
done <<'CASES'
_exit 3 0 3
exit5 5 0 5
abort 134 1 6
segv 139 1 11
CASES
