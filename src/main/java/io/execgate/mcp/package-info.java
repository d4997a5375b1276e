/**
 * The Model Context Protocol server at {@code /mcp}: AI agents reach the gateway's executions as MCP
 * tools, with the API's keys, limits and sandboxes.
 *
 * <p>The Streamable HTTP transport is implemented here on Vert.x Web rather than taken from the
 * official Java SDK ({@code io.modelcontextprotocol.sdk:mcp}): the SDK's server transports are a
 * Servlet (blocking I/O on a container's threads) or Spring WebFlux/WebMVC, and its session and
 * request handling runs on Project Reactor schedulers. Bridging that into a Vert.x router would put
 * a second threading model, and a second JSON and error path, under every call; the part of the
 * protocol a tool server needs (initialize, ping, tools/list, tools/call, progress, cancellation,
 * session ids, version negotiation) is small and is written here on the event loop, next to the
 * admission path it shares with {@code POST /v1/executions}.
 */
package io.execgate.mcp;
