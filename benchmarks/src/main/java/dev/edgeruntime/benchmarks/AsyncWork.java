package dev.edgeruntime.benchmarks;

import java.util.concurrent.CompletableFuture;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * A bean whose methods run with Spring's {@code @Async}.
 *
 * @author edge-runtime developers
 */
public class AsyncWork {

	/**
	 * Runs the work on the application's task executor and returns at once.
	 * @param work the work
	 */
	@Async
	public void fire(Runnable work) {
		work.run();
	}

	/**
	 * Runs the work on the application's task executor.
	 * @param work the work
	 * @return completes when the work has run
	 */
	@Async
	public CompletableFuture<Void> call(Runnable work) {
		work.run();
		return CompletableFuture.completedFuture(null);
	}

	/**
	 * {@code @EnableAsync} with the executor Spring Boot defines by default, named as Boot names it.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class Config {

		@Bean(name = { "applicationTaskExecutor", "taskExecutor" })
		AsyncTaskExecutor applicationTaskExecutor(Environment environment) {
			if (Boolean.parseBoolean(environment.getProperty("bench.virtual"))) {
				// SimpleAsyncTaskExecutorBuilder with spring.threads.virtual.enabled=true
				SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("task-");
				executor.setVirtualThreads(true);
				return executor;
			}
			// ThreadPoolTaskExecutorBuilder with the defaults of spring.task.execution.pool.*
			ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
			executor.setCorePoolSize(8);
			executor.setMaxPoolSize(Integer.MAX_VALUE);
			executor.setQueueCapacity(Integer.MAX_VALUE);
			executor.setAllowCoreThreadTimeOut(true);
			executor.setKeepAliveSeconds(60);
			executor.setThreadNamePrefix("task-");
			return executor;
		}

		@Bean
		AsyncWork asyncWork() {
			return new AsyncWork();
		}

	}

}
