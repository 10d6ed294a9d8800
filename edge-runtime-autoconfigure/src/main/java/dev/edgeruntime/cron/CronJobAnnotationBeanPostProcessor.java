package dev.edgeruntime.cron;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.ReflectionUtils;

/**
 * Finds {@link CronJob} methods on beans and checks them, failing start-up with a message that names the
 * method when one is misused, or, once every singleton is made and before any bean starts, an
 * {@link InvalidCronScheduleException} naming every job of every bean whose schedule no scheduler would run
 * (see {@link CronJobDefinition#scheduleProblem}); {@link CronJobs} calls them at start-up for their messages.
 *
 * @author edge-runtime developers
 */
public final class CronJobAnnotationBeanPostProcessor
		implements BeanPostProcessor, SmartInitializingSingleton, EnvironmentAware {

	private final List<AnnotatedJob> jobs = new CopyOnWriteArrayList<>();

	// the refused schedules of every bean made so far, reported together once all singletons are made
	private final List<String> problems = new CopyOnWriteArrayList<>();

	private volatile boolean singletonsMade;

	private @Nullable Environment environment;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		Map<Method, CronJob> methods = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<CronJob>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, CronJob.class));
		List<String> problems = new ArrayList<>();
		methods.forEach((method, annotation) -> {
			AnnotatedJob job = job(bean, method, annotation);
			String problem = CronJobDefinition.scheduleProblem(job.schedule(), mode());
			if (problem != null) {
				problems.add("Cron job '" + job.name() + "' (" + job.source() + ") has the schedule '" + job.schedule()
						+ "'" + (job.schedule().equals(annotation.schedule()) ? ""
								: " (from schedule = \"" + annotation.schedule() + "\")")
						+ ": " + problem);
			}
			this.jobs.add(job);
		});
		if (!problems.isEmpty()) {
			if (this.singletonsMade) {
				throw new InvalidCronScheduleException(problems); // a bean made after the report (a lazy one)
			}
			this.problems.addAll(problems);
		}
		return bean;
	}

	/**
	 * Fails start-up, before any bean starts, with the refused schedules of every bean made, not only those
	 * of the first one.
	 * @throws InvalidCronScheduleException when a schedule was refused
	 */
	@Override
	public void afterSingletonsInstantiated() {
		this.singletonsMade = true;
		if (!this.problems.isEmpty()) {
			List<String> problems = List.copyOf(this.problems);
			this.problems.clear();
			throw new InvalidCronScheduleException(problems);
		}
	}

	/** Who fires the ticks, as edge-runtime.cron.mode says: what is refused at once depends on it. */
	private CronMode mode() {
		return (this.environment != null)
				? Binder.get(this.environment).bind("edge-runtime.cron.mode", CronMode.class).orElse(CronMode.AUTO)
				: CronMode.AUTO;
	}

	private AnnotatedJob job(Object bean, Method method, CronJob annotation) {
		String where = "@CronJob method " + method.getDeclaringClass().getName() + "." + method.getName();
		if (method.getParameterCount() != 0) {
			throw new BeanInitializationException(where + " must take no parameters, it takes "
					+ method.getParameterCount());
		}
		if (method.getReturnType() == void.class || method.getReturnType() == Void.class) {
			throw new BeanInitializationException(where + " must return the message to send, it returns void");
		}
		Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
		ReflectionUtils.makeAccessible(invocable);
		return new AnnotatedJob(bean, invocable, resolve(annotation.name()), resolve(annotation.schedule()),
				resolve(annotation.queue()), where);
	}

	private String resolve(String value) {
		return (this.environment != null) ? this.environment.resolveRequiredPlaceholders(value) : value;
	}

	/**
	 * Calls each {@link CronJob} method for its message.
	 * @param objectMapper maps the messages to JSON
	 * @return the jobs
	 * @throws IllegalStateException when a method fails or returns {@code null}, naming it
	 */
	List<CronJobDefinition> definitions(ObjectMapper objectMapper) {
		List<CronJobDefinition> definitions = new ArrayList<>();
		for (AnnotatedJob job : this.jobs) {
			Object message;
			try {
				message = ReflectionUtils.invokeMethod(job.method(), job.bean());
			}
			catch (RuntimeException ex) {
				throw new IllegalStateException(job.source() + " failed to give its message: " + ex.getMessage(), ex);
			}
			if (message == null) {
				throw new IllegalStateException(job.source() + " returned null; it must return the message to send");
			}
			String json = (message instanceof CharSequence text) ? text.toString()
					: objectMapper.writeValueAsString(message);
			definitions.add(new CronJobDefinition(job.name(), job.schedule(), job.queue(), json, job.source()));
		}
		return definitions;
	}

	private record AnnotatedJob(Object bean, Method method, String name, String schedule, String queue,
			String source) {
	}

}
