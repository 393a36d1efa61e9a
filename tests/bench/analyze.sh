#!/bin/bash
# analyze.sh - the analysis benchmark: mpleaks and mpstacks on mprec's trace
# of a workload, side by side with heaptrack_print on heaptrack's trace of
# the same workload; prints one table of the medians of REPS runs and the
# targets of the analyzers' issue beside them.
#
# usage: tests/bench/analyze.sh [WORKLOAD...]
#   WORKLOAD: churn sqlite3 (default: both)
# Environment: BUILD (build dir, default build), BIN (default $BUILD/bin),
#   BENCH_REPS (runs per cell, default 3; the median is reported; a
#   trace of under 5 M events, whose runs take tens of milliseconds and
#   move with the machine's every hiccup, gets at least 15, rounded up to
#   a multiple of the number of tools),
#   ANALYZE_LONG (default 1: also record churn with 10x the pairs and the
#   same live set, to show memory does not grow with the trace; 0: skip).
#
# Rows: a trace and a command on it.
#   mpleaks         mpleaks TRACE (leak report, text)
#   mpstacks        mpstacks -f folded --metric allocations TRACE
#   *-cold          the same with --no-cache: symbols resolved from the
#                   binaries and debug files on every run (the plain rows
#                   use the symbol cache, which an untimed run of each
#                   fills first; it lives in the benchmark's temporary
#                   directory)
#   *-nosym         the same with --no-symbols: the replay alone, as
#                   heaptrack_print reads names resolved at recording time
#   ht_print-leaks  heaptrack_print -p 0 -a 0 -T 0 -l 1 (leaks only)
#   ht_print-folded heaptrack_print -p 0 -a 0 -T 0 -F FILE (folded stacks,
#                   allocations)
# Columns: events in the trace (ALLOC + FREE records of mprec's trace, from
# `mpdump --stats`; heaptrack's trace is of the same deterministic
# workload), wall time, events per second of wall time, CPU time (user +
# sys, all threads), peak RSS (GNU time's maximum resident set size), and
# for our commands the wall-time speed-up and the RSS ratio against
# heaptrack_print doing the same job.
#
# Speed is measured here, never asserted in tests: the exit status is 0
# unless a run fails; a MISS is reported, not fatal.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
BIN=${BIN:-$BUILD/bin}
. "$top/tests/bench/lib.bash"
REPS=${BENCH_REPS:-3}
LONG=${ANALYZE_LONG:-1}
WL=$top/tests/bench/workloads
WLBIN=$BUILD/tests/bench/workloads

workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(churn sqlite3)

die() {
	echo "analyze.sh: $*" >&2
	exit 2
}

for c in mprec mpdump mpleaks mpstacks; do
	[ -x "$BIN/$c" ] || die "$BIN/$c is not built (make BUILD=... all)"
done
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) is missing: apt-get install time"
if [ ! -x "$WLBIN/churn" ]; then
	make -C "$top" --no-print-directory BUILD="$BUILD" NO_DEPS=1 \
		bench-workloads >/dev/null || die "cannot build the workloads"
fi
have_heaptrack=1
command -v heaptrack >/dev/null && command -v heaptrack_print >/dev/null ||
	have_heaptrack=0
command -v sqlite3 >/dev/null || die "sqlite3 is missing"

work=$(mktemp -d "${TMPDIR:-/tmp}/mpanalyze-bench.XXXXXX") || die "mktemp"
trap 'rm -rf "$work"' EXIT
export MPTRACE_CACHE_DIR=$work/cache
unset MPTRACE_NO_CACHE

# record WORKLOAD NAME [ARGS]: $work/NAME.trace (mprec) and $work/NAME.ht.*
# (heaptrack, unless NAME ends in 10x).
record() {
	local w=$1 name=$2 cmd input=/dev/null
	shift 2
	case $w in
	churn) cmd=("$WLBIN/churn" "$@") ;;
	sqlite3) cmd=(sqlite3 "$work/bench.db"); input=$WL/sqlite3.sql ;;
	*) die "unknown workload '$w'" ;;
	esac
	rm -f "$work/bench.db"
	"$BIN/mprec" -o "$work/$name.trace" "${cmd[@]}" <"$input" \
		>"$work/rec.out" 2>&1 ||
		{ tail -n 5 "$work/rec.out" >&2; die "mprec $w failed"; }
	if [ $have_heaptrack = 1 ] && [ "${name%10x}" = "$name" ]; then
		rm -f "$work/bench.db"
		heaptrack -o "$work/$name.ht" "${cmd[@]}" <"$input" \
			>"$work/rec.out" 2>&1 ||
			{ tail -n 5 "$work/rec.out" >&2; die "heaptrack $w failed"; }
	fi
}

# run TOOL NAME: one run; prints "wall cpu rss_kb".
run() {
	local tool=$1 name=$2 t0 t1 cmd ht
	ht=$(ls "$work/$name".ht.* 2>/dev/null | head -n 1)
	case $tool in
	mpleaks) cmd=("$BIN/mpleaks" "$work/$name.trace") ;;
	mpstacks) cmd=("$BIN/mpstacks" -f folded --metric allocations "$work/$name.trace") ;;
	mpleaks-cold) cmd=("$BIN/mpleaks" --no-cache "$work/$name.trace") ;;
	mpstacks-cold) cmd=("$BIN/mpstacks" --no-cache -f folded --metric allocations "$work/$name.trace") ;;
	mpleaks-nosym) cmd=("$BIN/mpleaks" --no-symbols "$work/$name.trace") ;;
	mpstacks-nosym) cmd=("$BIN/mpstacks" --no-symbols -f folded --metric allocations "$work/$name.trace") ;;
	ht_print-leaks) cmd=(heaptrack_print -f "$ht" -p 0 -a 0 -T 0 -l 1) ;;
	ht_print-folded) cmd=(heaptrack_print -f "$ht" -p 0 -a 0 -T 0 -F "$work/ht.folded") ;;
	esac
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%U %S %M' -o "$work/time" "${cmd[@]}" >/dev/null 2>"$work/run.err" ||
		{ tail -n 3 "$work/run.err" >&2; return 1; }
	t1=$EPOCHREALTIME
	awk -v t0="$t0" -v t1="$t1" '{ printf "%.3f %.2f %d\n", t1 - t0, $1 + $2, $3 }' "$work/time"
}


names=()
for w in "${workloads[@]}"; do
	echo "# recording $w" >&2
	record "$w" "$w"
	names+=("$w")
done
if [ "$LONG" = 1 ]; then
	# churn keeps 256 blocks live whatever the number of pairs.
	echo "# recording churn with 10x the pairs" >&2
	record churn churn10x -n 100000000
	names+=(churn10x)
fi

tools=(mpleaks mpstacks mpleaks-cold mpstacks-cold mpleaks-nosym mpstacks-nosym)
[ $have_heaptrack = 1 ] && tools+=(ht_print-leaks ht_print-folded)

declare -A res ev nreps
failed=0
for n in "${names[@]}"; do
	ev[$n]=$(events_of "$work/$n.trace")
	for t in "${tools[@]}"; do : >"$work/$n.$t"; done
	# Interleave the tools within each repetition, so that a slow phase of
	# the machine hits all of them alike, and balance what runs right
	# before what: a run right after heaptrack_print, which has just given
	# back 55 MB, is often slower here (the memory comes back slowly on
	# this VM).  Repetition r runs the tools in row r of a Williams square:
	# over as many repetitions as there are tools, each tool runs right
	# after each other tool once.
	# One untimed run of each to fill the symbol cache first.
	run mpleaks "$n" >/dev/null && run mpstacks "$n" >/dev/null ||
		{ failed=1; echo "analyze.sh: a warm-up run on $n failed" >&2; }
	reps=$REPS
	if [ "${ev[$n]}" -lt 5000000 ] && [ "$reps" -lt 15 ]; then
		# whole squares: 15 runs or more, a multiple of the tools
		nt=${#tools[@]}
		reps=$(((15 + nt - 1) / nt * nt))
	fi
	nreps[$n]=$reps
	for r in $(seq 0 $((reps - 1))); do
		order=()
		nt=${#tools[@]}
		for ((k = 0; k < nt; k++)); do
			# 0, 1, n-1, 2, n-2, ... shifted by r
			if [ $k = 0 ]; then i=0
			elif [ $((k % 2)) = 1 ]; then i=$(((k + 1) / 2))
			else i=$((nt - k / 2)); fi
			order+=("${tools[$(((i + r) % nt))]}")
		done
		for t in "${order[@]}"; do
			case $t in ht_*) [ "${n%10x}" = "$n" ] || continue ;; esac
			run "$t" "$n" >>"$work/$n.$t" || { failed=1; echo "analyze.sh: $t on $n failed" >&2; }
		done
	done
	for t in "${tools[@]}"; do
		[ -s "$work/$n.$t" ] && res[$n.$t]=$(median <"$work/$n.$t")
	done
done

reps_of=
for n in "${names[@]}"; do reps_of="$reps_of $n ${nreps[$n]},"; done
reps_of=${reps_of%,}
echo "# analysis benchmark: medians of runs (${reps_of# }), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
[ $have_heaptrack = 1 ] || echo "# heaptrack is not installed: no heaptrack_print rows"
printf '%-9s %-16s %10s %8s %9s %7s %8s %8s %7s\n' \
	trace command events wall_s Mevents/s cpu_s rss_MB speedup rss_x
for n in "${names[@]}"; do
	for t in "${tools[@]}"; do
		[ -n "${res[$n.$t]:-}" ] || continue
		case $t in
		mpleaks*) ref=${res[$n.ht_print-leaks]:-} ;;
		mpstacks*) ref=${res[$n.ht_print-folded]:-} ;;
		*) ref= ;;
		esac
		echo "${res[$n.$t]} ${ref:-0 0 0}" | awk -v n="$n" -v t="$t" -v ev="${ev[$n]}" '{
			wall = $1; cpu = $2; rss = $3; rw = $4; rr = $6
			printf "%-9s %-16s %10d %8.2f %9.1f %7.2f %8.1f", n, t, ev,
				wall, (wall > 0 ? ev / wall / 1e6 : 0), cpu, rss / 1024
			if (rw > 0)
				printf " %7.2fx %6.2fx", rw / wall, rss / rr
			else
				printf " %8s %7s", "-", "-"
			printf "\n"
		}'
	done
done

echo
echo "# targets: >= 4x faster than heaptrack_print (wall), lower peak RSS;"
echo "# memory bounded by the live set (10x longer trace, same live set)"
for n in "${workloads[@]}"; do
	for p in "mpleaks ht_print-leaks" "mpstacks ht_print-folded" \
		"mpleaks-cold ht_print-leaks" "mpstacks-cold ht_print-folded" \
		"mpleaks-nosym ht_print-leaks" "mpstacks-nosym ht_print-folded"; do
		set -- $p
		m=${res[$n.$1]:-} h=${res[$n.$2]:-}
		[ -n "$m" ] && [ -n "$h" ] || continue
		echo "$m $h" | awk -v n="$n" -v t="$1" '{
			sx = $4 / $1; rx = $3 / $6
			printf "%-8s %-14s speed-up %5.2fx >= 4x %-4s  rss %.1f MB < %.1f MB %s\n",
				n, t, sx, (sx >= 4 ? "PASS" : "MISS"), $3 / 1024, $6 / 1024,
				(rx < 1 ? "PASS" : "MISS")
		}'
	done
done
if [ "$LONG" = 1 ]; then
	for t in mpleaks mpstacks; do
		a=${res[churn.$t]:-} b=${res[churn10x.$t]:-}
		[ -n "$a" ] && [ -n "$b" ] || continue
		echo "$a $b" | awk -v t="$t" -v ea="${ev[churn]:-0}" -v eb="${ev[churn10x]}" '{
			r = $6 / $3
			printf "churn10x %-9s %.1fx the events, rss %.1f MB vs %.1f MB (%.2fx) %s\n",
				t, (ea ? eb / ea : 0), $6 / 1024, $3 / 1024, r, (r < 1.5 ? "PASS" : "MISS")
		}'
	done
fi
exit $failed
