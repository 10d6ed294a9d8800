/**
 * Test support for applications that use edge-runtime: wait until background tasks (and, given the
 * application context, the durable work of its queues) have settled, and record the {@code beforeunload}
 * and {@code unhandledrejection} events they caused. Run tasks on the calling thread with
 * {@code edge-runtime.tasks.inline=true}.
 */
@NullMarked
package dev.edgeruntime.test;

import org.jspecify.annotations.NullMarked;
