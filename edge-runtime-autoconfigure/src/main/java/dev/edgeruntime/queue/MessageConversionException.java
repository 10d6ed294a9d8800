package dev.edgeruntime.queue;

/**
 * A message's JSON payload cannot be mapped to the type asked for. A consumer dead-letters such a message
 * at once: it would never succeed.
 *
 * @author edge-runtime developers
 */
public class MessageConversionException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final long messageId;

	/**
	 * Creates a new instance.
	 * @param messageId the message id
	 * @param type the type asked for
	 * @param cause the mapping error
	 */
	public MessageConversionException(long messageId, Class<?> type, Throwable cause) {
		super("Message " + messageId + " cannot be read as " + type.getName() + ": " + cause.getMessage(), cause);
		this.messageId = messageId;
	}

	/**
	 * The message id.
	 * @return the id
	 */
	public long getMessageId() {
		return this.messageId;
	}

}
