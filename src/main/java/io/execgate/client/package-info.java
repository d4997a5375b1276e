/**
 * The client side of the execution protocol on the event bus, shared by the HTTP API and by
 * {@link io.execgate.ExecutionClient}: requests validated into jobs against the gateway's options,
 * admission by the scheduler, waiting for a final result, and relaying an execution's frames in
 * order from its output and replay addresses. Not an API: these classes may change.
 */
package io.execgate.client;
