package dev.edgeruntime.web;

import java.lang.reflect.Method;
import java.util.Map;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.DurableTaskDispatcher;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Fails start-up when a {@link BackgroundTask @BackgroundTask} method is misused, with a message naming
 * the method: one that cannot be proxied, a return type that cannot carry an asynchronous result, a
 * parameter that dies with the request, a budget that does not parse, durable work without a durable
 * tier, or a bean that was not proxied at all. Runs after the auto-proxy creator, so it sees the proxies.
 *
 * @author edge-runtime developers
 */
public final class BackgroundTaskMethodValidator implements BeanPostProcessor, BeanFactoryAware, Ordered {

	private @Nullable ListableBeanFactory beanFactory;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = (beanFactory instanceof ListableBeanFactory listable) ? listable : null;
	}

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) throws BeansException {
		// before any proxy is made, so that a method CGLIB cannot override is reported as such
		Class<?> type = ClassUtils.getUserClass(bean);
		for (Method method : annotatedMethods(type).keySet()) {
			check(method, type, beanName);
		}
		return bean;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		Map<Method, BackgroundTask> methods = annotatedMethods(ClassUtils.getUserClass(targetClass));
		if (methods.isEmpty()) {
			return bean;
		}
		for (Method method : methods.keySet()) {
			BackgroundTaskDefinition definition = check(method, targetClass, beanName);
			if (!AopUtils.isAopProxy(bean)) {
				throw new BeanInitializationException(definition.description() + " is misused: bean '" + beanName
						+ "' was not proxied, so the annotation would be ignored; is the bean created by a "
						+ "BeanPostProcessor or excluded from auto-proxying?");
			}
			if (AopUtils.isJdkDynamicProxy(bean) && !isOnInterface(method, bean)) {
				throw new BeanInitializationException(definition.description() + " is misused: bean '" + beanName
						+ "' is proxied through its interfaces and none declares this method; declare it on an "
						+ "interface or use class-based proxies (spring.aop.proxy-target-class=true)");
			}
		}
		return bean;
	}

	private BackgroundTaskDefinition check(Method method, Class<?> targetClass, String beanName) {
		BackgroundTaskDefinition definition;
		try {
			definition = BackgroundTaskDefinition.of(method, targetClass);
		}
		catch (IllegalStateException ex) {
			throw new BeanInitializationException(ex.getMessage() + " (bean '" + beanName + "')");
		}
		if (definition.durable() && !hasDurableDispatcher()) {
			throw new BeanInitializationException(definition.description()
					+ " is misused: durable = true, but the durable tier is not available: no "
					+ DurableTaskDispatcher.class.getName() + " bean (bean '" + beanName + "')");
		}
		return definition;
	}

	private boolean hasDurableDispatcher() {
		return this.beanFactory != null
				&& this.beanFactory.getBeanNamesForType(DurableTaskDispatcher.class, true, false).length > 0;
	}

	private static Map<Method, BackgroundTask> annotatedMethods(Class<?> type) {
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

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
