package io.execgate.executor.launcher;

import io.execgate.docker.StdinSink;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;

/**
 * What an execution's program reads: the program itself (the launcher's payload), then, for an
 * interactive execution, what the client sends, kept (bounded) until the container's stdin is
 * attached, and the end of input when the client closes it. Lives on the execution's context.
 */
public final class ProgramStdin {

  /** Stdin not yet taken by the program (or not yet attached), beyond which more is refused. */
  static final long MAX_PENDING = 1 << 20;
  /** Heap one message's bytes take besides themselves, so that input sent a byte at a time is counted by what it costs. */
  private static final int MESSAGE_OVERHEAD = 32;

  private final Vertx vertx;
  private final Context context;
  private final boolean interactive;
  /** A judged run's stdin stays open for the gateway's stop lines ({@link TestScript}). */
  private final boolean judged;
  private final List<byte[]> early = new ArrayList<>();
  private long earlyBytes;
  private boolean closed;
  private StdinSink sink;

  public ProgramStdin(Vertx vertx, Context context, boolean interactive) {
    this(vertx, context, interactive, false);
  }

  /**
   * @param judged whether the run has test cases: its stdin stays open, for {@link #stopTest} only
   */
  public ProgramStdin(Vertx vertx, Context context, boolean interactive, boolean judged) {
    this.vertx = vertx;
    this.context = context;
    this.interactive = interactive;
    this.judged = judged;
  }

  /**
   * Asks the launcher of a judged run to stop test case {@code test} (its output passed the cap); a
   * test that already ended is not affected.
   */
  public void stopTest(int test) {
    if (judged && sink != null) {
      sink.write(("stop " + test + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
  }

  /**
   * The container's stdin is attached: the program goes first, then what the client sent meanwhile;
   * a non-interactive execution's stdin ends there.
   */
  public void attached(StdinSink attachedSink, byte[] payload) {
    sink = attachedSink;
    sink.write(payload);
    early.forEach(sink::write);
    early.clear();
    earlyBytes = 0;
    if ((!interactive && !judged) || closed) {
      end();
    }
  }

  /**
   * Client input for the program.
   *
   * @param over whether the execution already ended
   * @throws GatewayException when it cannot be taken now
   */
  public void write(byte[] bytes, boolean over) {
    if (!interactive || over || closed) {
      throw new GatewayException(ErrorCode.INVALID_REQUEST, "this execution does not take stdin now");
    }
    if (sink == null) {
      if (earlyBytes + bytes.length + MESSAGE_OVERHEAD > MAX_PENDING) {
        throw new GatewayException(ErrorCode.CAPACITY_EXHAUSTED, "too much stdin before the program started");
      }
      early.add(bytes);
      earlyBytes += bytes.length + MESSAGE_OVERHEAD;
    } else if (sink.pendingBytes() > MAX_PENDING) {
      throw new GatewayException(ErrorCode.CAPACITY_EXHAUSTED, "the program is not reading its stdin");
    } else {
      sink.write(bytes);
    }
  }

  /**
   * The client closed the program's input (end of file), now or once attached.
   */
  public void close() {
    if (sink != null && interactive && !closed) {
      end();
    }
    closed = true;
  }

  private void end() {
    StdinSink s = sink;
    // docker-java never half-closes: drop the stdin connection once everything was sent
    s.end(() -> context.runOnContext(v -> vertx.setTimer(50, t -> s.close())));
  }
}
