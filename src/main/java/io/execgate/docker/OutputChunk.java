package io.execgate.docker;

/**
 * Bytes a container wrote to one of its streams.
 *
 * @param stderr whether they came from stderr (else stdout)
 * @param bytes  the bytes, owned by the receiver
 */
public record OutputChunk(boolean stderr, byte[] bytes) {
}
