# no_follow: --no-follow records only the first process (tests/apps/forkexec.c).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/forkexec" "$APPS/exec_target"

rec --no-follow -- "$APPS/forkexec"
expect_rc 0
valid_trace
dump
expect "parent's malloc(21001)" "$(n_alloc 21001 malloc)" 5
expect "parent's malloc(21005)" "$(n_alloc 21005 malloc)" 3
expect "child's malloc(21002)" "$(n_alloc 21002)" 0
expect "exec_target's malloc(21003)" "$(n_alloc 21003)" 0
expect "pids with ALLOC records" \
	"$(q 'ty == "alloc" { p[v("pid")] = 1 } END { for (k in p) n++; print n + 0 }')" 1
expect "PROCESS_START records" "$(q 'ty == "process_start" { n++ } END { print n + 0 }')" 1
