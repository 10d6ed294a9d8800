package dev.edgeruntime.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time of the whole benchmark JVM (every thread: caller, workers, carriers, GC, JIT, the runtime's
 * watchdog) per operation, as the secondary result {@code cpu.per.op}. Unlike the wall-clock score it
 * hardly moves when other processes compete for the cores, so on a shared machine it is the steadier
 * measure of what a task costs. Use it with {@code -prof dev.edgeruntime.benchmarks.ProcessCpuProfiler}.
 *
 * @author edge-runtime developers
 */
public class ProcessCpuProfiler implements InternalProfiler {

	private final com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory
		.getOperatingSystemMXBean();

	private long start;

	@Override
	public String getDescription() {
		return "Process CPU time per operation";
	}

	@Override
	public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
		this.start = this.os.getProcessCpuTime();
	}

	@Override
	public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
			IterationParams iterationParams, IterationResult result) {
		long cpu = this.os.getProcessCpuTime() - this.start;
		long ops = result.getMetadata().getAllOps();
		if (ops <= 0 || cpu < 0) {
			return List.of();
		}
		return List.of(new ScalarResult("cpu.per.op", cpu / 1000.0 / ops, "us/op", AggregationPolicy.AVG));
	}

}
