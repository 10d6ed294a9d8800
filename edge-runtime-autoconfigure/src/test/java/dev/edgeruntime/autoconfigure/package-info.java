/**
 * Tests of the auto-configurations.
 */
@NullMarked
package dev.edgeruntime.autoconfigure;

import org.jspecify.annotations.NullMarked;
