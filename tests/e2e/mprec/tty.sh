# tty: mprec refuses to write a binary trace to a terminal, with one line,
# and does not run the program.
. "$TOP/tests/e2e/mprec/lib.bash"
need "$MPREC" "$APPS/exits"
python3 -c 'import pty' 2>/dev/null || skip "no python3 pty module"

# The app would leave a file behind if it ran: `exits killme FILE` writes
# "ready" into FILE (then waits to be killed).
python3 - "$MPREC" "$APPS/exits" "$TMPDIR/ran" >"$TMPDIR/res" <<'PY' || fail "pty helper failed"
import os, subprocess, sys
try:
    master, slave = os.openpty()
except OSError as e:
    print("nopty", e)
    sys.exit(0)
p = subprocess.Popen([sys.argv[1], sys.argv[2], "killme", sys.argv[3]],
                     stdin=subprocess.DEVNULL, stdout=slave,
                     stderr=subprocess.PIPE)
os.close(slave)
try:
    _, err = p.communicate(timeout=30)
except subprocess.TimeoutExpired:
    p.kill()
    print("hung")
    sys.exit(0)
os.set_blocking(master, False)
try:
    tty = os.read(master, 65536)
except OSError:
    tty = b""
print("rc", p.returncode)
print("errlines", len(err.decode(errors="replace").splitlines()))
print("err", err.decode(errors="replace").splitlines()[:1])
print("ttybytes", len(tty))
PY
grep -q '^nopty' "$TMPDIR/res" && skip "no pty: $(cat "$TMPDIR/res")"
grep -q '^hung' "$TMPDIR/res" && fail "mprec ran with a terminal as output (killed after 30 s)"
rc=$(awk '$1 == "rc" { print $2 }' "$TMPDIR/res")
[ "$rc" != 0 ] || fail "mprec exited 0 with a terminal as output"
expect "lines on standard error" "$(awk '$1 == "errlines" { print $2 }' "$TMPDIR/res")" 1 "$TMPDIR/res"
expect "bytes written to the terminal" "$(awk '$1 == "ttybytes" { print $2 }' "$TMPDIR/res")" 0 "$TMPDIR/res"
[ ! -e "$TMPDIR/ran" ] || fail "the program ran although the trace could not be written"
