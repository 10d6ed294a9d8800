/**
 * Operations support: the {@code backgroundtasks} actuator endpoint, Micrometer metrics and the task
 * observation, and the runtime's health indicator.
 */
@NullMarked
package dev.edgeruntime.actuate;

import org.jspecify.annotations.NullMarked;
