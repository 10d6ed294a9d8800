package dev.edgeruntime.web;

import java.lang.reflect.Method;
import java.net.URI;
import java.util.function.Supplier;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.TaskHandle;
import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.http.ResponseEntity;
import org.springframework.util.ReflectionUtils;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * Writes {@code 202 Accepted} for a {@code @BackgroundTask} controller method, whatever its declared
 * return type: a {@code Location} header to the task status resource and a {@link TaskAccepted} body,
 * through the adapter's own {@code ResponseEntity} handling (message converters, content negotiation).
 *
 * @author edge-runtime developers
 */
final class BackgroundTaskReturnValueHandler implements HandlerMethodReturnValueHandler {

	/** The return type of the 202 response, {@code ResponseEntity<TaskAccepted>}. */
	static final MethodParameter ACCEPTED_RETURN_TYPE;

	static {
		Method method = ReflectionUtils.findMethod(BackgroundTaskReturnValueHandler.class, "acceptedReturnType");
		ACCEPTED_RETURN_TYPE = new MethodParameter(method, -1);
	}

	private final HandlerMethodReturnValueHandler entityHandler;

	private final Supplier<String> basePath;

	BackgroundTaskReturnValueHandler(HandlerMethodReturnValueHandler entityHandler, Supplier<String> basePath) {
		this.entityHandler = entityHandler;
		this.basePath = basePath;
	}

	@Override
	public boolean supportsReturnType(MethodParameter returnType) {
		return returnType.hasMethodAnnotation(BackgroundTask.class);
	}

	@Override
	public void handleReturnValue(@Nullable Object returnValue, MethodParameter returnType,
			ModelAndViewContainer mavContainer, NativeWebRequest webRequest) throws Exception {
		Object accepted = webRequest.getAttribute(BackgroundTaskInterceptor.ACCEPTED_TASK_ATTRIBUTE,
				RequestAttributes.SCOPE_REQUEST);
		if (!(accepted instanceof TaskHandle<?> task)) {
			throw new IllegalStateException("@BackgroundTask handler method " + returnType.getMethod()
					+ " returned without starting a background task; is its bean proxied?");
		}
		URI location = ServletUriComponentsBuilder.fromCurrentServletMapping()
			.path(this.basePath.get())
			.pathSegment(task.id().toString())
			.build()
			.toUri();
		ResponseEntity<TaskAccepted> entity = ResponseEntity.accepted()
			.location(location)
			.body(new TaskAccepted(task.id(), task.name(), task.state(), location));
		this.entityHandler.handleReturnValue(entity, ACCEPTED_RETURN_TYPE, mavContainer, webRequest);
	}

	/**
	 * Describes the response to the message converters, in place of the controller method's own
	 * return type.
	 * @return nothing; only the declaration is used
	 */
	@SuppressWarnings("unused")
	private static @Nullable ResponseEntity<TaskAccepted> acceptedReturnType() {
		return null;
	}

}
