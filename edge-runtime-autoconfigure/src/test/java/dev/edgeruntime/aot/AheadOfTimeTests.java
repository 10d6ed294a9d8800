package dev.edgeruntime.aot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.BackgroundTasksDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.CancelDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.RetryDescriptor;
import dev.edgeruntime.autoconfigure.BackgroundTaskAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeCronAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeDashboardAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeDurableTaskAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeEndpointAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.autoconfigure.InvalidPropertiesException;
import dev.edgeruntime.autoconfigure.InvalidPropertiesException.Violation;
import dev.edgeruntime.cron.CronJob;
import dev.edgeruntime.dashboard.DashboardSnapshot;
import dev.edgeruntime.queue.QueueConsumerStatus;
import dev.edgeruntime.queue.QueueListener;
import dev.edgeruntime.queue.QueueMessage;
import dev.edgeruntime.queue.QueueVacuum;
import dev.edgeruntime.testsupport.TestDatabase;
import dev.edgeruntime.web.TaskAccepted;
import dev.edgeruntime.web.TaskStatus;
import org.apache.catalina.webresources.TomcatURLStreamHandlerFactory;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.ExecutableHint;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.TypeHint;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.aot.test.generate.TestGenerationContext;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.web.context.servlet.AnnotationConfigServletWebApplicationContext;
import org.springframework.boot.web.server.servlet.context.AnnotationConfigServletWebServerApplicationContext;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.test.tools.CompileWithForkedClassLoader;
import org.springframework.core.test.tools.TestCompiler;
import org.springframework.http.ResponseEntity;
import org.springframework.javapoet.ClassName;
import org.springframework.util.ClassUtils;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

/**
 * A context using the auto-configurations, processed ahead of time as {@code spring-boot:process-aot} does,
 * then started from the generated code, as {@code -Dspring.aot.enabled=true} starts an application: its
 * {@code @BackgroundTask}, durable {@code @BackgroundTask}, {@code @QueueListener} and {@code @CronJob}
 * methods work against the real PostgreSQL, a {@code @BackgroundTask} controller method answers
 * {@code 202 Accepted} over HTTP with its status resource, and the processing records the hints a native
 * image needs for them and for the library's resources and JSON types.
 *
 * @author edge-runtime developers
 */
@CompileWithForkedClassLoader
class AheadOfTimeTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	static {
		// This class runs in the forked class loader, which holds its own copy of the driver: DriverManager only
		// hands a caller the drivers of its loader, so that copy registers itself here.
		try {
			Class.forName("org.postgresql.Driver");
		}
		catch (ClassNotFoundException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private final TestPropertyValues properties = durableProperties();

	/** The properties of {@link DurableApplication}, with queues and jobs of its own. */
	static TestPropertyValues durableProperties() {
		String queue = TestDatabase.uniqueName("aot_");
		return TestPropertyValues.of(TestDatabase.get().springProperties())
			.and("aot.queue=" + queue, "edge-runtime.queue.tasks.queue=" + queue + "_tasks",
					"edge-runtime.queue.consumer.polling-interval=200ms", "edge-runtime.cron.mode=in-app",
					"edge-runtime.cron.job-name-prefix=" + queue + ":");
	}

	@Test
	void contextProcessedAheadOfTimeRunsTasksListenersAndCronJobs() {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		this.properties.applyTo(context);
		context.register(DurableApplication.class);
		runAheadOfTime(context, AheadOfTimeTests::runsTasksListenersAndCronJobs, AheadOfTimeTests::hasDurableHints);
	}

	@Test
	void vacuumIntervalSetOnlyWhenTheProcessedApplicationRunsIsUsed() {
		// processed without edge-runtime.queue.vacuum-interval, as a build has it; set where it runs, as an
		// operator sets it
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		this.properties.applyTo(context);
		context.register(DurableApplication.class);
		runAheadOfTime(context, GenericApplicationContext::new,
				this.properties.and("edge-runtime.queue.vacuum-interval=1s"), (started) -> {
					QueueVacuum vacuum = started.getBeanProvider(QueueVacuum.class).getIfAvailable();
					assertThat(vacuum).as("the vacuum of a run-time interval").isNotNull();
					assertThat(vacuum.isRunning()).isTrue();
				}, (hints) -> {
				});
	}

	@Test
	void enabledPropertyWithAnotherValueWhereTheProcessedApplicationRunsFailsStartUp() {
		// processed with every part as it is by default; run with the status resource off and the dashboard on,
		// which the conditions decided at build time would ignore, and with the queue's default written otherwise
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.register(RuntimeApplication.class);
		assertThatExceptionOfType(InvalidPropertiesException.class)
			.isThrownBy(() -> runAheadOfTime(context, GenericApplicationContext::new,
					TestPropertyValues.of("edge-runtime.tasks.enabled=false", "edge-runtime.dashboard.enabled=true",
							"edge-runtime.queue.enabled=TRUE"),
					(started) -> {
					}, (hints) -> {
					}))
			.satisfies((ex) -> assertThat(ex.getViolations()).extracting(Violation::property)
				.containsExactly("edge-runtime.tasks.enabled", "edge-runtime.dashboard.enabled"))
			.withMessageContaining("edge-runtime.tasks.enabled = 'false': must be true as when the application was "
					+ "processed ahead of time (not set means true)")
			.withMessageContaining("edge-runtime.dashboard.enabled = 'true': must be false as when the application was "
					+ "processed ahead of time (not set means false)");
	}

	@Test
	void queuePartsWithAnotherValueWhereTheQueueWasProcessedOffAreNotReported() {
		// the queue off when processed: its notifications and durable tasks were left out with it, whatever their
		// own values, so other values of theirs where it runs change nothing either
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		TestPropertyValues.of("edge-runtime.queue.enabled=false").applyTo(context);
		context.register(RuntimeApplication.class);
		assertThatNoException().isThrownBy(() -> runAheadOfTime(context, GenericApplicationContext::new,
				TestPropertyValues.of("edge-runtime.queue.enabled=false", "edge-runtime.queue.notify.enabled=false",
						"edge-runtime.queue.tasks.enabled=false"),
				(started) -> assertThat(started.isActive()).isTrue(), (hints) -> {
				}));
	}

	/** The hints {@link DurableApplication} needs, each reported when missing. */
	private static void hasDurableHints(RuntimeHints hints) {
		SoftAssertions.assertSoftly((softly) -> {
			// the advisor calls @BackgroundTask methods through reflection; JSON carries a durable one's
			// arguments and the results the status resource shows
			has(softly, hints, invocation(Work.class, "price"));
			has(softly, hints, invocation(Work.class, "ship"));
			has(softly, hints, invocation(Receipt.class, "total"));
			has(softly, hints, invocation(Order.class, "item"));
			// consumers call @QueueListener methods through reflection, with payloads read from JSON
			has(softly, hints, invocation(Listener.class, "consume"));
			has(softly, hints, invocation(Payload.class, "note"));
			has(softly, hints, invocation(CronMessages.class, "message"));
			// the library's own
			has(softly, hints, resource("dev/edgeruntime/queue/schema/pgmq-bundled-v2.sql"));
			has(softly, hints, resource("dev/edgeruntime/queue/schema/edge-runtime-v1.sql"));
			has(softly, hints, resource("dev/edgeruntime/cron/schema/cron-v1.sql"));
			has(softly, hints, type(QueueRuntimeHints.DURABLE_TASK_MESSAGE));
			// found through reflection in a static initializer: the durable tier would not start without it
			has(softly, hints,
					invocation(ClassUtils.resolveClassName(QueueRuntimeHints.DURABLE_TASK_EXECUTOR, null), "execute"));
			// read through reflection to warn of a pool too small for the consumers
			has(softly, hints, new Named("HikariDataSource.getMaximumPoolSize",
					RuntimeHintsPredicates.reflection().onType(TypeReference.of("com.zaxxer.hikari.HikariDataSource"))
						.withMemberCategory(MemberCategory.INVOKE_PUBLIC_METHODS)));
			has(softly, hints, invocation(QueueConsumerStatus.class, "healthy"));
			for (String name : CoreRuntimeHints.LOOKED_UP_BY_NAME) {
				has(softly, hints, type(name));
			}
			// one named here too, so that the loop cannot pass on an empty list
			has(softly, hints, type("org.springframework.web.context.request.RequestContextHolder"));
			// Java 21's methods, named: this JVM may not have them
			softly.assertThat(methodNames(hints, TypeReference.of(Thread.class))).contains("ofVirtual");
			softly.assertThat(methodNames(hints, TypeReference.of("java.lang.Thread$Builder")))
				.contains("name", "inheritInheritableThreadLocals", "factory");
		});
	}

	@Test
	void webContextProcessedAheadOfTimeHasTheHintsOfTheStatusResourceEndpointAndDashboard() {
		AnnotationConfigServletWebApplicationContext context = new AnnotationConfigServletWebApplicationContext();
		TestPropertyValues.of("edge-runtime.dashboard.enabled=true",
				"management.endpoints.web.exposure.include=backgroundtasks")
			.applyTo(context);
		context.register(WebApplication.class);
		RuntimeHints hints = process(context).getRuntimeHints();
		SoftAssertions.assertSoftly((softly) -> {
			has(softly, hints, invocation(TaskAccepted.class, "statusUrl"));
			has(softly, hints, invocation(TaskStatus.class, "result"));
			// found through reflection in a static initializer: no 202 could be written without it
			has(softly, hints, new Named("BackgroundTaskReturnValueHandler.acceptedReturnType",
					(all) -> methodNames(all, TypeReference.of(BackgroundTaskRuntimeHints.RETURN_VALUE_HANDLER))
						.contains("acceptedReturnType")));
			// Spring Boot derives these from the endpoint's operations, though its web extension answers Object
			has(softly, hints, invocation(BackgroundTasksDescriptor.class, "tasks"));
			has(softly, hints, invocation(CancelDescriptor.class, "cancelled"));
			has(softly, hints, invocation(RetryDescriptor.class, "retried"));
			has(softly, hints, invocation(DashboardSnapshot.class, "tasks"));
			has(softly, hints, resource("dev/edgeruntime/dashboard/index.html"));
			has(softly, hints, resource("dev/edgeruntime/dashboard/dashboard.js"));
			has(softly, hints, resource("dev/edgeruntime/dashboard/dashboard.css"));
		});
	}

	@Test
	void webApplicationProcessedAheadOfTimeAnswers202AndRunsTheControllerMethodOverHttp() {
		// This class runs in a class loader of its own (@CompileWithForkedClassLoader), with Tomcat's classes
		// loaded again: once a Tomcat of the test JVM's own class loader has set the JVM's one URL stream
		// handler factory (any earlier test on a random port), this copy's attempt would fail the start.
		TomcatURLStreamHandlerFactory.disable();
		AnnotationConfigServletWebServerApplicationContext context =
				new AnnotationConfigServletWebServerApplicationContext();
		TestPropertyValues properties = TestPropertyValues.of("server.port=0");
		properties.applyTo(context);
		context.register(HttpApplication.class);
		runAheadOfTime(context, ServletWebServerApplicationContext::new, properties,
				AheadOfTimeTests::answersAcceptedOverHttp,
				(hints) -> assertThat(invocation(Orders.class, "order")).accepts(hints));
	}

	/** What {@link DurableApplication} does once started: each kind of task, listener and job runs. */
	static void runsTasksListenersAndCronJobs(GenericApplicationContext started) {
		Work work = started.getBean(Work.class);
		Received received = started.getBean(Received.class);
		assertThat(work.price(new Order("in-process", 2)).join()).isEqualTo(new Receipt("in-process", 20));
		TaskHandle<?> durable = work.ship(new Order("durable", 3));
		assertThat(durable.state()).isEqualTo(TaskState.SCHEDULED);
		await().atMost(WAIT).until(() -> received.shipped.size() == 1);
		assertThat(received.shipped).containsExactly(new Order("durable", 3));
		await().atMost(WAIT).until(() -> !received.fromQueue.isEmpty());
		assertThat(received.fromQueue.get(0)).isEqualTo(new Order("cron", 1));
	}

	/** What {@link HttpApplication} does once started: 202, then the status resource with the result. */
	static void answersAcceptedOverHttp(GenericApplicationContext started) {
		int port = ((ServletWebServerApplicationContext) started).getWebServer().getPort();
		HttpResponse<String> accepted = http(HttpRequest
			.newBuilder(URI.create("http://localhost:" + port + "/orders?item=lamp"))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build());
		assertThat(accepted.statusCode()).isEqualTo(202);
		assertThat(accepted.body()).contains("\"name\":\"order\"");
		String location = accepted.headers().firstValue("Location").orElseThrow();
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(http(HttpRequest.newBuilder(URI.create(location)).build()).body())
				.contains("\"state\":\"SUCCEEDED\"")
				.contains("\"result\":{\"item\":\"lamp\",\"total\":10}"));
	}

	private static HttpResponse<String> http(HttpRequest request) {
		try {
			return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static void has(SoftAssertions softly, RuntimeHints hints, Predicate<RuntimeHints> hint) {
		softly.assertThat(hints).as(hint.toString()).matches(hint);
	}

	private static Predicate<RuntimeHints> invocation(Class<?> type, String method) {
		return new Named("invocation of " + type.getName() + "." + method,
				RuntimeHintsPredicates.reflection().onMethodInvocation(type, method));
	}

	private static Predicate<RuntimeHints> type(String name) {
		return new Named("type " + name, RuntimeHintsPredicates.reflection().onType(TypeReference.of(name)));
	}

	private static Predicate<RuntimeHints> resource(String location) {
		return new Named("resource " + location, RuntimeHintsPredicates.resource().forResource(location));
	}

	private static List<String> methodNames(RuntimeHints hints, TypeReference type) {
		TypeHint hint = hints.reflection().getTypeHint(type);
		return (hint != null) ? hint.methods().map(ExecutableHint::getName).toList() : List.of();
	}

	private static TestGenerationContext process(GenericApplicationContext context) {
		TestGenerationContext generation = new TestGenerationContext();
		new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
		return generation;
	}

	/**
	 * Processes a context ahead of time, checks the hints recorded, then compiles the generated code and starts
	 * a context from it with the same properties.
	 */
	private void runAheadOfTime(GenericApplicationContext context, Consumer<GenericApplicationContext> check,
			Consumer<RuntimeHints> hintsCheck) {
		runAheadOfTime(context, GenericApplicationContext::new, this.properties, check, hintsCheck);
	}

	/**
	 * Processes a context ahead of time, checks the hints recorded, then compiles the generated code and starts
	 * a context of the given kind from it with the given properties.
	 */
	@SuppressWarnings("unchecked")
	private static void runAheadOfTime(GenericApplicationContext context, Supplier<GenericApplicationContext> kind,
			TestPropertyValues properties, Consumer<GenericApplicationContext> check,
			Consumer<RuntimeHints> hintsCheck) {
		TestGenerationContext generation = new TestGenerationContext();
		ClassName initializer = new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
		generation.writeGeneratedContent();
		hintsCheck.accept(generation.getRuntimeHints());
		TestCompiler.forSystem().with(generation).compile((compiled) -> {
			try (GenericApplicationContext started = kind.get()) {
				properties.applyTo(started);
				compiled.getInstance(ApplicationContextInitializer.class, initializer.toString()).initialize(started);
				started.refresh();
				check.accept(started);
			}
		});
	}

	/** A hint's predicate that says which hint it looks for when it fails. */
	private record Named(String description, Predicate<RuntimeHints> predicate) implements Predicate<RuntimeHints> {

		@Override
		public boolean test(RuntimeHints hints) {
			return this.predicate.test(hints);
		}

		@Override
		public String toString() {
			return this.description;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
			EdgeRuntimeAutoConfiguration.class, BackgroundTaskAutoConfiguration.class,
			EdgeRuntimeQueueAutoConfiguration.class, EdgeRuntimeDurableTaskAutoConfiguration.class,
			EdgeRuntimeCronAutoConfiguration.class })
	static class DurableApplication {

		@Bean
		Received received() {
			return new Received();
		}

		@Bean
		Work work(Received received) {
			return new Work(received);
		}

		@Bean
		Listener listener(Received received) {
			return new Listener(received);
		}

		@Bean
		CronMessages cronMessages() {
			return new CronMessages();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(EdgeRuntimeAutoConfiguration.class)
	static class RuntimeApplication {

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ EdgeRuntimeAutoConfiguration.class, BackgroundTaskAutoConfiguration.class,
			EdgeRuntimeEndpointAutoConfiguration.class, EdgeRuntimeDashboardAutoConfiguration.class })
	static class WebApplication {

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
			WebMvcAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class, JacksonAutoConfiguration.class,
			EdgeRuntimeAutoConfiguration.class, BackgroundTaskAutoConfiguration.class })
	@Import(Orders.class)
	static class HttpApplication {

	}

	@RestController
	public static class Orders {

		@PostMapping("/orders")
		@BackgroundTask(name = "order")
		public ResponseEntity<Receipt> order(@RequestParam String item) {
			return ResponseEntity.ok(new Receipt(item, 10));
		}

	}

	public record Order(String item, int quantity) {
	}

	public record Receipt(String item, int total) {
	}

	public record Payload(String note) {
	}

	public static class Received {

		final List<Order> shipped = new CopyOnWriteArrayList<>();

		final List<Order> fromQueue = new CopyOnWriteArrayList<>();

	}

	public static class Work {

		private final Received received;

		Work(Received received) {
			this.received = received;
		}

		@BackgroundTask
		public CompletableFuture<Receipt> price(Order order) {
			return CompletableFuture.completedFuture(new Receipt(order.item(), order.quantity() * 10));
		}

		@BackgroundTask(durable = true, queue = "${aot.queue}_tasks")
		public TaskHandle<?> ship(Order order) {
			this.received.shipped.add(order);
			return null;
		}

	}

	public static class Listener {

		private final Received received;

		Listener(Received received) {
			this.received = received;
		}

		@QueueListener(queue = "${aot.queue}")
		public void consume(QueueMessage<Payload> message) {
			this.received.fromQueue.add(new Order(message.payload().note(), 1));
		}

	}

	public static class CronMessages {

		@CronJob(name = "beat", schedule = "1 seconds", queue = "${aot.queue}")
		public Payload message() {
			return new Payload("cron");
		}

	}

}
