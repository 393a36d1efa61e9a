# qa_livethreads: each thread has a TLS vector that glibc callocs in
# pthread_create.  Those of joined threads stay with the stacks glibc keeps
# for reuse, and valgrind has glibc free them at exit; those of threads
# still running at the end are live, and memcheck reports them as
# possibly lost (the thread's TCB points one entry in).  mpleaks --all must
# report the same blocks of the same kind as valgrind run here, for joined
# and live threads mixed, allocated by allocate_dtv, and suppress the
# others.  Bytes differ by what the recorder brings: each vector has one
# 16-byte entry more per TLS module that mprec preloads (libmprec and its
# libraries), counted here with readelf.
. "$TOP/tests/e2e/mpleaks/lib.bash"
command -v valgrind >/dev/null || skip "valgrind not installed"
command -v readelf >/dev/null || skip "readelf not installed"
PROG=$BUILD/tests/qa/livethreads
LIB=$BUILD/lib/libmprec.so
need "$MPLEAKS" "$MPREC" "$PROG" "$LIB"

# TLS modules the recorder adds: libmprec and its libraries that the
# program does not load itself.
extra=0
for l in "$LIB" $(ldd "$LIB" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
	ldd "$PROG" | grep -qF " ${l} " && continue
	readelf -lW "$l" | grep -q '^ *TLS ' && extra=$((extra + 1))
done

for args in "2 1" "3 0" "0 3"; do
	rm -f "$TMPDIR"/vg.*
	valgrind --leak-check=full --show-leak-kinds=all \
		--log-file="$TMPDIR/vg.%p" "$PROG" $args >/dev/null 2>&1 ||
		fail "$args: valgrind run failed"
	want=$(vg_totals "$TMPDIR"/vg.*)
	"$MPREC" -o "$TMPDIR/lt.trace" "$PROG" $args >/dev/null 2>&1 ||
		fail "$args: mprec exited $?"
	"$MPLEAKS" --all "$TMPDIR/lt.trace" >"$TMPDIR/lt.leaks" ||
		fail "$args: mpleaks exited $?"
	pid=$(awk '/^# pid / { print $3; exit }' "$TMPDIR/lt.leaks")
	got=$(summary "$TMPDIR/lt.leaks" "$pid")
	# valgrind's totals, each block 16 bytes bigger per added module.
	want=$(echo "$want" | awk -v x="$extra" '{
		for (i = 1; i <= NF; i++) { split(substr($i, 3), a, "/")
			$i = substr($i, 1, 2) a[1] "/" (a[2] + a[1] * 16 * x) }
		print }')
	expect "livethreads $args" "${got% S=*}" "$want U=0/0"
	# Live threads' vectors come from allocate_dtv.
	n=$(echo "$want" | sed 's/.*P=\([0-9]*\).*/\1/')
	if [ "$n" -gt 0 ]; then
		grep -A4 'are possibly lost in loss record' "$TMPDIR/lt.leaks" |
			grep -q 'allocate_dtv' ||
			fail "$args: the possibly lost vectors are not from allocate_dtv"
	fi
	echo "ok   livethreads $args: $got"
done
