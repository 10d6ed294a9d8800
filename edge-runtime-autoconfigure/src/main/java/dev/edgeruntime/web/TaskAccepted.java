package dev.edgeruntime.web;

import java.net.URI;
import java.util.UUID;

import dev.edgeruntime.TaskState;
import org.jspecify.annotations.Nullable;

/**
 * The body of the {@code 202 Accepted} response of a {@code @BackgroundTask} controller method.
 *
 * @param id the task id
 * @param name the task name
 * @param state the task's state when the response was written
 * @param statusUrl the task status resource, also in the {@code Location} header; {@code null} when the
 * application has none ({@code edge-runtime.tasks.enabled=false})
 * @author edge-runtime developers
 */
public record TaskAccepted(UUID id, String name, TaskState state, @Nullable URI statusUrl) {

}
