package dev.edgeruntime.web;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.DurableTaskDispatcher;
import dev.edgeruntime.queue.InvalidQueueNameException;
import dev.edgeruntime.queue.QueueName;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Fails start-up when a {@link BackgroundTask @BackgroundTask} method is misused, with a message naming
 * the method: one that cannot be proxied, a return type that cannot carry an asynchronous result, a
 * parameter that dies with the request, a budget that does not parse, durable work without a durable
 * tier or with an invalid queue name. Durable work without a durable tier fails once every singleton is made,
 * naming the durable methods of every bean (those made as the classes they are, the others as their
 * definitions say), not only those of the first one made. Once every singleton exists, it also checks that each bean
 * with such methods was proxied, so that no annotation is silently ignored.
 *
 * @author edge-runtime developers
 */
public final class BackgroundTaskMethodValidator
		implements BeanPostProcessor, BeanFactoryAware, EnvironmentAware, SmartInitializingSingleton {

	private final Set<Class<?>> classesWithout = ConcurrentHashMap.newKeySet();

	private final Map<String, BackgroundTaskDefinition> singletonsWith = new ConcurrentHashMap<>();

	// durable methods without the durable tier, by bean, as the beans are made: reported together once every
	// singleton is made, so that the report has the classes the beans really are (a @Bean method's declared
	// type may be an interface)
	private final Map<String, List<String>> withoutTier = Collections.synchronizedMap(new LinkedHashMap<>());

	private volatile boolean singletonsMade;

	private @Nullable ConfigurableListableBeanFactory beanFactory;

	private @Nullable Environment environment;

	private @Nullable Supplier<List<String>> durableTierProblems;

	private @Nullable String controllerMethodsUnsupported;

	/**
	 * Sets what names, for the report of a durable method without the durable tier, what the application
	 * lacks for the tier (a dependency, a DataSource, a property), each with what to add.
	 * @param durableTierProblems supplies what the application lacks, read when a durable method is found
	 * without the tier
	 */
	public void setDurableTierProblems(Supplier<List<String>> durableTierProblems) {
		this.durableTierProblems = durableTierProblems;
	}

	/**
	 * Refuses {@code @BackgroundTask} controller methods, for an application whose requests edge-runtime does
	 * not handle (the 202 Accepted and the task status resource are Spring MVC's).
	 * @param reason why they are refused and what to do instead, for the start-up report
	 */
	public void setControllerMethodsUnsupported(String reason) {
		this.controllerMethodsUnsupported = reason;
	}

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = (beanFactory instanceof ConfigurableListableBeanFactory listable) ? listable : null;
	}

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) throws BeansException {
		// before any proxy is made, so that a method a proxy cannot override is reported as such
		Class<?> type = ClassUtils.getUserClass(bean);
		if (this.classesWithout.contains(type)) {
			return bean;
		}
		Map<Method, BackgroundTask> methods = annotatedMethods(type);
		if (methods.isEmpty()) {
			this.classesWithout.add(type);
			return bean;
		}
		// every method of the bean is checked, and its misuses reported together
		List<String> problems = new ArrayList<>();
		List<String> tierProblems = new ArrayList<>();
		for (Method method : methods.keySet()) {
			try {
				BackgroundTaskDefinition definition = check(method, type, beanName);
				if (isSingleton(beanName)) {
					this.singletonsWith.putIfAbsent(beanName, definition);
				}
			}
			catch (BeanInitializationException ex) {
				boolean withoutDurableTier = methods.get(method).durable() && !hasDurableDispatcher();
				(withoutDurableTier ? tierProblems : problems).add(ex.getMessage());
			}
		}
		if (!problems.isEmpty() || (!tierProblems.isEmpty() && this.singletonsMade)) {
			problems.addAll(tierProblems);
			throw new BackgroundTaskMisuseException(problems);
		}
		if (!tierProblems.isEmpty()) {
			// the application lacks the tier for every durable method, not only this bean's: once every singleton
			// is made, all of them are named (no call reaches a durable method before: start-up fails first)
			this.withoutTier.put(beanName, tierProblems);
		}
		return bean;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.singletonsMade = true;
		if (!this.withoutTier.isEmpty()) {
			List<String> problems = new ArrayList<>();
			synchronized (this.withoutTier) {
				this.withoutTier.values().forEach(problems::addAll);
				problems.addAll(durableMethodsWithoutTierOfBeansNotMade(this.withoutTier.keySet()));
				this.withoutTier.clear();
			}
			this.singletonsWith.clear();
			throw new BackgroundTaskMisuseException(problems);
		}
		if (this.beanFactory == null) {
			return;
		}
		this.singletonsWith.forEach((beanName, definition) -> {
			Object bean = this.beanFactory.getSingleton(beanName);
			if (bean != null) {
				checkProxied(bean, beanName, definition);
			}
		});
		this.singletonsWith.clear();
	}

	private void checkProxied(Object bean, String beanName, BackgroundTaskDefinition definition) {
		if (!AopUtils.isAopProxy(bean)) {
			throw new BackgroundTaskMisuseException(List.of(definition.description() + " is misused: bean '" + beanName
					+ "' was not proxied, so the annotation would be ignored; is the bean created before the "
					+ "auto-proxy creator, or excluded from auto-proxying?"));
		}
		if (AopUtils.isJdkDynamicProxy(bean)) {
			for (Method method : annotatedMethods(AopUtils.getTargetClass(bean)).keySet()) {
				if (!isOnInterface(method, bean)) {
					throw new BackgroundTaskMisuseException(List.of(BackgroundTaskDefinition.of(method,
							AopUtils.getTargetClass(bean)).description() + " is misused: bean '" + beanName
							+ "' is proxied through its interfaces and none declares this method; declare it on an "
							+ "interface or use class-based proxies (spring.aop.proxy-target-class=true)"));
				}
			}
		}
	}

	private BackgroundTaskDefinition check(Method method, Class<?> targetClass, String beanName) {
		BackgroundTaskDefinition definition;
		try {
			definition = BackgroundTaskDefinition.of(method, targetClass);
		}
		catch (IllegalStateException ex) {
			throw new BeanInitializationException(ex.getMessage() + " (bean '" + beanName + "')");
		}
		if (this.controllerMethodsUnsupported != null
				&& definition.kind() == BackgroundTaskDefinition.Kind.HANDLER) {
			throw new BeanInitializationException(definition.description() + " is misused: "
					+ this.controllerMethodsUnsupported + " (bean '" + beanName + "')");
		}
		if (definition.durable() && !hasDurableDispatcher()) {
			throw new BeanInitializationException(withoutDurableTier(definition.description(), beanName));
		}
		String queue = definition.queue();
		if (definition.durable() && queue != null) {
			String problem = queueProblem(queue);
			if (problem != null) {
				throw new BeanInitializationException(definition.description() + " is misused: " + problem + " (bean '"
						+ beanName + "')");
			}
		}
		return definition;
	}

	private String withoutDurableTier(String description, String beanName) {
		return description + " is misused: durable = true, but the durable tier is not available: no "
				+ DurableTaskDispatcher.class.getName() + " bean (bean '" + beanName + "'). It needs a single "
				+ "PostgreSQL DataSource, and neither edge-runtime.queue.enabled nor "
				+ "edge-runtime.queue.tasks.enabled set to false" + durableTierProblems();
	}

	/**
	 * The durable methods of the beans not made at start-up (lazy, or of another scope), found from their
	 * definitions without making them, each as a durable method without the durable tier: the application
	 * lacks the tier for them too.
	 */
	private List<String> durableMethodsWithoutTierOfBeansNotMade(Set<String> reported) {
		ConfigurableListableBeanFactory factory = this.beanFactory;
		if (factory == null) {
			return List.of();
		}
		List<String> problems = new ArrayList<>();
		for (String name : factory.getBeanDefinitionNames()) {
			// a FactoryBean's object is made when first asked for, and never goes through this check
			if (reported.contains(name) || (factory.containsSingleton(name) && !factory.isFactoryBean(name))
					|| factory.getBeanDefinition(name).isAbstract()) {
				continue;
			}
			Class<?> type = factory.getType(name, false);
			if (type == null) {
				continue;
			}
			Class<?> userType = ClassUtils.getUserClass(type);
			annotatedMethods(userType).forEach((method, annotation) -> {
				if (annotation.durable()) {
					problems.add(withoutDurableTier(BackgroundTaskDefinition.describe(method, userType), name));
				}
			});
		}
		return problems;
	}

	/** What is wrong with a durable method's queue, placeholders resolved, or {@code null}. */
	private @Nullable String queueProblem(String queue) {
		String resolved;
		try {
			resolved = (this.environment != null) ? this.environment.resolveRequiredPlaceholders(queue) : queue;
		}
		catch (IllegalArgumentException ex) {
			return "its queue '" + queue + "' has a placeholder that cannot be resolved: " + ex.getMessage();
		}
		try {
			QueueName.requireValid(resolved);
			return null;
		}
		catch (InvalidQueueNameException ex) {
			return ex.getMessage() + (resolved.equals(queue) ? "" : "; the name comes from queue = \"" + queue + "\"");
		}
	}

	/** What the application lacks for the durable tier, as the supplier set says, or nothing. */
	private String durableTierProblems() {
		List<String> problems = (this.durableTierProblems != null) ? this.durableTierProblems.get() : List.of();
		return problems.isEmpty() ? "" : "; here " + String.join("; ", problems);
	}

	private boolean isSingleton(String beanName) {
		return this.beanFactory != null && this.beanFactory.containsBeanDefinition(beanName)
				&& this.beanFactory.getBeanDefinition(beanName).isSingleton();
	}

	private boolean hasDurableDispatcher() {
		return this.beanFactory != null
				&& this.beanFactory.getBeanNamesForType(DurableTaskDispatcher.class, true, false).length > 0;
	}

	private static Map<Method, BackgroundTask> annotatedMethods(Class<?> type) {
		if (!AnnotationUtils.isCandidateClass(type, BackgroundTask.class)) {
			return Map.of();
		}
		return MethodIntrospector.selectMethods(type, (MethodIntrospector.MetadataLookup<BackgroundTask>) (
				method) -> AnnotatedElementUtils.findMergedAnnotation(method, BackgroundTask.class));
	}

	private static boolean isOnInterface(Method method, Object proxy) {
		for (Class<?> type : AopProxyUtils.proxiedUserInterfaces(proxy)) {
			if (ReflectionUtils.findMethod(type, method.getName(), method.getParameterTypes()) != null) {
				return true;
			}
		}
		return false;
	}

}
