#!/usr/bin/env python3
"""Heap allocated and CPU time per request, from a GC log and the windows the load ran in.

    python3 scripts/gc-alloc.py gc.log windows.txt

The application runs with -Xlog:gc; every measured window starts and ends with a full collection asked
for by jcmd's GC.run ("Pause Full (Diagnostic Command)"), so the heap is known at both ends. What was
allocated in between is the sum, over the collections in the window, of the heap before each less the heap
after the one before it. windows.txt has one line per window, in order: endpoint, round, the number
of requests sent and, optionally, the application's CPU time in the window in milliseconds. Heap figures in the log are whole MiB, so a window should allocate a few hundred MiB.
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
    cpu_per_endpoint = collections.defaultdict(list)
    print("| endpoint | round | requests | allocated, MiB | collections | KiB per request | CPU µs per request |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for k, window in enumerate(windows):
        endpoint, round_, requests = window[:3]
        cpu_us = int(window[3]) * 1000 / int(requests) if len(window) > 3 else None
        start, end = markers[2 * k], markers[2 * k + 1]
        previous_after = pauses[start][2]
        allocated = 0
        for _, before, after in pauses[start + 1:end + 1]:
            allocated += before - previous_after
            previous_after = after
        kib = allocated * 1024 / int(requests)
        per_endpoint[endpoint].append(kib)
        if cpu_us is not None:
            cpu_per_endpoint[endpoint].append(cpu_us)
        print("| %s | %s | %s | %d | %d | %.1f | %s |" % (endpoint, round_, requests, allocated, end - start - 1, kib,
                                                       "-" if cpu_us is None else "%.0f" % cpu_us))
    print()
    print("| endpoint | KiB per request (median) | ratio to /plain | CPU µs per request (median) | ratio to /plain |")
    print("|---|---:|---:|---:|---:|")
    for endpoint in per_endpoint:
        kib, kib_ratio = median_and_ratio(per_endpoint, endpoint)
        cpu, cpu_ratio = median_and_ratio(cpu_per_endpoint, endpoint)
        print("| %s | %s | %s | %s | %s |" % (endpoint, kib, kib_ratio, cpu, cpu_ratio))


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def median_and_ratio(figures, endpoint):
    """The median of an endpoint's figures, one decimal, and its ratio to /plain's median."""
    if not figures.get(endpoint):
        return "-", "-"
    value = median(figures[endpoint])
    ratio = "%.2fx" % (value / median(figures["plain"])) if figures.get("plain") else "-"
    return "%.1f" % value, ratio


if __name__ == "__main__":
    main()
