package dev.edgeruntime.testsupport;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * Captures what one logger logs, from {@code DEBUG} up, until closed: the logger's level and appenders are
 * then as they were.
 *
 * @author edge-runtime developers
 */
public final class LogCapture implements AutoCloseable {

	private final Logger logger;

	private final Level level;

	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	private LogCapture(Class<?> type) {
		this.logger = (Logger) LoggerFactory.getLogger(type);
		this.level = this.logger.getLevel();
		this.logger.setLevel(Level.DEBUG);
		this.appender.start();
		this.logger.addAppender(this.appender);
	}

	/**
	 * Starts capturing the logger named after a class.
	 * @param type the class
	 * @return the capture, to close when done
	 */
	public static LogCapture of(Class<?> type) {
		return new LogCapture(type);
	}

	/**
	 * What was logged so far.
	 * @return the events, oldest first
	 */
	public List<ILoggingEvent> events() {
		return List.copyOf(this.appender.list);
	}

	/**
	 * Forgets what was logged so far.
	 */
	public void clear() {
		this.appender.list.clear();
	}

	@Override
	public void close() {
		this.logger.detachAppender(this.appender);
		this.logger.setLevel(this.level);
	}

}
