# rqa_redzone: a thread stopped in a system call lends its stack from its
# stack pointer up, without the red zone below it (tests/rqa/redzone.c):
# the copies of a forgotten pointer that the function before and the
# recorder's hooks left there made a lost block still reachable.  The
# block is definitely lost, the one in thread-local storage still
# reachable, as memcheck says when installed.
. "$TOP/tests/e2e/mprec/lib.bash"
. "$TOP/tests/e2e/mprec/rqa.bash"
need "$RQA/redzone" "$BIN/mpleaks"

rec -- "$RQA/redzone"
expect_rc 0
valid_trace
"$BIN/mpleaks" --all -f csv "$T" >"$TMPDIR/leaks.csv" || fail "mpleaks failed"
# columns: pid,record,kind,domain,device,blocks,bytes,...
kind_of() { awk -F, -v b="$1" 'NR > 1 && $7 == b && $6 == 1 { print $3 }' "$TMPDIR/leaks.csv"; }
expect "kind of the 166-byte block" "$(kind_of 166)" definite
expect "kind of the 155-byte block" "$(kind_of 155)" reachable

command -v valgrind >/dev/null || exit 0
valgrind --leak-check=full --show-leak-kinds=all "$RQA/redzone" 2>"$TMPDIR/vg.txt" >/dev/null ||
	fail "valgrind failed"
grep -q " 166 bytes in 1 blocks are definitely lost" "$TMPDIR/vg.txt" ||
	fail "valgrind does not call the 166 bytes definitely lost"
grep -q " 155 bytes in 1 blocks are still reachable" "$TMPDIR/vg.txt" ||
	fail "valgrind does not call the 155 bytes still reachable"
