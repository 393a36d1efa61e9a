# rqa_real: real programs nobody wrote for us, recorded end to end: a
# bash loop of pipes (forks and execs), sort of a big file, gcc -c (gcc
# runs cc1 and as), python3 with threads and with subprocess.run.  Each:
# mprec exits with the program's status, the trace is complete, nothing is
# lost, every process has a known end.
. "$TOP/tests/e2e/mprec/lib.bash"
. "$TOP/tests/e2e/mprec/rqa.bash"

command -v bash >/dev/null || skip "no bash"
real bash bash -c 'for i in 1 2 3; do echo $i | cat; done; exit 7'
# bash, and per iteration a subshell for echo and a fork+exec of cat
[ "$nprocs" -ge 4 ] || fail "bash loop: $nprocs processes, expected at least 4"
expect "cat processes" "$(awk -F, '$1 == "process" && $3 == "path" && $4 ~ /\/cat$/' "$TMPDIR/stats.csv" | wc -l)" 3

seq 1 200000 | awk '{ print ($1 * 7919) % 200003 }' >"$TMPDIR/big.txt"
real sort sort "$TMPDIR/big.txt"
expect "sort processes" "$nprocs" 1

if command -v gcc >/dev/null; then
	printf 'int f(int x) { return x * 2; }\n' >"$TMPDIR/f.c"
	real gcc gcc -c "$TMPDIR/f.c" -o "$TMPDIR/f.o"
	[ "$nprocs" -ge 3 ] || fail "gcc -c: $nprocs processes, expected gcc, cc1, as"
else
	echo "no gcc: gcc -c not checked" >&2
fi

if command -v python3 >/dev/null; then
	real pythreads python3 -c '
import threading
def w():
    l = [str(i) * 10 for i in range(2000)]
ts = [threading.Thread(target=w) for i in range(8)]
[t.start() for t in ts]
[t.join() for t in ts]
raise SystemExit(5)'
	real pysub python3 -c '
import subprocess
subprocess.run(["true"])
subprocess.run(["sh", "-c", "exit 3"])'
	expect "true processes" "$(awk -F, '$1 == "process" && $3 == "path" && $4 ~ /\/true$/' "$TMPDIR/stats.csv" | wc -l)" 1
else
	echo "no python3: python3 not checked" >&2
fi
exit 0
