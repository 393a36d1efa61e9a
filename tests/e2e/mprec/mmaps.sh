# mmaps: the app's own mmap, munmap, mremap and sbrk are recorded, the
# allocator's own mappings are not (tests/apps/mmaps.c).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/mmaps"

rec -- "$APPS/mmaps"
expect_rc 0
valid_trace
dump
# mmap(NULL, 1060864, PROT_READ | PROT_WRITE (3), MAP_PRIVATE | MAP_ANONYMOUS
# (0x22 = 34), -1, 0)
expect "MMAP of 1060864 bytes" \
	"$(q 'ty == "mmap" && v("len") == 1060864 && v("prot") == 3 && v("flags") == 34 && v("fd") == -1 && v("offset") == 0 { n++ } END { print n + 0 }')" 3
expect "MUNMAP of the first mapping" \
	"$(q 'ty == "mmap" && v("len") == 1060864 && first == "" { first = addr() }
	     ty == "munmap" && v("len") == 1060864 && addr() == first { n++ } END { print n + 0 }')" 1
expect "MREMAP of the second mapping to 2109440 bytes" \
	"$(q 'ty == "mmap" && v("len") == 1060864 { k++; if (k == 2) second = v("addr") }
	     ty == "mremap" && v("old_addr") == second && v("old_len") == 1060864 && v("new_len") == 2109440 && v("new_addr") != 0 { n++ }
	     END { print n + 0 }')" 1
expect "BRK moves of +40960 and -40960, in that order" \
	"$(q 'ty == "brk" { d = v("new_end") - v("old_end"); if (d == 40960 || d == -40960) s = s d " " } END { print s }')" "40960 -40960 "
expect "MMAP or MUNMAP records of 5000000 bytes or more (glibc's own)" \
	"$(q '(ty == "mmap" || ty == "munmap") && v("len") + 0 >= 5000000 { n++ } END { print n + 0 }')" 0
expect "malloc(5000000)" "$(n_alloc 5000000 malloc)" 1
