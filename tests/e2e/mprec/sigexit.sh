# sigexit: a signal handler ends the process with _exit(7) while the
# program is busy in malloc and free (tests/apps/sigexit.c): mprec exits 7,
# the trace is complete, the leak scan ran, and the runtimes were not asked
# to free their memory from inside the handler (no LEAK_SCAN freeres flag).
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/sigexit"

rec -- "$APPS/sigexit"
expect_rc 7
valid_trace
dump
expect "one leak scan, done" \
	"$(q 'ty == "leak_scan" && v("status") + 0 == 0 { n++ } END { print n + 0 }')" 1
expect "no freeres from the handler" "$("$MPDUMP" "$T" | grep -c ' leak_scan .* freeres$')" 0
expect "PROCESS_END exit 7" \
	"$(q 'ty == "process_end" && v("code") + 0 == 7 { n++ } END { print n + 0 }')" 1
