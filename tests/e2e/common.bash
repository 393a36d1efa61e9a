# common.bash - helpers that every tests/e2e/<cmd>/lib.bash sources (not a
# case).  Variables from tests/run-e2e: BUILD, BIN, TOP, TMPDIR.

# The commands and test programs the cases run.
MPREC=$BIN/mprec
MPDUMP=$BIN/mpdump
MPLEAKS=$BIN/mpleaks
MPSTACKS=$BIN/mpstacks
MPTGEN=$BUILD/tests/tools/mptgen
APPS=$BUILD/tests/apps

fail() {
	echo "FAIL: $*"
	exit 1
}

skip() {
	echo "skip: $*" >&2
	exit 77
}

# A missing piece is a failure, not a skip: the test must fail honestly
# until what it tests is built.
need() {
	local f
	for f in "$@"; do
		[ -x "$f" ] || [ -f "$f" ] || fail "missing $f (not built yet?)"
	done
}

# expect WHAT GOT WANT [FILE]: on a mismatch, the first lines of FILE (the
# output the value came from) help to see why.
expect() {
	[ "$2" = "$3" ] && return 0
	if [ $# -ge 4 ] && [ -f "$4" ]; then
		head -n 5 "$4" | sed 's/^/  /'
	fi
	fail "$1: got '$2', expected '$3'"
}
