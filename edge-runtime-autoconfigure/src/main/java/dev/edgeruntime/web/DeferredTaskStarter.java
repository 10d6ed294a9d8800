package dev.edgeruntime.web;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.edgeruntime.runtime.DeferredTask;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.ClassUtils;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Starts a detached task when the work that called it is done: after its transaction commits, after the
 * HTTP response is committed, or at once when neither applies.
 *
 * @author edge-runtime developers
 */
final class DeferredTaskStarter {

	private static final Log logger = LogFactory.getLog(DeferredTaskStarter.class);

	private static final boolean TRANSACTIONS_PRESENT = ClassUtils.isPresent(
			"org.springframework.transaction.support.TransactionSynchronizationManager",
			DeferredTaskStarter.class.getClassLoader());

	private static final boolean SERVLET_PRESENT = ClassUtils.isPresent(
			"org.springframework.web.context.request.ServletRequestAttributes",
			DeferredTaskStarter.class.getClassLoader())
			&& ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest",
					DeferredTaskStarter.class.getClassLoader());

	private static final AtomicBoolean warnedNoFilter = new AtomicBoolean();

	private DeferredTaskStarter() {
	}

	/**
	 * Starts the task after the current transaction and request, or now.
	 * @param task the task
	 */
	static void schedule(DeferredTask<?> task) {
		if (TRANSACTIONS_PRESENT && Transactions.deferUntilCompletion(task)) {
			return;
		}
		scheduleAfterRequest(task);
	}

	static void scheduleAfterRequest(DeferredTask<?> task) {
		if (SERVLET_PRESENT && Requests.deferUntilCompletion(task)) {
			return;
		}
		task.start();
	}

	/**
	 * Transaction synchronization; a separate class so that spring-tx is loaded only when present.
	 */
	private static final class Transactions {

		static boolean deferUntilCompletion(DeferredTask<?> task) {
			if (!TransactionSynchronizationManager.isSynchronizationActive()) {
				return false;
			}
			task.startsAfter(Thread.currentThread(), "its transaction commits");
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				private final List<Object> savepointsSince = new ArrayList<>(0);

				private boolean rolledBackToSavepoint;

				@Override
				public void savepoint(Object savepoint) {
					this.savepointsSince.add(savepoint);
				}

				@Override
				public void savepointRollback(Object savepoint) {
					// back to a savepoint made before the call (PROPAGATION_NESTED): the call is undone with it
					if (!this.savepointsSince.contains(savepoint) && !this.rolledBackToSavepoint) {
						this.rolledBackToSavepoint = true;
						task.drop("its transaction rolled back to a savepoint made before it was called");
					}
				}

				@Override
				public void afterCompletion(int status) {
					if (this.rolledBackToSavepoint) {
						return;
					}
					if (status == STATUS_COMMITTED) {
						scheduleAfterRequest(task);
					}
					else {
						task.drop((status == STATUS_ROLLED_BACK) ? "its transaction rolled back"
								: "its transaction ended in an unknown state");
					}
				}

			});
			return true;
		}

	}

	/**
	 * The servlet request of the calling thread; a separate class so that the Servlet API is loaded only
	 * when present.
	 */
	private static final class Requests {

		static boolean deferUntilCompletion(DeferredTask<?> task) {
			RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
			if (!(attributes instanceof ServletRequestAttributes servlet)) {
				return false;
			}
			Object pending = servlet.getRequest().getAttribute(RequestTasks.ATTRIBUTE);
			if (pending instanceof RequestTasks tasks) {
				if (!tasks.add(task)) {
					return false;
				}
				task.startsAfter(Thread.currentThread(), "the response to its request is sent");
				return true;
			}
			if (warnedNoFilter.compareAndSet(false, true)) {
				logger.warn("A background task was called during an HTTP request that did not pass "
						+ BackgroundTaskRequestFilter.class.getSimpleName() + ", so it starts at once instead of after "
						+ "the response; register the filter for every request");
			}
			return false;
		}

	}

}
