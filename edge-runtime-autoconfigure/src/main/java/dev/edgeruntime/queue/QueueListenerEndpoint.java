package dev.edgeruntime.queue;

import java.lang.reflect.Method;

/**
 * A {@link QueueListener} method found on a bean.
 *
 * @param beanName the bean's name
 * @param bean the bean (possibly a proxy)
 * @param method the method to invoke on the bean
 * @param annotation the method's annotation
 * @param queue the queue name, placeholders resolved
 * @param payloadType the payload type the JSON is mapped to
 * @param wantsMessage whether the method takes a {@link QueueMessage} rather than the payload
 * @author edge-runtime developers
 */
record QueueListenerEndpoint(String beanName, Object bean, Method method, QueueListener annotation, String queue,
		Class<?> payloadType, boolean wantsMessage) {

	String description() {
		return this.method.getDeclaringClass().getName() + "." + this.method.getName();
	}

}
