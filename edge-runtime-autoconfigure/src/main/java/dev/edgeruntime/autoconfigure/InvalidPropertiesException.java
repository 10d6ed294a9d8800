package dev.edgeruntime.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.edgeruntime.runtime.DataSizes;
import dev.edgeruntime.runtime.Durations;
import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

/**
 * Thrown at start-up when {@code edge-runtime.*} properties have values the runtime cannot work with.
 * {@link InvalidPropertiesFailureAnalyzer} turns it into a report naming each property and its rule.
 *
 * @author edge-runtime developers
 */
public class InvalidPropertiesException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final transient List<Violation> violations;

	/**
	 * Creates a new instance.
	 * @param violations the invalid properties, at least one
	 */
	public InvalidPropertiesException(List<Violation> violations) {
		super(describe(violations));
		this.violations = List.copyOf(violations);
	}

	private static String describe(List<Violation> violations) {
		StringBuilder message = new StringBuilder("Invalid edge-runtime configuration:");
		for (Violation violation : violations) {
			message.append(System.lineSeparator()).append("  - ").append(violation);
		}
		return message.toString();
	}

	/**
	 * The invalid properties.
	 * @return the violations
	 */
	public List<Violation> getViolations() {
		return this.violations;
	}

	/**
	 * One property whose value breaks a rule.
	 *
	 * @param property the full property name, for example {@code edge-runtime.budget.wall-clock}
	 * @param value the value as bound
	 * @param rule the rule it breaks
	 */
	public record Violation(String property, @Nullable Object value, String rule) {

		/**
		 * The value as it would be written in the configuration ({@code 30s} for a duration), quoted, or
		 * {@code (not set)}.
		 * @return the value's text
		 */
		public String valueText() {
			if (this.value == null) {
				return "(not set)";
			}
			Object text = (this.value instanceof Duration duration) ? Durations.text(duration)
					: (this.value instanceof DataSize size) ? DataSizes.text(size.toBytes())
							: this.value;
			return "'" + text + "'";
		}

		@Override
		public String toString() {
			return this.property + " = " + valueText() + ": " + this.rule;
		}

	}

	/**
	 * Collects violations of one group of properties.
	 */
	public static final class Collector {

		private final String prefix;

		private final List<Violation> violations = new ArrayList<>();

		/**
		 * Creates a collector for properties below a prefix.
		 * @param prefix for example {@code edge-runtime}
		 */
		public Collector(String prefix) {
			this.prefix = prefix;
		}

		/**
		 * Records a violation unless the condition holds.
		 * @param valid whether the value is valid
		 * @param property the property name below the prefix
		 * @param value the value
		 * @param rule the rule
		 */
		public void check(boolean valid, String property, @Nullable Object value, String rule) {
			if (!valid) {
				this.violations.add(new Violation(this.prefix + "." + property, value, rule));
			}
		}

		/**
		 * Records a violation unless the duration is {@code null} or positive.
		 * @param property the property name below the prefix
		 * @param value the value
		 */
		public void checkPositive(String property, @Nullable Duration value) {
			checkPositive(property, value, "");
		}

		/**
		 * Records a violation unless the duration is {@code null} or positive, saying what to write instead.
		 * @param property the property name below the prefix
		 * @param value the value
		 * @param advice added to the rule, after "must be greater than 0" (what to write for "none", say)
		 */
		public void checkPositive(String property, @Nullable Duration value, String advice) {
			check(value == null || (!value.isNegative() && !value.isZero()), property, value,
					"must be greater than 0" + advice);
		}

		/**
		 * Records a violation unless the duration is {@code null} or at most a maximum.
		 * @param property the property name below the prefix
		 * @param value the value
		 * @param max the longest duration allowed
		 * @param rule the rule, such as "must be at most 50 years"
		 */
		public void checkAtMost(String property, @Nullable Duration value, Duration max, String rule) {
			check(value == null || value.compareTo(max) <= 0, property, value, rule);
		}

		/**
		 * Records a violation unless the path is one a request mapping takes as written and a URL carries
		 * unchanged: it starts with {@code /}, does not end with one, and has none of the pattern or URI
		 * characters (<code>{ } * ? ; #</code>) or spaces, which would make it a pattern, or a URL whose query,
		 * fragment or path parameters hide the rest of the path.
		 * @param property the property name below the prefix
		 * @param path the path
		 */
		public void checkPlainPath(String property, String path) {
			check(path.startsWith("/") && path.length() > 1 && !path.endsWith("/"), property, path,
					"must start with '/', not end with '/' and not be '/'");
			check(path.chars().noneMatch((c) -> "{}*?;#".indexOf(c) >= 0 || Character.isWhitespace(c)), property, path,
					"must be a plain path, without the pattern or URI characters { } * ? ; # and spaces");
		}

		/**
		 * Throws if any violation was recorded.
		 * @throws InvalidPropertiesException listing every violation
		 */
		public void throwIfAny() {
			if (!this.violations.isEmpty()) {
				throw new InvalidPropertiesException(this.violations);
			}
		}

	}

}
