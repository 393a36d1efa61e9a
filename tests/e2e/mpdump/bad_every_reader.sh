# Every trace reader among the commands (every built mp* but the recorder)
# rejects every trace of testdata/bad: exit 2, one line on stderr naming the
# file.  The commands share analyzer/common.c's trace helpers; this holds
# them to it.
. "$TOP/tests/e2e/mpdump/lib.bash"

n=0
for cmd in "$BIN"/mp*; do
	[ -x "$cmd" ] || continue
	case ${cmd##*/} in mprec) continue ;; esac
	n=$((n + 1))
	for f in "$TOP"/testdata/bad/*.trace; do
		rc=0
		"$cmd" "$f" >out 2>err || rc=$?
		expect "${cmd##*/} $f: status" "$rc" 2
		expect "${cmd##*/} $f: stderr lines" "$(wc -l <err)" 1
		grep -q "^${cmd##*/}: $f: " err ||
			fail "${cmd##*/} $f: message does not name the file: $(cat err)"
	done
done
[ "$n" -ge 1 ] || fail "no analyzer command is built"
exit 0
