# qa_bad_input: every analyzer (mpdump, mpleaks, mpstacks) meets the same
# bad input and odd options the same way: the documented exit status, one
# "<cmd>: ..." line on standard error, nothing half-written on standard
# output, and no sanitizer report (this case also runs on a SAN=1 build).
set -u
MPTGEN=$BUILD/tests/tools/mptgen
for f in "$BIN/mpdump" "$BIN/mpleaks" "$BIN/mpstacks" "$MPTGEN"; do
	[ -x "$f" ] || { echo "FAIL: missing $f"; exit 1; }
done
cd "$TMPDIR" || exit 1
failed=0
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }

# Process 4242 allocates 300 blocks and frees 100: 200 are live at the end.
spec='process 4242; stacks 5; alloc 300 size=16-4096; flush; free 100;
      leaks kind=definite; exit 0'
"$MPTGEN" -o good.trace "$spec" || exit 1
"$MPTGEN" -o cut.trace --no-end "$spec" || exit 1
# A process that never allocates: no leak group, no stack row.
"$MPTGEN" -o none.trace 'process 7; exit 0' || exit 1
: >empty
head -c 4096 /dev/urandom >garbage
mkdir adir

# run WANT CMD ARGS...: exit status WANT; an error's first stderr line
# names the command; stdout stays empty on exit 2; no sanitizer report.
run() {
	local want=$1 cmd=$2 rc
	shift 2
	"$BIN/$cmd" "$@" >out 2>err </dev/null
	rc=$?
	if grep -q 'runtime error\|Sanitizer' err; then
		bad "$cmd $*: sanitizer report: $(grep -m1 'runtime error\|Sanitizer' err)"
		return
	fi
	if [ "$rc" != "$want" ]; then
		bad "$cmd $*: exit $rc, expected $want: $(head -1 err)"
		return
	fi
	if [ "$want" != 0 ] && ! head -1 err | grep -q "^$cmd: [^ ]"; then
		bad "$cmd $*: first error line is '$(head -1 err)'"
	fi
	if [ "$want" = 2 ] && [ -s out ]; then
		bad "$cmd $*: printed on standard output before failing"
	fi
}

# The modules of mptgen's traces are not on this machine: the symbolizer
# says so once per module, which is not part of the error.
symnote='its frames are shown as module+offset'

# one_line CMD ARGS...: exactly one line on standard error (not usage)
one_line() {
	run "$@"
	[ "$(grep -vc "$symnote" err)" = 1 ] ||
		bad "$2 ${*:3}: $(wc -l <err) lines on standard error"
}

for cmd in mpdump mpleaks mpstacks; do
	one_line 2 $cmd nonexistent.trace
	one_line 2 $cmd adir
	one_line 2 $cmd empty
	one_line 2 $cmd garbage
	# The first trace is reported, then the second one fails.
	"$BIN/$cmd" good.trace nonexistent.trace >out 2>err
	[ $? = 2 ] && [ "$(grep -vc "$symnote" err)" = 1 ] ||
		bad "$cmd good.trace nonexistent.trace: $(cat err)"
	run 2 $cmd --no-such-option good.trace
	run 2 $cmd -f no-such-format good.trace
	run 2 $cmd --pid 0 good.trace
	run 2 $cmd --pid 99999999999999999999 good.trace
	run 2 $cmd -o
	one_line 1 $cmd -o /dev/full good.trace
	one_line 2 $cmd -o adir good.trace
	# -o naming one of the traces (or a link to it) would empty it.
	cp good.trace victim.trace
	ln -f victim.trace link.trace
	one_line 2 $cmd -o victim.trace victim.trace
	one_line 2 $cmd -o link.trace good.trace victim.trace
	cmp -s good.trace victim.trace || bad "$cmd -o victim.trace emptied it"
	# A process that is not in the trace is a finding, not silence.
	one_line 1 $cmd --pid 4243 good.trace
	grep -q "no process 4243" err || bad "$cmd --pid 4243: '$(cat err)'"
	run 0 $cmd --pid 4242 good.trace
	run 0 $cmd good.trace
	cp out file.out
	cat good.trace | "$BIN/$cmd" - >pipe.out 2>err ||
		bad "$cmd -: exit $?: $(head -1 err)"
	# The same, except for the name in '#' comments.
	cmp -s <(grep -v '^#' file.out) <(grep -v '^#' pipe.out) ||
		bad "$cmd: '-' and the file disagree"
	"$BIN/$cmd" <good.trace >stdin.out 2>err ||
		bad "$cmd <trace: exit $?: $(head -1 err)"
	cmp -s <(grep -v '^#' file.out) <(grep -v '^#' stdin.out) ||
		bad "$cmd: standard input and the file disagree"
	one_line 0 $cmd cut.trace
	grep -q "cut" err || bad "$cmd cut.trace: no word of the cut: $(cat err)"
	run 0 $cmd none.trace
	grep -v "$symnote" err >err2
	[ -s err2 ] && bad "$cmd none.trace: $(head -1 err2)"
	# A broken pipe ends the command quietly.
	"$BIN/$cmd" good.trace 2>err | head -c 1 >/dev/null
	grep -v "$symnote" err >err2
	[ -s err2 ] && bad "$cmd | head: $(head -1 err2)"
done
for cmd in mpleaks mpstacks; do
	run 0 $cmd --top 0 good.trace
	run 2 $cmd --top 99999999999999999999 good.trace
	run 2 $cmd -n -1 good.trace
	run 0 $cmd -f csv none.trace
	[ "$(wc -l <out)" = 1 ] || bad "$cmd -f csv none.trace: not just the header"
done
# A window that ends before it starts is a usage error.
run 2 mpdump --from 2 --to 1 good.trace
run 2 mpstacks --from 500ms --to 100ms good.trace
run 0 mpdump --from 1 --to 1 good.trace
# Each bad --min-age gets its own reason, not a word about markers.
run 2 mpleaks --min-age 99999999999999999999 good.trace
grep -q "min-age '99999999999999999999': too large" err ||
	bad "mpleaks --min-age huge: '$(head -1 err)'"
run 2 mpleaks --min-age 1e3 good.trace
grep -q "marker" err && bad "mpleaks --min-age 1e3: '$(head -1 err)'"
run 2 mpleaks --min-age mark:x good.trace
grep -q "a duration, not a marker" err ||
	bad "mpleaks --min-age mark:x: '$(head -1 err)'"
run 0 mpstacks --metric temporary -f csv none.trace
run 0 mpstacks --from 1000 good.trace
run 0 mpdump --from 1000 good.trace
run 0 mpdump --stats --from 1000 good.trace
run 0 mpleaks --all -f csv cut.trace

[ $failed = 0 ] || { echo "$failed failure(s)"; exit 1; }
echo ok
