# depth: --depth N keeps the N innermost frames.  tests/apps/deep's chain
# below malloc is c, b, a, main, then libc's start code: with --depth 3 each
# allocation from c has exactly c, b, a.  (A LOST record of reason
# stack_depth may say how many stacks were cut: allowed.)
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/deep"

rec --depth 3 -- "$APPS/deep"
expect_rc 0
ALLOW_LOST=1
valid_trace
dump
expect "malloc(101001)" "$(n_alloc 101001 malloc)" 10
stacks 101001 >"$TMPDIR/st.txt"
expect "stacks reading exactly c b a" \
	"$(awk 'NF == 4 && $2 == "c@deep" && $3 == "b@deep" && $4 == "a@deep"' "$TMPDIR/st.txt" | wc -l)" 10 "$TMPDIR/st.txt"
expect "LOST records of another reason than stack_depth" \
	"$(q 'ty == "lost" && v("reason") + 0 != 2 { n++ } END { print n + 0 }')" 0
