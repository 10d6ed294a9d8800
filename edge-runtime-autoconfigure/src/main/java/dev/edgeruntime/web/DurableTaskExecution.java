package dev.edgeruntime.web;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Runs the body of a durable {@link dev.edgeruntime.BackgroundTask @BackgroundTask} method, for the
 * consumer that took its call off the queue. The call goes through the bean's proxy, so other advice of the
 * method (such as {@code @Transactional}) applies, but the background-task advice lets it through once
 * instead of enqueueing it again. A durable method that the body calls on another bean is enqueued as
 * usual.
 *
 * @author edge-runtime developers
 */
public final class DurableTaskExecution {

	private static final ThreadLocal<@Nullable Method> INLINE = new ThreadLocal<>();

	private DurableTaskExecution() {
	}

	/**
	 * Calls a durable method's body on the current thread.
	 * @param bean the bean, normally its proxy
	 * @param method the annotated method, as declared by the bean's class
	 * @param arguments the arguments
	 * @return what the body returned
	 * @throws Exception what the body threw
	 */
	public static @Nullable Object invoke(Object bean, Method method, @Nullable Object[] arguments) throws Exception {
		Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
		ReflectionUtils.makeAccessible(invocable);
		Method previous = INLINE.get();
		INLINE.set(method);
		try {
			return invocable.invoke(bean, arguments);
		}
		catch (InvocationTargetException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			if (cause instanceof Exception exception) {
				throw exception;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			throw ex;
		}
		finally {
			INLINE.set(previous);
		}
	}

	/**
	 * Whether this call of the method is the consumer's own, to be run rather than enqueued; a call claims
	 * that once.
	 * @param method the method being intercepted
	 * @return {@code true} to run the body
	 */
	static boolean claim(Method method) {
		Method inline = INLINE.get();
		if (inline != null && inline.getName().equals(method.getName())
				&& Arrays.equals(inline.getParameterTypes(), method.getParameterTypes())) {
			INLINE.remove();
			return true;
		}
		return false;
	}

}
