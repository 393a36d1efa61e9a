#!/bin/bash
# Make the seed corpus of the trace-reader fuzzer, testdata/fuzz/: small
# valid traces of several shapes (tests/fuzz/build.mk also seeds with
# testdata/bad/).
#
# usage: tests/tools/make-fuzz-corpus.sh MPTGEN [DIR]

set -eu
gen=$(realpath "${1:?usage: make-fuzz-corpus.sh MPTGEN [DIR]}")
dir=${2:-$(dirname "$0")/../../testdata/fuzz}
mkdir -p "$dir"
cd "$dir"

# Every record type, one frame, with the index.
"$gen" --every-kind -o every-kind.trace
# The same in frames of at most 512 decoded bytes.
"$gen" --every-kind --frame-max 512 -o every-kind-frames.trace
# Written to a pipe: no index.
"$gen" --every-kind --no-index | cat >no-index.trace
# Cut: no END record.
"$gen" --no-end 'process 5; stacks 3; alloc 20; free 10' -o no-end.trace
# Several processes and threads, times far apart, small frames.
"$gen" --frame-max 1K 'process 1; thread 2 name=t2; alloc 30 size=16-4K' \
	'at 2s; process 3 ppid=1 kind=fork; alloc 10; exit 0' \
	'use 1/2; at 3s; mark m; realloc 5; free all; exit 0' -o multi.trace
# Deep stacks with parents.
"$gen" 'stacks 4 depth=200; stack 9 frames=0x10,0x20,0x30 parent=4' \
	'process 2; alloc 5 stack=9' -o stacks.trace
# Header only.
"$gen" -o header-only.trace
