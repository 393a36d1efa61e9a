# qa_valgrind: on ordinary programs nobody wrote for mptrace (tests/qa: a
# hash table that leaks on an error path, a tree freed in part, C++
# containers behind a base pointer, recursion, realloc growth and libc's own
# allocations, threads, a forked child), mpleaks --all agrees with valgrind
# memcheck run here on the same binary: the totals of each kind in every
# process, the loss records (kind, bytes, blocks) and the frame that
# allocated each record; the CSV output sums to the same totals.
. "$TOP/tests/e2e/mpleaks/lib.bash"
command -v valgrind >/dev/null || skip "valgrind not installed"
QA=$BUILD/tests/qa
need "$MPLEAKS" "$MPREC" "$QA/hashtab"

# The allocating frame of a loss record, the same way for both tools: the
# first frame below the allocator, as file basename:line when the frame has
# one, else the function name.
frame_key='function key(s,   m) {
		if (match(s, /\(([^():]*\/)?[^()\/:]+:[0-9]+\)$/)) {
			s = substr(s, RSTART + 1, RLENGTH - 2)
			sub(/.*\//, "", s)
			return s
		}
		sub(/ \(in [^()]*\)$/, "", s)
		return s
	}'

vg_records() { # valgrind log -> "KIND BYTES BLOCKS FRAME" sorted
	awk "$frame_key"'
	function num(s) { gsub(/,/, "", s); return s + 0 }
	{ sub(/^==[0-9]+== /, "") }
	/ are .* in loss record / {
		k = $0; sub(/ in loss record.*/, "", k); sub(/.* are /, "", k)
		k = toupper(substr(k, 1, 1))
		if (k == "S") k = "R"
		b = num($1)
		if ($2 ~ /^\(/) b = num(substr($2, 2))
		for (i = 1; i < NF; i++) if ($(i + 1) == "blocks") n = num($i)
		want = 1; next }
	want && /^ *(at|by) / {
		s = $0; sub(/^ *(at|by) 0x[0-9A-Fa-f]+: /, "", s)
		if (s ~ /^(malloc|calloc|realloc|operator new|posix_memalign|aligned_alloc|memalign)/) next
		print k, b, n, key(s); want = 0 }' "$1" | sort
}

mp_records() { # mpleaks text output, pid -> the same shape
	awk -v pid="$2" "$frame_key"'
	/^# pid / { on = ($3 == pid) }
	!on { next }
	/ are .* in loss record / {
		k = $0; sub(/ in loss record.*/, "", k); sub(/.* are /, "", k)
		k = toupper(substr(k, 1, 1))
		if (k == "S") k = "R"
		b = $1; n = $4; want = 1; next }
	want && /^ *by / {
		s = $0; sub(/^ *by 0x[0-9a-f]+: /, "", s)
		sub(/ \[inlined\]$/, "", s)
		print k, b, n, key(s); want = 0 }' "$1" | sort
}

mp_totals() { # mpleaks text output, pid -> "D=b/B I=b/B P=b/B R=b/B"
	local s
	s=$(summary "$1" "$2")
	echo "${s% U=*}"
}

csv_totals() { # mpleaks CSV, pid -> the same shape
	awk -F, -v pid="$2" 'NR > 1 && $1 == pid {
		n[$3] += $6; b[$3] += $7 }
	END { printf "D=%d/%d I=%d/%d P=%d/%d R=%d/%d\n",
		n["definite"], b["definite"], n["indirect"], b["indirect"],
		n["possible"], b["possible"], n["reachable"], b["reachable"] }' "$1"
}

failed=0
check() { # check NAME PROG [ARGS...] (options in $MPREC_ARGS, $MPLEAKS_ARGS)
	local name=$1 f vpids mpids v m
	shift
	rm -f "$TMPDIR"/vg.*
	# Whole stacks (the default 12 callers would merge deep records).
	valgrind --leak-check=full --show-leak-kinds=all --num-callers=100 \
		--log-file="$TMPDIR/vg.%p" "$@" >/dev/null 2>&1 ||
		[ $? = 3 ] || fail "$name: valgrind run failed"
	"$MPREC" ${MPREC_ARGS:-} -o "$TMPDIR/$name.trace" "$@" >/dev/null 2>"$TMPDIR/mp.err" ||
		fail "$name: mprec exited $?: $(head -3 "$TMPDIR/mp.err")"
	"$MPLEAKS" --all ${MPLEAKS_ARGS:-} "$TMPDIR/$name.trace" >"$TMPDIR/$name.leaks" ||
		fail "$name: mpleaks exited $?"
	"$MPLEAKS" --all ${MPLEAKS_ARGS:-} -f csv "$TMPDIR/$name.trace" >"$TMPDIR/$name.csv" ||
		fail "$name: mpleaks -f csv exited $?"
	# Processes in start order: valgrind's pids and mpleaks' headers.
	vpids=$(for f in "$TMPDIR"/vg.*; do echo "${f##*.}"; done | sort -n)
	mpids=$(awk '/^# pid / { print $3 }' "$TMPDIR/$name.leaks")
	[ "$(echo "$vpids" | wc -l)" = "$(echo "$mpids" | wc -l)" ] ||
		fail "$name: valgrind saw $(echo $vpids) processes, mpleaks $(echo $mpids)"
	while read -r v m <&3; do
		got=$(mp_totals "$TMPDIR/$name.leaks" "$m")
		want=$(vg_totals "$TMPDIR/vg.$v")
		csv=$(csv_totals "$TMPDIR/$name.csv" "$m")
		if [ -n "${XFAIL_TOTALS:-}" ] && [ "$got" != "$want" ]; then
			echo "known $name/$m: mpleaks $got, valgrind $want ($XFAIL_TOTALS)"
			continue
		fi
		if [ "$got" != "$want" ] || [ "$csv" != "$want" ]; then
			echo "FAIL $name/$m: mpleaks $got (csv $csv), valgrind $want"
			failed=$((failed + 1))
			continue
		fi
		vg_records "$TMPDIR/vg.$v" >"$TMPDIR/vr"
		mp_records "$TMPDIR/$name.leaks" "$m" >"$TMPDIR/mr"
		if ! cmp -s "$TMPDIR/vr" "$TMPDIR/mr"; then
			echo "FAIL $name/$m: loss records differ (valgrind < > mpleaks)"
			diff "$TMPDIR/vr" "$TMPDIR/mr"
			failed=$((failed + 1))
			continue
		fi
		echo "ok   $name/$m: $got, $(wc -l <"$TMPDIR/mr") records"
	done 3< <(paste -d' ' <(echo "$vpids") <(echo "$mpids"))
}

check hashtab "$QA/hashtab"
check tree "$QA/tree"
check recurse "$QA/recurse" 50
check libcalloc "$QA/libcalloc"
check objgraph "$QA/objgraph"
# glibc state that valgrind frees at exit (locale, catalogs, time zone,
# conversion, NSS, hsearch, getmntent): mprec has glibc free it before the
# scan, as valgrind does; without that (--no-freeres, and in processes
# with more than one thread), the built-in suppressions must account for
# all of it.
check glibcstate "$QA/glibcstate"
MPLEAKS_ARGS=--no-builtin-suppressions check glibcstate_freeres "$QA/glibcstate"
MPREC_ARGS=--no-freeres check glibcstate_nofreeres "$QA/glibcstate"
check forkleak "$QA/forkleak" exit
# Much of libc (stdio, regex, iconv, locales, NSS, tsearch, glob, qsort):
# what the program dropped is lost, libc's own state is freed first.
check libcmix "$QA/libcmix"
# Threads already joined leave their stacks mapped (glibc keeps them for
# reuse) with stale pointers in them: they are no roots, as in valgrind.
check prodcons "$QA/prodcons"

# The same child ending with _exit(), which runs no destructors: valgrind
# classifies its blocks all the same, and so must the scan.
check forkleak_exit "$QA/forkleak"

[ $failed = 0 ] || fail "$failed process(es) disagree with valgrind"
