# rqa_sigint: a program that blocks SIGTERM and gets SIGINT as from a
# terminal (to its whole process group, mprec included) ends by SIGINT;
# mprec exits 130 and the trace says so (tests/rqa/sigterm.c).
. "$TOP/tests/e2e/mprec/lib.bash"
. "$TOP/tests/e2e/mprec/rqa.bash"
need "$RQA/sigterm"
# The program signals its process group: it needs one of its own.
command -v setsid >/dev/null || skip "no setsid"

rc=0
setsid -w "$MPREC" -o "$T" -- "$RQA/sigterm" 2>"$TMPDIR/rec.err" || rc=$?
expect_rc 130
valid_trace
dump
expect "malloc(31002)" "$(n_alloc 31002 malloc)" 2
expect "PROCESS_END by signal 2" \
	"$(q 'ty == "process_end" && v("kind") + 0 == 1 && v("code") + 0 == 2 { n++ } END { print n + 0 }')" 1
