# rqa_threads32: 32 threads allocate and free while main calls exit(3)
# (tests/rqa/threads32.c): exit status 3, a complete trace, nothing lost,
# and each block freed at most once.
. "$TOP/tests/e2e/mprec/lib.bash"
. "$TOP/tests/e2e/mprec/rqa.bash"
need "$RQA/threads32"

rec -- "$RQA/threads32"
expect_rc 3
valid_trace
dump
expect "PROCESS_END exit 3" \
	"$(q 'ty == "process_end" && v("kind") + 0 == 0 && v("code") + 0 == 3 { n++ } END { print n + 0 }')" 1
expect "threads allocating" \
	"$(q 'ty == "alloc" && v("size") + 0 == 31003 { t[v("tid")] = 1 } END { for (k in t) n++; print n + 0 }')" 32
# each thread stops between a malloc and its free at most once
left=$(( $(n_alloc 31003 malloc) - $(n_free_of 31003) ))
[ "$left" -ge 0 ] && [ "$left" -le 32 ] || fail "$left blocks of 31003 left live, expected 0 to 32"
