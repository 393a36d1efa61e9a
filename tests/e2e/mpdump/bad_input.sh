# Unreadable input: every trace of testdata/bad, a missing file, a directory
# and standard input give exit 2 and exactly one line on stderr naming the
# file (and, for content errors, the byte offset), in dump and --stats mode.
. "$TOP/tests/e2e/mpdump/lib.bash"

n=0
for f in "$TOP"/testdata/bad/*.trace; do
	n=$((n + 1))
	for mode in "" --stats "-f csv"; do
		rc=0
		# shellcheck disable=SC2086
		"$MPDUMP" $mode "$f" >out 2>err || rc=$?
		expect "$f $mode: status" "$rc" 2
		expect "$f $mode: stderr lines" "$(wc -l <err)" 1
		grep -q "^mpdump: $f: byte [0-9][0-9]*: " err ||
			fail "$f $mode: message does not name file and byte: $(cat err)"
	done
	# From standard input.
	rc=0
	"$MPDUMP" - <"$f" >out 2>err || rc=$?
	expect "$f stdin: status" "$rc" 2
	grep -q "^mpdump: standard input: byte [0-9][0-9]*: " err ||
		fail "$f stdin: message: $(cat err)"
done
[ "$n" -ge 10 ] || fail "only $n traces in testdata/bad"

# The offsets are those of the frame that is bad: the handcrafted frames of
# make-bad.sh follow a valid prefix, so they are not at byte 0.
grep -q "byte 0:" <("$MPDUMP" "$TOP/testdata/bad/absurd-length.trace" 2>&1) &&
	fail "absurd-length.trace: error reported at byte 0"
msg=$("$MPDUMP" "$TOP/testdata/bad/absurd-length.trace" 2>&1)
case $msg in
*"record length 1099511627776 exceeds limit 1048560") ;;
*) fail "absurd-length.trace: $msg" ;;
esac

rc=0
"$MPDUMP" missing.trace >out 2>err || rc=$?
expect "missing: status" "$rc" 2
expect "missing: stderr" "$(cat err)" \
	"mpdump: cannot open 'missing.trace': No such file or directory"

mkdir dir.trace
rc=0
"$MPDUMP" --stats dir.trace >out 2>err || rc=$?
expect "directory: status" "$rc" 2
expect "directory: stderr" "$(cat err)" "mpdump: 'dir.trace': is a directory"

: >empty.trace
rc=0
"$MPDUMP" empty.trace >out 2>err || rc=$?
expect "empty: status" "$rc" 2
expect "empty: lines" "$(wc -l <err)" 1
exit 0
