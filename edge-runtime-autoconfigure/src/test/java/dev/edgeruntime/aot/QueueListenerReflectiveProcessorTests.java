package dev.edgeruntime.aot;

import java.lang.reflect.Method;

import dev.edgeruntime.queue.QueueListener;
import dev.edgeruntime.queue.QueueMessage;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link QueueListenerReflectiveProcessor}.
 *
 * @author edge-runtime developers
 */
class QueueListenerReflectiveProcessorTests {

	private final RuntimeHints hints = new RuntimeHints();

	@Test
	void listenerOfJsonNodesShouldBeInvocableWithoutHintsForJackson() {
		register("nodes", QueueMessage.class);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Listeners.class, "nodes"))
			.accepts(this.hints);
		// Jackson reads its own tree without reflection: its getters would pull much of it into the image
		assertThat(this.hints.reflection().typeHints()).noneMatch((hint) -> hint.getType()
			.getName()
			.startsWith("tools.jackson."));
	}

	@Test
	void listenerOfARecordShouldHaveItsPayloadBound() {
		register("orders", Order.class);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Listeners.class, "orders"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Order.class, "item")).accepts(this.hints);
	}

	private void register(String name, Class<?> parameterType) {
		Method method = ReflectionUtils.findMethod(Listeners.class, name, parameterType);
		assertThat(method).isNotNull();
		new QueueListenerReflectiveProcessor().registerReflectionHints(this.hints.reflection(), method);
	}

	record Order(String item) {
	}

	static class Listeners {

		@QueueListener(queue = "nodes")
		void nodes(QueueMessage<JsonNode> message) {
		}

		@QueueListener(queue = "orders")
		void orders(Order order) {
		}

	}

}
