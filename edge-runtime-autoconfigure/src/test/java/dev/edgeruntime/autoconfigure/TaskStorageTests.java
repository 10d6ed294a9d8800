package dev.edgeruntime.autoconfigure;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
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
import org.springframework.util.unit.DataSize;

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
	void startShouldSweepALeftoverNamedAfterALiveProcessWhenNoProcessHoldsItsLock() throws Exception {
		// a container restarted with its storage kept: the application is process 1 again, or any id now alive
		Path leftover = Files.createDirectories(
				this.root.resolve("instance-" + ProcessHandle.current().pid() + "-cafebabe/some-task"));
		Files.writeString(leftover.getParent().resolve(".lock"), "");
		Files.writeString(leftover.resolve("left.txt"), "leftover");
		contextRunner().run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(leftover.getParent()).doesNotExist();
			assertThat(context.getBean(TaskStorageArea.class).getInstanceDir().resolve(".lock")).isRegularFile();
		});
	}

	@Test
	void startShouldKeepTheDirectoryOfAnotherRunningProcessWhateverItsName() throws Exception {
		Process holder = startHolder();
		try {
			String held = firstLine(holder);
			// in another container sharing the root, the holder's process id means nothing here: name it after
			// a process that does not run on this machine
			Path renamed = Files.move(Path.of(held), this.root.resolve("instance-999999999-0badf00d"));
			assertThat(ProcessHandle.of(999999999L)).isEmpty();
			contextRunner().run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(renamed.resolve(".lock")).isRegularFile();
			});
		}
		finally {
			stop(holder);
		}
	}

	@Test
	void twoRuntimesInOneProcessShouldLeaveEachOthersLockHeld() {
		contextRunner().run((first) -> {
			Path firstDir = first.getBean(TaskStorageArea.class).getInstanceDir();
			contextRunner().run((second) -> assertThat(second.getBean(TaskStorageArea.class).getInstanceDir())
				.isNotEqualTo(firstDir));
			assertThat(firstDir).exists();
			// had the second one's sweep tried the first one's lock, closing its channel would have let go of it,
			// and another process's sweep would now delete the first one's directory
			Process holder = startHolder();
			try {
				assertThat(firstLine(holder)).isNotEqualTo(firstDir.toString());
				assertThat(firstDir.resolve(".lock")).isRegularFile();
			}
			finally {
				stop(holder);
			}
		});
	}

	@Test
	void twoInstancesStartingTogetherShouldBothStartAndSweepALeftoverOnce() throws Exception {
		for (int round = 0; round < 10; round++) {
			Path leftover = Files.createDirectories(this.root.resolve("instance-" + ProcessHandle.current().pid() + "-left"
					+ round));
			Files.writeString(leftover.resolve(".lock"), "");
			for (int i = 0; i < 300; i++) {
				Files.writeString(leftover.resolve("f" + i), "leftover");
			}
			TaskStorageArea first = new TaskStorageArea(this.root, DataSize.ofKilobytes(1));
			TaskStorageArea second = new TaskStorageArea(this.root, DataSize.ofKilobytes(1));
			CompletableFuture<Integer> one = CompletableFuture.supplyAsync(first::open);
			CompletableFuture<Integer> two = CompletableFuture.supplyAsync(second::open);
			try {
				assertThat(one.get(30, TimeUnit.SECONDS) + two.get(30, TimeUnit.SECONDS)).as("sweeps").isEqualTo(1);
				assertThat(leftover).doesNotExist();
				assertThat(first.getInstanceDir().resolve(".lock")).isRegularFile();
				assertThat(second.getInstanceDir().resolve(".lock")).isRegularFile();
			}
			finally {
				one.thenAccept((swept) -> first.close()).get(30, TimeUnit.SECONDS);
				two.thenAccept((swept) -> second.close()).get(30, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void aRootReachedThroughALinkShouldBeTheSameRootForThisProcess() throws Exception {
		Path real = Files.createDirectories(this.root.resolve("real"));
		Path link = Files.createSymbolicLink(this.root.resolve("link"), real);
		TaskStorageArea first = new TaskStorageArea(real, DataSize.ofKilobytes(1));
		TaskStorageArea second = new TaskStorageArea(link, DataSize.ofKilobytes(1));
		first.open();
		try {
			second.open();
			second.close();
			// had the second one probed the first one's lock, closing its channel would have let go of it
			Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
					"-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
					TaskStorageHolderMain.class.getName(), real.toString())
				.redirectError(ProcessBuilder.Redirect.INHERIT)
				.start();
			try {
				firstLine(holder);
				assertThat(first.getInstanceDir().resolve(".lock")).isRegularFile();
			}
			finally {
				stop(holder);
			}
		}
		finally {
			first.close();
		}
	}

	private Process startHolder() throws IOException {
		return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
				"-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				TaskStorageHolderMain.class.getName(), this.root.toString())
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
	}

	/** The holder's instance directory, printed once its area is open (and its sweep done). */
	private static String firstLine(Process holder) throws IOException {
		String line = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
			.readLine();
		assertThat(line).as("the holder's instance directory").isNotNull();
		return line;
	}

	private static void stop(Process holder) throws IOException, InterruptedException {
		holder.getOutputStream().close();
		assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void closeShouldDeleteTheInstanceDirectory() {
		AtomicReference<Path> instanceDir = new AtomicReference<>();
		contextRunner().run((context) -> instanceDir.set(context.getBean(TaskStorageArea.class).getInstanceDir()));
		assertThat(instanceDir.get()).doesNotExist();
	}

}
