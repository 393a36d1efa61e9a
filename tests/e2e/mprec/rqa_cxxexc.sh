# rqa_cxxexc: C++ std::thread and exceptions (the runtime allocates each
# thrown object): 4 threads throw and catch 100 each (tests/rqa/cxxexc.cc).
. "$TOP/tests/e2e/mprec/lib.bash"
. "$TOP/tests/e2e/mprec/rqa.bash"
need "$RQA/cxxexc"

rec -- "$RQA/cxxexc"
expect_rc 0
valid_trace
dump
expect "threads" "$(statv process "$(q 'ty == "process_start" { print v("pid"); exit }')" threads)" 5
# every thrown object is freed after its catch: the 400 allocations of
# __cxa_allocate_exception's size are all freed
sz=$(q 'ty == "alloc" && v("tid") != v("pid") { n[v("size")]++ } END { for (s in n) if (n[s] == 400) print s }')
[ -n "$sz" ] || fail "no size allocated exactly 400 times by the threads"
for s in $sz; do
	expect "frees of the $s-byte blocks" "$(n_free_of "$s")" 400
done
