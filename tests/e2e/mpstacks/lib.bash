# lib.bash - helpers for the mpstacks end-to-end cases (sourced, not a case).
#
# Known answers come from traces written here with tests/tools/mptgen (the
# spec says what was allocated from which stack), from the programs of
# tests/apps (their header comments), or from mpdump --stats of the same
# trace: never from what mpstacks printed before.
#
# Variables from tests/run-e2e: BUILD, BIN, TOP, TMPDIR.

set -u

. "$TOP/tests/e2e/common.bash"

folded_sum() { # the total of folded output on stdin
	awk '{ s += $NF } END { print s + 0 }'
}

stats_sum() { # stats_sum TRACE KEY COLUMN: mpdump --stats -f csv, all processes
	"$MPDUMP" --stats -f csv "$1" |
		awk -F, -v k="$2" -v c="$3" '$1 == "process" && $3 == k { s += $c } END { print s + 0 }'
}
