package dev.edgeruntime.queue;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.ReflectionUtils;

/**
 * Finds {@link QueueListener} methods on beans and checks them; {@link QueueConsumers} fails start-up naming
 * every misused one, once all beans exist, and runs the others.
 *
 * @author edge-runtime developers
 */
public final class QueueListenerAnnotationBeanPostProcessor implements BeanPostProcessor, EnvironmentAware {

	private final List<QueueListenerEndpoint> endpoints = new CopyOnWriteArrayList<>();

	private final List<String> problems = new CopyOnWriteArrayList<>();

	private volatile boolean reported;

	private @Nullable Environment environment;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		Map<Method, QueueListener> methods = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<QueueListener>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, QueueListener.class));
		methods.forEach((method, annotation) -> {
			try {
				this.endpoints.add(endpoint(bean, beanName, method, annotation, annotation.queue(),
						resolve(annotation.queue())));
			}
			catch (BeanInitializationException ex) {
				if (this.reported) {
					throw ex; // a bean made after the report (a lazy one): it fails as it is made
				}
				// reported with the other listeners' problems once every bean exists (QueueConsumers)
				this.problems.add(ex.getMessage());
			}
		});
		return bean;
	}

	private String resolve(String value) {
		try {
			return (this.environment != null) ? this.environment.resolveRequiredPlaceholders(value) : value;
		}
		catch (IllegalArgumentException ex) {
			throw new BeanInitializationException("@QueueListener queue '" + value + "' has a placeholder that "
					+ "cannot be resolved: " + ex.getMessage(), ex);
		}
	}

	private static QueueListenerEndpoint endpoint(Object bean, String beanName, Method method,
			QueueListener annotation, String declared, String queue) {
		String where = method.getDeclaringClass().getName() + "." + method.getName();
		try {
			QueueName.requireValid(queue);
		}
		catch (InvalidQueueNameException ex) {
			// a name from a placeholder: say which attribute it came from, as the property holding it is the one to fix
			throw new BeanInitializationException("@QueueListener on " + where + ": " + ex.getMessage()
					+ (declared.equals(queue) ? "" : "; the name comes from " + attribute(method, declared)), ex);
		}
		if (method.getParameterCount() != 1) {
			throw new BeanInitializationException("@QueueListener method " + where
					+ " must take exactly one parameter (the payload or a QueueMessage of it), it takes "
					+ method.getParameterCount());
		}
		Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
		ReflectionUtils.makeAccessible(invocable);
		ResolvableType parameter = ResolvableType.forMethodParameter(method, 0);
		boolean wantsMessage = QueueMessage.class.equals(parameter.resolve());
		Class<?> payloadType = wantsMessage ? parameter.getGeneric(0).resolve(JsonNode.class)
				: parameter.resolve(Object.class);
		return new QueueListenerEndpoint(beanName, bean, invocable, annotation, queue, payloadType, wantsMessage);
	}

	/** The attribute a queue name was declared in, as written: {@code value}, the default, or {@code queue}. */
	private static String attribute(Method method, String declared) {
		QueueListener direct = method.getAnnotation(QueueListener.class);
		boolean value = direct != null && direct.queue().isEmpty() && !direct.value().isEmpty();
		return value ? "@QueueListener(\"" + declared + "\")" : "queue = \"" + declared + "\"";
	}

	/**
	 * Adds a consumer that no annotation declares, such as that of durable tasks; before the consumers start.
	 * @param endpoint the consumer's handler
	 */
	void register(QueueListenerEndpoint endpoint) {
		this.endpoints.add(endpoint);
	}

	List<QueueListenerEndpoint> endpoints() {
		return List.copyOf(this.endpoints);
	}

	/**
	 * The listeners found misused (an invalid queue name, a wrong number of parameters), one line each, for
	 * {@link QueueConsumers} to report with the others; a listener found misused after that fails its bean.
	 * @return the problems
	 */
	List<String> problems() {
		this.reported = true;
		return List.copyOf(this.problems);
	}

}
