/**
 * Tests of the durable tier against the real PostgreSQL.
 */
@NullMarked
package dev.edgeruntime.queue;

import org.jspecify.annotations.NullMarked;
