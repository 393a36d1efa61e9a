# exec_fail: exec of a program that fails, then the app goes on
# (tests/apps/exec_fail.c).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/exec_fail"

rec -- "$APPS/exec_fail"
expect_rc 0
valid_trace
dump
expect "malloc(81000) before the execs" "$(n_alloc 81000 malloc)" 2
expect "malloc(81001) after the failed execs" "$(n_alloc 81001 malloc)" 3
expect "pids" "$(q 'ty == "alloc" && v("size") >= 81000 && v("size") <= 81001 { p[v("pid")] = 1 } END { for (k in p) n++; print n + 0 }')" 1
expect "PROCESS_START of kind exec" \
	"$(q 'ty == "process_start" && v("kind") + 0 == 3 { n++ } END { print n + 0 }')" 0
expect "PROCESS_END records" "$(q 'ty == "process_end" { n++ } END { print n + 0 }')" 1
expect "PROCESS_END exit 0" \
	"$(q 'ty == "process_end" && v("kind") + 0 == 0 && v("code") + 0 == 0 { n++ } END { print n + 0 }')" 1
