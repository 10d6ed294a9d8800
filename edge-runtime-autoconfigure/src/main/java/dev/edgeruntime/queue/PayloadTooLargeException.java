package dev.edgeruntime.queue;

/**
 * A message was refused before it was sent because its JSON form is larger than
 * {@code edge-runtime.queue.max-payload-size}.
 *
 * @author edge-runtime developers
 */
public class PayloadTooLargeException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	private final long size;

	private final long maxSize;

	/**
	 * Creates a new instance.
	 * @param queue the queue
	 * @param size the payload's size in bytes
	 * @param maxSize the largest size allowed in bytes
	 */
	public PayloadTooLargeException(String queue, long size, long maxSize) {
		super("Message for queue '" + queue + "' is " + size + " bytes of JSON, more than the " + maxSize
				+ " bytes allowed by edge-runtime.queue.max-payload-size");
		this.size = size;
		this.maxSize = maxSize;
	}

	/**
	 * The payload's size.
	 * @return the size in bytes
	 */
	public long getSize() {
		return this.size;
	}

	/**
	 * The largest size allowed.
	 * @return the size in bytes
	 */
	public long getMaxSize() {
		return this.maxSize;
	}

}
