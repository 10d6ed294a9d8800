package dev.edgeruntime.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskOrigin;
import dev.edgeruntime.runtime.CompositeTaskDecorator;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import dev.edgeruntime.runtime.MdcTaskDecorator;
import dev.edgeruntime.runtime.MdcTaskLifecycleListener;
import dev.edgeruntime.runtime.PooledTaskThreadFactory;
import dev.edgeruntime.runtime.ServletTaskOriginResolver;
import dev.edgeruntime.runtime.StaggeredHandOffQueue;
import dev.edgeruntime.runtime.TaskStorageArea;
import dev.edgeruntime.runtime.VirtualTaskExecutor;
import org.slf4j.MDC;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.util.FileSystemUtils;
import org.springframework.util.unit.DataSize;

/**
 * The three things measured against each other, each built the way the application gets it.
 *
 * @author edge-runtime developers
 */
final class Targets {

	/** The runtime's max-in-flight in the benchmarks: above two batches, so a batch is never refused. */
	static final int MAX_IN_FLIGHT = 4 * SubmitBenchmark.BATCH;

	private Targets() {
	}

	/** Something that runs a {@link Runnable} in the background. */
	interface Target extends AutoCloseable {

		/** Hands the work over and returns at once. */
		void fire(Runnable work);

		/** Hands the work over and returns what the caller would wait on. */
		Future<?> submit(Runnable work);

		@Override
		void close();

	}

	static Target create(String target, boolean virtual, boolean mdc, boolean servletOrigin) {
		return switch (target) {
			case "bare" -> bare(virtual);
			case "runtime" -> new RuntimeTarget(virtual, MAX_IN_FLIGHT, 1000, mdc, servletOrigin);
			case "async" -> new AsyncTarget(virtual);
			default -> throw new IllegalArgumentException("Unknown target " + target);
		};
	}

	/** The executor EdgeRuntimeAutoConfiguration gives the runtime for platform threads. */
	static ThreadPoolExecutor platformExecutor() {
		return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new StaggeredHandOffQueue(),
				new CountingThreadFactory("edge-task-"));
	}

	/** The auto-configuration's thread factory, counting the threads it creates (reported at tear-down). */
	static final class CountingThreadFactory implements ThreadFactory {

		static final AtomicLong created = new AtomicLong();

		private final ThreadFactory delegate;

		CountingThreadFactory(String prefix) {
			this.delegate = new PooledTaskThreadFactory(prefix);
		}

		@Override
		public Thread newThread(Runnable runnable) {
			created.incrementAndGet();
			return this.delegate.newThread(runnable);
		}

	}

	/** The executor EdgeRuntimeAutoConfiguration gives the runtime for virtual threads. */
	static VirtualTaskExecutor virtualExecutor() {
		VirtualTaskExecutor executor = VirtualTaskExecutor.create("edge-task-");
		if (executor == null) {
			throw new IllegalStateException("Virtual threads need Java 21 or later; this is " + Runtime.version());
		}
		return executor;
	}

	/** The bare executor of the same kind and configuration as the runtime's. */
	static Target bare(boolean virtual) {
		if (virtual) {
			VirtualTaskExecutor executor = virtualExecutor();
			return new Target() {

				@Override
				public void fire(Runnable work) {
					executor.execute(work);
				}

				@Override
				public Future<?> submit(Runnable work) {
					// what an ExecutorService's submit does (Spring's VirtualThreadTaskExecutor's too)
					FutureTask<Object> future = new FutureTask<>(work, null);
					executor.execute(future);
					return future;
				}

				@Override
				public void close() {
				}

			};
		}
		ThreadPoolExecutor executor = platformExecutor();
		return new Target() {

			@Override
			public void fire(Runnable work) {
				executor.execute(work);
			}

			@Override
			public Future<?> submit(Runnable work) {
				return executor.submit(work);
			}

			@Override
			public void close() {
				executor.shutdownNow();
			}

		};
	}

	/**
	 * The runtime, built as EdgeRuntimeAutoConfiguration builds it with the default properties (except
	 * {@code max-in-flight} and retention, given here), in an application with SLF4J and Spring MVC on the
	 * class path and no Micrometer context propagation or Spring Security.
	 */
	static RuntimeTarget runtime(boolean virtual, int maxInFlight, int maxRetained) {
		return new RuntimeTarget(virtual, maxInFlight, maxRetained, true, true);
	}

	static final class RuntimeTarget implements Target {

		final DefaultEdgeRuntime runtime;

		private final Path root;

		/**
		 * The runtime; {@code mdc} and {@code servletOrigin} {@code false} leave out the MDC decorator and
		 * task-id listener, and the servlet origin resolver, to measure what they cost (with SLF4J and Spring
		 * MVC on the class path, the auto-configuration uses all three).
		 */
		RuntimeTarget(boolean virtual, int maxInFlight, int maxRetained, boolean mdc, boolean servletOrigin) {
			try {
				this.root = Files.createTempDirectory("edge-runtime-bench");
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			this.runtime = DefaultEdgeRuntime.builder((event) -> {
			})
				.platformExecutor(platformExecutor())
				.virtualExecutor(virtual ? virtualExecutor() : null)
				.closeExecutors(true)
				.decorator(new CompositeTaskDecorator(mdc ? List.of(new MdcTaskDecorator()) : List.of()))
				.originResolver(servletOrigin ? new ServletTaskOriginResolver(() -> MDC.get("traceId")) : TaskOrigin::none)
				.storage(new TaskStorageArea(this.root, DataSize.ofMegabytes(512)))
				.listeners(mdc ? List.of(new MdcTaskLifecycleListener()) : List.of())
				.budgets(Duration.ofSeconds(150), null, null)
				.beforeUnloadRatio(0.9)
				.maxExtension(Duration.ofSeconds(30))
				.checkInterval(Duration.ofMillis(50))
				.maxInFlight(maxInFlight)
				.retention(maxRetained, Duration.ofMinutes(15))
				.memoryPressureThreshold(0.9)
				.build();
			this.runtime.start();
		}

		@Override
		public void fire(Runnable work) {
			this.runtime.waitUntil(work);
		}

		@Override
		public Future<?> submit(Runnable work) {
			return this.runtime.waitUntil(work).result();
		}

		void fire(TaskOptions options, Runnable work) {
			this.runtime.waitUntil(options, work);
		}

		@Override
		public void close() {
			this.runtime.drain(Duration.ofSeconds(10));
			this.runtime.close();
			try {
				FileSystemUtils.deleteRecursively(this.root);
			}
			catch (IOException ex) {
				// a temporary directory; nothing to do
			}
		}

	}

	/**
	 * Spring's {@code @Async} on the executor Spring Boot's TaskExecutionAutoConfiguration defines by
	 * default: a ThreadPoolTaskExecutor (core 8, no maximum, unbounded queue, core threads time out after
	 * 60 s) for platform threads, a SimpleAsyncTaskExecutor with virtual threads when they are enabled.
	 */
	static final class AsyncTarget implements Target {

		private final AnnotationConfigApplicationContext context;

		private final AsyncWork work;

		AsyncTarget(boolean virtual) {
			this.context = new AnnotationConfigApplicationContext();
			this.context.getEnvironment().getSystemProperties().put("bench.virtual", Boolean.toString(virtual));
			this.context.register(AsyncWork.Config.class);
			this.context.refresh();
			this.work = this.context.getBean(AsyncWork.class);
			AsyncTaskExecutor executor = this.context.getBean(AsyncTaskExecutor.class);
			if (virtual != (executor instanceof org.springframework.core.task.SimpleAsyncTaskExecutor)) {
				throw new IllegalStateException("Unexpected executor " + executor);
			}
		}

		@Override
		public void fire(Runnable work) {
			this.work.fire(work);
		}

		@Override
		public Future<?> submit(Runnable work) {
			return this.work.call(work);
		}

		@Override
		public void close() {
			this.context.close();
		}

	}

}
