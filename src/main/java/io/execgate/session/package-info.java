/**
 * Sessions: sandboxes that keep their working directory ({@code /tmp/work}) across executions.
 *
 * <p>{@link io.execgate.session.SessionVerticle} owns a node's sessions (one instance, on an event
 * loop). A session's container has the executions' locked-down profile (no network, read-only root,
 * tmpfs {@code /tmp}, all capabilities dropped, no-new-privileges, non-root, pids/memory/CPU limits)
 * and carries the gateway's instance label, so the startup reap and the sweeper see it. Its PID 1 is
 * a shell that only waits, without the engine's init: {@code kill -KILL -1} run inside the sandbox as
 * its user then kills every process of the sandbox but PID 1 (and itself), which is how a session
 * kills an execution's program on a deadline or cancel, and what an execution left running once it
 * ended, while the sandbox and its files stay.
 *
 * <p>An execution in a session is an ordinary {@code ExecutionJob} with its session's id: the
 * scheduler, the executor's run, its record, frames and routes are those of a one-shot execution;
 * only the sandbox differs. The executor runs the launcher ({@code JobScript.SESSION_COMMAND}) in the
 * running container through the engine's exec, with its stdin and output attached, so the program
 * arrives by the launcher protocol (nonce-sealed end records) and its files land in
 * {@code /tmp/work}. One execution (or file call) at a time: the verticle hands the sandbox out and
 * the executor gives it back once its cleanup is done. CPU time and OOM kills of a session's
 * execution are its own (the launcher subtracts the cgroup's counts at its start); the memory peak is
 * the session's peak so far (a cgroup v1 high-water mark that the sandbox cannot reset).
 *
 * <p>Files go through the sandbox too, never through the host's filesystem or the engine's archive
 * API (which does not see a tmpfs): {@link io.execgate.session.SessionFiles} runs one short shell
 * script per call as the sandbox user, the path an argument (never code), an upload read by its
 * exact length from stdin.
 *
 * <p>A session lives on the node that created it, and a restart of that node removes it. In a cluster,
 * every worker runs its own verticle, reached at its node's cluster-wide address; the ids of its
 * sessions name the node, so that a gateway routes each call by the id alone (the cluster package's
 * {@code SessionRouter}). A worker trusts no sender there: a create is checked again by its own rules
 * ({@link io.execgate.session.SessionRecheck}), and an execution that names a session runs only if the
 * session was handed to that very execution.
 */
package io.execgate.session;
