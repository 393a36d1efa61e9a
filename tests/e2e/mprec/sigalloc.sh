# sigalloc: a signal handler that allocates (tests/apps/sigalloc.c).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/sigalloc"

rec -- "$APPS/sigalloc"
expect_rc 0
valid_trace
dump
expect "malloc(51000) from main" "$(n_alloc 51000 malloc)" 20
expect "malloc(51001) from the handler" "$(n_alloc 51001 malloc)" 20
# The handler's allocations: innermost frame on_signal, and (through the
# signal frame) main further out.
stacks 51001 >"$TMPDIR/st.txt"
expect "51001 stacks whose innermost frame is on_signal" \
	"$(awk '$2 == "on_signal@sigalloc"' "$TMPDIR/st.txt" | wc -l)" 20 "$TMPDIR/st.txt"
expect "51001 stacks reaching main through the signal frame" \
	"$(awk '/ main@sigalloc( |$)/' "$TMPDIR/st.txt" | wc -l)" 20 "$TMPDIR/st.txt"
