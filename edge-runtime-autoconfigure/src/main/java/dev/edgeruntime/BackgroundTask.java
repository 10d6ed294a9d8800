package dev.edgeruntime;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.edgeruntime.aot.BackgroundTaskReflectiveProcessor;

import org.springframework.aot.hint.annotation.Reflective;

/**
 * Runs a method as a background task of the {@link EdgeRuntime}.
 * <p>
 * On a controller handler method the client gets {@code 202 Accepted} at once, with a {@code Location}
 * header to the task status resource and a JSON body naming the task; the method body runs in the
 * background and its return value (the body of a {@code ResponseEntity}) becomes the task's result.
 * <p>
 * On any other bean method, which must return {@code void}, {@code CompletableFuture<T>} or
 * {@link TaskHandle TaskHandle&lt;T&gt;}, the call returns at once. Called while an HTTP request is
 * handled, the work starts after the response is committed and is dropped if the handler fails; called
 * inside a transaction, it starts after commit and is dropped on rollback; called anywhere else, it starts
 * at once.
 *
 * <pre class="code">
 * &#064;BackgroundTask(name = "thumbnail", wallClock = "30s", memory = "64MB")
 * public void createThumbnail(MultipartFile image) { ... }
 * </pre>
 *
 * Budgets are strings: durations such as {@code "30s"}, {@code "500ms"} or {@code "PT2M"}, sizes such as
 * {@code "64MB"}. An empty string means the default from {@code edge-runtime.budget.*}. Misuse (a method
 * that cannot be proxied, an unusable return type, a parameter that dies with the request, a value that
 * does not parse) fails start-up with a message naming the method.
 *
 * @author edge-runtime developers
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective(BackgroundTaskReflectiveProcessor.class)
public @interface BackgroundTask {

	/**
	 * The task name, shown in logs, metrics, the actuator endpoint and the status resource. Defaults to
	 * {@code SimpleClassName.methodName}.
	 * @return the name
	 */
	String name() default "";

	/**
	 * The wall-clock budget, such as {@code "30s"}; empty for the default.
	 * @return the budget
	 */
	String wallClock() default "";

	/**
	 * The CPU-time budget, such as {@code "2s"}; empty for the default. Such a task runs on a platform
	 * thread.
	 * @return the budget
	 */
	String cpuTime() default "";

	/**
	 * The allocation budget, such as {@code "64MB"}; empty for the default. Such a task runs on a platform
	 * thread.
	 * @return the budget
	 */
	String memory() default "";

	/**
	 * Whether the work goes through the durable queue and survives a restart. Needs a
	 * {@link DurableTaskDispatcher} bean (the durable tier has one); without one, start-up fails. The call
	 * is enqueued at once, in the caller's transaction if any, and runs on a queue consumer: its arguments
	 * must be data that JSON carries, it takes no budgets, and its result does not come back (return
	 * {@code void} or {@link TaskHandle TaskHandle&lt;?&gt;}).
	 * @return {@code true} for durable work
	 */
	boolean durable() default false;

	/**
	 * The queue of durable work; empty for the dispatcher's default. Only with {@link #durable()}.
	 * @return the queue name
	 */
	String queue() default "";

	/**
	 * How often durable work is tried before it is dead-lettered; {@code 0} for the dispatcher's default.
	 * Only with {@link #durable()}.
	 * @return the maximum number of attempts
	 */
	int maxAttempts() default 0;

}
