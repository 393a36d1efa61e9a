# Every command in the EXAMPLES section of a man page (sections 1, 5 and 7)
# runs and exits 0 (0 or 1 for a stage that uses --fail), in a directory
# that holds:
#
#   run.trace   a trace of the bundled demo program recorded with mprec, or
#               when there is no mprec yet, one made by mptgen --every-kind
#   app         the bundled demo program (so `mprec ./app > run.trace` works)
#
# Pipes to other tools (sort, head, gnuplot) are fine.  An example whose mp*
# command is not built yet is skipped.

fixture=$TMPDIR/fixture
mkdir -p "$fixture"

app=
for a in "$BUILD/tests/apps/demo" "$BUILD/tests/apps/basic"; do
	if [ -x "$a" ]; then
		app=$a
		break
	fi
done
[ -z "$app" ] || cp "$app" "$fixture/app"

made=
if [ -x "$BIN/mprec" ] && [ -n "$app" ]; then
	if (cd "$fixture" && "$BIN/mprec" ./app >run.trace 2>mprec.err) &&
		[ -s "$fixture/run.trace" ]; then
		made="recorded ./app ($(basename "$app")) with mprec"
	else
		echo "note: mprec could not record ./app; using mptgen:"
		tail -n 5 "$fixture/mprec.err"
	fi
fi
gen=$BUILD/tests/tools/mptgen
if [ -z "$made" ] && [ -x "$gen" ]; then
	if "$gen" --every-kind >"$fixture/run.trace" 2>"$fixture/gen.err" &&
		[ -s "$fixture/run.trace" ]; then
		made="made by mptgen --every-kind"
	elif "$gen" --every-kind -o "$fixture/run.trace" 2>"$fixture/gen.err" &&
		[ -s "$fixture/run.trace" ]; then
		made="made by mptgen --every-kind -o"
	else
		echo "mptgen --every-kind failed:"
		cat "$fixture/gen.err"
		exit 1
	fi
fi
if [ -z "$made" ]; then
	echo "no trace to run examples on: neither mprec nor mptgen is built"
	exit 77
fi
echo "run.trace: $made"

export PATH="$BIN:$PATH"
ran=0 failed=0 i=0 failures=()
for page in "$TOP"/man/man[157]/*.[157]; do
	[ -f "$page" ] || continue
	pname=$(basename "$page")
	while IFS= read -r cmd; do
		i=$((i + 1))
		skip=
		# The first word of every stage of the pipeline.
		for w in $(printf '%s\n' "$cmd" | tr '|' '\n' |
			awk '{ print $1 }'); do
			case $w in
			mp*) [ -x "$BIN/$w" ] || skip="$w is not built" ;;
			esac
		done
		case $cmd in
		*./app*) [ -n "$app" ] || skip="no bundled program for ./app" ;;
		esac
		if [ -n "$skip" ]; then
			echo "skip $pname: $cmd ($skip)"
			continue
		fi
		d=$TMPDIR/ex$i
		mkdir -p "$d"
		ln "$fixture/run.trace" "$d/run.trace" 2>/dev/null ||
			cp "$fixture/run.trace" "$d/run.trace"
		[ -z "$app" ] || cp "$fixture/app" "$d/app"
		cat >"$d/.run" <<-EOF2
		$cmd
		echo "\${PIPESTATUS[*]}" >.status
		EOF2
		(cd "$d" && timeout -k 5 60 bash .run </dev/null >.out 2>.err)
		ran=$((ran + 1))
		status=$(cat "$d/.status" 2>/dev/null)
		nstage=$(printf '%s\n' "$cmd" | tr '|' '\n' | wc -l)
		bad=
		[ -n "$status" ] || bad="did not finish"
		k=0
		for s in $status; do
			k=$((k + 1))
			stage=$(printf '%s\n' "$cmd" | tr '|' '\n' | sed -n "${k}p")
			case $s in
			0) ;;
			1) case $stage in *--fail*) ;; *) bad="exit ${status}" ;; esac ;;
			141) [ $k -lt "$nstage" ] || bad="exit ${status}" ;;
			*) bad="exit ${status}" ;;
			esac
		done
		if [ -n "$bad" ]; then
			failed=$((failed + 1))
			echo "FAIL $pname: $cmd ($bad)"
			tail -n 10 "$d/.err" | sed 's/^/    /'
			failures+=("$pname: $cmd ($bad): $(grep -m1 . "$d/.err")")
		else
			echo "ok   $pname: $cmd"
			rm -rf "$d"
		fi
	done < <("$TOP/tests/doc/man-examples" "$page")
done
if [ $ran = 0 ]; then
	echo "no example could run yet"
	exit 77
fi
if [ $failed != 0 ]; then
	echo "failed examples:"
	printf '    %s\n' "${failures[@]}"
fi
echo "$ran examples run, $failed failed"
[ $failed = 0 ]
