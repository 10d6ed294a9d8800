package dev.edgeruntime.dashboard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.springframework.util.FileSystemUtils;

/**
 * Debian's headless Chromium, driven through its own chromedriver. Selenium Manager is never asked for
 * anything: both paths are given, so nothing is downloaded. A missing browser fails the test with the
 * command that installs it (scripts/test.sh runs it when it can).
 */
final class Chromium implements AutoCloseable {

	private static final Path BINARY = Path.of(System.getProperty("edge-runtime-test.chromium", "/usr/bin/chromium"));

	private static final Path DRIVER = Path.of(System.getProperty("edge-runtime-test.chromedriver", "/usr/bin/chromedriver"));

	private final Path profile;

	private final ChromeDriver driver;

	private Chromium(Path profile, ChromeDriver driver) {
		this.profile = profile;
		this.driver = driver;
	}

	static Chromium start() throws IOException {
		if (!Files.isExecutable(BINARY) || !Files.isExecutable(DRIVER)) {
			throw new IllegalStateException("The dashboard's browser tests need Debian's Chromium and its driver at "
					+ BINARY + " and " + DRIVER + ", which are missing. Install them with "
					+ "'apt-get update && apt-get install -y chromium chromium-driver' (scripts/test.sh does so "
					+ "when run as root).");
		}
		System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER.toString());
		Path profile = Files.createTempDirectory("edge-runtime-chromium");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(BINARY.toFile());
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
				"--user-data-dir=" + profile, "--window-size=1440,960");
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
			.usingAnyFreePort()
			.build();
		ChromeDriver driver;
		try {
			driver = new ChromeDriver(service, options);
		}
		catch (RuntimeException ex) {
			FileSystemUtils.deleteRecursively(profile);
			throw ex;
		}
		driver.manage().window().setSize(new Dimension(1440, 960));
		driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
		return new Chromium(profile, driver);
	}

	ChromeDriver driver() {
		return this.driver;
	}

	@Override
	public void close() throws IOException {
		try {
			this.driver.quit();
		}
		finally {
			FileSystemUtils.deleteRecursively(this.profile);
		}
	}

}
