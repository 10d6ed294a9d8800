package dev.edgeruntime.web;

import java.util.function.Supplier;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.DurableTaskDispatcher;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import org.aopalliance.aop.Advice;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;

/**
 * The Spring AOP advisor that runs {@link BackgroundTask @BackgroundTask} methods as background tasks.
 * Register it as an infrastructure bean; its order decides where it sits among other advisors (by default
 * outside {@code @Transactional}, so a transaction on the same method runs inside the task, and inside
 * method security, so access is checked on the calling thread).
 *
 * @author edge-runtime developers
 */
public final class BackgroundTaskAdvisor extends AbstractPointcutAdvisor {

	private static final long serialVersionUID = 1L;

	/** The default order: just outside Spring's transaction advisor. */
	public static final int DEFAULT_ORDER = LOWEST_PRECEDENCE - 100;

	private final transient Pointcut pointcut = new AnnotationMatchingPointcut(null, BackgroundTask.class, true);

	private final transient BackgroundTaskInterceptor interceptor;

	/**
	 * Creates a new instance.
	 * @param runtime supplies the runtime at each call, or {@code null} when the application's runtime is not
	 * the starter's (a test's mock), so that the call fails saying so
	 * @param durableDispatcher supplies the dispatcher of durable work, or {@code null} when there is none
	 */
	public BackgroundTaskAdvisor(Supplier<@Nullable DefaultEdgeRuntime> runtime,
			Supplier<@Nullable DurableTaskDispatcher> durableDispatcher) {
		this.interceptor = new BackgroundTaskInterceptor(runtime, durableDispatcher);
		setOrder(DEFAULT_ORDER);
	}

	@Override
	public Pointcut getPointcut() {
		return this.pointcut;
	}

	@Override
	public Advice getAdvice() {
		return this.interceptor;
	}

}
