#!/usr/bin/env python3
"""Summarises one scripts/bench.sh results directory as Markdown: each figure, its baseline, the ratio.

Latency benchmarks (JMH SampleTime) are compared on their median (p50); the error bar is the standard
deviation of the per-iteration medians. Average-time benchmarks use JMH's score and its 99.9% confidence
half-width. A ratio's error bar is propagated from the two relative errors (an approximation).
"""
import json
import math
import os
import re
import statistics
import sys


def hist_median(hist):
    total = sum(count for _, count in hist)
    if total == 0:
        return float("nan")
    half = total / 2
    seen = 0
    for value, count in sorted(hist):
        seen += count
        if seen >= half:
            return value
    return sorted(hist)[-1][0]


def figure(entry):
    """(value, error, note) in the benchmark's unit."""
    metric = entry["primaryMetric"]
    if entry["mode"] == "sample":
        medians = [hist_median(iteration) for fork in metric.get("rawDataHistogram", []) for iteration in fork]
        error = statistics.stdev(medians) if len(medians) > 1 else float("nan")
        p99 = metric["scorePercentiles"].get("99.0", float("nan"))
        return metric["scorePercentiles"]["50.0"], error, "p99 %.1f" % p99
    return metric["score"], metric.get("scoreError", float("nan")), ""


def fmt(value, error):
    if math.isnan(error):
        return "%.2f" % value
    return "%.2f ± %.2f" % (value, error)


def ratio(a, ea, b, eb):
    r = a / b
    err = r * math.sqrt((ea / a) ** 2 + (eb / b) ** 2) if not (math.isnan(ea) or math.isnan(eb)) else float("nan")
    return r, err


def secondary(entry, name):
    metric = entry.get("secondaryMetrics", {}).get(name)
    if not metric:
        return None
    return metric["score"], metric.get("scoreError", float("nan"))


def ratio_cell(a, b):
    if a is None or b is None:
        return "-"
    r, er = ratio(a[0], a[1], b[0], b[1])
    return fmt(r, er) + "x"


def submit_table(name, entries):
    rows = {}
    unit = ""
    for entry in entries:
        bench = entry["benchmark"].rsplit(".", 1)[1]
        params = entry.get("params", {})
        others = ", ".join("%s=%s" % (k, v) for k, v in sorted(params.items())
                           if k not in ("target", "threads") and (k, v) not in (("decorator", "mdc"), ("origin", "servlet")))
        threads = params.get("threads", "") + ((" (" + others + ")") if others else "")
        rows.setdefault((bench, threads), {})[params.get("target")] = entry
        unit = entry["primaryMetric"]["scoreUnit"]
    first = entries[0]
    print("### %s" % name)
    print()
    print("JDK %s (%s), %d fork(s) x %d iterations of %s after %d warm-up iterations; unit %s (per task)%s."
          % (first["jdkVersion"], first["vmName"], first["forks"], first["measurementIterations"],
             first["measurementTime"], first["warmupIterations"], unit,
             "; latency = median of the sampled times ± the standard deviation of the per-iteration medians"
             if any(e["mode"] == "sample" for e in entries) else ""))
    print()
    print("Wall-clock time per task:")
    print()
    print("| benchmark | threads | bare executor | runtime (waitUntil) | Spring @Async | runtime / bare | "
          "runtime / @Async | goal ≤ 1.5x bare |")
    print("|---|---|---:|---:|---:|---:|---:|:---:|")
    for (bench, threads), targets in sorted(rows.items()):
        figures = {t: figure(e) for t, e in targets.items()}

        def cell(target):
            if target not in figures:
                return "-"
            value, error, note = figures[target]
            return fmt(value, error) + ((" (%s)" % note) if note else "")
        pair = lambda t: (figures[t][0], figures[t][1]) if t in figures else None
        verdict = "-"
        if "runtime" in figures and "bare" in figures:
            verdict = "yes" if figures["runtime"][0] / figures["bare"][0] <= 1.5 else "**no**"
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (bench, threads, cell("bare"), cell("runtime"),
              cell("async"), ratio_cell(pair("runtime"), pair("bare")), ratio_cell(pair("runtime"), pair("async")),
              verdict))
    print()
    if any(secondary(e, "cpu.per.op") for e in entries):
        print("CPU time of the whole JVM per task (us; mean ± 99.9% CI) and heap allocated per task (bytes):")
        print()
        print("| benchmark | threads | CPU bare | CPU runtime | CPU @Async | CPU runtime / bare | "
              "alloc bare | alloc runtime | alloc @Async |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for (bench, threads), targets in sorted(rows.items()):
            cpu = {t: secondary(e, "cpu.per.op") for t, e in targets.items()}
            alloc = {t: secondary(e, "gc.alloc.rate.norm") for t, e in targets.items()}
            c = lambda t: fmt(*cpu[t]) if cpu.get(t) else "-"
            a = lambda t: ("%.0f" % alloc[t][0]) if alloc.get(t) else "-"
            print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (bench, threads, c("bare"), c("runtime"),
                  c("async"), ratio_cell(cpu.get("runtime"), cpu.get("bare")), a("bare"), a("runtime"), a("async")))
        print()


def overhead_table(name, entries):
    print("### %s" % name)
    print()
    print("JDK %s. Runtime CPU cost per task with an executor that runs the task on the caller (no hand-off)."
          % entries[0]["jdkVersion"])
    print()
    print("| benchmark | time per task | allocated per task |")
    print("|---|---:|---:|")
    for entry in entries:
        value, error, _ = figure(entry)
        alloc = entry.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        alloc_cell = ("%.0f B" % alloc["score"]) if alloc else "-"
        print("| %s | %s %s | %s |" % (entry["benchmark"].rsplit(".", 1)[1], fmt(value, error),
                                        entry["primaryMetric"]["scoreUnit"], alloc_cell))
    print()


def wrk_ms(text):
    """A wrk latency such as 7.44ms, 1.02s or 812.00us, in ms."""
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float("nan")


def wrk_figures(path):
    """(requests/s, p50 ms, p99 ms, non-2xx or socket errors) of one wrk --latency output."""
    rps, p50, p99, errors = float("nan"), float("nan"), float("nan"), 0
    for line in open(path):
        words = line.split()
        if line.startswith("Requests/sec:"):
            rps = float(words[1])
        elif words[:1] == ["50%"]:
            p50 = wrk_ms(words[1])
        elif words[:1] == ["99%"]:
            p99 = wrk_ms(words[1])
        elif line.strip().startswith("Non-2xx") or line.strip().startswith("Socket errors"):
            errors += sum(int(word.rstrip(",")) for word in words if word.rstrip(",").isdigit())
    return rps, p50, p99, errors


def http_table(directory, files):
    """The wrk runs of scripts/bench.sh http: each round, then the medians over the rounds and their ratios."""
    rounds = sorted({int(f.rsplit("-", 1)[1][:-4]) for f in files})
    print("### http (wrk, %s)" % ("rounds %d-%d" % (rounds[0], rounds[-1]) if rounds else "no rounds"))
    print()
    print("| round | plain req/s | @BackgroundTask req/s | plain p50 ms | @BackgroundTask p50 ms | "
          "plain p99 ms | @BackgroundTask p99 ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    figures = {"plain": [], "background": []}
    for r in rounds:
        row = {}
        for endpoint in figures:
            path = os.path.join(directory, "http-%s-%d.txt" % (endpoint, r))
            if os.path.exists(path):
                row[endpoint] = wrk_figures(path)
                figures[endpoint].append(row[endpoint])
        if len(row) == 2:
            print("| %d | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f |" % (r, row["plain"][0], row["background"][0],
                  row["plain"][1], row["background"][1], row["plain"][2], row["background"][2]))
    print()
    if not figures["plain"] or not figures["background"]:
        return
    print("Medians over the rounds; ratio = @BackgroundTask / plain (throughput: higher is better; latency: "
          "lower is better). Errors (non-2xx or socket): plain %d, @BackgroundTask %d." % (
              sum(f[3] for f in figures["plain"]), sum(f[3] for f in figures["background"])))
    print()
    print("| figure | plain controller (baseline) | @BackgroundTask | ratio |")
    print("|---|---:|---:|---:|")
    for index, name in ((0, "throughput, req/s"), (1, "p50 latency, ms"), (2, "p99 latency, ms")):
        base = statistics.median(f[index] for f in figures["plain"])
        value = statistics.median(f[index] for f in figures["background"])
        print("| %s | %.1f | %.1f | %.2fx |" % (name, base, value, value / base))
    print()
    ablation = []
    for r in rounds:
        path = os.path.join(directory, "http-plain-body-%d.txt" % r)
        if os.path.exists(path):
            ablation.append(wrk_figures(path))
    if ablation:
        print("Ablation: the plain controller answering the runtime's response (Location and a 4-field JSON "
              "body), medians over the rounds.")
        print()
        print("| figure | plain | plain with body | @BackgroundTask | plain with body / plain | "
              "@BackgroundTask / plain with body |")
        print("|---|---:|---:|---:|---:|---:|")
        for index, name in ((0, "throughput, req/s"), (1, "p50 latency, ms"), (2, "p99 latency, ms")):
            base = statistics.median(f[index] for f in figures["plain"])
            body = statistics.median(f[index] for f in ablation)
            value = statistics.median(f[index] for f in figures["background"])
            print("| %s | %.1f | %.1f | %.1f | %.2fx | %.2fx |" % (name, base, body, value, body / base,
                                                                   value / body))
        print()


def rate_figures(path):
    """FixedRateLoad's line: requests, errors, achieved rate, p50, p99, p99.9 (ms)."""
    text = open(path).read()
    m = re.search(r"requests (\d+) errors (\d+) rate ([\d.]+)/s p50 ([\d.NaN]+) p90 [\d.NaN]+ p99 ([\d.NaN]+) "
                  r"p99\.9 ([\d.NaN]+)", text)
    if not m:
        return None
    return (int(m.group(1)), int(m.group(2)), float(m.group(3)), float(m.group(4)), float(m.group(5)),
            float(m.group(6)))


def rate_table(directory, files):
    """The fixed-rate runs of scripts/bench.sh http (FixedRateLoad): the same offered rate for each endpoint."""
    runs = {}
    for f in files:
        _, rate, rest = f[:-4].split("-", 2)
        endpoint, round_ = rest.rsplit("-", 1)
        figures = rate_figures(os.path.join(directory, f))
        if figures:
            runs.setdefault(int(rate), {}).setdefault(endpoint, []).append((int(round_), figures))
    if not runs:
        return
    print("### http at a fixed rate (FixedRateLoad: open loop, latency from each request's intended send time)")
    print()
    print("Per round: p99 ms of plain / @BackgroundTask / plain with body. Then medians over the rounds; "
          "ratio = @BackgroundTask / plain.")
    print()
    print("| offered req/s | rounds: p99 plain / background / plain-body, ms | p50 plain, ms | p50 @BackgroundTask, ms "
          "| p50 ratio | p99 plain, ms | p99 @BackgroundTask, ms | p99 ratio | p99 plain with body, ms | p99.9 ratio "
          "| errors |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for rate in sorted(runs):
        by = runs[rate]
        if "plain" not in by or "background" not in by:
            continue
        rounds = sorted({r for e in by.values() for r, _ in e})
        per_round = []
        for r in rounds:
            values = []
            for endpoint in ("plain", "background", "plain-body"):
                found = [f for rr, f in by.get(endpoint, []) if rr == r]
                values.append("%.1f" % found[0][4] if found else "-")
            per_round.append(" / ".join(values))
        med = lambda endpoint, i: statistics.median(f[i] for _, f in by[endpoint])
        body = ("%.1f" % med("plain-body", 4)) if "plain-body" in by else "-"
        errors = sum(f[1] for e in by.values() for _, f in e)
        print("| %d | %s | %.2f | %.2f | %.2fx | %.1f | %.1f | %.2fx | %s | %.2fx | %d |" % (
            rate, "; ".join(per_round), med("plain", 3), med("background", 3), med("background", 3) / med("plain", 3),
            med("plain", 4), med("background", 4), med("background", 4) / med("plain", 4), body,
            med("background", 5) / med("plain", 5), errors))
    print()
    others = sorted({e for by in runs.values() for e in by} - {"plain", "background", "plain-body"})
    if others:
        # ablations chosen with HTTP_ENDPOINTS, e.g. plain-staggered: each against the plain controller
        print("Other endpoints (HTTP_ENDPOINTS), against the plain controller in the same rounds: per-round p99, "
              "then medians.")
        print()
        print("| offered req/s | endpoint | rounds: p99, ms | p50, ms | p99, ms | p99 ratio to plain | p99.9 ratio "
              "to plain |")
        print("|---:|---|---|---:|---:|---:|---:|")
        for rate in sorted(runs):
            by = runs[rate]
            if "plain" not in by:
                continue
            med = lambda endpoint, i: statistics.median(f[i] for _, f in by[endpoint])
            for endpoint in others:
                if endpoint not in by:
                    continue
                per_round = ["%.1f" % f[4] for _, f in sorted(by[endpoint])]
                print("| %d | %s | %s | %.2f | %.1f | %.2fx | %.2fx |" % (rate, endpoint, " / ".join(per_round),
                      med(endpoint, 3), med(endpoint, 4), med(endpoint, 4) / med("plain", 4),
                      med(endpoint, 5) / med("plain", 5)))
        print()


def main(directory):
    print("## Results of %s" % os.path.basename(os.path.normpath(directory)))
    print()
    machine = os.path.join(directory, "machine.txt")
    if os.path.exists(machine):
        print("```")
        print(open(machine).read().strip())
        print("```")
        print()
    http = [f for f in os.listdir(directory) if f.startswith("http-") and f.endswith(".txt")
            and "warmup" not in f and f.rsplit("-", 1)[1][:-4].isdigit()]
    if http:
        http_table(directory, http)
    rate = [f for f in os.listdir(directory) if f.startswith("rate-") and f.endswith(".txt")
            and f.split("-")[1].isdigit()]
    if rate:
        rate_table(directory, rate)
    for file in sorted(os.listdir(directory)):
        path = os.path.join(directory, file)
        if file.endswith(".json"):
            try:
                entries = json.load(open(path))
            except ValueError:
                print("(%s: not valid JSON; the run did not finish)\n" % file)
                continue
            if not entries:
                continue
            if file.startswith("submit"):
                submit_table(file[:-5], entries)
            else:
                overhead_table(file[:-5], entries)
        elif (file.startswith("queue") or file.startswith("drain")) and file.endswith(".txt"):
            print("### %s" % file[:-4])
            print()
            in_table = False
            for line in open(path):
                if line.startswith("|") or line.startswith("Throughput") or line.startswith("Pickup") \
                        or line.startswith("Drain") or line.startswith("With a producer") \
                        or line.startswith("WARNING") or " per message handled" in line:
                    if in_table and not line.startswith("|"):
                        print()  # a table ends at a blank line
                    print(line.rstrip())
                    in_table = line.startswith("|")
                    if not in_table:
                        print()
            print()
        elif file.startswith("footprint") and file.endswith(".txt"):
            print("### %s" % file[:-4])
            print()
            for line in open(path):
                if line.startswith("|") or line.startswith("Java"):
                    print(line.rstrip())
            print()


if __name__ == "__main__":
    main(sys.argv[1])
