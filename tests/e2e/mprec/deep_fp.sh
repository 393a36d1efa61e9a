# deep_fp: with --unwind=fp a frame-pointer build records the same chain
# main -> a -> b -> c (tests/apps/deep.c built as deep_fp).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/deep_fp"

rec --unwind=fp -- "$APPS/deep_fp"
expect_rc 0
valid_trace
dump
expect "malloc(101001)" "$(n_alloc 101001 malloc)" 10
stacks 101001 >"$TMPDIR/st.txt"
expect "stacks reading c b a main" \
	"$(awk '$2 == "c@deep_fp" && $3 == "b@deep_fp" && $4 == "a@deep_fp" && $5 == "main@deep_fp"' "$TMPDIR/st.txt" | wc -l)" 10 "$TMPDIR/st.txt"
