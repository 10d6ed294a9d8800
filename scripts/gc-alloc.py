#!/usr/bin/env python3
"""Heap allocated per request, from a GC log and the windows the load ran in.

    python3 scripts/gc-alloc.py gc.log windows.txt

The application runs with -Xlog:gc; every measured window starts and ends with a full collection asked
for by jcmd's GC.run ("Pause Full (Diagnostic Command)"), so the heap is known at both ends. What was
allocated in between is the sum, over the collections in the window, of the heap before each less the heap
after the one before it. windows.txt has one line per window, in order: endpoint, round and the number
of requests sent. Heap figures in the log are whole MiB, so a window should allocate a few hundred MiB.
"""
import collections
import re
import sys

PAUSE = re.compile(r"GC\(\d+\) Pause (Young|Full|Remark|Cleanup)(.*?) (\d+)M->(\d+)M")


def main():
    log, windows_file = sys.argv[1], sys.argv[2]
    pauses = []  # (is_marker, before, after)
    for line in open(log):
        m = PAUSE.search(line)
        if m and m.group(1) in ("Young", "Full"):
            marker = m.group(1) == "Full" and "Diagnostic Command" in m.group(2)
            pauses.append((marker, int(m.group(3)), int(m.group(4))))
    markers = [i for i, p in enumerate(pauses) if p[0]]
    windows = [line.split() for line in open(windows_file) if line.strip()]
    if len(markers) != 2 * len(windows):
        sys.exit("expected %d forced collections in %s, found %d" % (2 * len(windows), log, len(markers)))
    per_endpoint = collections.defaultdict(list)
    print("| endpoint | round | requests | allocated, MiB | collections | KiB per request |")
    print("|---|---:|---:|---:|---:|---:|")
    for k, (endpoint, round_, requests) in enumerate(windows):
        start, end = markers[2 * k], markers[2 * k + 1]
        previous_after = pauses[start][2]
        allocated = 0
        for _, before, after in pauses[start + 1:end + 1]:
            allocated += before - previous_after
            previous_after = after
        kib = allocated * 1024 / int(requests)
        per_endpoint[endpoint].append(kib)
        print("| %s | %s | %s | %d | %d | %.1f |" % (endpoint, round_, requests, allocated, end - start - 1, kib))
    print()
    baseline = per_endpoint.get("plain")
    base = sorted(baseline)[len(baseline) // 2] if baseline else None
    print("| endpoint | KiB per request (median) | ratio to /plain |")
    print("|---|---:|---:|")
    for endpoint, values in per_endpoint.items():
        median = sorted(values)[len(values) // 2]
        print("| %s | %.1f | %s |" % (endpoint, median, ("%.2fx" % (median / base)) if base else "-"))


if __name__ == "__main__":
    main()
