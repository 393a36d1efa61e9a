# tests/run-e2e itself, on cases written to pass, fail, mismatch their
# .exact output, time out and skip: the verdicts, the closing count line,
# the exit status, and --set-exact-output.

# Kept directories of the failing cases go away with this case's own.
export E2E_TMP=$TMPDIR/tmp
mkdir -p cases
cd cases || exit 1
printf 'echo hello\n' >pass.sh
printf 'echo hello\n' >exact.sh
printf 'hello\n' >exact.sh.stdout.exact
printf 'echo hello\n' >mismatch.sh
printf 'bye\n' >mismatch.sh.stdout.exact
printf 'echo oops >&2\nexit 3\n' >fails.sh
printf 'exit 3\n' >expect3.sh
printf '3\n' >expect3.sh.exit
printf 'echo "needs a thing"\nexit 77\n' >skip.sh
printf 'sleep 30\n' >slow.sh
cat >env.sh <<'CASE'
test "$PWD" = "$TMPDIR" && test "$BIN" = "$BUILD/bin" && test -f "$TOP/Makefile" &&
	case $BUILD in /*) ;; *) false ;; esac
CASE
cd ..

"$TOP/tests/run-e2e" -j 4 -t 2 "$PWD/cases" >out 2>&1
rc=$?
cat out
test $rc = 1 || { echo "expected exit 1 with failures, got $rc"; exit 1; }
test "$(tail -n 1 out)" = "4 passed, 3 failed, 1 skipped" ||
	{ echo "wrong closing line: $(tail -n 1 out)"; exit 1; }
for v in "FAIL .*mismatch: stdout differs" "FAIL .*fails: exit 3, expected 0" \
	"FAIL .*slow: timed out" "skip .*skip: needs a thing" "ok   .*expect3" \
	"ok   .*env" "ok   .*exact"; do
	grep -q "^$v" out || { echo "no line '$v'"; exit 1; }
done

"$TOP/tests/run-e2e" --set-exact-output "$PWD/cases/mismatch.sh" >/dev/null
test "$(cat cases/mismatch.sh.stdout.exact)" = hello ||
	{ echo "--set-exact-output did not rewrite the .exact file"; exit 1; }
"$TOP/tests/run-e2e" "$PWD/cases/mismatch.sh" "$PWD/cases/pass.sh" >out2
rc=$?
test $rc = 0 && test "$(tail -n 1 out2)" = "2 passed, 0 failed" ||
	{ echo "expected a clean run after --set-exact-output"; cat out2; exit 1; }
