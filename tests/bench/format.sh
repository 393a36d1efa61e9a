#!/bin/bash
# format.sh - the trace format benchmark: write and read a realistic stream
# of 10 M allocation/free events (tests/bench/bench_format.c) and print one
# table: compressed (and decoded) bytes per event, write rate (encode +
# compress at the default zstd level) and read rates (decompress + decode):
# record by record (mpt_reader_next, one core), in batches
# (mpt_reader_next_batch, one core) and in batches with decompression on a
# second thread (mpt_reader_set_threads; wall time over two cores).
#
# usage: tests/bench/format.sh [EVENTS [LEVEL]]
# Environment: BUILD (build dir, default build); BENCH_FORMAT_TRACE=FILE
# also keeps the written trace in FILE (e.g. for zstd or perf experiments).
#
# Rates are given by wall time and by the thread's CPU time; on a busy
# machine the CPU column is the one-core figure.  Speed is measured here,
# never asserted: the exit status is 0 unless the benchmark cannot run.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
bench=$BUILD/tests/bench/bench_format

${MAKE:-make} -s -C "$top" BUILD="$BUILD" NO_DEPS=1 "$bench" >&2 || {
	echo "format.sh: cannot build $bench" >&2
	exit 1
}
"$bench" "${1:-10000000}" ${2:+"$2"}
