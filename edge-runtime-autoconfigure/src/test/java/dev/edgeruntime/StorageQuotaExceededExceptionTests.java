package dev.edgeruntime;

import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link StorageQuotaExceededException}.
 *
 * @author edge-runtime developers
 */
class StorageQuotaExceededExceptionTests {

	@Test
	void sizeTextShouldUseTheLargestUnitThatDividesTheSize() {
		assertThat(StorageQuotaExceededException.sizeText(DataSize.ofMegabytes(300).toBytes())).isEqualTo("300MB");
		assertThat(StorageQuotaExceededException.sizeText(DataSize.ofGigabytes(1).toBytes())).isEqualTo("1GB");
		assertThat(StorageQuotaExceededException.sizeText(DataSize.ofTerabytes(2).toBytes())).isEqualTo("2TB");
		assertThat(StorageQuotaExceededException.sizeText(1536 * 1024)).isEqualTo("1536KB");
		assertThat(StorageQuotaExceededException.sizeText(1024)).isEqualTo("1KB");
		assertThat(StorageQuotaExceededException.sizeText(1000)).isEqualTo("1000B");
		assertThat(StorageQuotaExceededException.sizeText(0)).isEqualTo("0B");
		assertThat(StorageQuotaExceededException.sizeText(-DataSize.ofMegabytes(1).toBytes())).isEqualTo("-1MB");
	}

	@Test
	void sizeTextShouldReadBackAsTheSameDataSize() {
		for (long bytes : new long[] { 0, 1, 1000, 1024, 1536 * 1024, 300L << 20, 5L << 30, 7L << 40 }) {
			assertThat(DataSize.parse(StorageQuotaExceededException.sizeText(bytes)).toBytes()).isEqualTo(bytes);
		}
	}

}
