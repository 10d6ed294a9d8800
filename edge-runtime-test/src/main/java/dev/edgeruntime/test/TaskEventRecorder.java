package dev.edgeruntime.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.edgeruntime.BeforeUnloadEvent;
import dev.edgeruntime.UnhandledRejectionEvent;
import dev.edgeruntime.UnloadReason;
import dev.edgeruntime.queue.MessageDeadLetteredEvent;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;

/**
 * Records the {@link BeforeUnloadEvent}s and {@link UnhandledRejectionEvent}s of the runtime and, with the
 * durable tier, the {@link MessageDeadLetteredEvent}s of its queue consumers, so tests can assert on them.
 * Events are recorded whichever thread publishes them (a task's, the watchdog's, a consumer's), unlike
 * Spring's {@code @RecordApplicationEvents}, which sees only those of the test's own thread. The test
 * auto-configuration defines one; inject it and {@link #clear()} it between tests that share an
 * application context. Recording changes nothing: it does not prevent the default log of an unhandled
 * rejection.
 *
 * @author edge-runtime developers
 */
public class TaskEventRecorder implements ApplicationListener<ApplicationEvent> {

	private final List<BeforeUnloadEvent> beforeUnloadEvents = new CopyOnWriteArrayList<>();

	private final List<UnhandledRejectionEvent> unhandledRejections = new CopyOnWriteArrayList<>();

	private final List<MessageDeadLetteredEvent> deadLetters = new CopyOnWriteArrayList<>();

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		if (event instanceof BeforeUnloadEvent beforeUnload) {
			this.beforeUnloadEvents.add(beforeUnload);
		}
		else if (event instanceof UnhandledRejectionEvent unhandled) {
			this.unhandledRejections.add(unhandled);
		}
		else if (event instanceof MessageDeadLetteredEvent deadLettered) {
			this.deadLetters.add(deadLettered);
		}
	}

	/**
	 * The {@code beforeunload} events seen, oldest first.
	 * @return the events
	 */
	public List<BeforeUnloadEvent> beforeUnloadEvents() {
		return List.copyOf(this.beforeUnloadEvents);
	}

	/**
	 * The reasons of the {@code beforeunload} events seen, oldest first.
	 * @return the reasons
	 */
	public List<UnloadReason> beforeUnloadReasons() {
		return this.beforeUnloadEvents.stream().map(BeforeUnloadEvent::reason).toList();
	}

	/**
	 * The {@code unhandledrejection} events seen, oldest first.
	 * @return the events
	 */
	public List<UnhandledRejectionEvent> unhandledRejections() {
		return List.copyOf(this.unhandledRejections);
	}

	/**
	 * The messages the durable tier's consumers dead-lettered (a durable {@code @BackgroundTask} call or a
	 * {@code @QueueListener} message that failed its last attempt, or could not be read), oldest first.
	 * @return the events
	 */
	public List<MessageDeadLetteredEvent> deadLetters() {
		return List.copyOf(this.deadLetters);
	}

	/**
	 * Forgets every event seen so far.
	 */
	public void clear() {
		this.beforeUnloadEvents.clear();
		this.unhandledRejections.clear();
		this.deadLetters.clear();
	}

}
