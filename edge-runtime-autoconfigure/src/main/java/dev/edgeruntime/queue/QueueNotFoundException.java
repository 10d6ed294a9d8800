package dev.edgeruntime.queue;

import org.springframework.dao.DataRetrievalFailureException;

/**
 * An operation named a queue that does not exist (pgmq raises "relation does not exist").
 *
 * @author edge-runtime developers
 */
public class QueueNotFoundException extends DataRetrievalFailureException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates a new instance.
	 * @param queue the queue name
	 * @param cause the database's error
	 */
	public QueueNotFoundException(String queue, Throwable cause) {
		super("Queue '" + queue + "' does not exist; create it with PgmqTemplate.createQueue or pgmq.create", cause);
	}

}
