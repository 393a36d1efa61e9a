# closefds: the app closes every fd above 2, or dup2s over them
# (tests/apps/closefds.c); every allocation is still recorded.
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/closefds"

for mode in closefrom dup2; do
	rec -- "$APPS/closefds" $mode
	expect_rc 0
	valid_trace
	dump
	expect "$mode: malloc(31000) before" "$(n_alloc 31000 malloc)" 10
	expect "$mode: malloc(31001) after" "$(n_alloc 31001 malloc)" 100
	expect "$mode: free of the 31001 blocks" "$(n_free_of 31001 free)" 100
	expect "$mode: malloc(31002) in a thread started after" "$(n_alloc 31002 malloc)" 50
	expect "$mode: threads making malloc(31002)" \
		"$(q 'ty == "alloc" && v("size") == 31002 { t[v("tid")] = 1 } END { for (k in t) n++; print n + 0 }')" 1
	expect "$mode: PROCESS_END exit 0" \
		"$(q 'ty == "process_end" && v("kind") + 0 == 0 && v("code") + 0 == 0 { n++ } END { print n + 0 }')" 1
done
