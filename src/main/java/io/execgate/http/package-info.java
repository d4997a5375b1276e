/**
 * The HTTP API: {@link io.execgate.http.HttpGatewayVerticle} (event loop, several instances), its
 * routes and handlers (executions, streams and WebSockets, images, tokens, the Piston API), the
 * authentication, origin, host and connection guards, and the response and WebSocket sinks. Holds no
 * execution state; talks to the rest over the bus. May use {@code client}, {@code request},
 * {@code stream}, {@code image}'s policy, {@code store}, {@code bus}, {@code auth}, {@code metrics},
 * {@code config}, {@code model}, {@code error}, the API's options. Only {@code impl} uses it.
 */
package io.execgate.http;
