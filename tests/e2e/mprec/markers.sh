# markers: the collector/mprec.h API (tests/apps/markers.c).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/markers"

# Without mprec the program runs unchanged.
"$APPS/markers" || fail "markers alone exited $?"

rec -- "$APPS/markers"
expect_rc 0
valid_trace
dump
expect "malloc(121001)" "$(n_alloc 121001 malloc)" 5
expect "malloc(121002)" "$(n_alloc 121002 malloc)" 3
expect "malloc(121003)" "$(n_alloc 121003 malloc)" 2
# The sequence of markers, spans, tags and our allocations (one letter per
# run of allocations of one size).
expect "sequence" \
	"$(q 'function lab(   l) { l = v("label"); gsub(/"/, "", l); return l }
	     function put(c) { if (c != last) s = s c; last = c }
	     ty == "marker" { put("M(" lab() ")") }
	     ty == "span_begin" { put("B(" lab() ")") }
	     ty == "span_end" { put("E(" lab() ")") }
	     ty == "tag_push" { put("T(" lab() ")") }
	     ty == "tag_pop" { put("P") }
	     ty == "alloc" && v("size") >= 121001 && v("size") <= 121003 { put(v("size") - 121000) }
	     END { print s }')" "M(start)B(phase1)1E(phase1)T(cache)2P3M(end)"
