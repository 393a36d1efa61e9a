# lib.bash - helpers for the mpleaks end-to-end cases (sourced, not a case).
#
# Known answers come from the programs' construction (tests/leak/*.c say
# what they leak), from valgrind run by the case itself, or from traces
# written with tests/tools/mptgen by the case: never from what mpleaks
# printed before.
#
# Variables from tests/run-e2e: BUILD, BIN, TOP, TMPDIR.

set -u
LEAKDIR=$BUILD/tests/leak

. "$TOP/tests/e2e/common.bash"

# summary FILE PID: mpleaks' LEAK SUMMARY of PID as "D=b/B I=b/B P=b/B R=b/B U=b/B"
summary() {
	awk -v pid="$2" '
	$0 ~ "^LEAK SUMMARY \\(pid " pid "\\):" { on = 1; next }
	on && /^LEAK SUMMARY/ { on = 0 }
	on && /definitely lost:/ { d = $(NF-1) "/" $(NF-4) }
	on && /indirectly lost:/ { i = $(NF-1) "/" $(NF-4) }
	on && /possibly lost:/   { p = $(NF-1) "/" $(NF-4) }
	on && /still reachable:/ { r = $(NF-1) "/" $(NF-4) }
	on && /not freed:/       { u = $(NF-1) "/" $(NF-4) }
	on && /suppressed:/      { s = $(NF-1) "/" $(NF-4); on = 0 }
	END { printf "D=%s I=%s P=%s R=%s U=%s S=%s\n", d, i, p, r, u, s }' "$1"
}

# vg_totals LOG: valgrind's LEAK SUMMARY as "D=b/B I=b/B P=b/B R=b/B"
# (no leaks: zeros)
vg_totals() {
	awk 'function num(s) { gsub(/,/, "", s); return s + 0 }
	/definitely lost:/ { db = num($(NF-4)); dk = num($(NF-1)) }
	/indirectly lost:/ { ib = num($(NF-4)); ik = num($(NF-1)) }
	/possibly lost:/   { pb = num($(NF-4)); pk = num($(NF-1)) }
	/still reachable:/ { rb = num($(NF-4)); rk = num($(NF-1)) }
	END { printf "D=%d/%d I=%d/%d P=%d/%d R=%d/%d\n",
		dk, db, ik, ib, pk, pb, rk, rb }' "$1"
}

# vg_procs PROG N: run PROG under valgrind, children followed, one log per
# process; require N logs and set $logs to their names, in pid order (the
# order of the processes' starts here).
vg_procs() {
	rm -f "$TMPDIR"/vg.*
	valgrind --leak-check=full --show-leak-kinds=all --trace-children=yes \
		--log-file="$TMPDIR/vg.%p" "$1" >/dev/null 2>&1 ||
		fail "valgrind run failed"
	logs=$(ls "$TMPDIR"/vg.* | sort -t. -k2 -n)
	[ "$(echo "$logs" | wc -l)" = "$2" ] || fail "not $2 valgrind logs"
}
