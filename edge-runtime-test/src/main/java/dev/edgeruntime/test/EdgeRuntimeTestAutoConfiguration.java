package dev.edgeruntime.test;

import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of edge-runtime's
 * test support: a {@link TaskEventRecorder}. Active wherever this artifact is on the classpath, which
 * should be the test classpath only.
 *
 * @author edge-runtime developers
 */
@AutoConfiguration(after = EdgeRuntimeAutoConfiguration.class)
public final class EdgeRuntimeTestAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TaskEventRecorder taskEventRecorder() {
		return new TaskEventRecorder();
	}

}
