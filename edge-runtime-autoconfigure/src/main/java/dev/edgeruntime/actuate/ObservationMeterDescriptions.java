package dev.edgeruntime.actuate;

import java.util.Map;

import dev.edgeruntime.queue.DefaultQueueProcessObservationConvention;
import dev.edgeruntime.queue.DefaultQueueSendObservationConvention;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Describes the meters that Micrometer's meter handler makes of the runtime's observations
 * ({@value TaskObservationListener#NAME}, {@value DefaultQueueSendObservationConvention#NAME},
 * {@value DefaultQueueProcessObservationConvention#NAME}, and their {@code .active} long task timers): the
 * handler registers them with no description, which leaves their {@code HELP} empty in Prometheus, and an
 * observation has nothing to give it one. A meter that has a description keeps it.
 *
 * @author edge-runtime developers
 */
public final class ObservationMeterDescriptions implements MeterFilter {

	private static final String ACTIVE = ".active";

	private static final Map<String, String> DESCRIPTIONS = Map.of(TaskObservationListener.NAME,
			"Background tasks observed from start to end, by name, outcome and error",
			TaskObservationListener.NAME + ACTIVE, "Background tasks running now",
			DefaultQueueSendObservationConvention.NAME, "Messages sent to a queue of the durable tier",
			DefaultQueueSendObservationConvention.NAME + ACTIVE, "Sends to a queue of the durable tier in progress",
			DefaultQueueProcessObservationConvention.NAME,
			"Deliveries of queue messages to their handler, from delivery to outcome, by queue, listener, durable "
					+ "task name and error",
			DefaultQueueProcessObservationConvention.NAME + ACTIVE, "Queue messages being handled now");

	@Override
	public Meter.Id map(Meter.Id id) {
		String description = DESCRIPTIONS.get(id.getName());
		if (description == null || id.getDescription() != null) {
			return id;
		}
		return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description,
				id.getType());
	}

}
