package dev.edgeruntime.dashboard;

import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueConsumerStatus;
import dev.edgeruntime.queue.QueueInfo;
import dev.edgeruntime.queue.QueueMetrics;
import dev.edgeruntime.queue.QueueStatistics;
import dev.edgeruntime.queue.QueueVacuum;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application the browser tests run: form login with an operator ({@code ROLE_ADMIN}) and a viewer,
 * CSRF protection on, a resource that starts tasks which advance one step each time a test allows, and
 * the figures of two durable queues (without a database: their template answers with fixed figures, and
 * the dead letters of {@code emails} that a "Run again" sends back are a count the test sets).
 *
 * @author edge-runtime developers
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
@EnableWebSecurity
@Import({ DashboardTestApplication.Steps.class, DashboardTestApplication.JobController.class,
		DashboardTestApplication.DeadLetters.class })
class DashboardTestApplication {

	@Bean
	InMemoryUserDetailsManager users() {
		return new InMemoryUserDetailsManager(
				User.withUsername("operator").password("{noop}operator-password").roles("ADMIN").build(),
				User.withUsername("viewer").password("{noop}viewer-password").roles("USER").build());
	}

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http) {
		return http
			.authorizeHttpRequests((requests) -> requests.requestMatchers("/jobs/**")
				.permitAll()
				.anyRequest()
				.authenticated())
			.formLogin(Customizer.withDefaults())
			// the tests start tasks with a plain HTTP client; the dashboard keeps CSRF protection
			.csrf((csrf) -> csrf.ignoringRequestMatchers("/jobs/**"))
			.build();
	}

	@Bean
	QueueMetrics queueMetrics(DeadLetters deadLetters) {
		PgmqTemplate pgmq = new PgmqTemplate(new JdbcTemplate(), JsonMapper.builder().build(), 1024, Duration.ofHours(1),
				null) {

			@Override
			public List<QueueInfo> listQueues() {
				return List.of(new QueueInfo("emails", false, false, Instant.EPOCH),
						new QueueInfo("reports", false, false, Instant.EPOCH));
			}

			@Override
			public QueueStatistics statistics(String queue) {
				return queue.equals("emails")
						? new QueueStatistics(queue, 12, 9, 1, 42, 38, 1840, deadLetters.count.get(), Instant.now())
						: new QueueStatistics(queue, 0, 0, null, null, null, 31, 0, Instant.now());
			}

		};
		return new QueueMetrics(pgmq,
				() -> List.of(new QueueConsumerStatus("emails", "EmailListener.send", true, true, null, 2, 4)),
				Duration.ofSeconds(1),
				() -> Map.of("emails", QueueVacuum.Outcome.NOT_OWNER, "reports", QueueVacuum.Outcome.VACUUMED));
	}

	/**
	 * The dead letters of queue {@code emails}: a count that a requeue sets to 0, or a database that cannot
	 * be reached.
	 */
	static class DeadLetters implements DashboardDeadLetters {

		final AtomicLong count = new AtomicLong(3);

		final AtomicBoolean databaseDown = new AtomicBoolean();

		@Override
		public OptionalLong requeue(String queue) {
			if (this.databaseDown.get()) {
				throw new DatabaseUnavailableException("The database cannot be reached: Connection refused",
						new ConnectException("Connection refused"));
			}
			return queue.equals("emails") ? OptionalLong.of(this.count.getAndSet(0)) : OptionalLong.empty();
		}

	}

	/**
	 * Permits by key, so that a test advances its own task one step at a time.
	 */
	static class Steps {

		private final Map<String, Semaphore> permits = new ConcurrentHashMap<>();

		void allow(String key, int steps) {
			semaphore(key).release(steps);
		}

		void await(String key) throws InterruptedException {
			if (!semaphore(key).tryAcquire(1, TimeUnit.MINUTES)) {
				throw new IllegalStateException("No step was allowed for '" + key + "'");
			}
		}

		private Semaphore semaphore(String key) {
			return this.permits.computeIfAbsent(key, (k) -> new Semaphore(0));
		}

	}

	@RestController
	static class JobController {

		private final EdgeRuntime runtime;

		private final Steps steps;

		JobController(EdgeRuntime runtime, Steps steps) {
			this.runtime = runtime;
			this.steps = steps;
		}

		/**
		 * Starts a task that reports progress and waits for a step to be allowed before each unit.
		 * @param name the task name
		 * @param key the key of its steps
		 * @param total the units of work
		 * @param failure a message to fail with at the end, or {@code null} to succeed
		 * @return the task id
		 */
		@PostMapping("/jobs")
		UUID start(@RequestParam String name, @RequestParam String key, @RequestParam int total,
				@RequestParam(required = false) @Nullable String failure) {
			TaskHandle<String> task = this.runtime.waitUntil(TaskOptions.named(name), () -> {
				TaskContext context = TaskContext.current();
				for (int done = 0; done < total; done++) {
					context.progress(done, total, "batch " + (done + 1) + " of " + total);
					this.steps.await(key);
				}
				context.progress(total, total, "done");
				if (failure != null) {
					throw new IllegalStateException(failure);
				}
				return "done";
			});
			return task.id();
		}

	}

}
