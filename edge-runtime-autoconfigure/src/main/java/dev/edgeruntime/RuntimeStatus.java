package dev.edgeruntime;

import java.util.Map;

/**
 * The runtime's status.
 *
 * @param accepting whether new tasks are accepted
 * @param draining whether the runtime is shutting down and waiting for tasks to finish
 * @param memoryPressure whether the instance is under memory pressure (new tasks are refused)
 * @param inFlight tasks accepted and not yet finished
 * @param maxInFlight the most tasks accepted at once
 * @param retained tasks known to the registry, in flight or finished and retained
 * @param totalsByState tasks that ended, since start, by final state
 * @param totalsByReason {@code beforeunload} events since start, by unload reason: a budget announced
 * (once per task and budget, and again after an extension), memory pressure, termination; never
 * {@link UnloadReason#EARLY_DROP}, since a refusal is not an event (see {@code rejected})
 * @param rejected tasks refused since start
 * @author edge-runtime developers
 */
public record RuntimeStatus(boolean accepting, boolean draining, boolean memoryPressure, int inFlight,
		int maxInFlight, int retained, Map<TaskState, Long> totalsByState, Map<UnloadReason, Long> totalsByReason,
		long rejected) {

}
