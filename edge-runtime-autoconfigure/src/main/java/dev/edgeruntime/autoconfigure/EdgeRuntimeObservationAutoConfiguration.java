package dev.edgeruntime.autoconfigure;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.actuate.TaskObservationListener;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of an
 * {@link io.micrometer.observation.Observation} per task ({@link TaskObservationListener}), continuing the
 * trace of the request that started it.
 *
 * @author edge-runtime developers
 */
@AutoConfiguration(after = EdgeRuntimeAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean({ ObservationRegistry.class, EdgeRuntime.class })
public final class EdgeRuntimeObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TaskObservationListener edgeRuntimeTaskObservationListener(ObservationRegistry observationRegistry) {
		return new TaskObservationListener(observationRegistry);
	}

}
