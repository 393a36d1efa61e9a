# manythreads: 64 threads alive at once, all allocating
# (tests/apps/manythreads.c).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/manythreads"

rec -- "$APPS/manythreads"
expect_rc 0
valid_trace
dump
expect "ALLOC records of sizes 140000..140063" \
	"$(q 'ty == "alloc" && !failed() && v("size") >= 140000 && v("size") <= 140063 { n++ } END { print n + 0 }')" 6400
expect "sizes with exactly 100 allocations from exactly one thread" \
	"$(q 'ty == "alloc" && !failed() && v("size") >= 140000 && v("size") <= 140063 { n[v("size")]++; t[v("size"), v("tid")] = 1 }
	     END { for (k in t) { split(k, x, SUBSEP); nt[x[1]]++ }
		   for (s in n) if (n[s] == 100 && nt[s] == 1) ok++; print ok + 0 }')" 64
expect "distinct threads making them" \
	"$(q 'ty == "alloc" && v("size") >= 140000 && v("size") <= 140063 { t[v("tid")] = 1 } END { for (k in t) n++; print n + 0 }')" 64
expect "frees of them" \
	"$(q 'ty == "alloc" && !failed() { live[v("pid"), addr()] = v("size") + 0 }
	     ty == "free" { k = v("pid") SUBSEP addr(); if ((k in live) && live[k] >= 140000 && live[k] <= 140063) n++; delete live[k] }
	     END { print n + 0 }')" 6400
expect "mpdump --stats threads" "$(statv process "$(pids_of_size 140000)" threads)" 65
