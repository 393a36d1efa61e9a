# Every built command has a man page in man/man1 with the sections every
# command page has, and every man page is free of mandoc warnings and
# errors (`make lint` also shows mandoc's style notes).

cd "$TOP" || exit 1
failed=0 n=0
for cmd in "$BIN"/mp*; do
	[ -x "$cmd" ] || continue
	name=$(basename "$cmd")
	if [ ! -f "man/man1/$name.1" ]; then
		echo "FAIL $name: no man/man1/$name.1"
		failed=$((failed + 1))
	fi
done
for page in man/man1/*.1; do
	[ -f "$page" ] || continue
	for sec in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		if ! grep -q "^\.Sh $sec\$" "$page"; then
			echo "FAIL $page: no $sec section"
			failed=$((failed + 1))
		fi
	done
done
for page in man/man*/*.[1-9]; do
	[ -f "$page" ] || continue
	n=$((n + 1))
	out=$(mandoc -Tlint -W warning "$page" 2>&1 | grep -v "outdated mandoc.db")
	if [ -n "$out" ]; then
		echo "FAIL $page: mandoc -Tlint -W warning:"
		echo "$out" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done
if [ $n = 0 ]; then
	echo "no man pages yet"
	exit 77
fi
echo "$n man pages checked, $failed problems"
[ $failed = 0 ]
