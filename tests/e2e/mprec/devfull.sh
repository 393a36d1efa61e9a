# devfull: a full disk (/dev/full) or a closed pipe as the trace's output:
# mprec says so in one line, exits non-zero, and the app is not left
# hanging.  The app is sampled (tests/apps/sampled.c: 2e6 events, far more
# than any buffer), copied under a unique name so that no other case's
# process is mistaken for it.
. "$TOP/tests/e2e/mprec/lib.bash"
need "$MPREC" "$APPS/sampled"
app=$TMPDIR/devfull-app
cp "$APPS/sampled" "$app"

# after_app WHAT: no process runs $app 30 s after mprec returned.
after_app() {
	local i pids
	for i in $(seq 1 30); do
		pids=$(pgrep -f -x "$app" || true)
		[ -z "$pids" ] && return 0
		sleep 1
	done
	kill -9 $pids 2>/dev/null
	fail "$1: the app ($pids) still runs 30 s after mprec ended"
}

rc=0
timeout -k 5 90 "$MPREC" -o /dev/full "$app" 2>"$TMPDIR/err" || rc=$?
[ "$rc" != 124 ] && [ "$rc" != 137 ] || fail "/dev/full: mprec did not end within 90 s"
[ "$rc" != 0 ] || fail "/dev/full: mprec exited 0"
expect "/dev/full: lines on standard error" "$(wc -l <"$TMPDIR/err")" 1 "$TMPDIR/err"
grep -q '^mprec: ' "$TMPDIR/err" || fail "/dev/full: message: $(cat "$TMPDIR/err")"
after_app "/dev/full"

# A pipe whose reader goes away after 1000 bytes.
timeout -k 5 90 "$MPREC" "$app" 2>"$TMPDIR/err2" | head -c 1000 >/dev/null
rc=${PIPESTATUS[0]}
[ "$rc" != 124 ] && [ "$rc" != 137 ] || fail "closed pipe: mprec did not end within 90 s"
[ "$rc" != 0 ] || fail "closed pipe: mprec exited 0"
expect "closed pipe: lines on standard error" "$(wc -l <"$TMPDIR/err2")" 1 "$TMPDIR/err2"
grep -q '^mprec: ' "$TMPDIR/err2" || fail "closed pipe: message: $(cat "$TMPDIR/err2")"
after_app "closed pipe"
