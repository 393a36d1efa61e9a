# cache: the persistent symbol cache changes speed only.  On traces of
# ordinary programs (libc frames through libc6-dbg, C++ frames), mpleaks
# and mpstacks print byte for byte the same with the cache cold, warm,
# damaged, unwritable or turned off; it lives where MPTRACE_CACHE_DIR,
# XDG_CACHE_HOME or HOME say; no cache is read or written under
# MPTRACE_NO_CACHE or --no-symbols.

. "$TOP/tests/e2e/common.bash"
qa=$BUILD/tests/qa
need "$BIN/mprec" "$BIN/mpleaks" "$BIN/mpstacks" "$qa/libcalloc" "$qa/objgraph"
unset MPTRACE_CACHE_DIR MPTRACE_NO_CACHE XDG_CACHE_HOME
export HOME=$TMPDIR/home

for prog in libcalloc objgraph; do
	"$BIN/mprec" -o "$prog.trace" "$qa/$prog" >/dev/null 2>"$prog.err" ||
		{ cat "$prog.err"; fail "mprec $prog failed"; }
done

# run NAME: every report of both traces into NAME.out (stderr included)
run() {
	local t
	for t in libcalloc objgraph; do
		"$BIN/mpleaks" --all "$t.trace"
		"$BIN/mpstacks" -f folded --metric allocations "$t.trace"
		"$BIN/mpstacks" "$t.trace"
	done >"$1.out" 2>&1 || fail "$1: a command exited $?"
}

same() {
	cmp -s "$1.out" "$2.out" || {
		diff -u "$1.out" "$2.out" | head -20
		fail "$2 differs from $1"
	}
}

MPTRACE_NO_CACHE=1 run none
[ ! -e "$HOME" ] || fail "MPTRACE_NO_CACHE: something was written in HOME"
grep -q 'malloc' none.out || fail "no symbol in the reports"
grep -q '__libc_start_call_main (.*\.[ch]:[0-9]*)' none.out ||
	fail "no libc line in the reports"

export MPTRACE_CACHE_DIR=$TMPDIR/cache
run cold
same none cold
ls "$MPTRACE_CACHE_DIR"/* >/dev/null 2>&1 || fail "no cache file written"
libc_id=$(readelf -n /lib/x86_64-linux-gnu/libc.so.6 | sed -n 's/.*Build ID: *//p')
[ -f "$MPTRACE_CACHE_DIR/$libc_id" ] || fail "no cache file for libc ($libc_id)"
inodes() { stat -c '%n %i' "$MPTRACE_CACHE_DIR"/* | LC_ALL=C sort; }
inodes >cold.inodes
run warm
same none warm
# every answer came from the files: none was written anew
inodes >warm.inodes
cmp -s cold.inodes warm.inodes || fail "the warm run rewrote cache files"

# damaged files: cut, garbage, empty; then written anew
for f in "$MPTRACE_CACHE_DIR"/*; do head -c 100 "$f" >x && mv x "$f"; done
run cut
same none cut
for f in "$MPTRACE_CACHE_DIR"/*; do head -c 3000 /dev/urandom >"$f"; done
run garbage
same none garbage
for f in "$MPTRACE_CACHE_DIR"/*; do : >"$f"; done
run empty
same none empty
[ -s "$MPTRACE_CACHE_DIR/$libc_id" ] || fail "the libc cache file was not rewritten"
run rewritten
same none rewritten

# a cache directory that cannot be made: no message, same output
: >"$TMPDIR/file"
MPTRACE_CACHE_DIR=$TMPDIR/file/cache run unwritable
same none unwritable

# --no-cache (where the commands have it) reads and writes no cache
if "$BIN/mpleaks" --help | grep -q -- --no-cache; then
	for t in libcalloc objgraph; do
		c=$TMPDIR/nocache
		MPTRACE_CACHE_DIR=$c "$BIN/mpleaks" --no-cache --all "$t.trace"
		MPTRACE_CACHE_DIR=$c "$BIN/mpstacks" --no-cache -f folded \
			--metric allocations "$t.trace"
		MPTRACE_CACHE_DIR=$c "$BIN/mpstacks" --no-cache "$t.trace"
	done >no_cache.out 2>&1 || fail "--no-cache: a command exited $?"
	same none no_cache
	[ ! -e "$TMPDIR/nocache" ] || fail "--no-cache wrote a cache"
fi

# --no-symbols reads and writes no cache
MPTRACE_CACHE_DIR=$TMPDIR/nosym "$BIN/mpleaks" --no-symbols libcalloc.trace >/dev/null ||
	fail "mpleaks --no-symbols failed"
[ ! -e "$TMPDIR/nosym" ] || fail "--no-symbols wrote a cache"

# where the cache lives without MPTRACE_CACHE_DIR
unset MPTRACE_CACHE_DIR
XDG_CACHE_HOME=$TMPDIR/xdg run xdg
same none xdg
[ -f "$TMPDIR/xdg/mptrace/$libc_id" ] || fail "no cache under XDG_CACHE_HOME"
run home
same none home
[ -f "$HOME/.cache/mptrace/$libc_id" ] || fail "no cache under HOME/.cache"
HOME=/proc/self run readonly_home
same none readonly_home
exit 0
