package dev.edgeruntime.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of WebSocket sessions run as background tasks.
 *
 * @author edge-runtime developers
 */
@ConfigurationProperties("edge-runtime.websocket")
public class EdgeRuntimeWebSocketProperties implements InitializingBean {

	/**
	 * Wall-clock budget of a tracked session whose handler sets none; unset means edge-runtime.budget.wall-clock.
	 */
	private @Nullable Duration wallClock;

	/**
	 * How long one send to a slow client may take before sends on its session fail.
	 */
	private Duration sendTimeLimit = Duration.ofSeconds(10);

	/**
	 * How much may be buffered for a slow client before sends on its session fail.
	 */
	private DataSize bufferSizeLimit = DataSize.ofKilobytes(512);

	public @Nullable Duration getWallClock() {
		return this.wallClock;
	}

	public void setWallClock(@Nullable Duration wallClock) {
		this.wallClock = wallClock;
	}

	public Duration getSendTimeLimit() {
		return this.sendTimeLimit;
	}

	public void setSendTimeLimit(Duration sendTimeLimit) {
		this.sendTimeLimit = sendTimeLimit;
	}

	public DataSize getBufferSizeLimit() {
		return this.bufferSizeLimit;
	}

	public void setBufferSizeLimit(DataSize bufferSizeLimit) {
		this.bufferSizeLimit = bufferSizeLimit;
	}

	@Override
	public void afterPropertiesSet() {
		InvalidPropertiesException.Collector invalid = new InvalidPropertiesException.Collector("edge-runtime.websocket");
		invalid.checkPositive("wall-clock", this.wallClock);
		invalid.checkPositive("send-time-limit", this.sendTimeLimit);
		// 0 and less are refused above, as not greater than 0
		Duration sendTimeLimit = this.sendTimeLimit;
		invalid.check(sendTimeLimit.isNegative() || sendTimeLimit.isZero() || sendTimeLimit.toMillis() >= 1,
				"send-time-limit", sendTimeLimit, "must be at least 1ms: a send is timed in whole milliseconds, so less "
						+ "counts as 0, and a send that waits for another at all makes the session's sends fail");
		long bytes = this.bufferSizeLimit.toBytes();
		invalid.check(bytes > 0 && bytes <= Integer.MAX_VALUE, "buffer-size-limit", this.bufferSizeLimit,
				"must be greater than 0 and at most 2GB");
		invalid.throwIfAny();
	}

}
