package dev.edgeruntime.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.edgeruntime.TaskInfo.TaskError;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.BackgroundTasksDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.BudgetsDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.Limits;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.OriginDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.RuntimeDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.TaskDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.TimeBudgetDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.TotalsDescriptor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link DashboardSnapshot} and {@link DashboardView}: one page of a long list.
 *
 * @author edge-runtime developers
 */
class DashboardSnapshotTests {

	private static final int TASKS = 10_000;

	private final BackgroundTasksDescriptor report = report(TASKS);

	@Test
	void snapshotOfTenThousandTasksShouldCarryOnePage() {
		DashboardSnapshot snapshot = DashboardSnapshot.of(this.report, new DashboardView(null, null, 3, 50), true);
		assertThat(snapshot.tasks()).hasSize(50)
			.extracting(TaskDescriptor::name)
			.startsWith("task-150")
			.endsWith("task-199");
		assertThat(snapshot.page().matching()).isEqualTo(TASKS);
		assertThat(snapshot.page().listed()).isEqualTo(TASKS);
		assertThat(snapshot.page().byState()).containsEntry(TaskState.RUNNING, 100)
			.containsEntry(TaskState.FAILED, (TASKS - 100) / 2)
			.containsEntry(TaskState.SUCCEEDED, (TASKS - 100) / 2);
		assertThat(snapshot.canCancel()).isTrue();
		assertThat(snapshot.runtime()).isSameAs(this.report.runtime());
	}

	@Test
	void snapshotShouldFilterByStateAndText() {
		DashboardSnapshot active = DashboardSnapshot.of(this.report, new DashboardView("active", null, 1, 50), false);
		assertThat(active.tasks()).hasSize(50).allSatisfy((task) -> assertThat(task.state()).isEqualTo(TaskState.RUNNING));
		assertThat(active.page().matching()).isEqualTo(100);
		DashboardSnapshot failed = DashboardSnapshot.of(this.report,
				new DashboardView("FAILED", "  TIMED OUT ", 0, 50), false);
		assertThat(failed.page().matching()).isEqualTo((TASKS - 100) / 2);
		DashboardSnapshot byPath = DashboardSnapshot.of(this.report, new DashboardView(null, "/imports/9999", 0, 50),
				false);
		assertThat(byPath.tasks()).extracting(TaskDescriptor::name).containsExactly("task-9999");
	}

	@Test
	void pageBeyondTheListShouldBeEmpty() {
		DashboardSnapshot snapshot = DashboardSnapshot.of(this.report, new DashboardView(null, null, 200, 50), true);
		assertThat(snapshot.tasks()).isEmpty();
		assertThat(snapshot.page().matching()).isEqualTo(TASKS);
	}

	@Test
	void viewWithUnknownStateShouldBeRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new DashboardView("SLEEPING", null, 0, 50));
		assertThatIllegalArgumentException().isThrownBy(() -> new DashboardView(null, null, -1, 50));
	}

	static BackgroundTasksDescriptor report(int count) {
		List<TaskDescriptor> tasks = new ArrayList<>(count);
		Instant now = Instant.parse("2026-11-22T12:00:00Z");
		for (int i = 0; i < count; i++) {
			TaskState state = (i < 100) ? TaskState.RUNNING : ((i % 2 == 0) ? TaskState.SUCCEEDED : TaskState.FAILED);
			TaskError error = (state == TaskState.FAILED) ? new TaskError("java.io.IOException", "Timed out") : null;
			tasks.add(new TaskDescriptor(UUID.randomUUID(), "task-" + i, state,
					new OriginDescriptor("POST", "/imports/" + i, null, "alice"), now, now,
					state.isTerminal() ? now : null, Duration.ofSeconds(1),
					new BudgetsDescriptor(
							new TimeBudgetDescriptor(Duration.ofSeconds(150), Duration.ofSeconds(1), 0.0067), null, null),
					null, null, 1, error));
		}
		return new BackgroundTasksDescriptor(new RuntimeDescriptor(true, false, false, 100, count),
				new TotalsDescriptor(Map.of(), Map.of(), 0),
				new Limits(1000, Duration.ofSeconds(150), null, null, 0.9, Duration.ofSeconds(20)), tasks, null);
	}

}
