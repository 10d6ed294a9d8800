#!/usr/bin/env bash
# Builds and runs the benchmarks of benchmarks/ (JMH and the footprint harness). Never part of
# scripts/test.sh. Results go to benchmarks/results/<UTC time>-<mode>/ (git-ignored): the JMH JSON and
# text output of each run, the machine, and summary.md with every figure, its baseline and the ratio.
#
#   scripts/bench.sh [quick|full] [all|submit|overhead|footprint|profile]
#
# quick: 1 fork, 5 warm-up and 5 measured iterations of 1 s (about 10 minutes for "all").
# full:  3 forks, 5 warm-up and 10 measured iterations of 1 s, and the submit benchmark on Java 25 with
#        platform threads as well (about 35 minutes for "all").
# profile (never part of "all"): the runtime's batch throughput on virtual threads under JFR's CPU-time
#        sampler (Java 25), then the top frames, in profile-java25.txt.
# JAVA17 (default: the java on the PATH) runs the platform-thread figures; JAVA25 (default: Temurin 25)
# the virtual-thread figures and the footprint. Extra JMH options can be given in JMH_EXTRA, e.g.
# JMH_EXTRA="-prof gc".
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-quick}
what=${2:-all}
java17=${JAVA17:-java}
java25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
case "$mode" in
	quick) jmh=(-f 1 -wi 5 -i 5 -w 1s -r 1s) ;;
	full) jmh=(-f 3 -wi 5 -i 10 -w 1s -r 1s) ;;
	*) echo "Unknown mode '$mode': quick or full" >&2; exit 2 ;;
esac
case "$what" in
	all|submit|overhead|footprint|profile) ;;
	*) echo "Unknown benchmark '$what': all, submit, overhead, footprint or profile" >&2; exit 2 ;;
esac
# shellcheck disable=SC2206
extra=(${JMH_EXTRA:-})

./mvnw -B -ntp -q -Pbenchmarks -pl benchmarks -am package -DskipTests
jar=benchmarks/target/benchmarks.jar
out=benchmarks/results/$(date -u +%Y%m%dT%H%M%SZ)-$mode
mkdir -p "$out"

{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "mode: $mode"
	echo "nproc: $(nproc)"
	echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
	echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
	echo "JAVA17: $("$java17" -version 2>&1 | head -2 | tail -1)"
	echo "JAVA25: $("$java25" -version 2>&1 | head -2 | tail -1)"
} > "$out/machine.txt"
cat "$out/machine.txt"

run_jmh() { # name java jmh-arguments...
	local name=$1 java=$2
	shift 2
	echo "== $name"
	"$java" -jar "$jar" "$@" "${jmh[@]}" "${extra[@]}" -rf json -rff "$out/$name.json" 2>&1 | tee "$out/$name.txt"
}

if [[ "$what" == all || "$what" == submit ]]; then
	prof=(-prof dev.edgeruntime.benchmarks.ProcessCpuProfiler -prof gc)
	run_jmh submit-java17-platform "$java17" 'SubmitBenchmark' -p threads=platform "${prof[@]}"
	run_jmh submit-java25-virtual "$java25" 'SubmitBenchmark' -p threads=virtual "${prof[@]}"
	if [[ "$mode" == full ]]; then
		run_jmh submit-java25-platform "$java25" 'SubmitBenchmark' -p threads=platform "${prof[@]}"
	fi
fi
if [[ "$what" == all || "$what" == overhead ]]; then
	run_jmh overhead-java17 "$java17" 'OverheadBenchmark' -prof gc
fi
if [[ "$what" == all || "$what" == footprint ]]; then
	echo "== footprint-java25"
	"$java25" -Xms2g -Xmx2g -cp "$jar" dev.edgeruntime.benchmarks.Footprint 10000 100000 \
		| tee "$out/footprint-java25.txt"
fi

if [[ "$what" == profile ]]; then
	echo "== profile-java25"
	"$java25" -jar "$jar" 'SubmitBenchmark.throughput' -p threads=virtual -p target=runtime "${jmh[@]}" \
		-jvmArgsAppend "-XX:StartFlightRecording=filename=$out/profile-java25.jfr,settings=profile,jdk.CPUTimeSample#enabled=true,jdk.CPUTimeSample#throttle=2ms" \
		| tee "$out/profile-java25-jmh.txt"
	PATH="$(dirname "$java25"):$PATH" python3 scripts/jfr-top.py "$out/profile-java25.jfr" jdk.CPUTimeSample 40 \
		| tee "$out/profile-java25.txt"
fi

if command -v python3 > /dev/null; then
	python3 scripts/bench-report.py "$out" > "$out/summary.md"
	echo
	cat "$out/summary.md"
else
	echo "python3 not found: no summary.md; the JMH results are in $out" >&2
fi
echo "Results: $out"
