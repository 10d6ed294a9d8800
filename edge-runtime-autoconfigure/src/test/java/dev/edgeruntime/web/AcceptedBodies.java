package dev.edgeruntime.web;

import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Finds the shortcut for 202 bodies in an application's handler adapter.
 *
 * @author edge-runtime developers
 */
final class AcceptedBodies {

	private AcceptedBodies() {
	}

	static AcceptedBodyShortcut shortcut(RequestMappingHandlerAdapter adapter) {
		return adapter.getReturnValueHandlers()
			.stream()
			.filter(BackgroundTaskReturnValueHandler.class::isInstance)
			.map((handler) -> ((BackgroundTaskReturnValueHandler) handler).shortcut())
			.findFirst()
			.orElseThrow();
	}

	/** The body Jackson writes for a {@link TaskAccepted} with default settings. */
	static String expectedBody(String id, String name, String state, String statusUrl) {
		return "{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"state\":\"" + state + "\",\"statusUrl\":\""
				+ statusUrl + "\"}";
	}

}
