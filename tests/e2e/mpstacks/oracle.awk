# oracle.awk - mpstacks' metrics per (pid, stack) from mpdump's text,
# straight from their definitions in mpstacks(1), for qa_definitions.sh.
# Give it the dump twice: the first pass finds each process's peak, the
# second prints "METRIC PID STACK VALUE" lines.
#   allocations, bytes: each allocation at its stack;
#   temporary: an allocation freed before its thread allocated again;
#   peak: the bytes live at the first moment the process's live heap was
#     highest (a forked child starts with its parent's live blocks; exec
#     starts an empty heap, and the process's peak is that of either image);
#   leaked: the bytes live when the process ended (nothing of an image
#     replaced by exec).
# A realloc frees its old block first; an address allocated again while
# live ends the first block.
function gone(pid, addr,   t) {
	if (!((pid, addr) in sz))
		return
	t = owner[pid, addr]
	if (last[pid, t] == addr) {
		tmp[pid " " stk[pid, addr]]++
		last[pid, t] = ""
	}
	cur[pid] -= sz[pid, addr]
	live[pid " " stk[pid, addr]] -= sz[pid, addr]
	delete sz[pid, addr]
	delete owner[pid, addr]
}
function drop(pid,   k, a) {
	for (k in sz) {
		split(k, a, SUBSEP)
		if (a[1] == pid) {
			delete sz[k]
			delete owner[k]
		}
	}
	for (k in last) {
		split(k, a, SUBSEP)
		if (a[1] == pid)
			delete last[k]
	}
	for (k in live) {
		split(k, a, " ")
		if (a[1] == pid)
			delete live[k]
	}
	cur[pid] = 0
}
function moment(pid,   k, a) {
	if (pass == 1 && cur[pid] > max[pid]) {
		max[pid] = cur[pid]
		at[pid] = FNR
	}
	if (pass == 2 && at[pid] == FNR) {
		for (k in live) {
			split(k, a, " ")
			if (a[1] == pid)
				peak[k] = live[k]
		}
		for (k in peak) {
			split(k, a, " ")
			if (a[1] == pid && !((k) in live))
				delete peak[k]
		}
	}
}
FNR == 1 {
	pass++
	split("", sz); split("", owner); split("", last); split("", live)
	split("", cur); split("", n); split("", b); split("", tmp)
}
{ pid = $2; tid = $3 }
$4 == "process_start" {
	kind = ""; pp = ""
	for (i = 5; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == "kind") kind = kv[2]
		else if (kv[1] == "ppid") pp = kv[2]
	}
	if (kind == "exec") {
		drop(pid)
	} else if (kind == "fork" || kind == "vfork") {
		drop(pid)
		for (k in sz) {
			split(k, a, SUBSEP)
			if (a[1] != pp) continue
			sz[pid, a[2]] = sz[k]; stk[pid, a[2]] = stk[k]
			owner[pid, a[2]] = owner[k]
			cur[pid] += sz[k]; live[pid " " stk[k]] += sz[k]
		}
		moment(pid)
	}
	next
}
$4 == "alloc" || $4 == "free" {
	addr = ""; old = ""; st = ""; size = 0
	for (i = 5; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == "addr") addr = kv[2]
		else if (kv[1] == "old_addr") old = kv[2]
		else if (kv[1] == "stack") st = kv[2]
		else if (kv[1] == "size") size = kv[2]
	}
	if ($4 == "free") {
		gone(pid, addr)
		next
	}
	if (old != "")
		gone(pid, old)
	if ($0 ~ / failed/ || addr == "0x0")
		next
	gone(pid, addr)
	sz[pid, addr] = size; stk[pid, addr] = st; owner[pid, addr] = tid
	last[pid, tid] = addr
	cur[pid] += size; live[pid " " st] += size
	n[pid " " st]++; b[pid " " st] += size
	moment(pid)
}
END {
	for (k in n) print "allocations", k, n[k]
	for (k in b) print "bytes", k, b[k]
	for (k in tmp) print "temporary", k, tmp[k]
	for (k in peak) if (peak[k] > 0) print "peak", k, peak[k]
	for (k in live) if (live[k] > 0) print "leaked", k, live[k]
}
