# modules: the executable and every library are recorded with their path,
# build-id and PT_LOAD segments, as readelf reads them from the files
# (tests/apps/basic).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/basic"

rec -- "$APPS/basic"
expect_rc 0
valid_trace
dump
q 'ty == "module_load" { p = v("path"); gsub(/"/, "", p); print p, v("nseg") + 0, v("build_id") }' >"$TMPDIR/mods.txt"
grep -q "^$APPS/basic " "$TMPDIR/mods.txt" ||
	fail "no MODULE_LOAD of $APPS/basic: $(cat "$TMPDIR/mods.txt")"
grep -q '/libc\.so\.6 ' "$TMPDIR/mods.txt" ||
	fail "no MODULE_LOAD of libc.so.6: $(cat "$TMPDIR/mods.txt")"

# Each module whose file is here: the same PT_LOAD count and build-id as
# readelf says (the vDSO has no file and is skipped).
checked=0
while read -r path nseg bid; do
	[ -f "$path" ] || continue
	want_nseg=$(readelf -lW "$path" | awk '$1 == "LOAD"' | wc -l)
	want_bid=$(readelf -n "$path" | awk '/Build ID:/ { print $3 }')
	expect "segments of $path" "$nseg" "$want_nseg"
	expect "build-id of $path" "$bid" "$want_bid"
	checked=$((checked + 1))
done <"$TMPDIR/mods.txt"
[ $checked -ge 3 ] || fail "only $checked modules with a file (exe, libc, ld.so at least)"
