# threads: named threads, each with its own size (tests/apps/threads.c).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/threads"

check_threads() {
	expect "malloc(9999) by main" "$(n_alloc 9999 malloc)" 10
	for i in 1 2 3 4; do
		s=$((10000 + i))
		expect "malloc($s)" "$(n_alloc $s malloc)" 1000
		expect "free of the $s blocks" "$(n_free_of $s free)" 500
		# all of one size from one thread, which no other size shares
		expect "threads making malloc($s)" \
			"$(q 'ty == "alloc" && v("size") == S { t[v("tid")] = 1 } END { for (k in t) n++; print n + 0 }' S=$s)" 1
		# that thread is named worker-i (a THREAD_NAME in its context)
		expect "name of the thread making malloc($s)" \
			"$(q 'ty == "thread_name" { nm = v("name"); gsub(/"/, "", nm); name[v("pid"), v("tid")] = nm }
			      ty == "alloc" && v("size") == S { t = v("pid") SUBSEP v("tid") }
			      END { print name[t] }' S=$s)" "worker-$i"
	done
	expect "distinct threads making 9999..10004" \
		"$(q 'ty == "alloc" && v("size") >= 9999 && v("size") <= 10004 { t[v("tid")] = 1 } END { for (k in t) n++; print n + 0 }')" 5
	expect "pids" "$(q 'ty == "alloc" && v("size") >= 9999 && v("size") <= 10004 { p[v("pid")] = 1 } END { for (k in p) n++; print n + 0 }')" 1
	expect "mpdump --stats threads of the process" \
		"$(statv process "$(pids_of_size 9999)" threads)" 5
	expect "PROCESS_END exit 0" \
		"$(q 'ty == "process_end" && v("kind") + 0 == 0 && v("code") + 0 == 0 { n++ } END { print n + 0 }')" 1
}

rec -- "$APPS/threads"
expect_rc 0
valid_trace
dump
check_threads
expect "free of the 9999 blocks" "$(n_free_of 9999 free)" 10
# Each worker (joined before main returns): THREAD_START before its first
# allocation, THREAD_END after its last one.
expect "workers with start, allocations, end in that order" \
	"$(q 'ty == "thread_start" { st[v("tid")] = 1 }
	     ty == "alloc" && v("size") >= 10001 && v("size") <= 10004 {
		t = v("tid"); w[t] = 1; if (!(t in st) || (t in en)) bad[t] = 1 }
	     ty == "thread_end" { en[v("tid")] = 1 }
	     END { for (t in w) if ((t in en) && !(t in bad)) n++; print n + 0 }')" 4

# linger: the workers are still running when main calls exit(0).
rec -- "$APPS/threads" linger
expect_rc 0
valid_trace
dump
check_threads
