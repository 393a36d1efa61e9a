# speedscope: `mpstacks -f folded` of a recorded program loads in speedscope
# (its own importer, driven from node: see speedscope-import.js), which
# recognizes the collapsed stack format, and the weight it shows equals the
# bytes allocated per `mpdump --stats`.  tests/apps/demo allocates from
# load_settings, remember_recent and format_line, all called from main.
. "$TOP/tests/e2e/mpstacks/lib.bash"
need "$MPSTACKS" "$MPREC" "$MPDUMP" "$APPS/demo"
command -v node >/dev/null || skip "node not installed"
npm_dir=$(BUILD=$BUILD "$TOP/scripts/install-deps" --npm 2>"$TMPDIR/npm.err") ||
	fail "scripts/install-deps --npm failed: $(tail -3 "$TMPDIR/npm.err")"
[ -n "$npm_dir" ] || skip "npm not installed: $(cat "$TMPDIR/npm.err")"

T=$TMPDIR/demo.trace
"$MPREC" -o "$T" "$APPS/demo" >/dev/null 2>&1 || fail "mprec exited $?"
"$MPSTACKS" -f folded "$T" >"$TMPDIR/demo.folded" || fail "mpstacks exited $?"
node "$TOP/tests/e2e/mpstacks/speedscope-import.js" "$npm_dir" \
	"$TMPDIR/demo.folded" >"$TMPDIR/ss.out" 2>"$TMPDIR/ss.err" ||
	fail "speedscope import failed ($?): $(cat "$TMPDIR/ss.err")"
grep -q 'collapsed stack format' "$TMPDIR/ss.err" "$TMPDIR/ss.out" ||
	fail "speedscope did not read it as collapsed stacks: $(cat "$TMPDIR/ss.err")"
want=$(stats_sum "$T" allocs 5)
expect "speedscope total" "$(awk '/^profile / { print $4 }' "$TMPDIR/ss.out")" "$want"
expect "folded total" "$(folded_sum <"$TMPDIR/demo.folded")" "$want"
for f in main load_settings remember_recent format_line; do
	grep -qx "frame $f" "$TMPDIR/ss.out" || fail "speedscope has no frame $f"
done
# Same for the allocation counts.
"$MPSTACKS" -f folded --metric allocations "$T" >"$TMPDIR/n.folded"
node "$TOP/tests/e2e/mpstacks/speedscope-import.js" "$npm_dir" \
	"$TMPDIR/n.folded" >"$TMPDIR/ss.out" 2>/dev/null || fail "speedscope import failed"
expect "speedscope allocations" "$(awk '/^profile / { print $4 }' "$TMPDIR/ss.out")" \
	"$(stats_sum "$T" allocs 4)"
exit 0
