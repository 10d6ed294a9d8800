/**
 * The background-task dashboard: a page served by the application that shows the
 * {@link dev.edgeruntime.actuate.BackgroundTasksEndpoint backgroundtasks} report live over Server-Sent
 * Events, with a cancel button for operators.
 */
@NullMarked
package dev.edgeruntime.dashboard;

import org.jspecify.annotations.NullMarked;
