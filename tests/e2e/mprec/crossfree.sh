# crossfree: the ordering invariant (DESIGN.md, FORMAT.md 3.3).  Four
# threads free each other's blocks, whose makers reuse the addresses at once;
# in the order the trace delivers, no address is allocated twice without a
# free between, and no process's time goes backwards
# (tests/apps/crossfree.c).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/crossfree"

rec -- "$APPS/crossfree"
expect_rc 0
valid_trace
dump
for s in 1101 1102 1103 1104 1105 1106 1107 1108; do
	expect "malloc($s)" "$(n_alloc $s malloc)" 10000
done
expect "frees of the 1101..1108 blocks" \
	"$(q 'ty == "alloc" && !failed() { live[v("pid"), addr()] = v("size") + 0 }
	     ty == "free" { k = v("pid") SUBSEP addr(); if ((k in live) && live[k] >= 1101 && live[k] <= 1108) n++; delete live[k] }
	     END { print n + 0 }')" 80000
expect "threads making the 1101..1108 blocks" \
	"$(q 'ty == "alloc" && v("size") >= 1101 && v("size") <= 1108 { t[v("tid")] = 1 } END { for (k in t) n++; print n + 0 }')" 4
expect "frees of the 1101..1108 blocks by another thread than their maker" \
	"$(q 'ty == "alloc" && !failed() { by[v("pid"), addr()] = v("tid"); sz[v("pid"), addr()] = v("size") + 0 }
	     ty == "free" { k = v("pid") SUBSEP addr(); if ((k in by) && sz[k] >= 1101 && sz[k] <= 1108 && by[k] != v("tid")) n++; delete by[k] }
	     END { print n + 0 }')" 80000
# The invariant, over every address of the process (libc's too).
q 'ty == "alloc" && !failed() {
	k = v("pid") SUBSEP addr()
	if (k in live) { bad++; if (bad <= 5) print "  address " addr() " allocated again at line " NR " without a free" > "/dev/stderr" }
	live[k] = 1
   }
   ty == "free" { delete live[v("pid"), addr()] }
   ty == "process_start" && v("kind") + 0 == 3 { for (k in live) { split(k, x, SUBSEP); if (x[1] == v("pid")) delete live[k] } }
   END { print bad + 0 }' >"$TMPDIR/bad.txt"
expect "addresses allocated twice without a free between" "$(cat "$TMPDIR/bad.txt")" 0
expect "records whose time goes back within their process" \
	"$(q 'v("time") != "" && v("pid") != "" { p = v("pid"); t = v("time") + 0; if ((p in last) && t < last[p]) n++; last[p] = t }
	     END { print n + 0 }')" 0
