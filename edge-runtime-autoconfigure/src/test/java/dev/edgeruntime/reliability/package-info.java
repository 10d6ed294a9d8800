/**
 * The reliability suite: a consumer killed mid-run, shutdown with work in flight, an overload burst, a lost
 * database and hostile input. See {@code docs/reliability.md}.
 */
@NullMarked
package dev.edgeruntime.reliability;

import org.jspecify.annotations.NullMarked;
