#!/usr/bin/env python3
"""Top frames of a JFR recording's CPU samples: self and inclusive share, by method.

    python3 scripts/jfr-top.py recording.jfr [event] [count]

event defaults to jdk.CPUTimeSample (JDK 25, Linux) and falls back to jdk.ExecutionSample.
Lambda and hidden class suffixes are stripped, so a method counts once however many lambdas it has.
"""
import collections
import json
import subprocess
import sys


def frames_of(recording, event):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "512", "--events", event, recording], check=True,
                         capture_output=True, text=True).stdout
    for e in json.loads(out)["recording"]["events"]:
        stack = e["values"].get("stackTrace")
        if stack:
            yield [f["method"]["type"]["name"].split("/")[-1].split("$$Lambda")[0] + "." + f["method"]["name"]
                   for f in stack["frames"]]


def main():
    recording = sys.argv[1]
    event = sys.argv[2] if len(sys.argv) > 2 else "jdk.CPUTimeSample"
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    stacks = list(frames_of(recording, event))
    if not stacks and event == "jdk.CPUTimeSample":
        event = "jdk.ExecutionSample"
        stacks = list(frames_of(recording, event))
    own = collections.Counter()
    inclusive = collections.Counter()
    for names in stacks:
        own[names[0]] += 1
        for name in set(names):
            inclusive[name] += 1
    n = len(stacks) or 1
    print("%d %s samples" % (len(stacks), event))
    print("\nself:")
    for name, c in own.most_common(count):
        print("%5.1f%% %s" % (100.0 * c / n, name))
    print("\ninclusive:")
    for name, c in inclusive.most_common(count):
        print("%5.1f%% %s" % (100.0 * c / n, name))


if __name__ == "__main__":
    main()
