package dev.edgeruntime.autoconfigure;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.actuate.EdgeRuntimeMeterBinder;
import dev.edgeruntime.actuate.ObservationMeterDescriptions;
import dev.edgeruntime.actuate.TaskMetricsListener;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the
 * runtime's Micrometer meters: the task timer and counters ({@link TaskMetricsListener}), the gauges
 * ({@link EdgeRuntimeMeterBinder}), and the descriptions of the meters its observations make
 * ({@link ObservationMeterDescriptions}, a {@code MeterFilter} Spring Boot applies to its registries).
 *
 * @author edge-runtime developers
 */
@AutoConfiguration(after = EdgeRuntimeAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, EdgeRuntime.class })
public final class EdgeRuntimeMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TaskMetricsListener edgeRuntimeTaskMetricsListener(MeterRegistry meterRegistry) {
		return new TaskMetricsListener(meterRegistry);
	}

	@Bean
	@ConditionalOnMissingBean
	EdgeRuntimeMeterBinder edgeRuntimeMeterBinder(EdgeRuntime runtime) {
		return new EdgeRuntimeMeterBinder(runtime);
	}

	// static: created as the registry is configured, before anything else of this class
	@Bean
	@ConditionalOnMissingBean
	static ObservationMeterDescriptions edgeRuntimeObservationMeterDescriptions() {
		return new ObservationMeterDescriptions();
	}

}
