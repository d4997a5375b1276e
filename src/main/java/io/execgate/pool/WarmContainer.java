package io.execgate.pool;

/**
 * A warm container waiting in an {@link ImagePool}: started, attached, created from {@code imageId}.
 *
 * @param id        the container's id
 * @param createdAt when it was ready, in epoch milliseconds
 * @param imageId   the checked image id it was created from
 */
record WarmContainer(String id, long createdAt, String imageId) {
}
