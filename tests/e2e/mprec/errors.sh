# errors: a program that does not exist (127) or cannot run (126) gives one
# line on standard error, as shells do.
. "$TOP/tests/e2e/mprec/lib.bash"
need "$MPREC"

one_line() { # CASE STATUS program...
	local what=$1 want=$2
	shift 2
	rc=0
	"$MPREC" -o "$T" "$@" >"$TMPDIR/out" 2>"$TMPDIR/err" || rc=$?
	expect "$what: exit status" "$rc" "$want" "$TMPDIR/err"
	expect "$what: lines on standard error" "$(wc -l <"$TMPDIR/err")" 1 "$TMPDIR/err"
	grep -q '^mprec: ' "$TMPDIR/err" || fail "$what: message does not start with 'mprec: ': $(cat "$TMPDIR/err")"
	grep -qF "$1" "$TMPDIR/err" || fail "$what: message does not name '$1': $(cat "$TMPDIR/err")"
}

one_line "missing program" 127 "$TMPDIR/no-such-program"
one_line "missing program in PATH" 127 mpt-no-such-program-in-path
cp /etc/passwd "$TMPDIR/not-executable"
chmod 644 "$TMPDIR/not-executable"
one_line "not executable" 126 "$TMPDIR/not-executable"
mkdir "$TMPDIR/a-directory"
one_line "a directory" 126 "$TMPDIR/a-directory"

# Sanity of the exit status passing itself: true and false.
rc=0; "$MPREC" -o "$T" /bin/true 2>/dev/null || rc=$?
expect "mprec /bin/true" "$rc" 0
rc=0; "$MPREC" -o "$T" /bin/false 2>/dev/null || rc=$?
expect "mprec /bin/false" "$rc" 1
