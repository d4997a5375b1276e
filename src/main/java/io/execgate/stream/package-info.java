/**
 * An execution's frames: the executor's {@link io.execgate.stream.FrameLog} (published,
 * retained for replay, then retired), the watcher's {@link io.execgate.stream.FrameRelay} (in order,
 * from the live and replay addresses), the sinks it writes to, the embedding client's
 * {@link io.execgate.stream.FrameStream}, {@link io.execgate.stream.ResultWaiter} (admission and the
 * final result) and the WebSocket {@link io.execgate.stream.CloseCodes}. May use {@code store},
 * {@code bus}, {@code auth}, {@code model}, {@code error} and the API's stream type.
 */
package io.execgate.stream;
