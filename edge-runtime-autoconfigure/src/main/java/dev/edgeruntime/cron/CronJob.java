package dev.edgeruntime.cron;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.edgeruntime.aot.CronJobReflectiveProcessor;

import org.springframework.aot.hint.annotation.Reflective;

/**
 * Declares a recurring job whose every tick sends the method's return value, mapped to JSON, to a pgmq
 * queue. The method takes no parameters and is called once at start-up: the message is fixed for the life
 * of the application, as it is in the pg_cron command that sends it. Placeholders
 * ({@code ${...}}) are resolved in every attribute.
 *
 * <pre class="code">
 * &#64;CronJob(name = "nightly-report", schedule = "0 3 * * *", queue = "reports")
 * Map&lt;String, Object&gt; nightlyReport() {
 *     return Map.of("action", "build", "kind", "daily");
 * }
 * </pre>
 *
 * @author edge-runtime developers
 * @see dev.edgeruntime.cron.CronJobs
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective(CronJobReflectiveProcessor.class)
public @interface CronJob {

	/**
	 * The job's name, unique in the application; pg_cron knows it with
	 * {@code edge-runtime.cron.job-name-prefix} in front.
	 * @return the name
	 */
	String name();

	/**
	 * When the job runs: five-field cron ({@code "0 3 * * *"}, UTC), a macro such as {@code "@hourly"}, or
	 * an interval of 1 to 59 seconds ({@code "30 seconds"}, pg_cron 1.5+ or the in-app scheduler).
	 * @return the schedule
	 */
	String schedule();

	/**
	 * The queue the message is sent to; created at start-up when missing.
	 * @return the queue name
	 */
	String queue();

}
