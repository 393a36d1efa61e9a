# ctor_dtor: allocations before main and after exit (tests/apps/ctor_dtor.c).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/ctor_dtor"

rec -- "$APPS/ctor_dtor"
expect_rc 0
valid_trace
dump
expect "malloc(61001) in the constructor" "$(n_alloc 61001 malloc)" 3
expect "malloc(61002) in main" "$(n_alloc 61002 malloc)" 1
expect "malloc(61003) in the atexit handler" "$(n_alloc 61003 malloc)" 4
expect "malloc(61004) in the destructor" "$(n_alloc 61004 malloc)" 5
expect "free of the constructor's blocks (in the destructor)" "$(n_free_of 61001 free)" 3
expect "order of the phases" \
	"$(q 'ty == "alloc" && v("size") >= 61001 && v("size") <= 61004 { k = v("size") - 61000; if (k != last) s = s k; last = k }
	     END { print s }')" 1234
expect "PROCESS_END exit 0" \
	"$(q 'ty == "process_end" && v("kind") + 0 == 0 && v("code") + 0 == 0 { n++ } END { print n + 0 }')" 1
