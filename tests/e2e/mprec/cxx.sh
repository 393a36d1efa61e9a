# cxx: C++ new/delete/new[]/delete[] are named as such (tests/apps/cxx.cc).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/cxx"

rec -- "$APPS/cxx"
expect_rc 0
valid_trace
dump
expect "operator new(91002)" "$(n_alloc 91002 "operator new")" 14
expect "operator new[](91001)" "$(n_alloc 91001 "operator new[]")" 7
expect "operator new(91003) of the vector" "$(n_alloc 91003 "operator new")" 1
expect "any other function for 91001..91003" \
	"$(q 'ty == "alloc" && v("size") >= 91001 && v("size") <= 91003 && fn() != "operator new" && fn() != "operator new[]" { n++ } END { print n + 0 }')" 0
expect "operator delete of the 91002 blocks" "$(n_free_of 91002 "operator delete")" 14
expect "operator delete[] of the 91001 blocks" "$(n_free_of 91001 "operator delete[]")" 7
expect "operator delete of the vector" "$(n_free_of 91003 "operator delete")" 1
# make() is the innermost frame of the program's own code for new Big.
expect "91002 stacks whose innermost frame of cxx is make" \
	"$(stacks 91002 | awk '{ for (i = 2; i <= NF; i++) if ($i ~ /@cxx$/) { if ($i ~ /^make/ || $i ~ /^_ZL4makev/) n++; break } } END { print n + 0 }')" 14
