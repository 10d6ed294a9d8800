/**
 * Tests of what the reactor publishes.
 */
@NullMarked
package dev.edgeruntime.packaging;

import org.jspecify.annotations.NullMarked;
