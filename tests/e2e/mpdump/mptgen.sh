# The generator the tests rely on: deterministic for a seed, a spec file
# and operands give the same trace, every trace passes `zstd -t`, and a bad
# spec is refused with exit 2.
. "$TOP/tests/e2e/mpdump/lib.bash"

spec='process 3; stacks 10; alloc 200 size=16-4K stack=zipf; free 100'
"$MPTGEN" --seed 7 -o a.trace "$spec" || fail "mptgen a"
"$MPTGEN" --seed 7 -o b.trace "$spec" || fail "mptgen b"
"$MPTGEN" --seed 8 -o c.trace "$spec" || fail "mptgen c"
cmp -s a.trace b.trace || fail "the same seed gave different traces"
cmp -s a.trace c.trace && fail "different seeds gave the same trace"

# A spec file, with comments and one statement per line.
cat >spec.txt <<'SPEC'
# comment
process 3
stacks 10   # ten stacks
alloc 200 size=16-4K stack=zipf; free 100
SPEC
"$MPTGEN" --seed 7 -s spec.txt -o d.trace || fail "mptgen -s"
cmp -s a.trace d.trace || fail "spec file and operands differ"

for f in a.trace c.trace; do
	zstd -q -t "$f" || fail "zstd -t rejects $f"
done
"$MPTGEN" --every-kind -o e.trace || fail "mptgen --every-kind"
zstd -q -t e.trace || fail "zstd -t rejects the --every-kind trace"

# Sizes stay in their range; frees name live blocks.
"$MPDUMP" -f csv a.trace >a.csv || fail "mpdump a"
expect "sizes in range" \
	"$(awk -F, '$4 == "alloc" && ($7 < 16 || $7 > 4096)' a.csv | wc -l)" 0
expect "allocs" "$(rows a.csv alloc)" 200
expect "frees" "$(rows a.csv free)" 100

bad() {
	local rc=0
	"$MPTGEN" -o x.trace "$@" 2>err || rc=$?
	expect "mptgen $*: status" "$rc" 2
	expect "mptgen $*: stderr lines" "$(wc -l <err)" 1
}
bad 'bogus 1'
bad 'process 1; free 1'
bad 'alloc 1 size=x'
bad 'at 2s; alloc 1; at 1s'
bad 'mark "unterminated'
exit 0
