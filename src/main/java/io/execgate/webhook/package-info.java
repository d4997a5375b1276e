/**
 * Completion webhooks: where a callback may go ({@link io.execgate.webhook.CallbackPolicy}: the
 * allow-list and the address classes, checked at submit and again at every delivery), how a delivery
 * is signed ({@link io.execgate.webhook.WebhookSigner}) and the verticle that waits for executions and
 * batches to end and delivers them with retries ({@link io.execgate.webhook.WebhookVerticle}). Uses
 * {@code store}, {@code stream}, {@code bus}, {@code model}, {@code config} and {@code error}; the HTTP
 * API hands it callbacks over the event bus.
 */
package io.execgate.webhook;
