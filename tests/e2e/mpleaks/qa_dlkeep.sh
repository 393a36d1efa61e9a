# qa_dlkeep: a library loaded with dlopen() and kept to the end (as plugins
# and language extensions are): what the dynamic loader allocates for it
# stays.  mpleaks --all must report the blocks valgrind reports, run here,
# with the same kinds and allocating functions, and not the dependency
# lists that glibc frees when valgrind asks it to at exit.  Bytes are
# compared for every record but the global scope's list, which has one
# entry per global object and so one more per library mprec preloads.
. "$TOP/tests/e2e/mpleaks/lib.bash"
command -v valgrind >/dev/null || skip "valgrind not installed"
PROG=$BUILD/tests/qa/dlkeep
need "$MPLEAKS" "$MPREC" "$PROG" "$LEAKDIR/libleakdl.so"

# "KIND BYTES BLOCKS FUNCTION" per loss record, the function being the
# first frame that is not an allocator or ld.so's inlined wrapper of one.
vg_records() {
	awk 'function num(s) { gsub(/,/, "", s); return s + 0 }
	{ sub(/^==[0-9]+== /, "") }
	/ are .* in loss record / {
		k = $0; sub(/ in loss record.*/, "", k); sub(/.* are /, "", k)
		k = toupper(substr(k, 1, 1)); if (k == "S") k = "R"
		b = num($1); n = num($4); want = 1; next }
	want && /^ *(at|by) / {
		f = $3
		if (f ~ /^(malloc|calloc|realloc|strdup)$/) next
		print k, b, n, f; want = 0 }' "$1" | sort
}
mp_records() {
	awk '/ are .* in loss record / {
		k = $0; sub(/ in loss record.*/, "", k); sub(/.* are /, "", k)
		k = toupper(substr(k, 1, 1)); if (k == "S") k = "R"
		b = $1; n = $4; want = 1; next }
	want && /^ *by / {
		f = $3
		if (f ~ /^(malloc|calloc|realloc|strdup|__strdup)$/) next
		print k, b, n, f; want = 0 }' "$1" | sort
}
# The global scope's list: bytes left out.
scope() { sed 's/^\([A-Z]\) [0-9]* \([0-9]* add_to_global_resize\)$/\1 - \2/'; }

for lib in "$LEAKDIR/libleakdl.so" libz.so.1; do
	rm -f "$TMPDIR"/vg.*
	valgrind --leak-check=full --show-leak-kinds=all --num-callers=50 \
		--log-file="$TMPDIR/vg.%p" "$PROG" "$lib" >/dev/null 2>&1 ||
		fail "$lib: valgrind run failed"
	"$MPREC" -o "$TMPDIR/dk.trace" "$PROG" "$lib" >/dev/null 2>&1 ||
		fail "$lib: mprec exited $?"
	"$MPLEAKS" --all "$TMPDIR/dk.trace" >"$TMPDIR/dk.leaks" ||
		fail "$lib: mpleaks exited $?"
	vg_records "$TMPDIR"/vg.* | scope >"$TMPDIR/vr"
	mp_records "$TMPDIR/dk.leaks" | scope >"$TMPDIR/mr"
	[ -s "$TMPDIR/vr" ] || fail "$lib: no loss records from valgrind"
	if ! cmp -s "$TMPDIR/vr" "$TMPDIR/mr"; then
		diff "$TMPDIR/vr" "$TMPDIR/mr"
		fail "$lib: loss records differ (valgrind < > mpleaks)"
	fi
	echo "ok   dlkeep $lib: $(wc -l <"$TMPDIR/mr") records"
done
