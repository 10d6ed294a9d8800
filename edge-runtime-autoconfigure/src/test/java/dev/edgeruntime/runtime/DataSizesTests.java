package dev.edgeruntime.runtime;

import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DataSizes}.
 *
 * @author edge-runtime developers
 */
class DataSizesTests {

	@Test
	void textShouldUseTheLargestUnitThatDividesTheSize() {
		assertThat(DataSizes.text(DataSize.ofMegabytes(300).toBytes())).isEqualTo("300MB");
		assertThat(DataSizes.text(DataSize.ofGigabytes(1).toBytes())).isEqualTo("1GB");
		assertThat(DataSizes.text(DataSize.ofTerabytes(2).toBytes())).isEqualTo("2TB");
		assertThat(DataSizes.text(1536 * 1024)).isEqualTo("1536KB");
		assertThat(DataSizes.text(1024)).isEqualTo("1KB");
		assertThat(DataSizes.text(1000)).isEqualTo("1000B");
		assertThat(DataSizes.text(0)).isEqualTo("0B");
		assertThat(DataSizes.text(-DataSize.ofMegabytes(1).toBytes())).isEqualTo("-1MB");
	}

	@Test
	void textShouldReadBackAsTheSameDataSize() {
		for (long bytes : new long[] { 0, 1, 1000, 1024, 1536 * 1024, 300L << 20, 5L << 30, 7L << 40 }) {
			assertThat(DataSize.parse(DataSizes.text(bytes)).toBytes()).isEqualTo(bytes);
		}
	}

}
