package dev.edgeruntime.autoconfigure;

import java.lang.management.ManagementFactory;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default memory-pressure threshold against what G1, the JVM's default collector, lets its old
 * generation hold: G1 reports the whole heap as the old generation's maximum, and keeps part of it for its
 * young generation and its reserve, so a threshold above what is left is never reached before the heap runs
 * out.
 *
 * @author edge-runtime developers
 */
class MemoryPressureDefaultsTests {

	@Test
	void defaultThresholdIsBelowWhatG1LetsTheOldGenerationHold() {
		HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
		double reserve = Double.parseDouble(hotSpot.getVMOption("G1ReservePercent").getValue()) / 100;
		// G1NewSizePercent's default: an experimental flag, which the JVM does not report
		double youngAtLeast = 0.05;
		double threshold = new EdgeRuntimeProperties().getMemoryPressure().getThreshold();
		assertThat(threshold).as("default threshold against G1's reserve of %s and young generation of at least %s",
				reserve, youngAtLeast)
			.isLessThan(1 - reserve - youngAtLeast);
	}

}
