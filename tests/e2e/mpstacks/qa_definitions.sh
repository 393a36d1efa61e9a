# qa_definitions: on a trace of ordinary programs (a shell pipeline that
# forks and executes sort, uniq and ls; threads handing blocks to each other;
# a forked child that inherits blocks), each of mpstacks' metrics per stack
# (allocations, bytes, temporary, peak, leaked) equals what oracle.awk
# computes from mpdump's records straight from the definitions in
# mpstacks(1).
set -u
QA=$BUILD/tests/qa
for f in "$BIN/mprec" "$BIN/mpdump" "$BIN/mpstacks" "$QA/prodcons" "$QA/forkleak"; do
	[ -x "$f" ] || { echo "FAIL: missing $f"; exit 1; }
done
cd "$TMPDIR" || exit 1
"$BIN/mprec" -o q.trace sh -c "sort /etc/services | uniq -c | sort -n | tail -3
	ls -la / | wc -l; $QA/prodcons; $QA/forkleak exit" >out 2>err ||
	{ echo "FAIL: mprec exited $?: $(head -3 err)"; exit 1; }
"$BIN/mpdump" q.trace >q.txt || { echo "FAIL: mpdump"; exit 1; }
awk -f "$TOP/tests/e2e/mpstacks/oracle.awk" q.txt q.txt | sort >want
for m in allocations bytes temporary peak leaked; do
	"$BIN/mpstacks" --metric $m -f csv --no-symbols q.trace >$m.csv ||
		{ echo "FAIL: mpstacks --metric $m exited $?"; exit 1; }
	# columns: pid,stack_id,VALUE,...
	awk -F, -v m=$m 'NR > 1 && $3 > 0 { print m, $1, $2, $3 }' $m.csv
done | sort >got
for m in temporary peak leaked; do
	[ "$(grep -c "^$m " want)" -gt 10 ] ||
		{ echo "FAIL: too few $m rows to compare"; exit 1; }
done
[ "$(awk '{ print $2 }' want | sort -u | wc -l)" -ge 5 ] ||
	{ echo "FAIL: fewer than 5 processes in the trace"; exit 1; }
if ! cmp -s want got; then
	echo "FAIL: mpstacks (>) differs from the definitions (<)"
	diff want got | head -20
	exit 1
fi
echo "ok   $(wc -l <want) rows over $(awk '{ print $2 }' want | sort -u | wc -l) processes"
