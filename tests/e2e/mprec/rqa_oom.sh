# rqa_oom: under `ulimit -v` (less address space than the recorder's
# region takes) the program is still recorded, and its 5 failing
# malloc(256 MiB) are failures (tests/rqa/oom.c).
. "$TOP/tests/e2e/mprec/lib.bash"
. "$TOP/tests/e2e/mprec/rqa.bash"
need "$RQA/oom"

# The limit is the program's only (a sanitized mprec cannot run under it):
# a shell sets it and execs the program, whose new image is recorded.
[ -x /bin/sh ] || skip "no /bin/sh"
rec -- /bin/sh -c 'ulimit -v 200000 && exec "$0"' "$RQA/oom" >/dev/null
expect_rc 0
valid_trace
dump
expect "failed malloc(268435456)" \
	"$(q 'ty == "alloc" && v("size") + 0 == 268435456 && fn() == "malloc" && failed() { n++ } END { print n + 0 }')" 5
expect "MODULE_LOAD of oom" \
	"$(q 'ty == "module_load" && v("path") ~ /\/oom"?$/ { n++ } END { print n + 0 }')" 1
