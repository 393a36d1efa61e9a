# rqa_interior: leak kinds of blocks reached only through interior
# pointers (tests/rqa/interior.c): 3000 blocks of 40 bytes still reachable
# by valgrind's length64 heuristic, 2000 of 48 possibly lost, 1000 of 24
# definitely lost, 3 of 200000 (mmapped) still reachable; and the same
# totals as valgrind when it is installed.
. "$TOP/tests/e2e/mprec/lib.bash"
. "$TOP/tests/e2e/mprec/rqa.bash"
need "$RQA/interior" "$BIN/mpleaks"

rec -- "$RQA/interior"
expect_rc 0
valid_trace
"$BIN/mpleaks" --all --no-builtin-suppressions -f csv "$T" >"$TMPDIR/leaks.csv" ||
	fail "mpleaks failed"
# columns: pid,record,kind,domain,device,blocks,bytes,...
awk -F, 'NR > 1 { n[$3] += $6; b[$3] += $7 }
	END { for (k in n) print k, n[k], b[k] }' "$TMPDIR/leaks.csv" | sort >"$TMPDIR/got"
printf 'definite 1000 24000\npossible 2000 96000\nreachable 3003 720000\n' >"$TMPDIR/want"
cmp -s "$TMPDIR/want" "$TMPDIR/got" || { diff "$TMPDIR/want" "$TMPDIR/got"; fail "leak kinds differ from the construction"; }

command -v valgrind >/dev/null || exit 0
valgrind --leak-check=full --show-leak-kinds=all "$RQA/interior" 2>"$TMPDIR/vg.txt" >/dev/null ||
	fail "valgrind failed"
awk '/definitely lost:/ { k = "definite" } /indirectly lost:/ { k = "indirect" }
     /possibly lost:/ { k = "possible" } /still reachable:/ { k = "reachable" }
     k && /bytes in/ { gsub(/,/, ""); for (i = 1; i <= NF; i++) if ($i == "bytes") b = $(i - 1); else if ($i == "blocks") n = $(i - 1)
		if (n + 0 > 0) print k, n, b; k = "" }' "$TMPDIR/vg.txt" | sort >"$TMPDIR/vg"
cmp -s "$TMPDIR/vg" "$TMPDIR/got" || { diff "$TMPDIR/vg" "$TMPDIR/got"; fail "leak kinds differ from valgrind's"; }
