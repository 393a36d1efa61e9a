# The frame of a function in an #included .c file names that file, whose
# code gcc put first in the unit's line program (tests/sym/sym_incl.c), in
# DWARF 4 and 5: libdwarf 20210528 and binutils 2.40's addr2line start a
# DWARF 5 line program on file 0, the unit's own, where the standard has 1.
# The lines are the ones the sources mark.

sym=$BUILD/tests/sym
for t in "$BIN/mprec" "$sym/symtrace" "$sym/sym_incl_dw5"; do
	test -x "$t" || { echo "missing $t (make sym-progs)"; exit 1; }
done
part=$(grep -n PART_ALLOC_LINE "$TOP/tests/sym/sym_incl_part.c" | cut -d: -f1)
call=$(grep -n MAIN_CALL_LINE "$TOP/tests/sym/sym_incl.c" | cut -d: -f1)
for v in 4 5; do
	"$BIN/mprec" -o "dw$v.trace" "$sym/sym_incl_dw$v" >/dev/null 2>"dw$v.err" ||
		{ echo "mprec sym_incl_dw$v failed"; cat "dw$v.err"; exit 1; }
	MPTRACE_NO_CACHE=1 "$sym/symtrace" "dw$v.trace" >"dw$v.frames" ||
		{ echo "symtrace dw$v failed"; exit 1; }
	got=$(awk -F'\t' '$1 == "frame part_alloc" { n = split($2, p, "/")
		print p[n] ":" $3 }' "dw$v.frames")
	[ "$got" = "sym_incl_part.c:$part" ] ||
		{ echo "DWARF $v: part_alloc at '$got', not sym_incl_part.c:$part"; exit 1; }
	got=$(awk -F'\t' '$1 == "frame main" { n = split($2, p, "/")
		print p[n] ":" $3 }' "dw$v.frames")
	[ "$got" = "sym_incl.c:$call" ] ||
		{ echo "DWARF $v: main at '$got', not sym_incl.c:$call"; exit 1; }
	echo "ok DWARF $v: part_alloc at sym_incl_part.c:$part, main at sym_incl.c:$call"
done
exit 0
