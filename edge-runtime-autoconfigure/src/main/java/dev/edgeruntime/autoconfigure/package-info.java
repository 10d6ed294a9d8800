/**
 * Auto-configuration of edge-runtime and its {@code edge-runtime.*} properties.
 */
@NullMarked
package dev.edgeruntime.autoconfigure;

import org.jspecify.annotations.NullMarked;
