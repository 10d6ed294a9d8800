package dev.edgeruntime.queue;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.web.BackgroundTaskMisuseException;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * Finds the durable {@link BackgroundTask @BackgroundTask} methods of the application's beans: which bean
 * a call belongs to when it is enqueued, which method a message names when it is consumed, and which queues
 * need a consumer. Misuse fails start-up with a message naming the method; the checks shared with in-process
 * tasks (parameter types, return types, budgets) are the {@code @BackgroundTask} validator's.
 *
 * @author edge-runtime developers
 */
public final class DurableTaskMethods implements BeanPostProcessor, EnvironmentAware {

	/** The queue of durable tasks that name none, unless {@code edge-runtime.queue.tasks.queue} says otherwise. */
	public static final String DEFAULT_QUEUE = "edge_runtime_tasks";

	private final Map<String, Target> byBeanAndSignature = new ConcurrentHashMap<>();

	private final Map<String, String> beanByClassAndSignature = new ConcurrentHashMap<>();

	private final Set<String> taskNames = ConcurrentHashMap.newKeySet();

	private String defaultQueue = DEFAULT_QUEUE;

	private @Nullable Environment environment;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
		this.defaultQueue = environment.getProperty("edge-runtime.queue.tasks.queue", DEFAULT_QUEUE);
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Class<?> targetClass = ClassUtils.getUserClass(AopUtils.getTargetClass(bean));
		Map<Method, BackgroundTask> methods = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<BackgroundTask>) (method) -> {
					BackgroundTask annotation = AnnotatedElementUtils.findMergedAnnotation(method, BackgroundTask.class);
					return (annotation != null && annotation.durable()) ? annotation : null;
				});
		methods.forEach((method, annotation) -> add(bean, beanName, targetClass, method, annotation));
		return bean;
	}

	private void add(Object bean, String beanName, Class<?> targetClass, Method method, BackgroundTask annotation) {
		String where = targetClass.getName() + "." + signature(method);
		String queue = StringUtils.hasText(annotation.queue()) ? resolve(annotation.queue(), where) : this.defaultQueue;
		try {
			QueueName.requireValid(queue);
		}
		catch (InvalidQueueNameException ex) {
			throw new BackgroundTaskMisuseException(
					List.of("@BackgroundTask method " + where + " is misused: " + ex.getMessage()));
		}
		String name = StringUtils.hasText(annotation.name()) ? annotation.name()
				: targetClass.getSimpleName() + "." + method.getName();
		String classKey = targetClass.getName() + "#" + signature(method);
		String other = this.beanByClassAndSignature.putIfAbsent(classKey, beanName);
		if (other != null && !other.equals(beanName)) {
			throw new BeanInitializationException("@BackgroundTask method " + where + " is misused: beans '" + other
					+ "' and '" + beanName + "' are both of its class, so a consumer could not tell which one a "
					+ "durable call belongs to; keep one bean of the class, or move the method");
		}
		this.byBeanAndSignature.put(beanName + "#" + signature(method),
				new Target(beanName, bean, method, queue, name));
		this.taskNames.add(name);
	}

	/** Resolves {@code ${...}} placeholders in a queue attribute, as {@code @QueueListener} does. */
	private String resolve(String queue, String where) {
		if (this.environment == null) {
			return queue;
		}
		try {
			return this.environment.resolveRequiredPlaceholders(queue);
		}
		catch (IllegalArgumentException ex) {
			throw new BeanInitializationException("@BackgroundTask method " + where + " is misused: its queue '" + queue
					+ "' has a placeholder that cannot be resolved: " + ex.getMessage(), ex);
		}
	}

	/**
	 * The durable method a call of the given class's method belongs to.
	 * @param targetClass the class of the called bean
	 * @param method the method
	 * @return the target, or empty when the method was not found at start-up
	 */
	Optional<Target> forCall(Class<?> targetClass, Method method) {
		String beanName = this.beanByClassAndSignature
			.get(ClassUtils.getUserClass(targetClass).getName() + "#" + signature(method));
		return (beanName != null) ? Optional.ofNullable(this.byBeanAndSignature.get(beanName + "#" + signature(method)))
				: Optional.empty();
	}

	/**
	 * The durable method a message names.
	 * @param beanName the bean name
	 * @param method the method name
	 * @param parameterTypes the parameter types' class names
	 * @return the target, or empty when this application has no such method
	 */
	Optional<Target> forMessage(String beanName, String method, List<String> parameterTypes) {
		return Optional.ofNullable(
				this.byBeanAndSignature.get(beanName + "#" + method + "(" + String.join(",", parameterTypes) + ")"));
	}

	/**
	 * Whether a durable method found has the task name.
	 * @param name the name
	 * @return {@code true} if one has
	 */
	boolean hasTaskName(String name) {
		return this.taskNames.contains(name);
	}

	/**
	 * The queues of the durable methods found.
	 * @return the queue names
	 */
	public Set<String> queues() {
		return this.byBeanAndSignature.values()
			.stream()
			.map(Target::queue)
			.collect(Collectors.toCollection(LinkedHashSet::new));
	}

	/**
	 * The queue of durable tasks that name none.
	 * @return the queue name
	 */
	public String defaultQueue() {
		return this.defaultQueue;
	}

	static String signature(Method method) {
		return method.getName() + "(" + Arrays.stream(method.getParameterTypes())
			.map(Class::getName)
			.collect(Collectors.joining(",")) + ")";
	}

	/**
	 * A durable method of a bean.
	 *
	 * @param beanName the bean's name
	 * @param bean the bean, normally its proxy
	 * @param method the method, as declared by the bean's class
	 * @param queue its queue
	 * @param name its task name
	 */
	record Target(String beanName, Object bean, Method method, String queue, String name) {

		List<String> parameterTypes() {
			return Arrays.stream(this.method.getParameterTypes()).map(Class::getName).toList();
		}

		String typeName() {
			return ClassUtils.getUserClass(AopUtils.getTargetClass(this.bean)).getName();
		}

		String description() {
			return "@BackgroundTask method " + typeName() + "." + signature(this.method);
		}

	}

}
