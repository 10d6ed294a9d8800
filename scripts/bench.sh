#!/usr/bin/env bash
# Builds and runs the benchmarks of benchmarks/ (JMH and the footprint harness). Never part of
# scripts/test.sh. Results go to benchmarks/results/<UTC time>-<mode>/ (git-ignored): the JMH JSON and
# text output of each run, the machine, and summary.md with every figure, its baseline and the ratio.
#
#   scripts/bench.sh [quick|full] [all|submit|overhead|footprint|profile|http|alloc|queue|drain|system]
#
# quick: 1 fork, 5 warm-up and 5 measured iterations of 1 s (about 10 minutes for "all").
# full:  3 forks, 5 warm-up and 10 measured iterations of 1 s, and the submit benchmark on Java 25 with
#        platform threads as well (about 35 minutes for "all").
# profile (never part of "all"): the runtime's batch throughput on virtual threads under JFR's CPU-time
#        sampler (Java 25), then the top frames, in profile-java25.txt.
# http, queue, drain (issue 8, items 3-5; "system" runs the three; none is part of "all"): small Spring
#        Boot applications from the same jar, each its own JVM. http starts HttpBenchApp on a free loopback
#        port and loads /plain, /background and /plain-body (an ablation) in turn with wrk (2 threads,
#        HTTP_CONNECTIONS, default 32), after a warm-up, then, in a fresh application, the same three at fixed
#        offered rates (HTTP_RATES, default "3000 6000" requests per second) with FixedRateLoad, an open-loop
#        Java load generator; queue runs QueueBench against scripts/dev-postgres.sh's database (started, and
#        stopped again, when it is not running) and pgbench (PGBENCH, default Debian's PostgreSQL 15 one);
#        drain runs DrainBench on Java 17 (platform threads) and Java 25 (virtual threads).
#        HTTP_ENDPOINTS (default "plain background plain-body") chooses the endpoints of both parts, e.g. with
#        /plain-staggered (the plain controller on a pool like the runtime's, whose idle threads retire at
#        staggered times); HTTP_WRK=false leaves out the wrk part.
# alloc (never part of "all" or "system"): the heap allocated per request by each endpoint of the http
#        application at HTTP_ALLOC_RATE (default 3000) requests per second, read from its GC log, and the
#        application's CPU time per request.
# JAVA17 (default: the java on the PATH) runs the platform-thread figures; JAVA25 (default: Temurin 25)
# the virtual-thread figures and the footprint. Extra JMH options can be given in JMH_EXTRA, e.g.
# JMH_EXTRA="-prof gc". HTTP_JAVA (default: JAVA17) and HTTP_JAVA_OPTS (default: -Xms512m -Xmx512m) choose
# the JVM and options of the http application, e.g. HTTP_JAVA_OPTS="-Xms512m -Xmx512m -XX:+UseZGC".
# QUEUE_JAVA_OPTS (default: -Xms512m -Xmx512m) are the options of QueueBench's JVM, which also take its
# knobs, e.g. QUEUE_JAVA_OPTS="-Xms512m -Xmx512m -Dbench.queue.vacuum-every=0" (see docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-quick}
what=${2:-all}
java17=${JAVA17:-java}
java25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
case "$mode" in
	quick) jmh=(-f 1 -wi 5 -i 5 -w 1s -r 1s); http_seconds=10; http_rounds=3; queue_seconds=15; drain_rounds=3 ;;
	full) jmh=(-f 3 -wi 5 -i 10 -w 1s -r 1s); http_seconds=20; http_rounds=5; queue_seconds=30; drain_rounds=7 ;;
	*) echo "Unknown mode '$mode': quick or full" >&2; exit 2 ;;
esac
case "$what" in
	all|submit|overhead|footprint|profile|http|alloc|queue|drain|system) ;;
	*) echo "Unknown benchmark '$what': all, submit, overhead, footprint, profile, http, alloc, queue, drain or system" >&2
		exit 2 ;;
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

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pids=()
stop_started() {
	local pid
	for pid in "${pids[@]}"; do
		kill "$pid" 2> /dev/null && wait "$pid" 2> /dev/null || true
	done
	pids=()
}
trap stop_started EXIT

if [[ "$what" == http || "$what" == system ]]; then
	if ! command -v wrk > /dev/null; then
		echo "wrk not found: apt-get install wrk (Debian's package)" >&2
		exit 1
	fi
	connections=${HTTP_CONNECTIONS:-32}
	port=$(free_port)
	http_java=${HTTP_JAVA:-$java17}
	read -r -a http_opts <<< "${HTTP_JAVA_OPTS:--Xms512m -Xmx512m}"
	start_http_app() {
		"$http_java" "${http_opts[@]}" -cp "$jar" dev.edgeruntime.benchmarks.http.HttpBenchApp \
			--server.address=127.0.0.1 --server.port="$port" --edge-runtime.max-in-flight=100000 \
			--spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration \
			>> "$out/http-app.log" 2>&1 &
		pids+=($!)
		for _ in $(seq 1 120); do
			curl -fs -o /dev/null "http://127.0.0.1:$port/plain" && break
			sleep 0.5
		done
	}
	read -r -a endpoints <<< "${HTTP_ENDPOINTS:-plain background plain-body}"
	run_wrk() { # endpoint seconds file
		wrk -t2 -c"$connections" -d"$2"s --timeout 10s --latency "http://127.0.0.1:$port/$1" > "$3"
		sleep 1 # the last requests' 500 ms of background work ends before the next run
	}
	if [[ "${HTTP_WRK:-true}" != false ]]; then
		echo "== http (wrk -t2 -c$connections, ${http_seconds}s per run, $http_rounds rounds, port $port; $http_java ${http_opts[*]})"
		start_http_app
		for endpoint in "${endpoints[@]}"; do
			run_wrk "$endpoint" 10 "$out/http-warmup-$endpoint.txt"
		done
		for round in $(seq 1 "$http_rounds"); do
			for endpoint in "${endpoints[@]}"; do
				run_wrk "$endpoint" "$http_seconds" "$out/http-$endpoint-$round.txt"
				grep -E 'Requests/sec|^ +(50|99)%' "$out/http-$endpoint-$round.txt" | tr -s ' \n' ' '
				echo " ($endpoint, round $round)"
			done
		done
		stop_started
	fi
	# The same endpoints at the same offered rates (HTTP_RATES, requests per second, lowest first), open
	# loop: wrk keeps every connection busy, so above the endpoints run at different rates and their
	# latencies are not comparable; FixedRateLoad measures each request from the moment it was meant to be
	# sent. A fresh application: after wrk's load, whatever ran about 60 s later stalled for 140-280 ms,
	# likely the thousands of idle pool threads reaching their keep-alive together (docs/benchmarks.md).
	# Each endpoint is warmed up at the first rate.
	read -r -a rates <<< "${HTTP_RATES:-3000 6000}"
	echo "== http at fixed rates (${rates[*]} req/s; $connections connections, ${http_seconds}s per run, $http_rounds rounds)"
	start_http_app
	run_rate() { # endpoint rate seconds warm-up-seconds file
		"$java17" -Xms256m -Xmx256m -XX:+UseSerialGC -cp "$jar" dev.edgeruntime.benchmarks.http.FixedRateLoad \
			127.0.0.1 "$port" "/$1" "$2" "$3" "$connections" "$4" > "$5" 2>&1
		sleep 1
	}
	for endpoint in "${endpoints[@]}"; do
		run_rate "$endpoint" "${rates[0]}" 5 5 "$out/rate-warmup-$endpoint.txt"
	done
	for rate in "${rates[@]}"; do
		for round in $(seq 1 "$http_rounds"); do
			for endpoint in "${endpoints[@]}"; do
				run_rate "$endpoint" "$rate" "$http_seconds" 3 "$out/rate-$rate-$endpoint-$round.txt"
				echo "$(tail -1 "$out/rate-$rate-$endpoint-$round.txt") ($endpoint, round $round)"
			done
		done
	done
	stop_started
fi
if [[ "$what" == alloc ]]; then
	# Heap allocated per request by each endpoint of the http benchmark, at one fixed rate (HTTP_ALLOC_RATE,
	# default 3000 req/s, below where the endpoints differ in latency): each endpoint for 2 x http_seconds
	# per round, between two full collections asked for with jcmd, read from the application's GC log by
	# scripts/gc-alloc.py; and the application's CPU time (user and system, /proc/<pid>/stat) per request
	# over the same window, less the forced collections.
	port=$(free_port)
	http_java=${HTTP_JAVA:-$java17}
	read -r -a http_opts <<< "${HTTP_JAVA_OPTS:--Xms512m -Xmx512m}"
	rate=${HTTP_ALLOC_RATE:-3000}
	seconds=$((2 * http_seconds))
	jcmd_bin="$(dirname "$(readlink -f "$(command -v "$http_java")")")/jcmd"
	echo "== alloc ($rate req/s, ${seconds}s per endpoint and round, $http_rounds rounds; $http_java ${http_opts[*]})"
	"$http_java" "${http_opts[@]}" -Xlog:gc:file="$out/alloc-gc.log":uptime -cp "$jar" \
		dev.edgeruntime.benchmarks.http.HttpBenchApp --server.address=127.0.0.1 --server.port="$port" \
		--edge-runtime.max-in-flight=100000 \
		--spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration \
		>> "$out/alloc-app.log" 2>&1 &
	app=$!
	pids+=("$app")
	for _ in $(seq 1 120); do
		curl -fs -o /dev/null "http://127.0.0.1:$port/plain" && break
		sleep 0.5
	done
	load() { # endpoint seconds warm-up-seconds file
		"$java17" -Xms256m -Xmx256m -XX:+UseSerialGC -cp "$jar" dev.edgeruntime.benchmarks.http.FixedRateLoad \
			127.0.0.1 "$port" "/$1" "$rate" "$2" 32 "$3" > "$4" 2>&1
	}
	for endpoint in plain background plain-body; do
		load "$endpoint" 5 5 "$out/alloc-warmup-$endpoint.txt"
	done
	: > "$out/alloc-windows.txt"
	for round in $(seq 1 "$http_rounds"); do
		for endpoint in plain background plain-body; do
			sleep 1 # the last requests' background work ends
			"$jcmd_bin" "$app" GC.run > /dev/null
			cpu_before=$(awk '{ print $14 + $15 }' "/proc/$app/stat")
			load "$endpoint" "$seconds" 0 "$out/alloc-$endpoint-$round.txt"
			sleep 1
			cpu_after=$(awk '{ print $14 + $15 }' "/proc/$app/stat")
			"$jcmd_bin" "$app" GC.run > /dev/null
			echo "$endpoint $round $(awk '/^requests/ { print $2 }' "$out/alloc-$endpoint-$round.txt" | tail -1)" \
				"$(( (cpu_after - cpu_before) * 1000 / $(getconf CLK_TCK) ))" >> "$out/alloc-windows.txt"
		done
	done
	stop_started
	python3 scripts/gc-alloc.py "$out/alloc-gc.log" "$out/alloc-windows.txt" | tee "$out/alloc.txt"
fi
if [[ "$what" == queue || "$what" == system ]]; then
	echo "== queue"
	started_postgres=false
	if ! scripts/dev-postgres.sh status > /dev/null 2>&1; then
		scripts/dev-postgres.sh start > /dev/null
		started_postgres=true
	fi
	queue_url="$(scripts/dev-postgres.sh url)"
	if [[ "${QUEUE_PGMQ:-bundled}" == extension ]]; then
		# the same server's database with the real pgmq extension, as the tests' pgmq-extension run uses
		# (the harness's schema set-up creates the extension there: schema=auto)
		psql -qAt "${queue_url#jdbc:}" -c "SELECT 1 FROM pg_database WHERE datname = 'edge_runtime_test_pgmq'" \
			| grep -q 1 || psql -q "${queue_url#jdbc:}" -c 'CREATE DATABASE edge_runtime_test_pgmq'
		queue_url="${queue_url/\/edge_runtime_test\?//edge_runtime_test_pgmq?}"
	fi
	# shellcheck disable=SC2086 # word splitting of the options is intended
	"$java17" ${QUEUE_JAVA_OPTS:--Xms512m -Xmx512m} -cp "$jar" dev.edgeruntime.benchmarks.queue.QueueBench \
		"$queue_url" "${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}" "$queue_seconds" \
		"$out/queue-pgbench" 2>&1 | grep --line-buffered -v '^[0-9:.]* WARN .*HikariPool' | tee "$out/queue.txt"
	if [[ "$started_postgres" == true ]]; then
		scripts/dev-postgres.sh stop > /dev/null
	fi
fi
if [[ "$what" == drain || "$what" == system ]]; then
	echo "== drain-java17-platform"
	"$java17" -Xms1g -Xmx1g -cp "$jar" dev.edgeruntime.benchmarks.drain.DrainBench 10000 5 "$drain_rounds" platform \
		| tee "$out/drain-java17-platform.txt"
	echo "== drain-java25-virtual"
	"$java25" -Xms1g -Xmx1g -cp "$jar" dev.edgeruntime.benchmarks.drain.DrainBench 10000 5 "$drain_rounds" virtual \
		| tee "$out/drain-java25-virtual.txt"
fi

if command -v python3 > /dev/null; then
	python3 scripts/bench-report.py "$out" > "$out/summary.md"
	echo
	cat "$out/summary.md"
else
	echo "python3 not found: no summary.md; the JMH results are in $out" >&2
fi
echo "Results: $out"
