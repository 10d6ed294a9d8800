package dev.edgeruntime;

/**
 * Why a task or the runtime is about to be unloaded. Each {@link #value()} is the string Supabase Edge
 * Functions put in {@code ev.detail.reason} of its {@code beforeunload} event.
 *
 * @author edge-runtime developers
 */
public enum UnloadReason {

	/** The wall-clock budget is nearly or fully used. */
	WALL_CLOCK("wall_clock"),

	/** The CPU-time budget is nearly or fully used. */
	CPU("cpu"),

	/** The memory budget is nearly or fully used, or the instance is under memory pressure. */
	MEMORY("memory"),

	/** Work was refused or dropped early: capacity or memory pressure. */
	EARLY_DROP("early_drop"),

	/** The application is shutting down. */
	TERMINATION("termination");

	private final String value;

	UnloadReason(String value) {
		this.value = value;
	}

	/**
	 * The reason as Supabase names it.
	 * @return for example {@code wall_clock}
	 */
	public String value() {
		return this.value;
	}

	/**
	 * The reason named by a Supabase reason string.
	 * @param value for example {@code cpu}
	 * @return the reason
	 * @throws IllegalArgumentException if no reason has that value
	 */
	public static UnloadReason fromValue(String value) {
		for (UnloadReason reason : values()) {
			if (reason.value.equals(value)) {
				return reason;
			}
		}
		throw new IllegalArgumentException("Unknown unload reason '" + value + "'");
	}

}
