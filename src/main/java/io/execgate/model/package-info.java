/**
 * Immutable records exchanged on the bus and over HTTP (requests, jobs, results, frames, images,
 * pools, worker adverts), each with {@code toJson()} and {@code fromJson}. Depends on nothing of
 * execgate.
 */
package io.execgate.model;
