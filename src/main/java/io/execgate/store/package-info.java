/**
 * The record of every execution: {@link io.execgate.store.ExecutionStore}, over the (local or
 * clustered) shared maps. May use {@code model} and {@code error} only.
 */
package io.execgate.store;
