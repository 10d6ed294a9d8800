package dev.edgeruntime.benchmarks;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.runtime.CompositeTaskDecorator;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import dev.edgeruntime.runtime.MdcTaskDecorator;
import dev.edgeruntime.runtime.ServletTaskOriginResolver;
import dev.edgeruntime.runtime.TaskStorageArea;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.slf4j.MDC;

import org.springframework.util.FileSystemUtils;
import org.springframework.util.unit.DataSize;

/**
 * The runtime's own CPU cost per task, without any thread hand-off: the runtime is given an executor
 * that runs each task on the calling thread, so one {@code waitUntil(Runnable)} is the whole submit path
 * (admission, registry insert, decoration), the task's run wrapper and its completion (state, future,
 * registry, release). {@code inline} runs the same Runnable directly, for reference. This explains where
 * the difference in {@link SubmitBenchmark} goes; it is not a figure against a baseline.
 *
 * @author edge-runtime developers
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch" })
public class OverheadBenchmark {

	private DefaultEdgeRuntime runtime;

	private DefaultEdgeRuntime undecorated;

	private Path root;

	private final Runnable work = () -> {
	};

	private SecureRandom drbg;

	@Setup(Level.Trial)
	public void setUp() throws Exception {
		this.root = Files.createTempDirectory("edge-runtime-bench");
		this.drbg = SecureRandom.getInstance("DRBG");
		this.runtime = build(true);
		this.undecorated = build(false);
	}

	private DefaultEdgeRuntime build(boolean decorated) {
		DefaultEdgeRuntime runtime = DefaultEdgeRuntime.builder((event) -> {
		})
			.platformExecutor(Runnable::run)
			.decorator(decorated ? new CompositeTaskDecorator(List.of(new MdcTaskDecorator())) : (r) -> r)
			.originResolver(new ServletTaskOriginResolver(() -> MDC.get("traceId")))
			.storage(new TaskStorageArea(this.root, DataSize.ofMegabytes(512)))
			.budgets(Duration.ofSeconds(150), null, null)
			.maxInFlight(Targets.MAX_IN_FLIGHT)
			.retention(1000, Duration.ofMinutes(15))
			.memoryPressureThreshold(0.9)
			.build();
		runtime.start();
		return runtime;
	}

	@TearDown(Level.Trial)
	public void tearDown() throws Exception {
		this.runtime.close();
		this.undecorated.close();
		FileSystemUtils.deleteRecursively(this.root);
	}

	@Benchmark
	public void inline() {
		this.work.run();
	}

	@Benchmark
	public Object waitUntilInline() {
		return this.runtime.waitUntil(this.work);
	}

	@Benchmark
	public Object waitUntilInlineNoDecorator() {
		return this.undecorated.waitUntil(this.work);
	}

	/** The id the runtime gives each task today: {@code UUID.randomUUID()} (the JDK's shared SecureRandom). */
	@Benchmark
	public UUID uuid() {
		return UUID.randomUUID();
	}

	/**
	 * A candidate: a version-4 UUID from a DRBG {@link SecureRandom} owned by the caller (still
	 * unguessable; the runtime would need one per thread or a lock).
	 */
	@Benchmark
	public UUID uuidDrbg() {
		byte[] bytes = new byte[16];
		this.drbg.nextBytes(bytes);
		return version4(bytes);
	}

	/** For reference only: a version-4 UUID from ThreadLocalRandom, which is fast but guessable. */
	@Benchmark
	public UUID uuidThreadLocalRandom() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
				(random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L);
	}

	private static UUID version4(byte[] bytes) {
		bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40);
		bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80);
		ByteBuffer buffer = ByteBuffer.wrap(bytes);
		return new UUID(buffer.getLong(), buffer.getLong());
	}

}
