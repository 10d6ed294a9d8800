package dev.edgeruntime.web;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.web.accept.ContentNegotiationManager;
import org.springframework.web.accept.HeaderContentNegotiationStrategy;
import org.springframework.web.method.ControllerAdviceBean;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * Puts the handling of {@code @BackgroundTask} controller methods first among the return value handlers
 * of every {@link RequestMappingHandlerAdapter}: it must win over {@code @ResponseBody} and view names,
 * which would otherwise write the method's declared return type.
 * <p>
 * It also decides whether the 202 bodies may be written without the message converters (see
 * {@code AcceptedBodyShortcut}): not if the application has a {@code ResponseBodyAdvice} controller advice,
 * negotiates content by more than the {@code Accept} header, or turned the shortcut off.
 *
 * @author edge-runtime developers
 */
public final class BackgroundTaskHandlerAdapterPostProcessor implements BeanPostProcessor, ApplicationContextAware {

	private static final Log logger = LogFactory.getLog(BackgroundTaskHandlerAdapterPostProcessor.class);

	private final Supplier<@Nullable String> basePath;

	private final Supplier<Boolean> shortcut;

	private @Nullable ApplicationContext context;

	/**
	 * Creates a new instance, with the shortcut for 202 bodies allowed.
	 * @param basePath supplies the base path of the task status resource, or {@code null} when the
	 * application has none (then 202 responses carry no link to it), called when a handler adapter is
	 * initialized
	 */
	public BackgroundTaskHandlerAdapterPostProcessor(Supplier<@Nullable String> basePath) {
		this(basePath, () -> true);
	}

	/**
	 * Creates a new instance.
	 * @param basePath supplies the base path of the task status resource, or {@code null} when the
	 * application has none (then 202 responses carry no link to it), called when a handler adapter is
	 * initialized
	 * @param shortcut supplies whether 202 bodies may be written without the message converters once they
	 * were seen to write the same ({@code edge-runtime.tasks.accepted-body-shortcut}), called when a handler
	 * adapter is initialized
	 */
	public BackgroundTaskHandlerAdapterPostProcessor(Supplier<@Nullable String> basePath, Supplier<Boolean> shortcut) {
		this.basePath = basePath;
		this.shortcut = shortcut;
	}

	@Override
	public void setApplicationContext(ApplicationContext context) {
		this.context = context;
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
				reordered.add(new BackgroundTaskReturnValueHandler(entityHandler, this.basePath.get(),
						new AcceptedBodyShortcut(shortcutAllowed())));
				reordered.addAll(handlers);
				adapter.setReturnValueHandlers(reordered);
			}
		}
		return bean;
	}

	private boolean shortcutAllowed() {
		if (!Boolean.TRUE.equals(this.shortcut.get())) {
			return false;
		}
		ApplicationContext context = this.context;
		if (context == null) {
			return false;
		}
		for (ControllerAdviceBean advice : ControllerAdviceBean.findAnnotatedBeans(context)) {
			Class<?> type = advice.getBeanType();
			if (type != null && ResponseBodyAdvice.class.isAssignableFrom(type)) {
				logger.debug("202 Accepted bodies of @BackgroundTask methods are written by the message converters: "
						+ "the application has a ResponseBodyAdvice, " + type.getName());
				return false;
			}
		}
		ContentNegotiationManager negotiation = context.getBeanProvider(ContentNegotiationManager.class).getIfUnique();
		if (negotiation == null || !negotiation.getStrategies()
			.stream()
			.allMatch((strategy) -> strategy.getClass() == HeaderContentNegotiationStrategy.class)) {
			logger.debug("202 Accepted bodies of @BackgroundTask methods are written by the message converters: "
					+ "content is negotiated by more than the Accept header");
			return false;
		}
		return true;
	}

}
