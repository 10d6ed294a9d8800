package dev.edgeruntime.demo;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.Assert;

/**
 * The relay's tokens: compact JWTs signed with HMAC-SHA256 ({@code HS256}) under one configured key,
 * standing in for the blog's {@code supabase.auth.getUser(jwt)}. A token is accepted when its header
 * names {@code HS256}, its signature matches, it names a subject ({@code sub}) and, when it has an
 * {@code exp}, that time has not passed.
 *
 * @author edge-runtime developers
 */
final class RelayTokens {

	private static final String ALGORITHM = "HmacSHA256";

	private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

	private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

	private final SecretKeySpec key;

	private final JsonMapper json = JsonMapper.builder().build();

	RelayTokens(String secret) {
		byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
		Assert.isTrue(bytes.length >= 32, "demo.relay-ws.jwt-secret must be at least 32 bytes (HS256 needs a key "
				+ "as long as its hash)");
		this.key = new SecretKeySpec(bytes, ALGORITHM);
	}

	/**
	 * The subject of a valid token.
	 * @param token the compact token
	 * @return the subject, or {@code null} when the token is not valid now
	 */
	@Nullable String verify(@Nullable String token) {
		if (token == null) {
			return null;
		}
		String[] parts = token.split("\\.", -1);
		if (parts.length != 3) {
			return null;
		}
		try {
			byte[] expected = sign(parts[0] + "." + parts[1]);
			if (!MessageDigest.isEqual(expected, DECODER.decode(parts[2]))) {
				return null;
			}
			JsonNode header = this.json.readTree(DECODER.decode(parts[0]));
			if (!"HS256".equals(header.path("alg").asString(null))) {
				return null;
			}
			JsonNode claims = this.json.readTree(DECODER.decode(parts[1]));
			JsonNode exp = claims.get("exp");
			if (exp != null && (!exp.isNumber() || Instant.ofEpochSecond(exp.asLong()).isBefore(Instant.now()))) {
				return null;
			}
			String subject = claims.path("sub").asString(null);
			return (subject != null && !subject.isBlank()) ? subject : null;
		}
		catch (IllegalArgumentException | JacksonException ex) {
			return null; // not base64url, or not JSON
		}
	}

	/**
	 * A token for a subject, valid until the given time; for the demo's tests and for trying the relay.
	 * @param subject the user
	 * @param expiresAt when the token stops being accepted
	 * @return the compact token
	 */
	String issue(String subject, Instant expiresAt) {
		Map<String, Object> claims = new LinkedHashMap<>();
		claims.put("sub", subject);
		claims.put("exp", expiresAt.getEpochSecond());
		String content = encode(Map.of("alg", "HS256", "typ", "JWT")) + "." + encode(claims);
		return content + "." + ENCODER.encodeToString(sign(content));
	}

	private String encode(Map<String, Object> part) {
		return ENCODER.encodeToString(this.json.writeValueAsBytes(part));
	}

	private byte[] sign(String content) {
		try {
			Mac mac = Mac.getInstance(ALGORITHM);
			mac.init(this.key);
			return mac.doFinal(content.getBytes(StandardCharsets.US_ASCII));
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException("HmacSHA256 is not available", ex);
		}
	}

}
