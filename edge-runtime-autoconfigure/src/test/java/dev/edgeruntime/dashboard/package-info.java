/**
 * Tests of the dashboard page, some in a real browser.
 */
@NullMarked
package dev.edgeruntime.dashboard;

import org.jspecify.annotations.NullMarked;
