# rqa_execenv: a program that execs with an empty environment (no
# LD_PRELOAD in the new image): its allocations before the exec are
# recorded and its end is known (tests/rqa/execenv.c).
. "$TOP/tests/e2e/mprec/lib.bash"
. "$TOP/tests/e2e/mprec/rqa.bash"
need "$RQA/execenv"
[ -x /bin/sh ] || skip "no /bin/sh"

rec -- "$RQA/execenv" /bin/sh -c 'exit 6'
expect_rc 6
valid_trace
dump
expect "malloc(31001)" "$(n_alloc 31001 malloc)" 3
expect "PROCESS_END exit 6" \
	"$(q 'ty == "process_end" && v("kind") + 0 == 0 && v("code") + 0 == 6 { n++ } END { print n + 0 }')" 1
