# qa_addr2line: every frame of every stack recorded for the ordinary
# programs of tests/qa (C++ containers and templates, threads started
# through libc, a forked child, libc's own getline, asprintf, strdup and
# stdio allocations, deep recursion) resolves as `addr2line -f -i -C`
# resolves it, on the same module offsets.  addr2line runs here; its
# answers are never stored.

sym=$BUILD/tests/sym
for t in "$BIN/mprec" "$sym/symtrace" "$BUILD/tests/qa/objgraph"; do
	test -x "$t" || { echo "missing $t (make sym-progs)"; exit 1; }
done
command -v addr2line >/dev/null || { echo "no addr2line"; exit 77; }

. "$TOP/tests/e2e/symbolize/lib.bash"
qa=$BUILD/tests/qa

for prog in hashtab tree recurse libcalloc prodcons forkleak objgraph; do
	"$BIN/mprec" -o "$prog.trace" "$qa/$prog" >/dev/null 2>"$prog.err" ||
		{ echo "mprec $prog failed"; cat "$prog.err"; exit 1; }
	compare "$prog" "$qa/$prog"
done
# libc frames went through libc6-dbg, libstdc++ through its symbol table
grep -q "^addr .*libc\.so" libcalloc.ours || { echo "no libc frame recorded"; exit 1; }
grep -q "^addr .*libstdc++" objgraph.ours || { echo "no libstdc++ frame recorded"; exit 1; }
test "$total" -ge 100 || { echo "only $total frames compared"; exit 1; }
echo "$total frames agree"
exit 0
