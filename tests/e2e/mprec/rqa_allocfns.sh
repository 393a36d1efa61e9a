# rqa_allocfns: every allocation function, glibc's __libc_* names included,
# leaks one block (tests/rqa/allocfns.c): 13 blocks, 13096 bytes definitely
# lost, as valgrind finds when installed; a block freed through __libc_free
# is freed; pvalloc's blocks are recorded with the size asked for (valgrind,
# the referee, cannot run pvalloc).
. "$TOP/tests/e2e/mprec/lib.bash"
. "$TOP/tests/e2e/mprec/rqa.bash"
need "$RQA/allocfns" "$BIN/mpleaks"

totals() {
	"$BIN/mpleaks" --all --no-builtin-suppressions -f csv "$T" >"$TMPDIR/leaks.csv" ||
		fail "mpleaks failed"
	# columns: pid,record,kind,domain,device,blocks,bytes,...
	awk -F, 'NR > 1 { n[$3] += $6; b[$3] += $7 }
		END { for (k in n) print k, n[k], b[k] }' "$TMPDIR/leaks.csv" | sort
}

rec -- "$RQA/allocfns"
expect_rc 0
valid_trace
dump
expect "leak totals" "$(totals)" "definite 13 13096"
expect "malloc(1010) through __libc_malloc" "$(n_alloc 1010 malloc)" 1
expect "calloc(1, 1011) through __libc_calloc" "$(n_alloc 1011 calloc)" 1
expect "memalign(64, 1012) through __libc_memalign" "$(n_alloc 1012 memalign)" 1
expect "realloc(NULL, 1013) through __libc_realloc" "$(n_alloc 1013 realloc)" 1
expect "valloc(1014) through __libc_valloc" "$(n_alloc 1014 valloc)" 1
expect "the malloc(100) freed by __libc_free" "$(n_free_of 100)" 1
expect "the __libc_malloc(2000) freed by free" "$(n_free_of 2000)" 1
# glibc's reallocarray() calls realloc() through the PLT: one record each.
expect "reallocarray(NULL, 1, 1004), once" "$(n_alloc 1004)" 1
expect "reallocarray(NULL, 1, 1004) as such" "$(n_alloc 1004 reallocarray)" 1
expect "reallocarray(NULL, 3, 1000), once" "$(n_alloc 3000)" 1
expect "reallocarray(p, 4, 1000), once" "$(n_alloc 4000 reallocarray)" 1
expect "the reallocarray(p, 0, 8) that freed p" "$(n_free_of 4000 reallocarray)" 1
expect "no failed allocation" "$(q 'ty == "alloc" && failed() { n++ } END { print n + 0 }')" 0

rec -- "$RQA/allocfns" pvalloc
expect_rc 0
valid_trace
dump
expect "pvalloc(1009)" "$(n_alloc 1009 pvalloc)" 1
expect "pvalloc(2002) through __libc_pvalloc" "$(n_alloc 2002 pvalloc)" 1
expect "leak totals with pvalloc" "$(totals)" "definite 15 16107"

command -v valgrind >/dev/null || exit 0
valgrind --leak-check=full "$RQA/allocfns" 2>"$TMPDIR/vg.txt" >/dev/null ||
	fail "valgrind failed"
vg=$(awk '/definitely lost:/ { gsub(/,/, ""); for (i = 1; i <= NF; i++) if ($i == "bytes") b = $(i - 1); else if ($i == "blocks") n = $(i - 1); print "definite", n, b }' "$TMPDIR/vg.txt")
rec -- "$RQA/allocfns"
expect "leak totals against valgrind" "$(totals)" "$vg"
