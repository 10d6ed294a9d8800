package dev.edgeruntime.demo;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.edgeruntime.BackgroundTask;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A durable {@code @BackgroundTask}: {@code POST /receipts?order=42} answers {@code 202 Accepted} with the
 * task's status URL, and a queue consumer sends the receipt, on any instance and after any restart.
 * {@code POST /mail-server?up=false} takes the demo's mail server down: receipts then fail, are retried with
 * backoff and, after their third attempt, end {@code FAILED} (dead-lettered). Once it is back up
 * ({@code up=true}), {@code POST /actuator/backgroundtasks/{id}} runs a failed receipt again.
 *
 * @author edge-runtime developers
 */
@RestController
public class ReceiptController {

	private static final Log logger = LogFactory.getLog(ReceiptController.class);

	private final List<Integer> sent = new CopyOnWriteArrayList<>();

	private volatile boolean mailServerUp = true;

	/**
	 * Sends the receipt of an order, through the durable queue.
	 * @param order the order number
	 */
	@BackgroundTask(name = "receipt", durable = true, queue = "receipts", maxAttempts = 3)
	@PostMapping("/receipts")
	public void send(@RequestParam int order) {
		if (!this.mailServerUp) {
			throw new IllegalStateException("the mail server is down; receipt for order " + order + " not sent");
		}
		this.sent.add(order);
		logger.info("Receipt for order " + order + " sent");
	}

	/**
	 * Takes the demo's mail server down or brings it back.
	 * @param up whether it is up
	 * @return its state
	 */
	@PostMapping("/mail-server")
	public Map<String, Boolean> mailServer(@RequestParam boolean up) {
		this.mailServerUp = up;
		logger.info("The demo's mail server is " + (up ? "up" : "down"));
		return Map.of("up", up);
	}

	/**
	 * The orders whose receipt was sent (a method, not the field: the bean is a proxy).
	 * @return the order numbers
	 */
	public List<Integer> sent() {
		return this.sent;
	}

}
