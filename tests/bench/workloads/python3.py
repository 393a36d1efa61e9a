# python3.py - the recorder benchmark's python3 workload: a dict-heavy loop
# (string keys, inserts, lookups, deletes, rebuilds, dicts of small dicts,
# and record-like dicts of 40-100 fields, whose key tables are big enough to
# come from malloc rather than from Python's small-object allocator).
# Deterministic; about 2-5 s uninstrumented on a small machine.  Prints
# "bench-peak-rss-kb N" (VmHWM) and "bench-app-cpu-s S" (its own user +
# system time) to standard error at the end.
import resource
import sys


def main(rounds):
    total = 0
    for r in range(rounds):
        d = {}
        for i in range(30000):
            k = "key-%d-%d" % (i % 7919, r)
            d[k] = d.get(k, 0) + i
        nested = {}
        for i in range(10000):
            nested[i] = {"id": i, "name": "n%d" % i, "tags": [i, i + 1]}
        for i in range(0, 10000, 3):
            del nested[i]
        records = []
        for i in range(1500):
            rec = {"f%d" % j: i * j for j in range(40 + i % 61)}
            rec.update(("g%d" % j, j) for j in range(i % 7))
            records.append(rec)
            if len(records) > 200:
                records.pop(0)
        merged = {k: v for k, v in d.items() if v % 3 != 0}
        merged.update(("x%d" % i, i) for i in range(5000))
        total += len(d) + len(nested) + len(merged) + len(records)
    return total


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 40))
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                print("bench-peak-rss-kb", line.split()[1], file=sys.stderr)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print("bench-app-cpu-s %.3f" % (ru.ru_utime + ru.ru_stime), file=sys.stderr)
