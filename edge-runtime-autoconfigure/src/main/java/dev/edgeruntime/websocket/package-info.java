/**
 * WebSocket sessions as background tasks: {@link dev.edgeruntime.websocket.TrackedWebSocketHandler}
 * registers each session of a handler with the runtime, under a wall-clock budget, and tells and closes
 * the client when the runtime ends it.
 */
@NullMarked
package dev.edgeruntime.websocket;

import org.jspecify.annotations.NullMarked;
