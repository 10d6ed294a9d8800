package dev.edgeruntime.dashboard;

import java.time.Duration;

import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.UnloadReason;
import dev.edgeruntime.runtime.TaskLifecycleListener;
import org.jspecify.annotations.Nullable;

/**
 * Tells the {@link DashboardEventStream} when a task starts, ends or is refused, so that open pages see it
 * before the next refresh. The stream attaches itself: the runtime collects its listeners while it is
 * created, before the stream (which reads the runtime) can exist.
 *
 * @author edge-runtime developers
 */
public final class DashboardChangeListener implements TaskLifecycleListener {

	private volatile @Nullable DashboardEventStream stream;

	/**
	 * Sends the changes to a stream from now on.
	 * @param stream the stream
	 */
	public void attach(DashboardEventStream stream) {
		this.stream = stream;
	}

	@Override
	public void taskStarted(TaskHandle<?> task) {
		changed();
	}

	@Override
	public void taskFinished(TaskHandle<?> task, TaskState state, Duration elapsed) {
		changed();
	}

	@Override
	public void taskRejected(UnloadReason reason) {
		changed();
	}

	private void changed() {
		DashboardEventStream stream = this.stream;
		if (stream != null) {
			stream.changed();
		}
	}

}
