package dev.edgeruntime.autoconfigure;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.edgeruntime.BeforeUnloadEvent;
import dev.edgeruntime.UnhandledRejectionEvent;

import org.springframework.context.event.EventListener;

/**
 * Records the runtime's events in the order they were published.
 */
class EventRecorder {

	final List<Object> events = new CopyOnWriteArrayList<>();

	volatile Consumer<BeforeUnloadEvent> onBeforeUnload = (event) -> {
	};

	volatile boolean preventDefault;

	@EventListener
	void beforeUnload(BeforeUnloadEvent event) {
		this.events.add(event);
		this.onBeforeUnload.accept(event);
	}

	@EventListener
	void unhandled(UnhandledRejectionEvent event) {
		this.events.add(event);
		if (this.preventDefault) {
			event.preventDefault();
		}
	}

	List<BeforeUnloadEvent> beforeUnload() {
		return this.events.stream()
			.filter(BeforeUnloadEvent.class::isInstance)
			.map(BeforeUnloadEvent.class::cast)
			.toList();
	}

	List<UnhandledRejectionEvent> unhandled() {
		return this.events.stream()
			.filter(UnhandledRejectionEvent.class::isInstance)
			.map(UnhandledRejectionEvent.class::cast)
			.toList();
	}

}
