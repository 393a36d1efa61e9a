# rqa_stalestack: a live thread's stack is a root only from its stack
# pointer up, and a thread stopped in a system call lends only its
# callee-saved registers (tests/rqa/stalestack.c): the block whose pointer
# is stale below the stack pointer is definitely lost, the one in a live
# frame still reachable, as memcheck says when installed.
. "$TOP/tests/e2e/mprec/lib.bash"
. "$TOP/tests/e2e/mprec/rqa.bash"
need "$RQA/stalestack" "$BIN/mpleaks"

block_kinds "$RQA/stalestack" definite:777 reachable:888
