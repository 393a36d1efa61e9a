#!/bin/bash
# Make the malformed traces of testdata/bad/: every reader must reject each
# one with a clear error (exit 2 from the analyzers), never crash or hang.
#
# usage: tests/tools/make-bad.sh MPTGEN [DIR]
#
# MPTGEN is the built tests/tools/mptgen; DIR defaults to testdata/bad.
# Each file is small.  Frames after a valid prefix are handcrafted record
# bytes (FORMAT.md section 3) compressed by the zstd command; `rec` below
# takes the bytes as printf escapes.  testdata/README.md lists what each
# file breaks.

set -eu
gen=$(realpath "${1:?usage: make-bad.sh MPTGEN [DIR]}")
dir=${2:-$(dirname "$0")/../../testdata/bad}
mkdir -p "$dir"
cd "$dir"

# Compress standard input as one zstd frame.  Going through a file gives the
# frame its content size, so zstd picks a window no larger than the content
# (readers refuse windows above 1 MiB).
z() {
	cat >frame.tmp
	zstd -q -c "$@" frame.tmp
	rm -f frame.tmp
}

# A zstd frame holding the given bytes (printf escapes).
frame() { printf "$1" | z; }

# A valid start: the header and a process with a few allocations, one frame,
# no END and no index, so more frames can follow.  Its times end near 10us;
# handcrafted frames start at 1 s (dt 0x80 0x94 0xeb 0xdc 0x03).
prefix() { "$gen" --no-end --no-index 'process 7; alloc 3 size=64' ; }
T1='\x80\x94\xeb\xdc\x03'

# Header payload: dt, magic, major, minor, clock, wall, page size (4096),
# sample_bytes, host "", argc 0, nopts 0: 19 bytes.
hdr() {
	printf '\x01\x13\x00'
	printf '%b' "$1"
	printf "\\x$2"
	printf '\x00\x01\x00\x80\x20\x00\x00\x00\x00'
}

: >empty.trace

# Text, not zstd.
yes 'this is not a trace' | head -c 400 >garbage.trace

# Binary noise (deterministic).
for i in $(seq 1 32); do
	h=$(printf '%s' "$i" | sha256sum | cut -c1-32)
	for j in 0 2 4 6 8 10 12 14 16 18 20 22 24 26 28 30; do
		printf "\\x${h:$j:2}"
	done
done >noise.trace

# A zstd frame magic followed by noise.
{ printf '\x28\xb5\x2f\xfd'; head -c 300 noise.trace; } >zstd-noise.trace

# A valid zstd frame whose first record is a header with the wrong magic.
hdr 'MPTRACX\n' 01 | z >wrong-magic.trace

# A header of format major version 2.
hdr 'MPTRACE\n' 02 | z >newer-major.trace

# A first record that is not the header.
frame '\x21\x03\x00\x0c\x20' >no-header.trace

# A valid trace with one bit flipped in the middle of its compressed data.
"$gen" 'process 7; stacks 3; alloc 40 size=16-512; free 20' >flipped.tmp
size=$(stat -c %s flipped.tmp)
off=$((size / 2))
byte=$(od -An -tu1 -j "$off" -N1 flipped.tmp | tr -d ' ')
{
	head -c "$off" flipped.tmp
	printf "\\x$(printf %02x $((byte ^ 16)))"
	tail -c +$((off + 2)) flipped.tmp
} >flipped-bit.trace
rm -f flipped.tmp

# After a valid first frame: a FREE record whose length is 2^40.
{ prefix; frame '\x21\x80\x80\x80\x80\x80\x20'; } >absurd-length.trace

# After a valid first frame: a record length varint longer than 10 bytes.
{ prefix; frame '\x21\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01'; } >bad-varint.trace

# After a valid first frame: a frame that ends inside a record (length 9,
# five bytes of payload).
{ prefix; frame "\\x21\\x09$T1"; } >partial-record.trace

# After a valid first frame: a FREE whose payload has only the time.
{ prefix; frame '\x21\x01\x00'; } >short-payload.trace

# After a valid first frame: a thread name of 70000 bytes (limit 65536).
{
	prefix
	{
		printf '\x13\xf4\xa2\x04\x00\xf0\xa2\x04'
		head -c 70000 /dev/zero | tr '\0' a
	} | z
} >string-too-long.trace

# After a valid first frame: a stack of 2000 frames (limit 1024).
{
	prefix
	{
		printf '\x17\xd5\x0f\x00\x01\x00\xd0\x0f\x01'
		head -c 1999 /dev/zero
	} | z
} >stack-too-deep.trace

# After a valid first frame: a NUMA topology claiming 100000 nodes.
{ prefix; frame '\x43\x04\x00\xa0\x8d\x06'; } >array-too-long.trace

# After a valid first frame: a frame that decodes to 2.1 MB of THREAD_END
# records (a frame holds at most 1 MiB), with a 1 MiB window.
{
	prefix
	for i in $(seq 1 7); do
		yes "$(printf '\x14\x01')" | head -c 300000
	done | tr '\n' '\0' | z --zstd=wlog=20
} >huge-frame.trace
