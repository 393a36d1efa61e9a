# rqa_redzone: a thread stopped in a system call lends its stack from its
# stack pointer up, without the red zone below it (tests/rqa/redzone.c):
# the copies of a forgotten pointer that the function before and the
# recorder's hooks left there made a lost block still reachable.  The
# block is definitely lost, the one in thread-local storage still
# reachable, as memcheck says when installed.
. "$TOP/tests/e2e/mprec/lib.bash"
. "$TOP/tests/e2e/mprec/rqa.bash"
need "$RQA/redzone" "$BIN/mpleaks"

block_kinds "$RQA/redzone" definite:166 reachable:155
