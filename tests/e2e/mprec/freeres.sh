# freeres: before the leak scan, a process has glibc free its own state
# (LEAK_SCAN flag "freeres") only when it has a single thread and was
# forked, if at all, from processes that had one (tests/apps/forkthreads.c);
# mprec --no-freeres turns it off.  Each process's own block is still
# found, whichever way.
. "$TOP/tests/e2e/mprec/lib.bash"
need "$APPS/forkthreads"

# "SIZE FLAG" per process: its block's size and the LEAK_SCAN flag (or -).
scans() {
	"$MPDUMP" "$T" | awk '
	$4 == "alloc" && / size=400[123] / { for (i = 5; i <= NF; i++)
		if ($i ~ /^size=/) sz[$2] = substr($i, 6) }
	$4 == "leak_scan" { fl[$2] = $NF == "freeres" ? "freeres" : "-" }
	END { for (p in fl) print sz[p], fl[p] }' | sort | tr '\n' ' '
}

rec -- "$APPS/forkthreads"
expect_rc 0
valid_trace
expect "single-threaded" "$(scans)" "4001 freeres 4002 freeres 4003 freeres "

rec -- "$APPS/forkthreads" thread
expect_rc 0
valid_trace
expect "a second thread in the parent" "$(scans)" "4001 - 4002 - 4003 - "

rec --no-freeres -- "$APPS/forkthreads"
expect_rc 0
valid_trace
expect "--no-freeres" "$(scans)" "4001 - 4002 - 4003 - "
