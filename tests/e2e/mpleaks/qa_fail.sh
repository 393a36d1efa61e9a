# qa_fail: --fail and --fail=BYTES go through the shared option parser.
# tests/qa/hashtab says what it leaks (definitely + indirectly lost, the
# default report); --fail exits 1 exactly when that exceeds BYTES.
. "$TOP/tests/e2e/mpleaks/lib.bash"
QA=$BUILD/tests/qa
need "$MPLEAKS" "$MPREC" "$QA/hashtab"

"$MPREC" -o "$TMPDIR/h.trace" "$QA/hashtab" >"$TMPDIR/out" 2>"$TMPDIR/err" ||
	fail "mprec exited $?: $(head -3 "$TMPDIR/err")"
line=$(grep "^expect " "$TMPDIR/out")
field() { echo "$2" | tr " " "\n" | sed -n "s/^$1=//p"; }
d=$(field D "$line") i=$(field I "$line")
lost=$((${d#*/} + ${i#*/}))
[ "$lost" -gt 0 ] || fail "hashtab leaks nothing? '$line'"

run() { # run WANT_STATUS ARGS...: mpleaks' status and one-line errors
	local want=$1 rc
	shift
	"$MPLEAKS" "$@" "$TMPDIR/h.trace" >"$TMPDIR/o" 2>"$TMPDIR/e"
	rc=$?
	[ "$rc" = "$want" ] ||
		fail "mpleaks $*: exit $rc, expected $want: $(head -2 "$TMPDIR/e")"
}

run 0
run 1 --fail
run 1 --fail=0
run 1 --fail=$((lost - 1))
run 0 --fail=$lost
run 0 --fail=1M
run 1 --fail=1M --fail # the last one counts
run 0 --fail --fail=$lost
run 1 --fail --kind definite --fail=$((${d#*/} - 1))

for bad in '' junk 4X -1 99999999999999999999999; do
	"$MPLEAKS" --fail="$bad" "$TMPDIR/h.trace" >"$TMPDIR/o" 2>"$TMPDIR/e"
	rc=$?
	expect "--fail='$bad' status" "$rc" 2
	grep -q "^mpleaks: invalid --fail '$bad': " "$TMPDIR/e" ||
		fail "--fail='$bad': no one-line error: $(cat "$TMPDIR/e")"
	[ ! -s "$TMPDIR/o" ] || fail "--fail='$bad' printed a report"
done

"$MPLEAKS" --help | grep -q -- '--fail\[=BYTES\]' ||
	fail "--help does not show --fail[=BYTES]"
echo ok
