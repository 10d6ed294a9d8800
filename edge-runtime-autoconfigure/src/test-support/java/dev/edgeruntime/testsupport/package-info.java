/**
 * Support for the project's own tests: the real PostgreSQL every database test uses.
 */
@NullMarked
package dev.edgeruntime.testsupport;

import org.jspecify.annotations.NullMarked;
