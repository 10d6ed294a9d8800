/**
 * The demo application.
 */
@NullMarked
package dev.edgeruntime.demo;

import org.jspecify.annotations.NullMarked;
