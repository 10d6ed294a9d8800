package dev.edgeruntime.autoconfigure;

import java.util.List;

/**
 * Thrown at start-up when beans have {@link dev.edgeruntime.queue.QueueListener @QueueListener} or
 * {@link dev.edgeruntime.cron.CronJob @CronJob} methods but the durable tier that runs them is not
 * configured. {@link DurableTierUnavailableFailureAnalyzer} turns it into a report naming the methods and
 * what the application lacks.
 *
 * @author edge-runtime developers
 */
public class DurableTierUnavailableException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final List<String> methods;

	private final List<String> missing;

	/**
	 * Creates a new instance.
	 * @param methods the annotated methods nothing would run, each as its annotation and method
	 * @param missing what the application lacks for the durable tier, each with what to add
	 */
	public DurableTierUnavailableException(List<String> methods, List<String> missing) {
		super("The durable tier is not available, so nothing would run " + String.join(", ", methods) + ": "
				+ String.join("; ", missing));
		this.methods = List.copyOf(methods);
		this.missing = List.copyOf(missing);
	}

	/**
	 * The annotated methods nothing would run.
	 * @return each as its annotation and method
	 */
	public List<String> getMethods() {
		return this.methods;
	}

	/**
	 * What the application lacks for the durable tier.
	 * @return each with what to add
	 */
	public List<String> getMissing() {
		return this.missing;
	}

}
