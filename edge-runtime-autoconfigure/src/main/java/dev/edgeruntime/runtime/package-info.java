/**
 * The in-process runtime behind {@link dev.edgeruntime.EdgeRuntime}: the task registry, executors,
 * budget watchdog, ephemeral storage and shutdown drain.
 */
@NullMarked
package dev.edgeruntime.runtime;

import org.jspecify.annotations.NullMarked;
