# basic: every allocation function, counted exactly (tests/apps/basic.c).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/basic"

rec -- "$APPS/basic"
expect_rc 0
valid_trace
dump

expect "malloc(1111) from f" "$(n_alloc 1111 malloc)" 100
expect "calloc(7, 333) from g" "$(n_alloc 2331 calloc)" 50
expect "realloc(NULL, 3001)" "$(n_alloc 3001 realloc)" 30
expect "realloc(p, 3002)" "$(n_alloc 3002 realloc)" 30
expect "realloc(NULL, 3001) with an old_addr" \
	"$(q 'ty == "alloc" && v("size") == 3001 && v("old_addr") != "" && v("old_addr") != "0" && v("old_addr") != "0x0" { n++ } END { print n + 0 }')" 0
expect "realloc(p, 3002) whose old_addr is a 3001 block" \
	"$(q 'ty == "alloc" && v("size") == 3001 { b[addr()] = 1 }
	     ty == "alloc" && v("size") == 3002 { o = tolower(v("old_addr")); gsub(/"/, "", o); if (o in b) n++ }
	     END { print n + 0 }')" 30
expect "memalign(64, 4001)" "$(n_alloc 4001 memalign)" 3
expect "posix_memalign(128, 4002)" "$(n_alloc 4002 posix_memalign)" 3
expect "aligned_alloc(256, 4352)" "$(n_alloc 4352 aligned_alloc)" 3
expect "valloc(4004)" "$(n_alloc 4004 valloc)" 3
expect "pvalloc(4005)" "$(n_alloc 4005 pvalloc)" 3
expect "reallocarray(NULL, 7, 601)" "$(n_alloc 4207 reallocarray)" 3
expect "alignment of memalign(64, 4001)" \
	"$(q 'ty == "alloc" && v("size") == 4001 && v("align") + 0 == 64 { n++ } END { print n + 0 }')" 3
expect "failed malloc(1 << 62)" \
	"$(q 'ty == "alloc" && v("size") == "4611686018427387904" && failed() && fn() == "malloc" { n++ } END { print n + 0 }')" 2

# realloc(p, 0) frees p: only the FREE; a failed realloc: a failed ALLOC
# with old_addr, the block stays live until its free.
expect "malloc(1234)" "$(n_alloc 1234 malloc)" 5
expect "realloc(p, 0)'s free of the 1234 blocks" "$(n_free_of 1234 realloc)" 5
expect "realloc ALLOC records of size 0" \
	"$(q 'ty == "alloc" && fn() == "realloc" && v("size") + 0 == 0 { n++ } END { print n + 0 }')" 0
expect "failed realloc(q, 1 << 62) with old_addr q" \
	"$(q 'ty == "alloc" && v("size") == 1235 && !failed() { b = v("addr") }
	     ty == "alloc" && fn() == "realloc" && failed() && v("size") == "4611686018427387904" && b != "" && v("old_addr") == b { n++ }
	     END { print n + 0 }')" 1
expect "free of the 1235 block after the failed realloc" "$(n_free_of 1235 free)" 1
expect "free of the 1111 blocks" "$(n_free_of 1111 free)" 100
expect "free of the 2331 blocks" "$(n_free_of 2331 free)" 25
expect "realloc's free of the 3001 blocks" "$(n_free_of 3001 realloc)" 30
expect "free of the 3002 blocks" "$(n_free_of 3002 free)" 30
for s in 4001 4002 4352 4004 4005 4207; do
	expect "free of the $s blocks" "$(n_free_of $s free)" 3
done

# One process, one thread made all of them, and it exited 0.
expect "pids with 1111 blocks" "$(pids_of_size 1111 | wc -l)" 1
expect "threads with basic's blocks" \
	"$(q 'ty == "alloc" && v("size") ~ /^(1111|2331|3001|3002)$/ { t[v("tid")] = 1 } END { for (k in t) n++; print n + 0 }')" 1
expect "PROCESS_END exit 0" \
	"$(q 'ty == "process_end" && v("kind") + 0 == 0 && v("code") + 0 == 0 { n++ } END { print n + 0 }')" 1

# The allocations come from f and g (their innermost frame).
expect "malloc(1111) blocks whose innermost frame is f" \
	"$(stacks 1111 | awk '$2 ~ /^f@basic$/' | wc -l)" 100
expect "calloc(7, 333) blocks whose innermost frame is g" \
	"$(stacks 2331 | awk '$2 ~ /^g@basic$/' | wc -l)" 50

# mpdump --stats per process: allocations by function and frees agree with
# the records, and the process ended with exit 0.
stats_agree
pid=$(pids_of_size 1111)
expect "mpdump --stats exit of $pid" "$(statv process "$pid" exit)" 0
