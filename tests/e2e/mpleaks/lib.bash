# lib.bash - helpers for the mpleaks end-to-end cases (sourced, not a case).
#
# Known answers come from the programs' construction (tests/leak/*.c say
# what they leak), from valgrind run by the case itself, or from traces
# written with tests/tools/mptgen by the case: never from what mpleaks
# printed before.
#
# Variables from tests/run-e2e: BUILD, BIN, TOP, TMPDIR.

set -u
MPLEAKS=$BIN/mpleaks
MPREC=$BIN/mprec
MPDUMP=$BIN/mpdump
MPTGEN=$BUILD/tests/tools/mptgen
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
