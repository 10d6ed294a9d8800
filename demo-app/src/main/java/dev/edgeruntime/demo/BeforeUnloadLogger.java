package dev.edgeruntime.demo;

import dev.edgeruntime.BeforeUnloadEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The guide's {@code addEventListener('beforeunload', ...)}: logs why the function (here: a task or the
 * application) is about to be unloaded.
 *
 * @author edge-runtime developers
 */
@Component
class BeforeUnloadLogger {

	private static final Logger logger = LoggerFactory.getLogger(BeforeUnloadLogger.class);

	@EventListener
	void onBeforeUnload(BeforeUnloadEvent event) {
		logger.info("Function will be shutdown due to {} ({})", event.reason().value(),
				event.task().map((task) -> "task " + task.id() + " " + task.name()).orElse("whole runtime"));
	}

}
