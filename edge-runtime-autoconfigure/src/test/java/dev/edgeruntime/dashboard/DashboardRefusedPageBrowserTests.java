package dev.edgeruntime.dashboard;

import java.io.IOException;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page opened while {@code edge-runtime.dashboard.max-clients} pages are already connected, in headless
 * Chromium: its stream is refused with {@code 503}, which a page cannot read, so the page says itself that
 * it was refused, why that can be, and that it tries again; once a place is free, it goes live by itself.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = DashboardTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "edge-runtime.dashboard.enabled=true", "edge-runtime.dashboard.refresh-interval=250ms",
				"edge-runtime.dashboard.max-clients=1" })
class DashboardRefusedPageBrowserTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static @Nullable Chromium chromium;

	@LocalServerPort
	private int port;

	@BeforeAll
	static void startBrowser() throws IOException {
		chromium = Chromium.start();
	}

	@AfterAll
	static void stopBrowser() throws IOException {
		if (chromium != null) {
			chromium.close();
		}
	}

	@Test
	void pageOverMaxClientsShouldSayItWasRefusedAndGoLiveWhenAPlaceIsFree() {
		ChromeDriver driver = driver();
		signIn(driver);
		String first = driver.getWindowHandle();
		// the one place is the first page's: the second's stream is refused
		driver.switchTo().newWindow(WindowType.TAB);
		String second = driver.getWindowHandle();
		driver.get(url("/background-tasks-dashboard"));
		waiting().until((browser) -> "closed".equals(connection(browser).getDomAttribute("data-state")));
		assertThat(connection(driver).getText()).isEqualTo("refused, retrying");
		assertThat(connection(driver).getDomAttribute("title")).contains("edge-runtime.dashboard.max-clients")
			.contains("the application is stopping")
			.contains("reload the page to sign in again")
			.contains("tries again every 5 s");
		driver.switchTo().window(first).close();
		driver.switchTo().window(second);
		waiting().until((browser) -> "live".equals(connection(browser).getText()));
		assertThat(connection(driver).getDomAttribute("title")).isEqualTo("Live updates");
	}

	private void signIn(ChromeDriver driver) {
		driver.get(url("/background-tasks-dashboard"));
		waiting().until((browser) -> !browser.findElements(By.id("username")).isEmpty());
		driver.findElement(By.id("username")).sendKeys("operator");
		driver.findElement(By.id("password")).sendKeys("operator-password");
		driver.findElement(By.cssSelector("button[type=submit]")).click();
		waiting().until((browser) -> "live".equals(connection(browser).getText()));
	}

	private static WebElement connection(org.openqa.selenium.WebDriver browser) {
		return browser.findElement(By.id("connection"));
	}

	private WebDriverWait waiting() {
		return new WebDriverWait(driver(), TIMEOUT);
	}

	private ChromeDriver driver() {
		assertThat(chromium).as("the browser").isNotNull();
		return chromium.driver();
	}

	private String url(String path) {
		return "http://localhost:" + this.port + path;
	}

}
