#!/bin/bash
# recorder.sh - the recorder benchmark: each workload of tests/bench/workloads
# run uninstrumented, under mprec (default settings: full CFI stacks) and
# under heaptrack (when installed), in the same run; prints one table of the
# medians of REPS runs and the targets of the recorder's issue beside them.
#
# usage: tests/bench/recorder.sh [WORKLOAD...]
#   WORKLOAD: churn threads sqlite3 python3 (default: all)
# Environment: BUILD (build dir, default build), BIN (default $BUILD/bin),
#   BENCH_REPS (runs per cell, default 3; the median is reported).
#
# Columns: wall time and its ratio to the uninstrumented run; total CPU time
# (user + sys of every process of the run: app, mprec or heaptrack's
# interpreter and compressor, through getrusage of the children as GNU time
# reports it) and its ratio; the app's own peak RSS (its VmHWM, printed by
# the workload itself at its end, so a recorder process is not counted);
# trace bytes; events (ALLOC + FREE records of mprec's trace, from
# `mpdump --stats`; the same deterministic workload makes the same calls
# under heaptrack); bytes per event.
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
WL=$top/tests/bench/workloads
WLBIN=$BUILD/tests/bench/workloads

workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(churn threads sqlite3 python3)

die() {
	echo "recorder.sh: $*" >&2
	exit 2
}

[ -x "$BIN/mprec" ] || die "$BIN/mprec is not built (make BUILD=... all)"
[ -x "$BIN/mpdump" ] || die "$BIN/mpdump is not built"
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) is missing: apt-get install time"
if [ ! -x "$WLBIN/churn" ]; then
	make -C "$top" --no-print-directory BUILD="$BUILD" NO_DEPS=1 \
		bench-workloads >/dev/null || die "cannot build the workloads"
fi

# What it compares against: installed when missing (as root with apt-get).
install_if_missing() { # COMMAND PACKAGE
	command -v "$1" >/dev/null && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "# installing $2" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" \
			>/dev/null 2>&1
	fi
	command -v "$1" >/dev/null
}
have_heaptrack=0
install_if_missing heaptrack heaptrack && have_heaptrack=1
install_if_missing sqlite3 sqlite3 || die "sqlite3 is missing"
# The distribution's python (a pyenv shim would add a shell to every run).
PYTHON=/usr/bin/python3
[ -x $PYTHON ] || PYTHON=$(command -v python3) || die "python3 is missing"

work=$(mktemp -d "${TMPDIR:-/tmp}/mprec-bench.XXXXXX") || die "mktemp"
trap 'rm -rf "$work"' EXIT

# cmd_of WORKLOAD: sets cmd (the program and its arguments) and input (its
# standard input).
cmd_of() {
	input=/dev/null
	case $1 in
	churn) cmd=("$WLBIN/churn") ;;
	threads) cmd=("$WLBIN/churn" -t 4) ;;
	sqlite3) cmd=(sqlite3 "$work/bench.db"); input=$WL/sqlite3.sql ;;
	python3) cmd=("$PYTHON" "$WL/python3.py") ;;
	*) die "unknown workload '$1'" ;;
	esac
}

# measure WORKLOAD MODE: one run; prints "wall cpu rss_kb bytes events
# app_cpu" (app_cpu -1 when the workload does not report its own).
measure() {
	local w=$1 mode=$2 pre=() t0 t1 bytes=0 events=0 rss appcpu
	cmd_of "$w"
	rm -f "$work/bench.db" "$work/t.trace" "$work"/ht.*
	case $mode in
	none) ;;
	mprec) pre=("$BIN/mprec" -o "$work/t.trace") ;;
	heaptrack) pre=(heaptrack -o "$work/ht") ;;
	esac
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%U %S' -o "$work/time" "${pre[@]}" "${cmd[@]}" \
		<"$input" >"$work/out" 2>&1
	local rc=$?
	t1=$EPOCHREALTIME
	if [ $rc != 0 ]; then
		echo "recorder.sh: $w under $mode exited $rc:" >&2
		tail -n 5 "$work/out" >&2
		return 1
	fi
	rss=$(awk '$1 == "bench-peak-rss-kb" { v = $2 } $1 == "VmHWM:" { v = $2 }
		END { print v + 0 }' "$work/out")
	appcpu=$(awk 'BEGIN { v = -1 } $1 == "bench-app-cpu-s" { v = $2 }
		END { print v }' "$work/out")
	case $mode in
	mprec)
		bytes=$(stat -c %s "$work/t.trace")
		events=$(events_of "$work/t.trace")
		;;
	heaptrack)
		bytes=$(stat -c %s "$work"/ht.* 2>/dev/null | head -n 1)
		;;
	esac
	awk -v t0="$t0" -v t1="$t1" -v rss="$rss" -v b="${bytes:-0}" \
		-v e="$events" -v a="$appcpu" '{ printf "%.3f %.2f %.0f %.0f %.0f %.2f\n",
			t1 - t0, $(NF - 1) + $NF, rss, b, e, a }' "$work/time"
}


modes=(none mprec)
[ $have_heaptrack = 1 ] && modes+=(heaptrack)

echo "# recorder benchmark: median of $REPS runs, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
[ $have_heaptrack = 1 ] || echo "# heaptrack is not installed: its columns are empty"
printf '%-8s %-9s %7s %6s %7s %6s %7s %7s %7s %9s %9s %7s\n' \
	workload mode wall_s wall_x cpu_s cpu_x app_cpu rec_cpu rss_MB \
	trace_MB events B/event
declare -A res
failed=0
for w in "${workloads[@]}"; do
	# Interleave the modes within each repetition, so that a slow phase of
	# the machine hits all of them alike.
	for m in "${modes[@]}"; do : >"$work/$w.$m"; done
	for r in $(seq 1 "$REPS"); do
		for m in "${modes[@]}"; do
			measure "$w" "$m" >>"$work/$w.$m" || failed=1
		done
	done
	for m in "${modes[@]}"; do
		[ -s "$work/$w.$m" ] && res[$w.$m]=$(median <"$work/$w.$m")
	done
	# heaptrack's events: the same workload, counted in mprec's trace
	base=${res[$w.none]:-}
	ev=$(echo "${res[$w.mprec]:-0 0 0 0 0 -1}" | awk '{ print $5 }')
	for m in "${modes[@]}"; do
		[ -n "${res[$w.$m]:-}" ] || continue
		echo "${res[$w.$m]} $base $ev" | awk -v w="$w" -v m="$m" '{
			wall = $1; cpu = $2; rss = $3; bytes = $4; app = $6
			bw = $7; bc = $8; ev = $13
			ac = app < 0 ? "-" : sprintf("%.2f", app)
			rc = app < 0 ? "-" : sprintf("%.2f", cpu - app)
			if (m == "none")
				printf "%-8s %-9s %7.2f %6.2f %7.2f %6.2f %7s %7s %7.1f %9s %9s %7s\n",
					w, m, wall, 1, cpu, 1, ac, rc, rss / 1024, "-", "-", "-"
			else
				printf "%-8s %-9s %7.2f %6.2f %7.2f %6.2f %7s %7s %7.1f %9.1f %9.0f %7.2f\n",
					w, m, wall, wall / bw, cpu, cpu / bc, ac, rc, rss / 1024,
					bytes / 1048576, ev, ev ? bytes / ev : 0
		}'
	done
done

# Targets of the recorder's issue, next to the figures.
echo
echo "# targets (default settings): wall x over uninstrumented; total CPU"
echo "# under mprec <= half of heaptrack's (added cpu: the CPU added over the"
echo "# uninstrumented run, mprec's over heaptrack's, for information);"
echo "# bytes/event <= heaptrack's"
for w in "${workloads[@]}"; do
	case $w in churn) lim=3 ;; threads) lim=4 ;; *) lim=1.5 ;; esac
	n=${res[$w.none]:-} m=${res[$w.mprec]:-} h=${res[$w.heaptrack]:-}
	[ -n "$n" ] && [ -n "$m" ] || { echo "$w: no figures (a run failed)"; continue; }
	echo "$n $m ${h:-0 0 0 0 0 -1}" | awk -v w="$w" -v lim="$lim" '{
		wx = $7 / $1
		printf "%-8s wall %.2fx <= %sx %s", w, wx, lim, wx <= lim ? "PASS" : "MISS"
		if ($14 > 0) {
			cr = $8 / $14
			printf "   cpu mprec/heaptrack %.2f <= 0.5 %s", cr, cr <= 0.5 ? "PASS" : "MISS"
			# for information: the added CPU alone, mprec over heaptrack
			if ($14 > $2)
				printf " (added cpu %.2f)", ($8 - $2) / ($14 - $2)
			if ($11 > 0) {
				bm = $10 / $11; bh = $16 / $11
				printf "   B/event %.2f <= %.2f %s", bm, bh, bm <= bh ? "PASS" : "MISS"
			}
		} else
			printf "   (no heaptrack figures)"
		printf "\n"
	}'
done
exit $failed
