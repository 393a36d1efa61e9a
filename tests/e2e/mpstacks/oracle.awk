# From mpdump's records: per (pid, stack) allocations, bytes and temporaries
# by the definitions of mpstacks(1), computed independently.
$4 == "process_start" && $0 ~ /kind=exec/ {
	pid = $2
	for (k in owner) { split(k, a, SUBSEP); if (a[1] == pid) delete owner[k] }
	for (k in last) { split(k, a, SUBSEP); if (a[1] == pid) delete last[k] }
	next
}
$4 == "alloc" || $4 == "free" {
	pid = $2; tid = $3; addr = ""; old = ""; st = ""; size = 0
	for (i = 5; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == "addr") addr = kv[2]
		else if (kv[1] == "old_addr") old = kv[2]
		else if (kv[1] == "stack") st = kv[2]
		else if (kv[1] == "size") size = kv[2]
	}
	if ($4 == "free") { gone(pid, addr); next }
	if (old != "") gone(pid, old)
	if ($0 ~ / failed/ || addr == "0x0") next
	gone(pid, addr) # an address allocated twice: the first block ended
	owner[pid, addr] = tid; last[pid, tid] = addr; stk[pid, addr] = st
	n[pid " " st]++; b[pid " " st] += size
}
function gone(pid, addr,   t) {
	if (!((pid, addr) in owner)) return
	t = owner[pid, addr]
	if (last[pid, t] == addr) { tmp[pid " " stk[pid, addr]]++; last[pid, t] = "" }
	delete owner[pid, addr]
}
END {
	for (k in n) print "allocations", k, n[k]
	for (k in b) print "bytes", k, b[k]
	for (k in tmp) print "temporary", k, tmp[k]
}
