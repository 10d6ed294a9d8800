package dev.edgeruntime.autoconfigure;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.DurableTaskDispatcher;
import dev.edgeruntime.DurableTaskDispatcher.DurableInvocation;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.web.BackgroundTaskAdvisor;
import dev.edgeruntime.web.BackgroundTaskMisuseException;
import dev.edgeruntime.web.BackgroundTaskRequestFilter;
import dev.edgeruntime.web.TaskStatusAccessRule;
import dev.edgeruntime.web.TaskStatusController;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.ApplicationContextAssertProvider;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.http.HttpStatus;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link BackgroundTaskAutoConfiguration}: start-up checks, back-off and the call paths outside
 * a request.
 *
 * @author edge-runtime developers
 */
class BackgroundTaskAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, EdgeRuntimeAutoConfiguration.class,
				BackgroundTaskAutoConfiguration.class));

	@Test
	void privateMethodShouldFailStartup() {
		assertMisuse(PrivateMethod.class, PrivateMethod.class.getName() + ".run()",
				"cannot be proxied because it is private");
	}

	@Test
	void finalMethodShouldFailStartup() {
		assertMisuse(FinalMethod.class, FinalMethod.class.getName() + ".run()",
				"cannot be proxied because it is final");
	}

	@Test
	void staticMethodShouldFailStartup() {
		assertMisuse(StaticMethod.class, StaticMethod.class.getName() + ".run()",
				"cannot be proxied because it is static");
	}

	@Test
	void methodOfFinalClassShouldFailStartup() {
		assertMisuse(FinalClass.class, FinalClass.class.getName() + ".run()",
				"cannot be proxied because its class " + FinalClass.class.getName() + " is final");
	}

	@Test
	void methodOnlyOnTargetOfInterfaceProxyShouldFailStartup() {
		this.contextRunner.withPropertyValues("spring.aop.proxy-target-class=false")
			.withBean(InterfaceProxied.class)
			.run((context) -> assertFailure(context, InterfaceProxied.class.getName() + ".detached()",
					"proxied through its interfaces and none declares this method"));
	}

	@Test
	void methodAlsoAnnotatedWithAsyncShouldFailStartup() {
		// with @EnableAsync, @Async would call the task on Spring's executor, outside the caller's transaction
		this.contextRunner.withUserConfiguration(AsyncConfiguration.class)
			.withBean(AlsoAsync.class)
			.run((context) -> assertFailure(context, AlsoAsync.class.getName() + ".run()",
					"it is annotated with @Async as well: @BackgroundTask takes its place"));
	}

	@Test
	void methodOfClassAnnotatedWithAsyncShouldFailStartup() {
		assertMisuse(AsyncClass.class, AsyncClass.class.getName() + ".run()",
				"its class is annotated with @Async as well");
	}

	@Test
	void returnTypeThatCannotCarryAResultShouldFailStartup() {
		assertMisuse(ReturnsString.class, ReturnsString.class.getName() + ".run()",
				"its return type java.lang.String cannot carry an asynchronous result");
	}

	@Test
	void httpServletRequestParameterShouldFailStartup() {
		assertMisuse(TakesRequest.class, TakesRequest.class.getName() + ".run(HttpServletRequest)",
				"parameter 0 of type jakarta.servlet.http.HttpServletRequest dies with the HTTP request");
	}

	@Test
	void httpServletResponseParameterShouldFailStartup() {
		assertMisuse(TakesResponse.class, TakesResponse.class.getName() + ".run(String, HttpServletResponse)",
				"parameter 1 of type jakarta.servlet.http.HttpServletResponse dies with the HTTP request");
	}

	@Test
	void partsInAnArrayOrACollectionShouldFailStartup() {
		// Spring MVC binds uploads to these as well; unlike MultipartFile they are not copied
		assertMisuse(TakesPartArray.class, TakesPartArray.class.getName() + ".run(Part[])",
				"parameter 0 of type jakarta.servlet.http.Part[] holds jakarta.servlet.http.Part, which dies with "
						+ "the HTTP request");
		assertMisuse(TakesPartList.class, TakesPartList.class.getName() + ".run(String, List)",
				"parameter 1 of type java.util.List<jakarta.servlet.http.Part> holds jakarta.servlet.http.Part, "
						+ "which dies with the HTTP request");
	}

	@Test
	void multipartRequestParameterShouldFailStartup() {
		assertMisuse(TakesMultipartRequest.class, TakesMultipartRequest.class.getName() + ".run(MultipartRequest)",
				"parameter 0 of type org.springframework.web.multipart.MultipartRequest dies with the HTTP request");
	}

	@Test
	void unparsableWallClockShouldFailStartup() {
		assertMisuse(BadWallClock.class, BadWallClock.class.getName() + ".run()",
				"wallClock 'soon' is not a duration");
	}

	@Test
	void unparsableMemoryShouldFailStartup() {
		assertMisuse(BadMemory.class, BadMemory.class.getName() + ".run()", "memory 'lots' is not a size");
	}

	@Test
	void queueWithoutDurableShouldFailStartup() {
		assertMisuse(QueueWithoutDurable.class, QueueWithoutDurable.class.getName() + ".run()",
				"queue and maxAttempts apply to durable work only");
	}

	@Test
	void durableWithoutDurableTierShouldFailStartup() {
		assertMisuse(Durable.class, Durable.class.getName() + ".run(String)",
				"the durable tier is not available: no dev.edgeruntime.DurableTaskDispatcher bean");
		assertMisuse(Durable.class, Durable.class.getName() + ".run(String)",
				"It needs a single PostgreSQL DataSource, and neither edge-runtime.queue.enabled nor "
						+ "edge-runtime.queue.tasks.enabled set to false");
	}

	@Test
	void durableWithoutDurableTierShouldNameWhatTheApplicationLacks() {
		String method = Durable.class.getName() + ".run(String)";
		this.contextRunner.withBean(Durable.class)
			.withClassLoader(new FilteredClassLoader(PGConnection.class))
			.run((context) -> assertFailure(context, method,
					"; here the PostgreSQL JDBC driver is not on the class path: add org.postgresql:postgresql; "
							+ "the application has no DataSource: set spring.datasource.url"));
		this.contextRunner.withBean(Durable.class)
			.withPropertyValues("edge-runtime.queue.tasks.enabled=false")
			.run((context) -> assertFailure(context, method, "; here edge-runtime.queue.tasks.enabled is false"));
	}

	@Test
	void durableWithADataSourceUrlButNoDataSourceShouldSayTheDataSourceWasNotMade() {
		// a @WebMvcTest slice of an application with the durable tier: its properties name the database, but the
		// slice leaves DataSourceAutoConfiguration out, so setting spring.datasource.url would not help
		this.contextRunner.withBean(Durable.class)
			.withPropertyValues("spring.datasource.url=jdbc:postgresql://localhost/app")
			.run((context) -> assertFailure(context, Durable.class.getName() + ".run(String)",
					"; here the application has no DataSource, although spring.datasource.url is set: Spring Boot's "
							+ "DataSourceAutoConfiguration did not apply (excluded, or left out of a test slice such as "
							+ "@WebMvcTest, which makes no DataSource: test durable methods in a @SpringBootTest)"));
	}

	@Test
	void durableInATestSliceWithoutADataSourceUrlShouldSayTheSliceMakesNoDataSource() {
		// a @WebMvcTest slice imports the runtime's auto-configurations, not DataSourceAutoConfiguration: setting
		// spring.datasource.url, which the message said to do, would not help
		new ApplicationContextRunner().withUserConfiguration(SliceConfiguration.class)
			.withBean(Durable.class)
			.run((context) -> assertFailure(context, Durable.class.getName() + ".run(String)",
					"; here the application has no DataSource: this context's auto-configurations leave out Spring "
							+ "Boot's DataSourceAutoConfiguration, as a test slice such as @WebMvcTest does, which "
							+ "makes no DataSource: test durable methods in a @SpringBootTest"));
	}

	@Test
	void controllerMethodOfAReactiveApplicationShouldFailStartup() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, EdgeRuntimeAutoConfiguration.class,
					BackgroundTaskAutoConfiguration.class))
			.withBean(HandlerWithoutBody.class)
			.run((context) -> assertFailure(context, HandlerWithoutBody.class.getName() + ".create()",
					"it is a controller method of a reactive (WebFlux) application"));
	}

	@Test
	void serviceMethodOfAReactiveApplicationShouldRun() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, EdgeRuntimeAutoConfiguration.class,
					BackgroundTaskAutoConfiguration.class))
			.withBean(Service.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(Service.class).handle().get(5, TimeUnit.SECONDS)).isEqualTo("done");
			});
	}

	@Test
	void handlerWithResponseStatusShouldFailStartup() {
		assertMisuse(HandlerWithResponseStatus.class, HandlerWithResponseStatus.class.getName() + ".create()",
				"@ResponseStatus conflicts with the 202 Accepted");
	}

	@Test
	void handlerWritingTheResponseBodyItselfShouldFailStartup() {
		// Spring MVC takes such a handler's response as written by it: the 202 Accepted would never be
		assertMisuse(HandlerWithWriter.class, HandlerWithWriter.class.getName() + ".create(String, Writer)",
				"parameter 1 of type java.io.Writer is the response's body: Spring MVC then leaves the response to the "
						+ "method, so no 202 Accepted would be written");
		assertMisuse(HandlerWithOutputStream.class,
				HandlerWithOutputStream.class.getName() + ".create(OutputStream)",
				"parameter 0 of type java.io.OutputStream is the response's body");
	}

	@Test
	void serviceMethodTakingAWriterShouldStart() {
		// outside a controller a Writer is only a value the caller passes
		this.contextRunner.withBean(ServiceWithWriter.class).run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void handlerReturningSpringMvcsAsynchronousTypesShouldFailStartup() {
		assertMisuse(HandlerWithCallable.class, HandlerWithCallable.class.getName() + ".create()",
				"its return type Callable is Spring MVC's own asynchronous request handling, which the background "
						+ "task would never run or wait for");
		assertMisuse(HandlerWithDeferredResult.class, HandlerWithDeferredResult.class.getName() + ".create()",
				"its return type DeferredResult is Spring MVC's own asynchronous request handling");
	}

	@Test
	void durableWhenDispatcherPresentShouldHandTheCallToIt() {
		List<DurableInvocation> dispatched = new CopyOnWriteArrayList<>();
		this.contextRunner.withBean(Durable.class)
			.withBean(DurableTaskDispatcher.class, () -> (invocation) -> {
				dispatched.add(invocation);
				return new EdgeRuntimeStub().waitUntil(() -> "queued");
			})
			.run((context) -> {
				assertThat(context).hasNotFailed();
				context.getBean(Durable.class).run("payload");
				assertThat(dispatched).singleElement().satisfies((invocation) -> {
					assertThat(invocation.name()).isEqualTo("durable");
					assertThat(invocation.queue()).isEqualTo("mail");
					assertThat(invocation.maxAttempts()).isEqualTo(5);
					assertThat(invocation.arguments()).containsExactly("payload");
					assertThat(invocation.method().getName()).isEqualTo("run");
				});
			});
	}

	@Test
	void serviceMethodOutsideRequestAndTransactionShouldStartAtOnce() {
		this.contextRunner.withBean(Computations.class).run((context) -> {
			Computations computations = context.getBean(Computations.class);
			CompletableFuture<String> future = computations.compute("x");
			assertThat(future.get(20, TimeUnit.SECONDS)).isEqualTo("computed x");
			assertThat(computations.lastThread()).isNotSameAs(Thread.currentThread());
			TaskHandle<String> handle = computations.handle("y");
			assertThat(handle.name()).isEqualTo("Computations.handle");
			assertThat(handle.result().get(20, TimeUnit.SECONDS)).isEqualTo("handled y");
			assertThat(context.getBean(EdgeRuntime.class).find(handle.id())).isPresent();
		});
	}

	@Test
	void failingServiceMethodWhoseFutureIsIgnoredShouldBeAnUnhandledRejection() {
		this.contextRunner.withBean(Computations.class).withBean(EventRecorder.class).run((context) -> {
			Computations computations = context.getBean(Computations.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			CountDownLatch release = new CountDownLatch(1);
			Computations.GATE.set(release);
			computations.fail("ignored"); // the caller drops the future
			CompletableFuture<String> watched = computations.fail("watched");
			CompletableFuture<String> handled = watched.exceptionally((ex) -> "fallback");
			release.countDown();
			assertThat(handled.get(20, TimeUnit.SECONDS)).isEqualTo("fallback");
			await().atMost(java.time.Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(recorder.unhandled()).singleElement()
					.satisfies((event) -> assertThat(event.error()).hasMessage("ignored failed")));
			await().atMost(java.time.Duration.ofSeconds(20))
				.until(() -> context.getBean(EdgeRuntime.class).status().inFlight() == 0);
			assertThat(recorder.unhandled()).as("the watched failure is observed").hasSize(1);
		});
	}

	@Test
	void serviceMethodInTransactionShouldStartAfterCommit() {
		this.contextRunner.withBean(Computations.class)
			.withBean(TransactionTemplate.class, () -> new TransactionTemplate(new SynchronizingTransactionManager()))
			.run((context) -> {
				Computations computations = context.getBean(Computations.class);
				AtomicReference<TaskHandle<String>> handle = new AtomicReference<>();
				context.getBean(TransactionTemplate.class).executeWithoutResult((status) -> {
					handle.set(computations.handle("in transaction"));
					assertThat(handle.get().state()).isEqualTo(TaskState.SCHEDULED);
				});
				await().atMost(java.time.Duration.ofSeconds(20))
					.until(() -> handle.get().state() == TaskState.SUCCEEDED);
			});
	}

	@Test
	@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // without the refusal, the wait never ends
	void waitingForTheFutureInsideTheCallersTransactionShouldFailAtOnceNotWaitForEver() {
		this.contextRunner.withBean(Computations.class)
			.withBean(TransactionTemplate.class, () -> new TransactionTemplate(new SynchronizingTransactionManager()))
			.run((context) -> {
				Computations computations = context.getBean(Computations.class);
				AtomicReference<CompletableFuture<String>> future = new AtomicReference<>();
				AtomicReference<CompletableFuture<String>> otherThread = new AtomicReference<>();
				context.getBean(TransactionTemplate.class).executeWithoutResult((status) -> {
					future.set(computations.compute("in transaction"));
					assertThatIllegalStateException().isThrownBy(() -> future.get().join())
						.withMessageStartingWith("Background task ")
						.withMessageContaining("starts only after its transaction commits")
						.withMessageContaining("Return the future (a controller may return it")
						.withMessageContaining("or attach a callback to it");
					assertThatIllegalStateException().isThrownBy(() -> future.get().get());
					// a future derived from it carries the same refusal
					assertThatIllegalStateException().isThrownBy(() -> future.get().thenApply(String::length).join())
						.withMessageContaining("starts only after its transaction commits");
					// so does one combined from it, the documented way to wait for several (allOf makes a plain one)
					CompletableFuture<String> second = computations.compute("second in transaction");
					assertThatIllegalStateException()
						.isThrownBy(() -> future.get().thenCombine(second, (one, two) -> one + two).join())
						.withMessageContaining("starts only after its transaction commits");
					// another thread may wait: the commit does not depend on it
					otherThread.set(CompletableFuture.supplyAsync(() -> future.get().join()));
					// a timed wait ends by itself
					assertThatExceptionOfType(java.util.concurrent.TimeoutException.class)
						.isThrownBy(() -> future.get().get(50, TimeUnit.MILLISECONDS));
				});
				// after the commit the task runs, and the same thread waits for it as for any future
				assertThat(future.get().join()).isEqualTo("computed in transaction");
				assertThat(otherThread.get().get(20, TimeUnit.SECONDS)).isEqualTo("computed in transaction");
			});
	}

	@Test
	@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // without the refusal, the wait never ends
	void waitingForTheResultOfAReturnedHandleInsideTheCallersTransactionShouldFailAtOnceNotWaitForEver() {
		this.contextRunner.withBean(Computations.class)
			.withBean(TransactionTemplate.class, () -> new TransactionTemplate(new SynchronizingTransactionManager()))
			.run((context) -> {
				Computations computations = context.getBean(Computations.class);
				AtomicReference<TaskHandle<String>> handle = new AtomicReference<>();
				context.getBean(TransactionTemplate.class).executeWithoutResult((status) -> {
					handle.set(computations.handle("in transaction"));
					assertThatIllegalStateException().isThrownBy(() -> handle.get().result().join())
						.withMessageStartingWith("Background task " + handle.get().id())
						.withMessageContaining("starts only after its transaction commits");
					assertThatIllegalStateException()
						.isThrownBy(() -> handle.get().result().thenApply(String::length).get());
				});
				// after the commit the task runs, and the same thread waits for it as for any future
				assertThat(handle.get().result().join()).isEqualTo("handled in transaction");
			});
	}

	@Test
	void inlineShouldRunTasksOnTheCallingThread() {
		this.contextRunner.withBean(Computations.class)
			.withPropertyValues("edge-runtime.tasks.inline=true")
			.run((context) -> {
				Computations computations = context.getBean(Computations.class);
				CompletableFuture<String> future = computations.compute("inline");
				assertThat(future).isCompletedWithValue("computed inline");
				assertThat(computations.lastThread()).isSameAs(Thread.currentThread());
			});
	}

	@Test
	void advisorOrderShouldBeSettable() {
		this.contextRunner.withPropertyValues("edge-runtime.tasks.advisor-order=42")
			.run((context) -> assertThat(context.getBean(BackgroundTaskAdvisor.class).getOrder()).isEqualTo(42));
	}

	@Test
	void advisorWhenUserDefinesOneShouldBackOff() {
		BackgroundTaskAdvisor custom = new BackgroundTaskAdvisor(() -> {
			throw new IllegalStateException("unused");
		}, () -> null);
		this.contextRunner.withBean("customAdvisor", BackgroundTaskAdvisor.class, () -> custom)
			.run((context) -> assertThat(context).getBean(BackgroundTaskAdvisor.class).isSameAs(custom));
	}

	@Test
	void withoutDefaultRuntimeShouldBackOff() {
		this.contextRunner.withBean(EdgeRuntime.class, EdgeRuntimeStub::new)
			.run((context) -> assertThat(context).doesNotHaveBean(BackgroundTaskAdvisor.class));
	}

	@Test
	void methodOfABeanInAChildContextShouldBeAdvisedByTheParentsAdvisor() {
		// the child's auto-configuration finds the parent's runtime and advisor and defines neither again; the
		// child's proxy creator finds the parent's advisor, so the method runs as a task
		this.contextRunner.run((parent) -> this.contextRunner.withParent(parent)
			.withBean(Service.class)
			.run((child) -> {
				assertThat(child).hasNotFailed();
				assertThat(AopUtils.isAopProxy(child.getBean(Service.class))).isTrue();
				assertThat(child.getBean(Service.class).handle().get(5, TimeUnit.SECONDS)).isEqualTo("done");
			}));
	}

	@Test
	void withoutDefaultRuntimeBackgroundTaskMethodsShouldFailStartup() {
		// nothing would advise them: they would run on the caller's thread with nothing said
		this.contextRunner.withBean("customRuntime", EdgeRuntime.class, EdgeRuntimeStub::new)
			.withBean(Service.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
					.isInstanceOf(BackgroundTaskMisuseException.class)
					.hasMessageContaining("@BackgroundTask method " + Service.class.getName() + ".handle() would run on "
							+ "the caller's thread, not as a background task")
					.hasMessageContaining("which the application's EdgeRuntime bean [customRuntime] replaces");
			});
	}

	@Test
	void nonWebApplicationShouldHaveNoWebBeans() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(BackgroundTaskAdvisor.class)
			.doesNotHaveBean(TaskStatusController.class)
			.doesNotHaveBean(FilterRegistrationBean.class));
	}

	@Test
	void webApplicationShouldHaveFilterAndStatusResource() {
		webContextRunner().run((context) -> {
			assertThat(context).hasSingleBean(TaskStatusController.class).hasSingleBean(TaskStatusAccessRule.class);
			assertThat(context.getBean(FilterRegistrationBean.class).getFilter())
				.isInstanceOf(BackgroundTaskRequestFilter.class);
		});
	}

	@Test
	void statusResourceWhenDisabledShouldBeAbsent() {
		webContextRunner().withPropertyValues("edge-runtime.tasks.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(TaskStatusController.class)
				.hasSingleBean(FilterRegistrationBean.class));
	}

	@Test
	void accessRuleWhenUserDefinesOneShouldBackOff() {
		TaskStatusAccessRule nobody = (task, request) -> false;
		webContextRunner().withBean(TaskStatusAccessRule.class, () -> nobody)
			.run((context) -> assertThat(context).getBean(TaskStatusAccessRule.class).isSameAs(nobody));
	}

	@Test
	void acceptedBodyShortcutWhenNotABooleanShouldFailStartupNamingTheProperty() {
		webContextRunner().withConfiguration(AutoConfigurations.of(WebMvcAutoConfiguration.class))
			.withPropertyValues("edge-runtime.tasks.accepted-body-shortcut=sometimes")
			.run((context) -> {
				assertThat(context).hasFailed();
				Throwable failure = context.getStartupFailure();
				BindException bind = null;
				for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
					if (cause instanceof BindException found) {
						bind = found;
					}
				}
				assertThat(bind).isNotNull();
				assertThat(bind.getName()).hasToString("edge-runtime.tasks.accepted-body-shortcut");
			});
	}

	private WebApplicationContextRunner webContextRunner() {
		return new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, BackgroundTaskAutoConfiguration.class));
	}

	private void assertMisuse(Class<?> beanClass, String method, String problem) {
		this.contextRunner.withBean(beanClass).run((context) -> assertFailure(context, method, problem));
	}

	private static void assertFailure(ApplicationContextAssertProvider<?> context, String method, String problem) {
		assertThat(context).hasFailed();
		assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
			.hasMessageContaining("@BackgroundTask method " + method + " is misused")
			.hasMessageContaining(problem);
	}

	/** The auto-configurations a {@code @WebMvcTest} slice imports of the starter's, imported the same way. */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ EdgeRuntimeAutoConfiguration.class, BackgroundTaskAutoConfiguration.class })
	static class SliceConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class AsyncConfiguration {

	}

	static class AlsoAsync {

		@Async
		@BackgroundTask
		public void run() {
		}

	}

	@Async
	static class AsyncClass {

		@BackgroundTask
		public void run() {
		}

	}

	static class PrivateMethod {

		@BackgroundTask
		@SuppressWarnings("unused")
		private void run() {
		}

	}

	static class FinalMethod {

		@BackgroundTask
		public final void run() {
		}

	}

	static class StaticMethod {

		@BackgroundTask
		public static void run() {
		}

	}

	static final class FinalClass {

		@BackgroundTask
		public void run() {
		}

	}

	interface Greeter {

		String greet();

	}

	static class InterfaceProxied implements Greeter {

		@Override
		public String greet() {
			return "hello";
		}

		@BackgroundTask
		public void detached() {
		}

	}

	static class ReturnsString {

		@BackgroundTask
		public String run() {
			return "result";
		}

	}

	static class TakesRequest {

		@BackgroundTask
		public void run(HttpServletRequest request) {
		}

	}

	static class TakesResponse {

		@BackgroundTask
		public void run(String name, HttpServletResponse response) {
		}

	}

	static class TakesPartArray {

		@BackgroundTask
		public void run(Part[] parts) {
		}

	}

	static class TakesPartList {

		@BackgroundTask
		public void run(String name, List<Part> parts) {
		}

	}

	static class TakesMultipartRequest {

		@BackgroundTask
		public void run(MultipartRequest request) {
		}

	}

	static class BadWallClock {

		@BackgroundTask(wallClock = "soon")
		public void run() {
		}

	}

	static class BadMemory {

		@BackgroundTask(memory = "lots")
		public void run() {
		}

	}

	static class QueueWithoutDurable {

		@BackgroundTask(queue = "mail")
		public void run() {
		}

	}

	// public: without the durable tier it is still made and proxied until every singleton is, and the proxy
	// class a FilteredClassLoader defines could not extend a package-private class of the application's loader
	public static class Durable {

		@BackgroundTask(name = "durable", durable = true, queue = "mail", maxAttempts = 5)
		public void run(String payload) {
		}

	}

	@RestController
	static class HandlerWithoutBody {

		@BackgroundTask
		@PostMapping("/reports")
		public void create() {
		}

	}

	static class Service {

		@BackgroundTask
		public CompletableFuture<String> handle() {
			return CompletableFuture.completedFuture("done");
		}

	}

	@RestController
	static class HandlerWithResponseStatus {

		@BackgroundTask
		@PostMapping("/created")
		@ResponseStatus(HttpStatus.CREATED)
		public String create() {
			return "created";
		}

	}

	@RestController
	static class HandlerWithWriter {

		@BackgroundTask
		@PostMapping("/written")
		public void create(String name, Writer out) throws IOException {
			out.write(name);
		}

	}

	@RestController
	static class HandlerWithOutputStream {

		@BackgroundTask
		@PostMapping("/streamed")
		public void create(OutputStream out) throws IOException {
			out.write(1);
		}

	}

	static class ServiceWithWriter {

		@BackgroundTask
		public void write(String text, Writer out) throws IOException {
			out.write(text);
		}

	}

	@RestController
	static class HandlerWithCallable {

		@BackgroundTask
		@PostMapping("/callables")
		public java.util.concurrent.Callable<String> create() {
			return () -> "created";
		}

	}

	@RestController
	static class HandlerWithDeferredResult {

		@BackgroundTask
		@PostMapping("/deferred")
		public org.springframework.web.context.request.async.DeferredResult<String> create() {
			return new org.springframework.web.context.request.async.DeferredResult<>();
		}

	}

	static class Computations {

		private final AtomicReference<Thread> thread = new AtomicReference<>();

		public Thread lastThread() {
			return this.thread.get();
		}

		@BackgroundTask
		public CompletableFuture<String> compute(String input) {
			this.thread.set(Thread.currentThread());
			return CompletableFuture.completedFuture("computed " + input);
		}

		/** Held until the test has attached (or not) its handlers to the returned futures. */
		static final AtomicReference<CountDownLatch> GATE = new AtomicReference<>(new CountDownLatch(0));

		@BackgroundTask
		public CompletableFuture<String> fail(String input) throws InterruptedException {
			GATE.get().await();
			throw new IllegalStateException(input + " failed");
		}

		@BackgroundTask
		public TaskHandle<String> handle(String input) {
			return new EdgeRuntimeStub().waitUntil(() -> "handled " + input);
		}

	}

	/**
	 * Enough of a transaction manager for transaction synchronization.
	 */
	static class SynchronizingTransactionManager extends AbstractPlatformTransactionManager {

		private static final long serialVersionUID = 1L;

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
		}

	}

}
