/**
 * API keys and who a request is: {@link io.execgate.auth.ApiKey} (hashed, with its limits and
 * globs), {@link io.execgate.auth.AuthOptions}, {@link io.execgate.auth.Principal}, signed stream
 * tokens, the request rate limiter and the failed-authentication throttle. Pure logic, no HTTP and no
 * bus: may use {@code config} only.
 */
package io.execgate.auth;
