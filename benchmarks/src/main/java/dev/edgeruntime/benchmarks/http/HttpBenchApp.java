package dev.edgeruntime.benchmarks.http;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.runtime.StaggeredHandOffQueue;
import dev.edgeruntime.runtime.VirtualTaskExecutor;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application under load of the HTTP benchmark (issue 8, item 3), started as its own JVM by
 * {@code scripts/bench.sh http} and loaded by wrk over loopback. Two endpoints, each starting
 * {@code bench.work} (500 ms) of sleeping background work per request and answering 202 at once:
 * <ul>
 * <li>{@code GET /background}: a {@code @BackgroundTask} controller method (the runtime answers 202 with
 * its {@code Location} and JSON body, and runs the body after the response is committed);</li>
 * <li>{@code GET /plain}: the baseline, a plain controller that hands the same sleep to a plain
 * {@link ThreadPoolExecutor} of the same kind as the runtime's platform executor (no core threads, no
 * limit, {@code SynchronousQueue}) and returns an empty 202.</li>
 * <li>{@code GET /plain-body}: not a baseline of the issue but an ablation: the plain controller, answering
 * what the runtime answers (a {@code Location} built with {@code ServletUriComponentsBuilder} and a JSON body
 * of four fields, written by Jackson), so that the cost of the response itself can be told from the
 * runtime's.</li>
 * <li>{@code GET /plain-staggered}: an ablation too, the plain controller with a pool whose idle threads
 * retire at staggered times, as the runtime's do ({@link StaggeredHandOffQueue}), so that the effect of
 * that pool can be told from the rest of the runtime's.</li>
 * </ul>
 * With {@code spring.threads.virtual.enabled=true} on Java 21 or later, the runtime runs its tasks on
 * virtual threads, and so does the baseline: {@code /plain} and {@code /plain-body} then start a virtual
 * thread per request ({@link VirtualTaskExecutor}, the bare executor of the submit benchmark), and Tomcat
 * serves requests on virtual threads for all endpoints alike.
 * <p>
 * The baseline does the background work (rather than none) so that both sides pay for the same
 * sleeping threads; the ratio is then the runtime's own cost on the request path.
 *
 * @author edge-runtime developers
 */
@SpringBootApplication(proxyBeanMethods = false)
public class HttpBenchApp {

	public static void main(String[] args) {
		SpringApplication.run(HttpBenchApp.class, args);
	}

	@Bean // a pool is shut down at close (its inferred destroy method); virtual threads are not pooled
	Executor plainExecutor(Environment environment) {
		if (Threading.VIRTUAL.isActive(environment)) {
			return VirtualTaskExecutor.create("plain-");
		}
		return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
				new CustomizableThreadFactory("plain-"));
	}

	@Bean(destroyMethod = "shutdownNow")
	ExecutorService staggeredExecutor() {
		return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new StaggeredHandOffQueue(),
				new CustomizableThreadFactory("staggered-"));
	}

	@RestController
	static class BenchController {

		private final Executor executor;

		private final Executor staggeredExecutor;

		private final long workMillis;

		BenchController(@Qualifier("plainExecutor") Executor plainExecutor,
				@Qualifier("staggeredExecutor") Executor staggeredExecutor,
				@Value("${bench.work:500ms}") Duration work) {
			this.executor = plainExecutor;
			this.staggeredExecutor = staggeredExecutor;
			this.workMillis = work.toMillis();
		}

		@GetMapping("/plain")
		public ResponseEntity<Void> plain() {
			this.executor.execute(this::work);
			return ResponseEntity.accepted().build();
		}

		@GetMapping("/plain-staggered")
		public ResponseEntity<Void> plainStaggered() {
			this.staggeredExecutor.execute(this::work);
			return ResponseEntity.accepted().build();
		}

		@GetMapping("/plain-body")
		public ResponseEntity<Map<String, Object>> plainBody() {
			this.executor.execute(this::work);
			UUID id = UUID.randomUUID();
			URI location = ServletUriComponentsBuilder.fromCurrentServletMapping()
				.path("/background-tasks")
				.pathSegment(id.toString())
				.build()
				.toUri();
			Map<String, Object> body = new LinkedHashMap<>();
			body.put("id", id);
			body.put("name", "bench");
			body.put("state", "RUNNING");
			body.put("statusUrl", location);
			return ResponseEntity.accepted().location(location).body(body);
		}

		@BackgroundTask(name = "bench")
		@GetMapping("/background")
		public String background() {
			work();
			return "done";
		}

		private void work() {
			try {
				Thread.sleep(this.workMillis);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
