# qa_vg_suppressions: the suppressions valgrind writes itself
# (--gen-suppressions=all, run here) for the tests/qa programs suppress in
# mpleaks every block valgrind reported: valgrind's mangled C++ names, its
# unqualified names of inlined calls and its public names of glibc's
# functions all match mpleaks' frames.  (What valgrind frees at exit, mpleaks
# suppresses by itself.)
. "$TOP/tests/e2e/mpleaks/lib.bash"
command -v valgrind >/dev/null || skip "valgrind not installed"
QA=$BUILD/tests/qa
need "$MPLEAKS" "$MPREC" "$QA/objgraph"

# prodcons is left out: the recorder's leak scan keeps one of its blocks
# reachable that valgrind finds lost (see qa_valgrind), so the kinds differ.
failed=0
for c in hashtab tree libcalloc objgraph recurse "forkleak exit"; do
	set -- $c
	name=$1
	rm -f "$TMPDIR"/vg.*
	valgrind --leak-check=full --show-leak-kinds=all --num-callers=100 \
		--gen-suppressions=all --log-file="$TMPDIR/vg.%p" \
		"$QA/$@" >/dev/null 2>&1 || fail "$name: valgrind failed"
	cat "$TMPDIR"/vg.* | grep -v '^==' >"$TMPDIR/$name.supp"
	want=$(cat "$TMPDIR"/vg.* | awk 'function num(s) { gsub(/,/, "", s); return s + 0 }
		/(definitely|indirectly|possibly) lost:|still reachable:/ {
			n += num($(NF-1)); b += num($(NF-4)) }
		END { print n "/" b }')
	[ "$want" != "0/0" ] || fail "$name: valgrind found nothing to suppress"
	"$MPREC" -o "$TMPDIR/$name.trace" "$QA/$@" >/dev/null 2>&1 ||
		fail "$name: mprec exited $?"
	"$MPLEAKS" --all \
		--suppressions "$TMPDIR/$name.supp" "$TMPDIR/$name.trace" \
		>"$TMPDIR/$name.leaks" || fail "$name: mpleaks exited $?"
	# Per process: nothing left of any kind valgrind knows.
	left=$(awk '/^LEAK SUMMARY \(pid/ { on = 1; next }
		on && /(definitely|indirectly|possibly) lost:|still reachable:/ {
			n += $(NF-1) }
		on && /suppressed:/ { on = 0 }
		END { print n + 0 }' "$TMPDIR/$name.leaks")
	if [ "$left" != 0 ]; then
		echo "FAIL $name: $left blocks not suppressed (valgrind: $want):"
		grep -A4 ' in loss record ' "$TMPDIR/$name.leaks" | head -40
		failed=$((failed + 1))
	else
		echo "ok   $name: every block of valgrind's $want suppressed"
	fi
done
[ $failed = 0 ] || fail "$failed program(s) not fully suppressed"
