package dev.edgeruntime.demo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Prints where to look once the demo is up.
 *
 * @author edge-runtime developers
 */
@Component
class StartupBanner {

	private static final Logger logger = LoggerFactory.getLogger(StartupBanner.class);

	private final Environment environment;

	StartupBanner(Environment environment) {
		this.environment = environment;
	}

	@EventListener
	void ready(ApplicationReadyEvent event) {
		String port = this.environment.getProperty("local.server.port", "8080");
		String base = "http://localhost:" + port;
		logger.info("""

				edge-runtime demo is ready. Try (docs/demo.md has more):
				  curl -X POST '{}/long-running-task?seconds=3'
				  curl -X POST '{}/relay?url={}/samples/json'
				  curl -X POST --data-binary @photos.zip -H 'Content-Type: application/zip' {}/albums
				  curl -X POST '{}/budgets/wall-clock?seconds=8'
				  curl -X POST '{}/reports?kind=monthly'
				  curl -X POST '{}/receipts?order=42'   (a durable @BackgroundTask; /mail-server?up=false fails it)
				  curl {}/background-tasks/<id>
				  curl {}/actuator/backgroundtasks
				  curl {}/actuator/health
				  open {}/background-tasks-dashboard   (the live dashboard)
				  websocat 'ws://localhost:{}/relay-ws?jwt=<token>'   (docs/websocket.md makes a token)
				""", base, base, base, base, base, base, base, base, base, base, base, port);
	}

}
