/**
 * The Model Context Protocol server at {@code /mcp}: AI agents reach the gateway's executions as MCP
 * tools, with the API's keys, limits and sandboxes.
 *
 * <p>The Streamable HTTP transport is implemented here on Vert.x Web rather than taken from the
 * official Java SDK ({@code io.modelcontextprotocol.sdk:mcp}): its server's Streamable HTTP transport
 * is a Jakarta Servlet ({@code HttpServletStreamableServerTransportProvider}, to run in a Servlet
 * container) or Spring WebFlux/WebMVC (now shipped by Spring AI), and its server API is built on
 * Project Reactor. Bridging that into a Vert.x router would put
 * a second threading model, and a second JSON and error path, under every call; the part of the
 * protocol a tool server needs (initialize, ping, tools/list, tools/call, progress, cancellation,
 * session ids, version negotiation) is small and is written here on the event loop, next to the
 * admission path it shares with {@code POST /v1/executions}.
 */
package io.execgate.mcp;
