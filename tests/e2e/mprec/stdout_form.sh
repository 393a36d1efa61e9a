# stdout_form: `mprec app > t.trace` writes the trace to standard output and
# sends the app's own standard output to standard error.
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/demo" "$MPREC"

# What demo prints, from demo itself.
"$APPS/demo" >"$TMPDIR/want.out" || fail "demo alone failed"
[ -s "$TMPDIR/want.out" ] || fail "demo printed nothing"

rc=0
"$MPREC" "$APPS/demo" >"$T" 2>"$TMPDIR/rec.err" || rc=$?
expect_rc 0
valid_trace
# Every line demo printed is on mprec's standard error, none in the trace.
while IFS= read -r line; do
	grep -qxF "$line" "$TMPDIR/rec.err" ||
		fail "demo's line '$line' is not on standard error"
done <"$TMPDIR/want.out"
if zstd -dc "$T" | grep -qaF "$(head -n 1 "$TMPDIR/want.out")"; then
	fail "demo's output is inside the trace"
fi

# The trace on stdout holds the same program's events as with -o:
# load_settings' one malloc(4096) and remember_recent's ten malloc(200).
dump
expect "malloc(4096) from load_settings" \
	"$(stacks 4096 | awk '$2 ~ /^load_settings@demo$/' | wc -l)" 1
expect "malloc(200) from remember_recent" \
	"$(stacks 200 | awk '$2 ~ /^remember_recent@demo$/' | wc -l)" 10

# Also through a pipe (not seekable): still a valid trace.
"$MPREC" "$APPS/demo" 2>/dev/null | cat >"$TMPDIR/piped.trace"
rc=${PIPESTATUS[0]}
expect_rc 0
valid_trace "$TMPDIR/piped.trace"
