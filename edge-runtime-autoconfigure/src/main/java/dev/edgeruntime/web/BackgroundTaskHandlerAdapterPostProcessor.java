package dev.edgeruntime.web;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Puts the handling of {@code @BackgroundTask} controller methods first among the return value handlers
 * of every {@link RequestMappingHandlerAdapter}: it must win over {@code @ResponseBody} and view names,
 * which would otherwise write the method's declared return type.
 *
 * @author edge-runtime developers
 */
public final class BackgroundTaskHandlerAdapterPostProcessor implements BeanPostProcessor {

	private final Supplier<String> basePath;

	/**
	 * Creates a new instance.
	 * @param basePath supplies the base path of the task status resource, called when a handler adapter is
	 * initialized
	 */
	public BackgroundTaskHandlerAdapterPostProcessor(Supplier<String> basePath) {
		this.basePath = basePath;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		if (bean instanceof RequestMappingHandlerAdapter adapter) {
			List<HandlerMethodReturnValueHandler> handlers = adapter.getReturnValueHandlers();
			if (handlers != null) {
				HandlerMethodReturnValueHandler entityHandler = handlers.stream()
					.filter((handler) -> handler.supportsReturnType(BackgroundTaskReturnValueHandler.ACCEPTED_RETURN_TYPE))
					.findFirst()
					.orElseThrow(() -> new IllegalStateException("RequestMappingHandlerAdapter '" + beanName
							+ "' has no return value handler for ResponseEntity to write 202 Accepted responses"));
				List<HandlerMethodReturnValueHandler> reordered = new ArrayList<>(handlers.size() + 1);
				// resolved once, as the status resource's mapping is, rather than looked up on every request
				reordered.add(new BackgroundTaskReturnValueHandler(entityHandler, this.basePath.get()));
				reordered.addAll(handlers);
				adapter.setReturnValueHandlers(reordered);
			}
		}
		return bean;
	}

}
