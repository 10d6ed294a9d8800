package dev.edgeruntime.web;

import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.core.io.InputStreamResource;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.annotation.RequestScope;
import org.springframework.web.multipart.MultipartFile;

/**
 * The application the web tests run: controllers and a service with {@code @BackgroundTask} methods that
 * wait on gates the tests open.
 *
 * @author edge-runtime developers
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import({ BackgroundTaskTestApplication.Gates.class, BackgroundTaskTestApplication.ReportController.class,
		BackgroundTaskTestApplication.OrderController.class,
		BackgroundTaskTestApplication.ViewController.class, BackgroundTaskTestApplication.RequestLocale.class,
		BackgroundTaskTestApplication.ScopedController.class, BackgroundTaskTestApplication.ReceiptService.class,
		BackgroundTaskTestApplication.Receipts.class })
class BackgroundTaskTestApplication {

	@Bean
	RecordingTransactionManager transactionManager() {
		return new RecordingTransactionManager();
	}

	@Bean
	TransactionTemplate transactionTemplate(PlatformTransactionManager transactionManager) {
		return new TransactionTemplate(transactionManager);
	}

	/**
	 * Latches by key, so that every test uses its own.
	 */
	static class Gates {

		private final Map<String, CountDownLatch> latches = new ConcurrentHashMap<>();

		CountDownLatch gate(String key) {
			return this.latches.computeIfAbsent(key, (k) -> new CountDownLatch(1));
		}

		void open(String key) {
			gate(key).countDown();
		}

		void await(String key) throws InterruptedException {
			if (!gate(key).await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("Gate '" + key + "' was not opened");
			}
		}

	}

	@RestController
	static class ReportController {

		private final Gates gates;

		ReportController(Gates gates) {
			this.gates = gates;
		}

		@BackgroundTask(name = "report", wallClock = "2m")
		@PostMapping("/reports")
		public String report(@RequestParam String key) throws InterruptedException {
			TaskContext.current().progress(1, 2, "waiting for gate " + key);
			this.gates.await(key);
			return "report " + key;
		}

		@BackgroundTask(name = "export")
		@GetMapping("/exports")
		public String export(@RequestParam String key) {
			this.gates.open(key);
			return "export " + key;
		}

		@BackgroundTask(name = "probe")
		@RequestMapping(path = "/probes", method = { RequestMethod.GET, RequestMethod.HEAD })
		public String probe() {
			return "probed";
		}

		@BackgroundTask(name = "failing-report")
		@PostMapping("/failing-reports")
		public ResponseEntity<String> failingReport(@RequestParam String key) {
			throw new IllegalStateException("report " + key + " failed");
		}

		@BackgroundTask(name = "upload")
		@PostMapping("/uploads")
		public String upload(@RequestParam MultipartFile file, @RequestParam String key) throws Exception {
			this.gates.await(key);
			return file.getOriginalFilename() + ": " + new String(file.getBytes(), StandardCharsets.UTF_8);
		}

		@BackgroundTask(name = "multi-upload")
		@PostMapping("/multi-uploads")
		public String multiUpload(@RequestParam List<MultipartFile> files, @RequestParam String key)
				throws Exception {
			this.gates.await(key);
			StringBuilder contents = new StringBuilder();
			for (MultipartFile file : files) {
				contents.append(file.getOriginalFilename()).append(": ")
					.append(new String(file.getBytes(), StandardCharsets.UTF_8)).append(';');
			}
			return contents.toString();
		}

		@BackgroundTask(name = "resource-import")
		@PostMapping("/resource-imports")
		public String importResource(@RequestBody InputStreamResource body, @RequestParam String key) throws Exception {
			this.gates.await(key);
			java.io.File copy = body.getFile();
			return "file " + copy.length() + " " + new String(body.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}

		@BackgroundTask(name = "reader-import")
		@PostMapping("/reader-imports")
		public String importReader(Reader body, @RequestParam String key) throws Exception {
			this.gates.await(key);
			StringWriter text = new StringWriter();
			body.transferTo(text);
			return "read " + text;
		}

		@BackgroundTask(name = "import")
		@PostMapping("/imports")
		public String importBody(InputStream body, @RequestParam String key) throws Exception {
			this.gates.await(key);
			return "imported " + new String(body.readAllBytes(), StandardCharsets.UTF_8);
		}

	}

	/**
	 * A bean of the request scope, which a task running after its request cannot use.
	 */
	@RequestScope
	static class RequestLocale {

		public String language() {
			return "en";
		}

	}

	@RestController
	static class ScopedController {

		private final RequestLocale locale;

		private final EdgeRuntime runtime;

		ScopedController(RequestLocale locale, EdgeRuntime runtime) {
			this.locale = locale;
			this.runtime = runtime;
		}

		@PostMapping("/localized-waits")
		public String localizedWait() {
			return this.runtime
				.waitUntil(TaskOptions.named("localized-wait"), () -> "wait in " + this.locale.language())
				.id()
				.toString();
		}

		@BackgroundTask(name = "localized-report")
		@PostMapping("/localized-reports")
		public String localizedReport() {
			return "report in " + this.locale.language();
		}

	}

	@Controller
	static class ViewController {

		@BackgroundTask(name = "view-report")
		@PostMapping("/view-reports")
		public String viewReport() {
			return "report-view";
		}

		@BackgroundTask(name = "count")
		@PostMapping("/counts")
		@ResponseBody
		public int count() {
			return 42;
		}

	}

	@RestController
	static class OrderController {

		private final ReceiptService service;

		private final Receipts receipts;

		private final Gates gates;

		private final TransactionTemplate transactions;

		OrderController(ReceiptService service, Receipts receipts, Gates gates, TransactionTemplate transactions) {
			this.service = service;
			this.receipts = receipts;
			this.gates = gates;
			this.transactions = transactions;
		}

		@PostMapping("/orders")
		public String order(@RequestParam String key, @RequestParam(defaultValue = "false") boolean fail,
				@RequestParam(defaultValue = "false") boolean recordCommit, HttpServletResponse response)
				throws InterruptedException {
			if (recordCommit) {
				// only with MockMvc: a container recycles the response once the request is done
				this.receipts.responses.put(key, response);
			}
			this.receipts.handles.put(key, this.service.send(key));
			this.gates.await(key + "-handler");
			if (fail) {
				throw new IllegalStateException("order " + key + " failed");
			}
			this.receipts.returnedHandlers.add(key);
			return "ordered " + key;
		}

		@PostMapping("/committed-orders")
		public String committedOrder(@RequestParam String key, HttpServletResponse response) {
			this.receipts.responses.put(key, response);
			this.transactions.executeWithoutResult((status) -> {
				this.receipts.handles.put(key, this.service.send(key));
			});
			// committed, yet the receipt waits for the response
			this.receipts.stateAfterCommit.put(key, this.receipts.handles.get(key).state());
			this.receipts.returnedHandlers.add(key);
			return "committed " + key;
		}

		@PostMapping("/quotes")
		public String quote(@RequestParam String key) {
			CompletableFuture<String> quote = this.service.quote(key);
			this.receipts.quotes.put(key, quote);
			try {
				// the @Async habit: the task starts only after this response, so the wait is refused
				return "quoted " + quote.join();
			}
			catch (IllegalStateException ex) {
				return "refused: " + ex.getMessage();
			}
		}

		@PostMapping("/returned-quotes")
		public CompletableFuture<String> returnedQuote(@RequestParam String key) {
			// the request waits for the task: it goes asynchronous, and the task starts once the handler returns
			return this.service.quote(key);
		}

		@PostMapping("/handle-quotes")
		public CompletableFuture<String> handleQuote(@RequestParam String key) {
			// the request waits for the result of the task's handle, as it waits for a returned future
			return this.service.handleQuote(key).result().thenApply((ignored) -> "handled quote " + key);
		}

		@PostMapping("/committed-quotes")
		public CompletableFuture<String> committedQuote(@RequestParam String key) {
			CompletableFuture<String> quote = this.transactions.execute((status) -> this.service.quote(key));
			return quote.thenApply((text) -> "committed " + text);
		}

		@PostMapping("/rolled-back-orders")
		public String rolledBackOrder(@RequestParam String key) {
			this.transactions.executeWithoutResult((status) -> {
				this.receipts.handles.put(key, this.service.send(key));
				status.setRollbackOnly();
			});
			return "rolled back " + key;
		}

	}

	/**
	 * What the receipt tasks saw; a bean of its own because the service is a proxy.
	 */
	static class Receipts {

		final Map<String, TaskHandle<Void>> handles = new ConcurrentHashMap<>();

		final Map<String, HttpServletResponse> responses = new ConcurrentHashMap<>();

		final Set<String> returnedHandlers = ConcurrentHashMap.newKeySet();

		/** Whether the handler had returned when the task started, by key. */
		final Map<String, Boolean> handlerReturnedAtStart = new ConcurrentHashMap<>();

		/** The futures of the quote tasks, by key. */
		final Map<String, CompletableFuture<String>> quotes = new ConcurrentHashMap<>();

		/** The state of the task just after its transaction committed, by key. */
		final Map<String, TaskState> stateAfterCommit = new ConcurrentHashMap<>();

		/** Whether the response was committed when the task started, by key. */
		final Map<String, Boolean> committedAtStart = new ConcurrentHashMap<>();

	}

	static class ReceiptService {

		private final Receipts receipts;

		ReceiptService(Receipts receipts) {
			this.receipts = receipts;
		}

		@BackgroundTask(name = "quote")
		public CompletableFuture<String> quote(String key) {
			return CompletableFuture.completedFuture("quote " + key);
		}

		@BackgroundTask(name = "handle-quote")
		public @Nullable TaskHandle<String> handleQuote(String key) {
			return null;
		}

		@BackgroundTask(name = "receipt")
		public @Nullable TaskHandle<Void> send(String key) {
			this.receipts.handlerReturnedAtStart.put(key, this.receipts.returnedHandlers.contains(key));
			HttpServletResponse response = this.receipts.responses.get(key);
			if (response != null) {
				this.receipts.committedAtStart.put(key, response.isCommitted());
			}
			return null;
		}

	}

	/**
	 * A transaction manager with no resource, enough for transaction synchronization.
	 */
	static class RecordingTransactionManager extends AbstractPlatformTransactionManager {

		private static final long serialVersionUID = 1L;

		final AtomicInteger commits = new AtomicInteger();

		final AtomicInteger rollbacks = new AtomicInteger();

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
			this.commits.incrementAndGet();
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
			this.rollbacks.incrementAndGet();
		}

	}

}
