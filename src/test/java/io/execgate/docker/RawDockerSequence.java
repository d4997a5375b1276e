package io.execgate.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The baseline of the benchmarks: one container lifecycle driven straight through docker-java,
 * with the same security profile as execgate's sandboxes: create, attach, start, wait, remove.
 */
public final class RawDockerSequence implements AutoCloseable {

  private final DockerClient client;

  public RawDockerSequence() {
    DefaultDockerClientConfig cfg = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    client = DockerClientImpl.getInstance(cfg, new ApacheDockerHttpClient.Builder()
      .dockerHost(cfg.getDockerHost())
      .maxConnections(256)
      .connectionTimeout(Duration.ofSeconds(5))
      .build());
  }

  private String create(String image, String script, String label) {
    ContainerSpec spec = new ContainerSpec(null, image, script, Map.of("execgate.bench", label), 1000, 256L << 20,
      1_000_000_000L, 128, 64L << 20, false, 1024, null, List.of("HOME=/tmp"));
    return SandboxProfile.apply(client.createContainerCmd(image), spec)
      .withStdinOpen(false).withStdInOnce(false).withAttachStdin(false)
      .exec().getId();
  }

  /**
   * Runs {@code sh -c script} in a fresh sandbox container and returns its stdout.
   */
  public String run(String image, String script, String label) throws Exception {
    String id = create(image, script, label);
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ResultCallback.Adapter<Frame> attach = attach(id, payload -> {
        synchronized (out) {
          out.writeBytes(payload);
        }
      });
      client.startContainerCmd(id).exec();
      client.waitContainerCmd(id).start().awaitStatusCode(60, TimeUnit.SECONDS);
      attach.awaitCompletion(10, TimeUnit.SECONDS);
      synchronized (out) {
        return out.toString();
      }
    } finally {
      client.removeContainerCmd(id).withForce(true).exec();
    }
  }

  /**
   * Times {@code count} engine execs of {@code sh -c script} in one running sandbox (exec create, start
   * with its output attached, inspect for the exit code): the floor under an execution in a session,
   * whose every execution is an exec in the session's sandbox.
   *
   * @return each exec's duration in milliseconds
   */
  public double[] execInRunning(String image, String script, int count, String label) throws Exception {
    String id = create(image, "sleep 600", label);
    try {
      client.startContainerCmd(id).exec();
      double[] millis = new double[count];
      for (int i = 0; i < count; i++) {
        long t0 = System.nanoTime();
        String exec = client.execCreateCmd(id).withCmd("sh", "-c", script).withUser("1000:1000")
          .withAttachStdout(true).withAttachStderr(true).exec().getId();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        client.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
          @Override
          public void onNext(Frame frame) {
            synchronized (out) {
              out.writeBytes(frame.getPayload());
            }
          }
        }).awaitCompletion(30, TimeUnit.SECONDS);
        Long exit = client.inspectExecCmd(exec).exec().getExitCodeLong();
        millis[i] = (System.nanoTime() - t0) / 1e6;
        synchronized (out) {
          if (exit == null || exit != 0 || out.size() == 0) {
            throw new IllegalStateException("exec failed: exit " + exit + ", output " + out);
          }
        }
      }
      return millis;
    } finally {
      client.removeContainerCmd(id).withForce(true).exec();
    }
  }

  /**
   * Streams {@code bytes} of stdout from a fresh sandbox through a raw attach.
   *
   * @return the bytes received
   */
  public long stream(String image, long bytes, String label) throws Exception {
    String id = create(image, "head -c " + bytes + " /dev/zero", label);
    try {
      long[] received = new long[1];
      ResultCallback.Adapter<Frame> attach = attach(id, payload -> received[0] += payload.length);
      client.startContainerCmd(id).exec();
      attach.awaitCompletion(300, TimeUnit.SECONDS);
      return received[0];
    } finally {
      client.removeContainerCmd(id).withForce(true).exec();
    }
  }

  /**
   * Runs {@code script} in a fresh sandbox and counts its stdout through a raw attach.
   *
   * @param firstLast receives the nano times of the first and the last byte
   * @return the bytes received
   */
  public long streamText(String image, String script, String label, long[] firstLast) throws Exception {
    String id = create(image, script, label);
    try {
      long[] received = new long[1];
      ResultCallback.Adapter<Frame> attach = attach(id, payload -> {
        long now = System.nanoTime();
        if (firstLast[0] == 0) {
          firstLast[0] = now;
        }
        firstLast[1] = now;
        received[0] += payload.length;
      });
      client.startContainerCmd(id).exec();
      attach.awaitCompletion(300, TimeUnit.SECONDS);
      return received[0];
    } finally {
      client.removeContainerCmd(id).withForce(true).exec();
    }
  }

  private ResultCallback.Adapter<Frame> attach(String id, java.util.function.Consumer<byte[]> sink)
    throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    ResultCallback.Adapter<Frame> attach = client.attachContainerCmd(id).withStdOut(true).withStdErr(true)
      .withFollowStream(true).exec(new ResultCallback.Adapter<>() {
        @Override
        public void onStart(Closeable stream) {
          super.onStart(stream);
          started.countDown();
        }

        @Override
        public void onNext(Frame frame) {
          sink.accept(frame.getPayload());
        }
      });
    started.await(30, TimeUnit.SECONDS);
    return attach;
  }

  @Override
  public void close() throws Exception {
    client.close();
  }
}
