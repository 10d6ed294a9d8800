/**
 * Tests of ahead-of-time processing and of the hints for native images.
 */
@NullMarked
package dev.edgeruntime.aot;

import org.jspecify.annotations.NullMarked;
