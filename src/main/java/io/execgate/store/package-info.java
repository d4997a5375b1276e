/**
 * The record of every execution: {@link io.execgate.store.ExecutionStore}, over the (local or
 * clustered) shared maps, with long texts stored in pieces ({@link io.execgate.store.StoredRecord});
 * what a record keeps of a program's output ({@link io.execgate.store.RecordOutput}) and the byte
 * budgets per node and per key that bound it ({@link io.execgate.store.OutputBudget}); batches and
 * webhook delivery states beside the records ({@link io.execgate.store.BatchStore}, read as clients see
 * them by {@link io.execgate.store.BatchView}). May use
 * {@code config} (its budgets), {@code model} and {@code error} only.
 */
package io.execgate.store;
