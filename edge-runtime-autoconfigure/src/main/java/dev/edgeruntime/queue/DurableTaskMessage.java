package dev.edgeruntime.queue;

import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * The payload of a durable {@code @BackgroundTask} call on its queue. The task's id, name and origin travel
 * in the headers ({@link QueueHeaders#TASK_ID}, {@link QueueHeaders#TASK_NAME},
 * {@link QueueHeaders#TASK_ORIGIN}).
 *
 * @param bean the name of the bean whose method was called
 * @param type the bean's class, for people reading the queue
 * @param method the method name
 * @param parameterTypes the method's parameter types, by class name
 * @param arguments the arguments as JSON, one per parameter
 * @author edge-runtime developers
 */
record DurableTaskMessage(String bean, String type, String method, List<String> parameterTypes,
		List<JsonNode> arguments) {

}
