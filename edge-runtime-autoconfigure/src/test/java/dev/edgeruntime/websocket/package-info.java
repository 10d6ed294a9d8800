/**
 * Tests of WebSocket sessions as background tasks.
 */
@NullMarked
package dev.edgeruntime.websocket;

import org.jspecify.annotations.NullMarked;
