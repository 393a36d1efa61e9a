# killed: the app is SIGKILLed from outside (tests/apps/exits.c killme);
# mprec exits 137 and the trace holds every allocation made before the app
# said "ready", and a PROCESS_END with signal 9.
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/exits" "$MPREC"

mkfifo "$TMPDIR/ready" || fail "mkfifo"
exec 3<>"$TMPDIR/ready"
"$MPREC" -o "$T" "$APPS/exits" killme "$TMPDIR/ready" 2>"$TMPDIR/rec.err" &
mprec_pid=$!
line=
read -r -t 60 -u 3 line || true
case $line in
"ready "[0-9]*) app=${line#ready } ;;
*) kill -9 $mprec_pid 2>/dev/null; fail "the app never said ready (got '$line')" ;;
esac
kill -9 "$app" || fail "cannot kill the app, pid $app"
# Records in flight at the kill may be counted as lost; every allocation
# made before "ready" must still be there (checked below).
ALLOW_LOST=1
rc=0
wait $mprec_pid || rc=$?
expect_rc 137
valid_trace
dump
expect "malloc(71001) before ready" "$(n_alloc 71001 malloc)" 100
expect "free of the 71001 blocks" "$(n_free_of 71001 free)" 10
expect "PROCESS_END signal 9 of pid $app" \
	"$(q 'ty == "process_end" && v("pid") == P && v("kind") + 0 == 1 && v("code") + 0 == 9 { n++ } END { print n + 0 }' P=$app)" 1
