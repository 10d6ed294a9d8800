package dev.edgeruntime.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionEvaluationReport;

/**
 * Which auto-configurations a context was given, as its condition evaluation report records them: every
 * candidate of an import (whether its conditions matched or not) and every exclusion. A test slice such as
 * {@code @WebMvcTest} imports a list of its own, which leaves out most of an application's.
 *
 * @author edge-runtime developers
 */
final class AutoConfigurationCandidates {

	private AutoConfigurationCandidates() {
	}

	/**
	 * Whether this context's auto-configurations, imported as {@code @EnableAutoConfiguration} or a test slice
	 * imports them, left an auto-configuration out: the runtime's own was among them and the one named was
	 * not (neither matched, nor refused by a condition, nor excluded). {@code false} where nothing records the
	 * import (no report, or auto-configurations registered by hand).
	 * @param beanFactory the context's bean factory
	 * @param autoConfiguration the class name of the auto-configuration
	 * @return whether it was left out
	 */
	static boolean leftOut(@Nullable ConfigurableListableBeanFactory beanFactory, String autoConfiguration) {
		ConditionEvaluationReport report = (beanFactory != null) ? ConditionEvaluationReport.find(beanFactory) : null;
		if (report == null || !report.getUnconditionalClasses().contains(EdgeRuntimeAutoConfiguration.class.getName())) {
			return false;
		}
		return !report.getUnconditionalClasses().contains(autoConfiguration)
				&& !report.getConditionAndOutcomesBySource().containsKey(autoConfiguration)
				&& !report.getExclusions().contains(autoConfiguration);
	}

}
