# lib.bash - helpers for the mprec end-to-end cases (sourced, not a case).
#
# A case records one program of tests/apps with mprec, then checks the
# program's known answers (its header comment) in `mpdump -f csv` output
# with awk.  Known answers come from the programs' construction; nothing here
# takes a number from what mprec or mpdump printed.
#
# Variables from tests/run-e2e: BUILD, BIN, TOP, TMPDIR.

set -u
T=$TMPDIR/t.trace
CSV=$TMPDIR/t.csv

. "$TOP/tests/e2e/common.bash"

# rec [mprec options] -- program [args]: record into $T; sets $rc (mprec's
# exit status) and keeps mprec's standard error in $TMPDIR/rec.err.
rec() {
	need "$MPREC"
	rc=0
	"$MPREC" -o "$T" "$@" 2>"$TMPDIR/rec.err" || rc=$?
}

# expect_rc N: mprec's exit status is N.
expect_rc() {
	[ "$rc" = "$1" ] || {
		sed 's/^/  mprec stderr: /' "$TMPDIR/rec.err" | head -n 20
		fail "mprec exited $rc, expected $1"
	}
}

# valid_trace [FILE]: zstd accepts it, mpdump decodes it to the end, and it
# is complete (holds its END record).
valid_trace() {
	local f=${1:-$T}
	need "$MPDUMP"
	[ -s "$f" ] || fail "trace $f is empty or missing"
	zstd -q -t "$f" 2>"$TMPDIR/zstd.err" ||
		fail "zstd -t rejects $f: $(head -n 1 "$TMPDIR/zstd.err")"
	"$MPDUMP" --stats "$f" >"$TMPDIR/stats.txt" 2>"$TMPDIR/stats.err" ||
		fail "mpdump --stats $f failed: $(head -n 1 "$TMPDIR/stats.err")"
	"$MPDUMP" --stats -f csv "$f" >"$TMPDIR/stats.csv" 2>>"$TMPDIR/stats.err" ||
		fail "mpdump --stats -f csv $f failed: $(head -n 1 "$TMPDIR/stats.err")"
	local status
	status=$(awk -F, '$1 == "trace" && $3 == "status" { print $4 }' "$TMPDIR/stats.csv")
	[ "$status" = complete ] ||
		fail "trace $f is not complete (status '$status'): $(head -n 1 "$TMPDIR/stats.err")"
	# Nothing is lost in these programs' runs (ALLOW_LOST=1 where the app
	# is killed with records in flight).
	if [ "${ALLOW_LOST:-0}" != 1 ]; then
		local lost
		lost=$(awk -F, '$1 == "trace" && $3 == "lost" { print $4 }' "$TMPDIR/stats.csv")
		[ "$lost" = 0 ] || fail "trace $f has lost events: '$lost' ($(grep '^lost' "$TMPDIR/stats.csv" | tr '\n' ' '))"
	fi
}

# dump [FILE]: the whole trace as CSV into $CSV.
dump() {
	local f=${1:-$T}
	need "$MPDUMP"
	"$MPDUMP" -f csv "$f" >"$CSV" 2>"$TMPDIR/dump.err" ||
		fail "mpdump -f csv failed: $(head -n 1 "$TMPDIR/dump.err")"
	[ -s "$CSV" ] || fail "mpdump -f csv printed nothing"
}

# The awk prelude: reads mpdump's CSV header row and gives each record's
# fields by name.  Every record's `type` is normalised to the lower-case
# name of FORMAT.md ("alloc", "free", "process_start", ...) and `func` to the
# function name of FORMAT.md table 3.5.  Addresses stay strings (mawk cannot
# print 48-bit integers exactly): they are keys, never arithmetic.
#
#   v("size")       the field named size of this record ("" if none)
#   ty              this record's type
#   fn()            this record's function name ("malloc", "operator new")
#   addr()          this record's address, as a normalised string
#   num(s)          "0x1f" or "31" -> 31, for small numbers only
#   failed()        1 for a failed ALLOC
AWK_PRELUDE='
function num(s,   i, c, n) {
	s = tolower(s); gsub(/^[ "]+|[ "]+$/, "", s)
	if (s ~ /^0x/) {
		n = 0
		for (i = 3; i <= length(s); i++) {
			c = index("0123456789abcdef", substr(s, i, 1))
			if (c == 0) break
			n = n * 16 + c - 1
		}
		return n
	}
	return s + 0
}
function v(name) {
	if (name == "time" && !("time" in COL)) name = "time_ns"
	if (((ty, name) in ALIAS) && (ALIAS[ty, name] in COL)) return $(COL[ALIAS[ty, name]])
	return (name in COL) ? $(COL[name]) : ""
}
function alias(t, list,   n, i, kv, x) {
	n = split(list, kv, " ")
	for (i = 1; i <= n; i++) { split(kv[i], x, "="); ALIAS[t, x[1]] = x[2] }
}
function fn(   f) {
	f = v("func"); gsub(/"/, "", f)
	if (f ~ /^[0-9]+$/) f = FNAME[f + 0]
	return f
}
function addr(   a) { a = tolower(v("addr")); gsub(/"/, "", a); return a }
function failed(   a) { a = addr(); return (num(v("flags")) % 2) == 1 || a == "0" || a == "0x0" }
BEGIN {
	FS = ","
	split("unknown,malloc,calloc,realloc,reallocarray,memalign,aligned_alloc,posix_memalign,valloc,pvalloc,operator new,operator new[],free,operator delete,operator delete[],strdup", F, ",")
	for (i = 1; i <= 16; i++) FNAME[i - 1] = F[i]
	# mpdump -f csv puts each type'"'"'s fields in generic columns
	# (time_ns,pid,tid,type,func,addr,size,stack,id,a,b,c,d,text,text2):
	# the names of FORMAT.md, per type.
	alias("alloc", "flags=a align=b old_addr=c")
	alias("process_start", "ppid=id kind=a path=text argv=text2")
	alias("process_end", "kind=a code=b core=c")
	alias("thread_start", "stack_lo=a stack_hi=b")
	alias("thread_name", "name=text")
	alias("module_load", "module=id base=addr nseg=a path=text build_id=text2")
	alias("module_unload", "module=id")
	alias("stack", "parent=a nframe=b frames=text")
	alias("marker", "label=text")
	alias("span_begin", "label=text")
	alias("span_end", "label=text")
	alias("tag_push", "label=text")
	alias("header", "major=id minor=a clock_id=b page_size=c sample_bytes=d host=text")
	alias("end", "exit_code=id records=a events=b lost=c processes=d")
	alias("lost", "count=a reason=b bytes=size")
	alias("mmap", "len=size prot=a flags=b fd=c offset=d")
	alias("munmap", "len=size")
	alias("mremap", "new_addr=addr new_len=size old_addr=a old_len=b flags=c")
	alias("brk", "new_end=addr old_end=a")
}
/^#/ { next }
!HDR {
	for (i = 1; i <= NF; i++) { h = tolower($i); gsub(/[" ]/, "", h); COL[h] = i }
	HDR = 1
	next
}
{ ty = ""; ty = tolower(v("type")); gsub(/"/, "", ty); gsub(/-/, "_", ty) }
'

# q 'awk program' [VAR=value...]: run an awk program (after the prelude)
# over $CSV, with those awk variables set.
q() {
	local prog=$1
	shift
	awk "$AWK_PRELUDE$prog" "$@" "$CSV"
}

# n_alloc SIZE [FUNC [PID]]: successful ALLOC records of SIZE bytes (made by
# FUNC, in PID).
n_alloc() {
	q '
	ty == "alloc" && v("size") + 0 == S && !failed() &&
	    (FN == "" || fn() == FN) && (P == "" || v("pid") + 0 == P) { n++ }
	END { print n + 0 }' S="$1" FN="${2:-}" P="${3:-}"
}

# n_free_of SIZE [FUNC]: FREE records (by FUNC) of addresses that an ALLOC
# of SIZE bytes returned and that were live then (each free matched to the
# allocation it ends, per process).
n_free_of() {
	q '
	ty == "alloc" && !failed() { live[v("pid"), addr()] = v("size") + 0 }
	ty == "free" {
		k = v("pid") SUBSEP addr()
		if ((k in live) && live[k] == S && (FN == "" || fn() == FN)) n++
		delete live[k]
	}
	END { print n + 0 }' S="$1" FN="${2:-}"
}

# pids_of_size SIZE: the distinct pids that made ALLOCs of SIZE bytes.
pids_of_size() {
	q 'ty == "alloc" && v("size") + 0 == S && !failed() { p[v("pid")] = 1 }
	END { for (k in p) print k }' S="$1" | sort -n
}

# stacks SIZE [PID]: for each successful ALLOC of SIZE bytes, one line: the
# pid, then its full recorded stack as func@module, innermost first, resolved
# with addr2line (see stacks.py).
stacks() {
	python3 "$TOP/tests/e2e/mprec/stacks.py" "$CSV" "$@" ||
		fail "stacks.py failed"
}

# statv SCOPE PID KEY: a value of `mpdump --stats -f csv` (after valid_trace),
# e.g. statv process 1234 exit, statv kind "" alloc.
statv() {
	awk -F, -v s="$1" -v p="$2" -v k="$3" \
		'$1 == s && $2 == p && $3 == k { print $4 }' "$TMPDIR/stats.csv"
}

# stats_agree: `mpdump --stats` per process (allocations by function,
# frees) equals the counts of the ALLOC and FREE records in the CSV.
stats_agree() {
	q 'ty == "alloc" && !failed() { n[v("pid"), fn()]++; all[v("pid")]++ }
	   ty == "free" { fr[v("pid")]++ }
	   END {
		for (k in n) { split(k, x, SUBSEP); print x[1], x[2], n[k] }
		for (p in all) print p, "allocs", all[p]
		for (p in fr) print p, "frees", fr[p]
	   }' | sort >"$TMPDIR/agree.want"
	awk -F, '$1 == "process" && $3 !~ /^(ppid|start|path|execs|threads|modules|failed|exit|signal|end|core)$/ && $4 != 0 {
		print $2, $3, $4 }' "$TMPDIR/stats.csv" | sort >"$TMPDIR/agree.got"
	cmp -s "$TMPDIR/agree.want" "$TMPDIR/agree.got" || {
		diff "$TMPDIR/agree.want" "$TMPDIR/agree.got" | head -n 10
		fail "mpdump --stats disagrees with the records (< records, > stats)"
	}
}
