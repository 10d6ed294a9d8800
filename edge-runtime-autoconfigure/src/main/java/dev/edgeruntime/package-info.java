/**
 * The public API of edge-runtime: {@link dev.edgeruntime.EdgeRuntime#waitUntil(java.util.concurrent.Callable)},
 * task handles and context, budgets, and the {@code beforeunload} and {@code unhandledrejection} events.
 */
@NullMarked
package dev.edgeruntime;

import org.jspecify.annotations.NullMarked;
