# slowpipe: a slow reader of the trace slows the app down rather than
# losing events.  tests/apps/sampled (1e6 x malloc(1000), each freed, and one
# malloc(4000000), a trace of about 0.5 MB that mprec writes in well under a
# second) is recorded to standard output through a reader that takes at most
# 80 kB per second, so mprec's writes block and the app's 1 MiB rings fill;
# the trace holds every event and no LOST record.
. "$TOP/tests/e2e/mprec/lib.bash"
need "$MPREC" "$APPS/sampled"

"$MPREC" "$APPS/sampled" 2>"$TMPDIR/rec.err" | python3 -c '
import sys, time
out = open(sys.argv[1], "wb")
while True:
    b = sys.stdin.buffer.read1(8192)
    if not b:
        break
    out.write(b)
    time.sleep(0.1)
' "$T"
rc=${PIPESTATUS[0]}
expect_rc 0
valid_trace
dump
expect "malloc(1000)" "$(n_alloc 1000 malloc)" 1000000
expect "free of the 1000-byte blocks" "$(n_free_of 1000 free)" 1000000
expect "malloc(4000000)" "$(n_alloc 4000000 malloc)" 1
expect "LOST records" "$(q 'ty == "lost" { n++ } END { print n + 0 }')" 0
