/**
 * {@link dev.edgeruntime.BackgroundTask @BackgroundTask} in Spring MVC: the advisor that detaches the
 * work, the hook that starts it after the response is committed or the transaction commits, the
 * {@code 202 Accepted} handling of controller methods, and the task status resource.
 */
@NullMarked
package dev.edgeruntime.web;

import org.jspecify.annotations.NullMarked;
