package dev.edgeruntime.queue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Makes the durable tier's {@link QueueObservation observations}: {@link PgmqTemplate} and the queue
 * consumers are given one only when the application has an {@link ObservationRegistry}, so that without it
 * a send or a delivery does no work for them, and their classes need no Micrometer on the class path.
 *
 * @author edge-runtime developers
 */
public final class QueueObservations {

	private final ObservationRegistry registry;

	private final @Nullable QueueSendObservationConvention sendConvention;

	private final @Nullable QueueProcessObservationConvention processConvention;

	/**
	 * Creates a new instance with the default conventions.
	 * @param registry the registry
	 */
	public QueueObservations(ObservationRegistry registry) {
		this(registry, null, null);
	}

	/**
	 * Creates a new instance.
	 * @param registry the registry
	 * @param sendConvention replaces the default convention of sends, or {@code null}
	 * @param processConvention replaces the default convention of processing, or {@code null}
	 */
	public QueueObservations(ObservationRegistry registry, @Nullable QueueSendObservationConvention sendConvention,
			@Nullable QueueProcessObservationConvention processConvention) {
		this.registry = registry;
		this.sendConvention = sendConvention;
		this.processConvention = processConvention;
	}

	/**
	 * Sends in a send observation, with the headers the tracer's propagator wrote into.
	 * @param queue the queue
	 * @param headers the headers the caller passed
	 * @param batch whether a batch is sent (no message id is recorded)
	 * @param send sends with the headers it is given, returning the message's id
	 * @return the message id
	 */
	long send(String queue, Map<String, ?> headers, boolean batch, ToLongFunction<Map<String, ?>> send) {
		if (this.registry.isNoop()) {
			return send.applyAsLong(headers);
		}
		Map<String, Object> carrier = new LinkedHashMap<>(headers);
		QueueSendContext context = new QueueSendContext(carrier, queue);
		Observation observation = QueueObservation.SEND.observation(this.sendConvention,
				DefaultQueueSendObservationConvention.INSTANCE, () -> context, this.registry);
		if (observation.isNoop()) {
			// turned off (management.observations.enable...): the headers as the caller passed them
			return send.applyAsLong(headers);
		}
		observation.start();
		try (Observation.Scope scope = observation.openScope()) {
			long id = send.applyAsLong(carrier);
			if (!batch) {
				context.setMessageId(id);
			}
			return id;
		}
		catch (RuntimeException | Error ex) {
			observation.error(ex);
			throw ex;
		}
		finally {
			observation.stop();
		}
	}

	/**
	 * Starts the process observation of a delivered message, in scope on the calling thread.
	 * @param queue the queue
	 * @param listener the listener handling it
	 * @param message the message
	 * @param taskName the name of the durable task the message carries, {@code null} for none
	 * @return the processing, to be closed on the same thread once the handler returned and its failure, if any,
	 * was dealt with (retried or dead-lettered)
	 */
	Processing process(String queue, String listener, QueueMessage<JsonNode> message, @Nullable String taskName) {
		if (this.registry.isNoop()) {
			return Processing.NONE;
		}
		QueueProcessContext context = new QueueProcessContext(message.headers(), queue, listener, message.id(),
				message.readCount(), taskName);
		Observation observation = QueueObservation.PROCESS.observation(this.processConvention,
				DefaultQueueProcessObservationConvention.INSTANCE, () -> context, this.registry);
		if (observation.isNoop()) {
			return Processing.NONE;
		}
		observation.start();
		return new Observed(observation, observation.openScope());
	}

	/** The processing of one message: its handler's outcome, then closed. */
	interface Processing extends AutoCloseable {

		/** Processing that observes nothing. */
		Processing NONE = new Processing() {
		};

		/**
		 * The handler failed.
		 * @param error its error
		 */
		default void error(Throwable error) {
		}

		@Override
		default void close() {
		}

	}

	private record Observed(Observation observation, Observation.Scope scope) implements Processing {

		@Override
		public void error(Throwable error) {
			this.observation.error(error);
		}

		@Override
		public void close() {
			this.scope.close();
			this.observation.stop();
		}

	}

}
