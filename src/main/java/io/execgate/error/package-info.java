/**
 * The one error model: {@link io.execgate.error.ErrorCode} (id, number, HTTP status),
 * {@link io.execgate.error.GatewayException} and {@link io.execgate.error.Replies} (bus failures back to
 * gateway exceptions). Depends on nothing of execgate.
 */
package io.execgate.error;
