/**
 * The embedding client: {@link io.execgate.client.EventBusExecutionClient}, what
 * {@link io.execgate.ExecutionClient#create} returns, and {@link io.execgate.client.ExecutionControl}, which
 * reads and cancels an execution's record for it and for the HTTP API (GET and DELETE). May use the
 * API, {@code request}, {@code stream}, {@code store}, {@code bus}, {@code auth}, {@code model},
 * {@code error}. Not an API: these classes may change.
 */
package io.execgate.client;
