# Every frame of every stack mprec records for the symbolizer test programs
# (C -O2 with inlining, C++ with namespaces and templates, both DWARF 4 and
# 5, a stripped library, libc through libc6-dbg's debug file, the recorder's
# own library) resolves as `addr2line -f -i -C` resolves it.  addr2line runs
# here, on the same module offsets; its answers are never stored.

sym=$BUILD/tests/sym
for t in "$BIN/mprec" "$sym/symtrace" "$sym/sym_c_dw5"; do
	test -x "$t" || { echo "missing $t (make sym-progs)"; exit 1; }
done
command -v addr2line >/dev/null || { echo "no addr2line"; exit 77; }

. "$TOP/tests/e2e/symbolize/lib.bash"

for prog in sym_c_dw4 sym_c_dw5 sym_cxx_dw4 sym_cxx_dw5; do
	"$BIN/mprec" "$sym/$prog" >"$prog.trace" 2>"$prog.err" ||
		{ echo "mprec $prog failed"; cat "$prog.err"; exit 1; }
	compare "$prog" "$sym/$prog"
done
# libc's frames (__libc_start_call_main at least) went through libc6-dbg
grep -q "^addr .*libc\.so" sym_c_dw5.ours || { echo "no libc frame recorded"; exit 1; }
test "$total" -ge 20 || { echo "only $total frames compared"; exit 1; }
exit 0
