/**
 * Tests of what the reactor publishes: the BOM and the poms, the jars' manifests.
 */
@NullMarked
package dev.edgeruntime.packaging;

import org.jspecify.annotations.NullMarked;
