# qa_metrics: tests/qa/phases says, by construction, which function holds
# the peak, which made temporaries and which leaked, and how much
# ("expect peak=F/N temporary=F/N,F/N leaked=F/N").  mpstacks -f folded
# gives exactly those rows (keyed by the innermost frame) for each metric.
set -u
prog=$BUILD/tests/qa/phases
for f in "$BIN/mprec" "$BIN/mpstacks" "$prog"; do
	[ -x "$f" ] || { echo "FAIL: missing $f"; exit 1; }
done
cd "$TMPDIR" || exit 1
"$BIN/mprec" -o p.trace "$prog" >out 2>err ||
	{ echo "FAIL: mprec exited $?: $(head -3 err)"; exit 1; }
line=$(grep '^expect ' out) || { echo "FAIL: no expect line"; exit 1; }
failed=0
for metric in peak temporary leaked; do
	want=$(echo "$line" | tr ' ' '\n' | sed -n "s/^$metric=//p" |
		tr ',' '\n' | tr '/' ' ' | sort)
	"$BIN/mpstacks" --metric $metric -f folded p.trace >f.$metric ||
		{ echo "FAIL: mpstacks --metric $metric exited $?"; exit 1; }
	got=$(awk '{ n = $NF; $NF = ""; k = split($0, fr, ";");
		f = fr[k]; sub(/ +$/, "", f); print f, n }' f.$metric | sort)
	if [ "$got" != "$want" ]; then
		echo "FAIL --metric $metric: got"; echo "$got"
		echo "expected"; echo "$want"
		failed=1
	else
		echo "ok   --metric $metric: $(echo $got)"
	fi
done
exit $failed
