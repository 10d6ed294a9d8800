package dev.edgeruntime.queue;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Printable}.
 *
 * @author edge-runtime developers
 */
class PrintableTests {

	@Test
	void controlCharactersAreEscapedAndOtherTextIsKept() {
		assertThat(Printable.of("a\r\nb\tc\u001b[31md\u2028é€")).isEqualTo("a\\r\\nb\\tc\\u001b[31md\\u2028é€");
		String plain = "no control characters";
		assertThat(Printable.of(plain)).isSameAs(plain);
	}

	@Test
	void longTextIsCutSayingItsLength() {
		assertThat(Printable.of("x".repeat(10), 4)).isEqualTo("xxxx... (10 characters)");
		assertThat(Printable.of("\n".repeat(10), 4)).isEqualTo("\\n\\n... (10 characters)");
		assertThat(Printable.of("xxxx", 4)).isEqualTo("xxxx");
	}

	@Test
	void textIsNotCutInsideASurrogatePair() {
		String smiles = "\ud83d\ude00\ud83d\ude00";
		assertThat(Printable.of(smiles, 3)).isEqualTo("\ud83d\ude00... (4 characters)");
		assertThat(Printable.of(smiles, 1)).isEqualTo("... (4 characters)");
		assertThat(Printable.of("\n" + smiles, 3)).isEqualTo("\\n... (5 characters)");
		assertThat(Printable.of("\n" + smiles, 4)).isEqualTo("\\n\ud83d\ude00... (5 characters)");
	}

}
