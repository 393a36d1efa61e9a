#!/usr/bin/env python3
"""stacks.py - resolve the recorded stacks of chosen allocations with addr2line.

usage: stacks.py CSV SIZE [PID]

CSV is `mpdump -f csv` output of a trace.  For every successful ALLOC of SIZE
bytes (in PID, if given) prints one line:

    pid func@module func@module ...

the full recorded stack, innermost frame first, each return address resolved
independently of mptrace: the module holding it is found from the
MODULE_LOAD records of that process (load base, and PT_LOAD segments read
from the module's file with readelf), and `addr2line -f -i` on that
module's file names the function at (address - base - 1), the call
instruction (the outermost name when code was inlined there).  "??@?" is a frame no module
holds.  Integers are exact (Python), which awk cannot promise for 64-bit
addresses.
"""
import csv
import os
import re
import subprocess
import sys


def num(s):
    s = (s or "").strip().strip('"').lower()
    if not s:
        return 0
    return int(s, 16) if s.startswith("0x") else int(s)


# mpdump -f csv puts each type's fields in generic columns
# (time_ns,pid,tid,type,func,addr,size,stack,id,a,b,c,d,text,text2).
ALIAS = {
    "alloc": {"flags": "a", "align": "b", "old_addr": "c"},
    "process_start": {"ppid": "id", "kind": "a", "path": "text"},
    "module_load": {"module": "id", "base": "addr", "path": "text"},
    "module_unload": {"module": "id"},
    "stack": {"parent": "a", "frames": "text"},
}


def field(row, *names):
    ty = norm_type(row.get("type", ""))
    for n in names:
        n = ALIAS.get(ty, {}).get(n, n)
        if n in row and row[n] not in (None, ""):
            return row[n]
    return ""


def elf_segments(path, base):
    """PT_LOAD ranges of the file on disk, from readelf (independent of
    mptrace), as absolute (lo, hi) with the recorded load base."""
    try:
        out = subprocess.run(["readelf", "-lW", path], capture_output=True,
                             text=True).stdout
    except OSError:
        return []
    segs = []
    for line in out.splitlines():
        w = line.split()
        if len(w) >= 6 and w[0] == "LOAD":
            vaddr, memsz = int(w[2], 16), int(w[5], 16)
            segs.append((base + vaddr, base + vaddr + memsz))
    return segs


def norm_type(t):
    return t.strip().strip('"').lower().replace("-", "_").replace(" ", "_")


def split_list(s):
    return [x for x in re.split(r"[;| ]+", s.strip().strip('"')) if x]


def segments(s, base):
    """PT_LOAD segments as (lo, hi) absolute ranges."""
    out = []
    for seg in split_list(s):
        parts = [p for p in re.split(r"[/:,]", seg) if p]
        if len(parts) >= 2:
            lo = base + num(parts[0])
            out.append((lo, lo + num(parts[1])))
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: stacks.py CSV SIZE [PID]")
    path, size = sys.argv[1], int(sys.argv[2])
    want_pid = int(sys.argv[3]) if len(sys.argv) > 3 else None

    with open(path, newline="") as f:
        lines = (ln for ln in f if not ln.startswith("#"))
        reader = csv.reader(lines)
        header = [h.strip().lower() for h in next(reader)]
        stacks = {}     # id -> (parent, [frames])
        modules = {}    # pid -> list of (base, path, [(lo, hi)]) live now
        wanted = []     # (pid, full stack, modules snapshot)
        for cells in reader:
            row = dict(zip(header, cells))
            ty = norm_type(field(row, "type", "record"))
            pid = num(field(row, "pid"))
            if ty == "stack":
                fr = [num(x) for x in split_list(field(row, "frames", "frame"))]
                stacks[num(field(row, "id"))] = (num(field(row, "parent")), fr)
            elif ty == "process_start" and num(field(row, "kind")) == 3:
                modules[pid] = []       # exec: the old image is gone
            elif ty == "module_load":
                base = num(field(row, "base"))
                mpath = field(row, "path").strip('"')
                segs = segments(field(row, "segments", "seg", "segs"), base)
                if not segs and mpath:
                    segs = elf_segments(mpath, base)
                modules.setdefault(pid, []).append(
                    (num(field(row, "module")), base, mpath, segs))
            elif ty == "module_unload":
                mid = num(field(row, "module"))
                modules[pid] = [m for m in modules.get(pid, []) if m[0] != mid]
            elif ty == "alloc":
                if num(field(row, "size")) != size:
                    continue
                if num(field(row, "flags")) & 1 or num(field(row, "addr")) == 0:
                    continue
                if want_pid is not None and pid != want_pid:
                    continue
                full, sid, depth = [], num(field(row, "stack")), 0
                while sid and depth < 4096:
                    parent, fr = stacks.get(sid, (0, []))
                    full += fr
                    sid, depth = parent, depth + 1
                wanted.append((pid, full, list(modules.get(pid, []))))

    cache = {}
    for pid, full, mods in wanted:
        names = []
        for a in full:
            hit = None
            for (_, base, mpath, segs) in mods:
                if segs and any(lo <= a < hi for lo, hi in segs):
                    hit = (base, mpath)
                    break
            if hit is None:
                # no segments in the CSV: the highest base at or below a
                below = [(b, p) for (_, b, p, s) in mods if not s and b <= a]
                if below:
                    hit = max(below)
            if hit is None:
                names.append("??@?")
                continue
            base, mpath = hit
            key = (mpath, a - base - 1)
            if key not in cache:
                try:
                    # -i: with inlining, the last function named is the
                    # one whose code this is (the frame's own function)
                    out = subprocess.run(
                        ["addr2line", "-f", "-i", "-e", mpath,
                         "0x%x" % (a - base - 1)],
                        capture_output=True, text=True).stdout.split("\n")
                    funcs = out[0:len(out) - 1:2]
                    cache[key] = funcs[-1] if funcs and funcs[-1] else "??"
                except OSError:
                    cache[key] = "??"
            names.append("%s@%s" % (cache[key], os.path.basename(mpath)))
        print(pid, " ".join(names))


if __name__ == "__main__":
    main()
