package dev.edgeruntime.web;

import java.time.Duration;
import java.util.UUID;

import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.web.BackgroundTaskTestApplication.Gates;
import dev.edgeruntime.web.BackgroundTaskTestApplication.Receipts;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code edge-runtime.tasks.drop-on-failure=false}: detached work runs even when the handler fails.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = BackgroundTaskTestApplication.class, properties = "edge-runtime.tasks.drop-on-failure=false")
@AutoConfigureMockMvc
class BackgroundTaskRunAnywayTests {

	@Autowired
	private MockMvcTester mvc;

	@Autowired
	private Gates gates;

	@Autowired
	private Receipts receipts;

	@Test
	void serviceMethodWhenHandlerThrowsShouldRunAnyway() {
		String key = UUID.randomUUID().toString();
		this.gates.open(key + "-handler");
		assertThat(this.mvc.post().uri("/orders").param("key", key).param("fail", "true").exchange()).hasFailed();
		TaskHandle<Void> receipt = this.receipts.handles.get(key);
		await().atMost(Duration.ofSeconds(20)).until(() -> receipt.state() == TaskState.SUCCEEDED);
		assertThat(this.receipts.handlerReturnedAtStart).containsEntry(key, false);
	}

}
