package dev.edgeruntime.autoconfigure;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.StorageQuotaExceededException;
import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.TaskStorage;
import dev.edgeruntime.runtime.TaskStorageArea;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for per-task ephemeral storage.
 */
class TaskStorageTests {

	@TempDir
	Path root;

	private ApplicationContextRunner contextRunner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class))
			.withPropertyValues("edge-runtime.storage.root=" + this.root, "edge-runtime.storage.quota=1KB");
	}

	@Test
	void tempDirShouldHoldFilesDuringTheTaskAndBeDeletedAfter() {
		contextRunner().run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			CountDownLatch written = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			AtomicReference<Path> dir = new AtomicReference<>();
			TaskHandle<String> task = runtime.waitUntil(TaskOptions.named("scratch"), () -> {
				TaskStorage storage = TaskContext.current().storage();
				Path file = storage.write("parts/1.txt", new ByteArrayInputStream("hello".getBytes()));
				dir.set(TaskContext.current().tempDir());
				written.countDown();
				release.await();
				return Files.readString(file);
			});
			assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(dir.get()).startsWith(this.root).exists();
			assertThat(dir.get().resolve("parts/1.txt")).hasContent("hello");
			assertThat(dir.get().getFileName().toString()).isEqualTo(task.id().toString());
			release.countDown();
			assertThat(task.result().get(10, TimeUnit.SECONDS)).isEqualTo("hello");
			assertThat(dir.get()).doesNotExist();
		});
	}

	@Test
	void writeBeyondQuotaShouldFailWithQuotaError() {
		contextRunner().run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			TaskHandle<Void> task = runtime.waitUntil(TaskOptions.named("big"), () -> {
				try (OutputStream out = TaskContext.current().storage().newOutputStream("big.bin")) {
					out.write(new byte[2048]);
				}
				return null;
			});
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> task.result().get(10, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(StorageQuotaExceededException.class)
				.withMessageContaining("would exceed the task storage quota of 1KB (edge-runtime.storage.quota)");
			assertThat(task.state()).isEqualTo(TaskState.FAILED);
		});
	}

	@Test
	void directWritesBeyondQuotaShouldStopTheTask() {
		contextRunner().run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			TaskHandle<Boolean> task = runtime.waitUntil(TaskOptions.named("direct"), () -> {
				Files.write(TaskContext.current().tempDir().resolve("raw.bin"), new byte[4096]);
				CountDownLatch never = new CountDownLatch(1);
				return never.await(1, TimeUnit.MINUTES);
			});
			await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.FAILED));
			assertThat(task.info().error().type()).isEqualTo(StorageQuotaExceededException.class.getName());
			assertThat(task.info().error().message()).contains("over its quota of 1KB");
		});
	}

	@Test
	void namesThatEscapeTheDirectoryShouldBeRefused() {
		contextRunner().run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			TaskHandle<String> task = runtime.waitUntil(() -> {
				TaskStorage storage = TaskContext.current().storage();
				assertThatIllegalArgumentException().isThrownBy(() -> storage.resolve("../other/file"))
					.withMessageContaining("escapes the task's directory");
				assertThatIllegalArgumentException().isThrownBy(() -> storage.resolve("/etc/passwd"))
					.withMessageContaining("must be relative");
				return storage.resolve("a/../b.txt").getFileName().toString();
			});
			assertThat(task.result().get(10, TimeUnit.SECONDS)).isEqualTo("b.txt");
		});
	}

	@Test
	void startShouldSweepLeftoversOfDeadProcessesOnly() throws Exception {
		Process finished = new ProcessBuilder("true").start();
		finished.waitFor();
		Path dead = Files.createDirectories(this.root.resolve("instance-" + finished.pid() + "-deadbeef/some-task"));
		Files.writeString(dead.resolve("left.txt"), "leftover");
		Path live = Files.createDirectories(this.root.resolve("instance-" + ProcessHandle.current().pid() + "-alive000"));
		contextRunner().run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(dead.getParent()).doesNotExist();
			assertThat(live).exists();
			assertThat(context.getBean(TaskStorageArea.class).getInstanceDir()).exists();
		});
	}

	@Test
	void closeShouldDeleteTheInstanceDirectory() {
		AtomicReference<Path> instanceDir = new AtomicReference<>();
		contextRunner().run((context) -> instanceDir.set(context.getBean(TaskStorageArea.class).getInstanceDir()));
		assertThat(instanceDir.get()).doesNotExist();
	}

}
