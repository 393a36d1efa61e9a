# static: a statically linked program cannot be preloaded; mprec says so
# clearly (one line naming it as static), still runs it, exits with its
# status (7), and writes a valid trace with its lifecycle.
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/static"

rec -- "$APPS/static"
expect_rc 7
grep -qi 'static' "$TMPDIR/rec.err" ||
	fail "mprec did not say the program is static: $(head -n 3 "$TMPDIR/rec.err")"
valid_trace
dump
expect "PROCESS_START records" "$(q 'ty == "process_start" { n++ } END { print n + 0 }')" 1
expect "PROCESS_END exit 7" \
	"$(q 'ty == "process_end" && v("kind") + 0 == 0 && v("code") + 0 == 7 { n++ } END { print n + 0 }')" 1
