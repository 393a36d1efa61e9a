# valgrind: on the leak programs of tests/leak (each leaks known blocks of
# known kinds), mpleaks' totals per kind equal valgrind memcheck's
# (--leak-check=full --show-leak-kinds=all, run here) for every process, and
# so do the loss records: bytes, blocks, kind and allocating function.
. "$TOP/tests/e2e/mpleaks/lib.bash"
command -v valgrind >/dev/null || skip "valgrind not installed"
need "$MPLEAKS" "$MPREC"

# Loss records as "KIND BYTES BLOCKS FUNCTION" sorted, where FUNCTION is the
# first frame that is not the allocator or the tests' leak_alloc wrapper.
vg_records() {
	awk 'function num(s) { gsub(/,/, "", s); return s + 0 }
	{ sub(/^==[0-9]+== /, "") }
	/ are .* in loss record / {
		k = $0; sub(/ in loss record.*/, "", k); sub(/.* are /, "", k)
		if (k ~ /^definitely/) k = "D"; else if (k ~ /^indirectly/) k = "I"
		else if (k ~ /^possibly/) k = "P"; else k = "R"
		# "29 (24 direct, 5 indirect) bytes in 1 blocks": the direct part
		b = num($1)
		if ($2 ~ /^\(/) b = num(substr($2, 2))
		for (i = 1; i < NF; i++) if ($(i + 1) == "blocks") n = num($i)
		want = 1; next }
	want && /^ *(at|by) / {
		f = $3
		if (f ~ /^(calloc|malloc|realloc|leak_alloc|operator)$/) next
		print k, b, n, f; want = 0 }' "$1" | sort
}

mp_records() { # mpleaks text output, pid -> same shape
	awk -v pid="$2" '
	/^# pid / { on = ($3 == pid) }
	!on { next }
	/ are .* in loss record / {
		k = $0; sub(/ in loss record.*/, "", k); sub(/.* are /, "", k)
		if (k ~ /^definitely/) k = "D"; else if (k ~ /^indirectly/) k = "I"
		else if (k ~ /^possibly/) k = "P"; else k = "R"
		b = $1; n = $4; want = 1; next }
	want && /^ *by / {
		f = $3
		if (f ~ /^(calloc|malloc|leak_alloc)$/) next
		print k, b, n, f; want = 0 }' "$1" | sort
}

field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

failed=0
for c in list interior cache cycle threads fork heuristics dlopen tls multi uexit; do
	prog=$LEAKDIR/$c
	need "$prog"
	rm -f "$TMPDIR"/vg.*
	valgrind --leak-check=full --show-leak-kinds=all \
		--log-file="$TMPDIR/vg.%p" "$prog" >"$TMPDIR/vg.out" 2>&1 ||
		fail "$c: valgrind run failed"
	"$MPREC" -o "$TMPDIR/$c.trace" "$prog" >"$TMPDIR/mp.out" 2>"$TMPDIR/mp.err" ||
		fail "$c: mprec exited $?: $(head -3 "$TMPDIR/mp.err")"
	"$MPLEAKS" --all "$TMPDIR/$c.trace" >"$TMPDIR/$c.leaks" ||
		fail "$c: mpleaks exited $?"
	# Each process says who it is: "expect pid=N role=R ...".
	while read -r line; do
		role=$(field role "$line")
		vpid=$(field pid "$line")
		mline=$(grep "^expect .*role=$role " "$TMPDIR/mp.out")
		mpid=$(field pid "$mline")
		[ -n "$mpid" ] || fail "$c/$role: no expect line when recorded"
		vg=$(vg_totals "$TMPDIR/vg.$vpid")
		got=$(summary "$TMPDIR/$c.leaks" "$mpid")
		got=${got% U=*}
		if [ "$got" != "$vg" ]; then
			echo "FAIL $c/$role: mpleaks $got, valgrind $vg"
			failed=$((failed + 1))
			continue
		fi
		vg_records "$TMPDIR/vg.$vpid" >"$TMPDIR/vr"
		mp_records "$TMPDIR/$c.leaks" "$mpid" >"$TMPDIR/mr"
		# The same records (kind, bytes, blocks); the same function
		# wherever valgrind names one (it prints ??? for a library
		# unloaded before the end, which mpleaks still resolves).
		if ! cmp -s <(cut -d' ' -f1-3 "$TMPDIR/vr") \
			<(cut -d' ' -f1-3 "$TMPDIR/mr") ||
			! awk 'NR == FNR { have[$0]++; next }
				$4 != "???" && !have[$0]-- { bad = 1 }
				END { exit bad }' "$TMPDIR/mr" "$TMPDIR/vr"; then
			echo "FAIL $c/$role: loss records differ (valgrind < > mpleaks)"
			diff "$TMPDIR/vr" "$TMPDIR/mr"
			failed=$((failed + 1))
			continue
		fi
		echo "ok   $c/$role: $got"
	done < <(grep '^expect ' "$TMPDIR/vg.out")
done
[ $failed = 0 ] || fail "$failed process(es) disagree with valgrind"

# valgrind cannot name the frames of a library unloaded before the end;
# mpleaks can: dlopen.c's 300-byte block comes from leakdl_make() in
# tests/leak/dllib.c.
awk '/^300 bytes in 1 blocks are definitely lost/ { on = 1; next }
	on && /^$/ { exit }
	on && / leakdl_make \(.*dllib\.c:[0-9]+\)$/ { found = 1 }
	END { exit !found }' "$TMPDIR/dlopen.leaks" ||
	fail "dlopen: the 300-byte block is not attributed to leakdl_make (dllib.c)"
