package dev.edgeruntime.runtime;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.core.task.TaskDecorator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CompositeTaskDecorator}.
 *
 * @author edge-runtime developers
 */
class CompositeTaskDecoratorTests {

	private final List<String> calls = new ArrayList<>();

	@Test
	void theFirstDecoratorShouldBeTheOutermost() {
		new CompositeTaskDecorator(List.of(plain("outer"), plain("inner"))).decorate(() -> this.calls.add("task")).run();
		assertThat(this.calls).containsExactly("outer", "inner", "task");
	}

	@Test
	void forAThreadOfItsOwnDecoratorsThatKnowOneShouldBeAskedForThatAndTheOthersAsUsual() {
		CompositeTaskDecorator composite = new CompositeTaskDecorator(List.of(plain("outer"), ownThreadAware("middle"),
				plain("inner")));
		composite.decorateForOwnThread(() -> this.calls.add("task")).run();
		assertThat(this.calls).containsExactly("outer", "middle (own thread)", "inner", "task");
		this.calls.clear();
		composite.decorate(() -> this.calls.add("task")).run();
		assertThat(this.calls).containsExactly("outer", "middle", "inner", "task");
	}

	private TaskDecorator plain(String name) {
		return (runnable) -> () -> {
			this.calls.add(name);
			runnable.run();
		};
	}

	private OwnThreadTaskDecorator ownThreadAware(String name) {
		return new OwnThreadTaskDecorator() {

			@Override
			public Runnable decorate(Runnable runnable) {
				return () -> {
					CompositeTaskDecoratorTests.this.calls.add(name);
					runnable.run();
				};
			}

			@Override
			public Runnable decorateForOwnThread(Runnable runnable) {
				return () -> {
					CompositeTaskDecoratorTests.this.calls.add(name + " (own thread)");
					runnable.run();
				};
			}

		};
	}

}
