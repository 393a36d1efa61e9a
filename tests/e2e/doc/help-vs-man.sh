# Each command's --help names exactly the long options its man page
# documents in an option list, and the other way round.  Commands not built
# yet are skipped.

cd "$TOP" || exit 1
checked=0 failed=0
for page in man/man1/*.1; do
	[ -f "$page" ] || continue
	cmd=$(basename "$page" .1)
	if [ ! -x "$BIN/$cmd" ]; then
		echo "skip $cmd: not built"
		continue
	fi
	checked=$((checked + 1))
	if ! "$BIN/$cmd" --help >"$TMPDIR/help" 2>"$TMPDIR/help.err"; then
		echo "FAIL $cmd: '$cmd --help' exited non-zero"
		cat "$TMPDIR/help.err"
		failed=$((failed + 1))
		continue
	fi
	if [ ! -s "$TMPDIR/help" ]; then
		echo "FAIL $cmd: '$cmd --help' printed nothing on standard output"
		failed=$((failed + 1))
		continue
	fi
	"$TOP/tests/doc/help-options" <"$TMPDIR/help" >"$TMPDIR/h"
	"$TOP/tests/doc/man-options" "$page" >"$TMPDIR/m"
	only_help=$(comm -23 "$TMPDIR/h" "$TMPDIR/m" | tr '\n' ' ')
	only_man=$(comm -13 "$TMPDIR/h" "$TMPDIR/m" | tr '\n' ' ')
	if [ -n "$only_help$only_man" ]; then
		failed=$((failed + 1))
		echo "FAIL $cmd: --help and $page disagree"
		[ -z "$only_help" ] ||
			echo "    in --help, not in the man page: $only_help"
		[ -z "$only_man" ] ||
			echo "    in the man page, not in --help: $only_man"
	else
		echo "ok   $cmd: $(wc -l <"$TMPDIR/h") long options agree"
	fi
done
if [ $checked = 0 ]; then
	echo "no command with a man page is built yet"
	exit 77
fi
[ $failed = 0 ]
