# -h and -V to stdout with exit 0; a bad option, a bad value or a format
# mpdump does not have: one line and a short usage on stderr, exit 2.
. "$TOP/tests/e2e/mpdump/lib.bash"

"$MPDUMP" -h >out 2>err || fail "-h failed"
grep -q '^usage: mpdump ' out || fail "-h: no usage line"
expect "-h stderr" "$(cat err)" ""
"$MPDUMP" --help >out2 || fail "--help failed"
cmp -s out out2 || fail "-h and --help differ"
"$MPDUMP" -V >out || fail "-V failed"
grep -q '^mpdump (mptrace) ' out || fail "-V: $(cat out)"

t=$TMPDIR/u.trace
"$MPTGEN" -o "$t" 'process 1; alloc 1' || fail "mptgen failed"

bad() { # expected-first-line args...
	local want=$1 rc=0
	shift
	"$MPDUMP" "$@" >out 2>err || rc=$?
	expect "$*: status" "$rc" 2
	expect "$*: stdout" "$(cat out)" ""
	expect "$*: first line" "$(head -1 err)" "$want"
	grep -q '^usage: mpdump ' err || fail "$*: no short usage"
	[ "$(wc -l <err)" -le 4 ] || fail "$*: usage too long: $(cat err)"
}
bad "mpdump: unknown option '--nope'" --nope "$t"
bad "mpdump: unknown option '-x'" -x "$t"
bad "mpdump: option '--pid' needs an argument" "$t" --pid
bad "mpdump: invalid --pid 'abc': not a number" --pid abc "$t"
bad "mpdump: invalid --pid '0': too small" --pid 0 "$t"
bad "mpdump: invalid --pid '1x': not a number" --pid 1x "$t"
bad "mpdump: invalid --format 'gnuplot': expected text, csv" -f gnuplot "$t"
bad "mpdump: invalid --from '2.5x': not a time (2.5, 100ms or mark:NAME)" --from 2.5x "$t"
bad "mpdump: invalid --to 'mark:': empty marker name" --to mark: "$t"
# Options of other commands are not mpdump's.
bad "mpdump: unknown option '--domain'" --domain heap "$t"
bad "mpdump: unknown option '-n'" -n 5 "$t"
exit 0
