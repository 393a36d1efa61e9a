# lib.bash - helpers for the mpdump end-to-end cases (sourced, not a case).
#
# Cases write traces with mptgen, whose spec fixes every record, so the
# expected numbers follow from the spec; nothing is taken from what mpdump
# printed before.  Variables from tests/run-e2e: BUILD, BIN, TOP, TMPDIR.

set -u

. "$TOP/tests/e2e/common.bash"

for f in "$MPTGEN" "$MPDUMP"; do
	[ -x "$f" ] || fail "missing $f (not built yet?)"
done

# rows CSV TYPE: the number of rows of record type TYPE in `mpdump -f csv`
# output (the file CSV).
rows() {
	awk -F, -v t="$2" 'NR > 1 && $4 == t { n++ } END { print n + 0 }' "$1"
}

# statv CSV SCOPE PID KEY [COLUMN]: a value (column 4, or 5 for bytes) of
# `mpdump --stats -f csv` output.
statv() {
	awk -F, -v s="$2" -v p="$3" -v k="$4" -v c="${5:-4}" \
		'$1 == s && $2 == p && $3 == k { print $c; found = 1 }
		 END { if (!found) print "(none)" }' "$1"
}
