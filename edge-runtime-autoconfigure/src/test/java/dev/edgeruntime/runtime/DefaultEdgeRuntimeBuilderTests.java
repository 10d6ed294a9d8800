package dev.edgeruntime.runtime;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link DefaultEdgeRuntime.Builder}.
 *
 * @author edge-runtime developers
 */
class DefaultEdgeRuntimeBuilderTests {

	@Test
	void budgetsShouldRefuseAWallClockBudgetThatIsNotPositive() {
		// every in-process task has a wall-clock budget; the endpoint and the status resource take a zero one for
		// a durable task's
		assertThatIllegalArgumentException()
			.isThrownBy(() -> DefaultEdgeRuntime.builder((event) -> {
			}).budgets(Duration.ZERO, null, null))
			.withMessage("The wall-clock budget must be greater than 0, not 0s");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> DefaultEdgeRuntime.builder((event) -> {
			}).budgets(Duration.ofSeconds(-5), null, null))
			.withMessage("The wall-clock budget must be greater than 0, not -5s");
		assertThat(DefaultEdgeRuntime.builder((event) -> {
		}).budgets(Duration.ofMillis(1), null, null)).isNotNull();
	}

}
