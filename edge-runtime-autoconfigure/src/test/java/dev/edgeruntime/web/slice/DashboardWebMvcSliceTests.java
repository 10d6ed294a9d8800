package dev.edgeruntime.web.slice;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code @WebMvcTest} slice of an application that turns the dashboard on: the slice brings the runtime
 * but not the dashboard, as it means to, and is not warned that the dashboard is not served.
 *
 * @author edge-runtime developers
 */
@WebMvcTest(properties = "edge-runtime.dashboard.enabled=true")
@ExtendWith(OutputCaptureExtension.class)
class DashboardWebMvcSliceTests {

	@Test
	void sliceOfAnApplicationWithTheDashboardShouldNotWarnThatItIsNotServed(CapturedOutput output) {
		assertThat(output.getAll()).contains("Started DashboardWebMvcSliceTests")
			.doesNotContain("the dashboard is not served");
	}

	@SpringBootConfiguration
	static class Config {

	}

}
