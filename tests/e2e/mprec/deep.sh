# deep: -O2 -fomit-frame-pointer, functions out of line; the default
# (CFI) unwinder records main -> a -> b -> c at every allocation from c.
# addr2line, run here on the recorded return addresses, is the judge
# (tests/apps/deep.c).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/deep"

rec -- "$APPS/deep"
expect_rc 0
valid_trace
dump
expect "malloc(101001)" "$(n_alloc 101001 malloc)" 10
stacks 101001 >"$TMPDIR/st.txt"
# Innermost first: c, b, a, main, each in the deep executable.
expect "stacks reading c b a main" \
	"$(awk '$2 == "c@deep" && $3 == "b@deep" && $4 == "a@deep" && $5 == "main@deep"' "$TMPDIR/st.txt" | wc -l)" 10 "$TMPDIR/st.txt"
