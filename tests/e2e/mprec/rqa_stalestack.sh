# rqa_stalestack: a live thread's stack is a root only from its stack
# pointer up, and a thread stopped in a system call lends only its
# callee-saved registers (tests/rqa/stalestack.c): the block whose pointer
# is stale below the stack pointer is definitely lost, the one in a live
# frame still reachable, as memcheck says when installed.
. "$TOP/tests/e2e/mprec/lib.bash"
. "$TOP/tests/e2e/mprec/rqa.bash"
need "$RQA/stalestack" "$BIN/mpleaks"

rec -- "$RQA/stalestack"
expect_rc 0
valid_trace
"$BIN/mpleaks" --all -f csv "$T" >"$TMPDIR/leaks.csv" || fail "mpleaks failed"
# columns: pid,record,kind,domain,device,blocks,bytes,...
kind_of() { awk -F, -v b="$1" 'NR > 1 && $7 == b && $6 == 1 { print $3 }' "$TMPDIR/leaks.csv"; }
expect "kind of the 777-byte block" "$(kind_of 777)" definite
expect "kind of the 888-byte block" "$(kind_of 888)" reachable

command -v valgrind >/dev/null || exit 0
valgrind --leak-check=full --show-leak-kinds=all "$RQA/stalestack" 2>"$TMPDIR/vg.txt" >/dev/null ||
	fail "valgrind failed"
grep -q " 777 bytes in 1 blocks are definitely lost" "$TMPDIR/vg.txt" ||
	fail "valgrind does not call the 777 bytes definitely lost"
grep -q " 888 bytes in 1 blocks are still reachable" "$TMPDIR/vg.txt" ||
	fail "valgrind does not call the 888 bytes still reachable"
