package dev.edgeruntime.autoconfigure;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.stream.Collectors;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.web.BackgroundTaskAdvisor;
import dev.edgeruntime.web.BackgroundTaskMisuseException;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;

/**
 * Fails start-up when beans have {@link BackgroundTask @BackgroundTask} methods and nothing advises them:
 * {@link BackgroundTaskAutoConfiguration} backs off when the application's {@link EdgeRuntime} is not the
 * starter's (or when it is excluded), and the methods would then run on the caller's thread, as plain
 * calls, with nothing said.
 *
 * @author edge-runtime developers
 */
final class UnadvisedBackgroundTaskCheck implements BeanPostProcessor, SmartInitializingSingleton, BeanFactoryAware {

	private final Set<String> unadvised = new CopyOnWriteArraySet<>();

	private @Nullable ConfigurableListableBeanFactory beanFactory;

	/** Whether an advisor is defined, found at the first bean; null until then. */
	private volatile @Nullable Boolean advised;

	private volatile boolean checked;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		if (beanFactory instanceof ConfigurableListableBeanFactory listable) {
			this.beanFactory = listable;
		}
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (this.checked || advised()) {
			return bean;
		}
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		if (!AnnotationUtils.isCandidateClass(targetClass, BackgroundTask.class)) {
			return bean;
		}
		MethodIntrospector.selectMethods(targetClass, (MethodIntrospector.MetadataLookup<Object>) (method) -> {
			if (AnnotatedElementUtils.hasAnnotation(method, BackgroundTask.class)) {
				String parameters = Arrays.stream(method.getParameterTypes())
					.map(Class::getSimpleName)
					.collect(Collectors.joining(", "));
				this.unadvised.add("@BackgroundTask method " + ClassUtils.getUserClass(targetClass).getName() + "."
						+ method.getName() + "(" + parameters + ")");
			}
			return null;
		});
		return bean;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.checked = true;
		if (this.unadvised.isEmpty()) {
			return;
		}
		String reason = " would run on the caller's thread, not as a background task: nothing advises it, as "
				+ runtimes() + "; remove that bean so that the starter's runtime is used, or call its waitUntil "
				+ "instead of annotating the method";
		throw new BackgroundTaskMisuseException(this.unadvised.stream().map((method) -> method + reason).toList());
	}

	/** Whether an advisor of the methods is defined, decided once every bean definition is known. */
	private boolean advised() {
		Boolean advised = this.advised;
		if (advised == null) {
			ConfigurableListableBeanFactory factory = this.beanFactory;
			advised = (factory == null)
					|| factory.getBeanNamesForType(BackgroundTaskAdvisor.class, true, false).length > 0;
			this.advised = advised;
		}
		return advised;
	}

	/** Why no advisor: the application's own runtime, or the auto-configuration switched off. */
	private String runtimes() {
		List<String> names = (this.beanFactory != null)
				? List.of(this.beanFactory.getBeanNamesForType(EdgeRuntime.class, true, false)) : List.of();
		if (names.isEmpty()) {
			return "the application has no EdgeRuntime bean (BackgroundTaskAutoConfiguration or "
					+ "EdgeRuntimeAutoConfiguration excluded?)";
		}
		return "@BackgroundTask needs the starter's DefaultEdgeRuntime, which the application's EdgeRuntime bean "
				+ names + " replaces (or BackgroundTaskAutoConfiguration is excluded)";
	}

}
