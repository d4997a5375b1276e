package io.execgate.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The memory family of attacks on the runnable jar ({@code -Xmx512m}, default configuration, the
 * real engine): output floods owned by clients that do not read, records at the largest allowed
 * output of control bytes held and read by many clients that do not read, and the same outputs as
 * {@code wait=true} and Piston answers nobody reads. Throughout, {@code /health} answers within
 * 500 ms and an unrelated key's {@code echo hi} within 2 s; afterwards no {@code OutOfMemoryError},
 * every record final and truthful (whole, or saying its output was evicted), no container left.
 */
class MemoryAttackIT {

  private static final Logger log = LoggerFactory.getLogger(MemoryAttackIT.class);
  private static final int MAX_OUTPUT = 4 << 20;
  private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
  /** Both streams at the largest allowed size, every byte a control character (six bytes in JSON). */
  private static final String CONTROL_FLOOD = "head -c " + MAX_OUTPUT + " /dev/zero | tr '\\0' '\\1'; head -c "
    + MAX_OUTPUT + " /dev/zero | tr '\\0' '\\1' >&2";
  /**
   * 3 MiB on each stream first: the owner's socket buffers fill and the gateway stops reading for
   * it; then a byte at a time, switching streams at every byte, which is
   * what used to pile up a chunk of 8 KiB per byte in the gateway.
   */
  private static final String ALTERNATING = "head -c 3145728 /dev/zero | tr '\\0' x; "
    + "head -c 3145728 /dev/zero | tr '\\0' x >&2; while :; do printf a; printf b >&2; done";

  private final List<Socket> silent = new ArrayList<>();

  @Test
  void outputFloodsAndClientsThatDoNotReadAreBoundedWhileOthersAreServed() throws Exception {
    long started = System.nanoTime();
    try (AttackedGateway gw = new AttackedGateway(Map.of()).inService();
         HeapWatch heap = new HeapWatch(gw.pid());
         AttackedGateway.HealthProbe probe = gw.probe()) {
      // 1. a program alternating one-byte writes to stdout and stderr, owned by clients that never read
      List<String> owners = List.of(ndjsonOwner(gw, ALTERNATING), socketOwner(gw, ALTERNATING));
      owners.forEach(gw::track);
      // their programs block on their writes once the gateway stopped reading for their owners
      Thread.sleep(3_000);
      gw.victimEchoWithin(2_000);

      // 2. records at the largest allowed output, of control bytes, each read by 12 clients that never read
      List<String> floods = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String id = runToEnd(gw, CONTROL_FLOOD);
        floods.add(id);
        for (int j = 0; j < 12; j++) {
          silent.add(request(gw, "GET /v1/executions/" + id, gw.attackerKey, null));
        }
      }
      Thread.sleep(2_000);
      gw.victimEchoWithin(2_000);

      // 3. the same output answered at the end (wait=true, Piston) to clients that never read
      List<Socket> answers = new ArrayList<>();
      String submit = attack(CONTROL_FLOOD).encode();
      String piston = new JsonObject().put("language", "bash").put("version", "*")
        .put("files", new io.vertx.core.json.JsonArray().add(new JsonObject().put("content", CONTROL_FLOOD))).encode();
      for (int i = 0; i < 4; i++) {
        answers.add(request(gw, "POST /v1/executions?wait=true", gw.attackerKey, submit));
        silent.add(request(gw, "POST /api/v2/execute", gw.attackerKey, piston));
      }
      silent.addAll(answers);
      Thread.sleep(4_000);
      for (int i = 0; i < 2; i++) {
        gw.victimEchoWithin(2_000);
        // the victim's warm containers are refilled meanwhile, as between any two requests of a normal client
        Thread.sleep(2_000);
      }
      // the owners' programs met their deadline; their records, the key's oldest, made room for the floods
      for (String id : owners) {
        JsonObject r = record(gw, id, 30_000);
        assertThat(r.getString("status")).as("%s: %s", id, r.getString("message")).isEqualTo("timeout");
        assertThat(r.containsKey("stdout")).as("%s holds its output or says it was evicted", id)
          .isNotEqualTo(r.getBoolean("outputEvicted", false));
      }
      heap.mark("attack");

      // a wait=true answer nobody read for seconds arrives whole once read; or, if its record's output was
      // evicted meanwhile, it is cut (never completed short) and the record says why
      for (Socket answer : answers) {
        Answer a = readAnswer(answer);
        Matcher id = ID.matcher(a.body());
        assertThat(id.find()).as("the answer begins with its id: %s", a.body()).isTrue();
        gw.track(id.group(1));
        if (a.whole()) {
          assertWholeOrEvicted(new JsonObject(a.body()));
        } else {
          assertThat(record(gw, id.group(1), 10_000).getBoolean("outputEvicted", false)).as("a cut answer").isTrue();
        }
      }
      // the budget of one key (16 MiB) holds one of these records (8 MiB of text and its pieces; two are just over):
      // the older ones were evicted, and say so
      int evicted = 0;
      for (String id : floods) {
        JsonObject r = record(gw, id, 10_000);
        assertWholeOrEvicted(r);
        evicted += r.getBoolean("outputEvicted", false) ? 1 : 0;
      }
      assertThat(evicted).as("flood records evicted").isGreaterThanOrEqualTo(2);
      // a new record finds room: the key's oldest records make way
      JsonObject fresh = record(gw, runToEnd(gw, CONTROL_FLOOD), 10_000);
      assertWholeOrEvicted(fresh);
      assertThat(fresh.getBoolean("outputEvicted", false)).isFalse();

      closeClients();
      gw.assertAllRecordsFinal(30_000);
      gw.assertNoExecutionContainerLeft(30_000);
      heap.mark("end");
      log.info("memory attack: {} /health probes, slowest {} ms; {}; {} s in all", probe.count(), probe.maxMs(),
        heap.report(), (System.nanoTime() - started) / 1_000_000_000);
      log.info("probes >= 300 ms: {}; gateway GC log target/{}-gc.log", probe.slow(), gw.instanceId);
      Files.write(Path.of("target", gw.instanceId + "-probes.txt"), probe.all());
      probe.assertAllWithin(500);
      gw.assertNoOutOfMemoryError();
    } finally {
      closeClients();
    }
  }

  private static void assertWholeOrEvicted(JsonObject r) {
    assertThat(r.getString("status")).as(r.getString("id")).isIn("succeeded", "output_limit");
    if (r.getBoolean("outputEvicted", false)) {
      assertThat(r.containsKey("stdout")).isFalse();
      assertThat(r.containsKey("stderr")).isFalse();
      return;
    }
    String stdout = r.getString("stdout");
    String stderr = r.getString("stderr");
    long omitted = r.getLong("stdoutOmittedBytes", 0L) + r.getLong("stderrOmittedBytes", 0L);
    if ("succeeded".equals(r.getString("status"))) {
      assertThat(stdout).hasSize(MAX_OUTPUT).matches("\u0001*");
      assertThat(stderr).hasSize(MAX_OUTPUT).matches("\u0001*");
      assertThat(omitted).isZero();
    } else {
      // Piston's default cap (limits.outputBytes, 1 MiB) cut it: what the record holds is what was kept
      assertThat(stdout.length() + stderr.length()).isGreaterThan(0);
    }
  }

  /**
   * Submits with NDJSON and reads only as far as the {@code accepted} frame.
   */
  private String ndjsonOwner(AttackedGateway gw, String script) throws IOException {
    String body = attack(script).encode();
    Socket socket = request(gw, "POST /v1/executions", gw.attackerKey, body, "accept: application/x-ndjson");
    silent.add(socket);
    return readId(socket.getInputStream());
  }

  /**
   * An attacker's program: it may print the largest allowed output; its CPU is half a core (the
   * attack is on the gateway's memory, and two cores are all this machine has for the engine, the
   * gateway, the victim and eight such programs at once).
   */
  private static JsonObject attack(String script) {
    return new JsonObject().put("language", "bash").put("script", script)
      .put("limits", new JsonObject().put("outputBytes", MAX_OUTPUT).put("cpus", 0.5));
  }

  /**
   * Runs over {@code /v1/ws} and reads nothing after the {@code accepted} frame (a raw socket: a
   * client library may go on reading into its own buffers when the application takes nothing).
   */
  private String socketOwner(AttackedGateway gw, String script) throws IOException {
    byte[] nonce = new byte[16];
    new java.security.SecureRandom().nextBytes(nonce);
    Socket socket = request(gw, "GET /v1/ws", gw.attackerKey, null, "upgrade: websocket", "connection: Upgrade",
      "sec-websocket-version: 13", "sec-websocket-key: " + java.util.Base64.getEncoder().encodeToString(nonce));
    silent.add(socket);
    // a client sends nothing before the server's handshake
    assertThat(head(socket.getInputStream())).startsWith("HTTP/1.1 101");
    byte[] run = attack(script).put("type", "run").encode().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    // one masked text frame, as a client sends them
    frame.write(0x81);
    if (run.length < 126) {
      frame.write(0x80 | run.length);
    } else {
      frame.write(0x80 | 126);
      frame.write(run.length >> 8);
      frame.write(run.length & 0xff);
    }
    byte[] mask = new byte[4];
    new java.security.SecureRandom().nextBytes(mask);
    frame.write(mask);
    for (int i = 0; i < run.length; i++) {
      frame.write(run[i] ^ mask[i % 4]);
    }
    socket.getOutputStream().write(frame.toByteArray());
    socket.getOutputStream().flush();
    return readId(socket.getInputStream());
  }

  /**
   * Runs a program and waits (reading) until its record is final.
   *
   * @return its id
   */
  private String runToEnd(AttackedGateway gw, String script) throws Exception {
    HttpResponse<String> r = gw.post("/v1/executions", gw.attackerKey, attack(script).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String id = new JsonObject(r.body()).getString("id");
    gw.track(id);
    record(gw, id, 30_000);
    return id;
  }

  /**
   * @return the record once final (read whole, as a client that reads does; an answer reset because
   *   the record's output was evicted while it was written is asked for again, as a client would)
   */
  private static JsonObject record(AttackedGateway gw, String id, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      HttpResponse<String> r;
      try {
        r = gw.get("/v1/executions/" + id, gw.attackerKey);
      } catch (IOException reset) {
        assertThat(System.currentTimeMillis()).as("%s read again after %s", id, reset).isLessThan(deadline);
        assertThat(gw.log()).contains("the output of execution " + id + " was evicted while it was being read");
        continue;
      }
      assertThat(r.statusCode()).isEqualTo(200);
      JsonObject json = new JsonObject(r.body());
      if (json.containsKey("exitCode") || System.currentTimeMillis() > deadline) {
        return json;
      }
      Thread.sleep(200);
    }
  }

  /**
   * Opens a connection, sends one request with a small receive buffer, and reads nothing.
   */
  private static Socket request(AttackedGateway gw, String requestLine, String key, String body, String... headers)
    throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", gw.port), 5_000);
    socket.setSoTimeout(60_000);
    StringBuilder req = new StringBuilder(requestLine).append(" HTTP/1.1\r\nhost: 127.0.0.1\r\n")
      .append("authorization: Bearer ").append(key).append("\r\n");
    for (String h : headers) {
      req.append(h).append("\r\n");
    }
    byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      req.append("content-type: application/json\r\ncontent-length: ").append(payload.length).append("\r\n");
    }
    req.append("\r\n");
    socket.getOutputStream().write(req.toString().getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().write(payload);
    socket.getOutputStream().flush();
    return socket;
  }

  private static String readId(InputStream in) throws IOException {
    StringBuilder seen = new StringBuilder();
    byte[] buf = new byte[512];
    while (seen.length() < 64 * 1024) {
      int n = in.read(buf);
      if (n < 0) {
        break;
      }
      seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      Matcher m = ID.matcher(seen);
      if (m.find()) {
        return m.group(1);
      }
    }
    throw new IllegalStateException("no accepted frame in " + seen);
  }

  /** An answer's body, and whether it arrived whole. */
  private record Answer(String body, boolean whole) {
  }

  /**
   * Reads a chunked JSON answer from a connection that was not read until now.
   */
  private static Answer readAnswer(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    assertThat(head(in)).startsWith("HTTP/1.1 200");
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      while (true) {
        int n = Integer.parseInt(line(in).trim(), 16);
        if (n == 0) {
          return new Answer(body.toString(StandardCharsets.UTF_8), true);
        }
        byte[] chunk = in.readNBytes(n);
        body.write(chunk);
        if (chunk.length < n) {
          break;
        }
        line(in);
      }
    } catch (IOException | NumberFormatException cut) {
      // reset or closed before its end
    }
    return new Answer(body.toString(StandardCharsets.UTF_8), false);
  }

  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("the answer's head").isNotNegative();
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      s.append((char) b);
    }
    return s.toString();
  }

  private void closeClients() {
    for (Socket s : silent) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    silent.clear();
  }

  /**
   * The gateway's heap and resident memory while it is attacked: {@code jstat} every 500 ms, and the
   * kernel's high-water mark of its resident set.
   */
  private static final class HeapWatch implements AutoCloseable {

    private final long pid;
    private final Process jstat;
    private final Thread reader;
    private final StringBuilder marks = new StringBuilder();
    private volatile double peakUsedMb;

    HeapWatch(long pid) throws IOException {
      this.pid = pid;
      Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
      Path tool = java.resolveSibling("jstat");
      jstat = new ProcessBuilder(Files.exists(tool) ? tool.toString() : "jstat", "-gc", String.valueOf(pid), "500")
        .redirectErrorStream(true).start();
      reader = new Thread(this::read, "heap-watch");
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(jstat.getInputStream()))) {
        String header = lines.readLine();
        if (header == null) {
          return;
        }
        List<String> columns = List.of(header.trim().split("\\s+"));
        String line;
        while ((line = lines.readLine()) != null) {
          String[] v = line.trim().split("\\s+");
          if (v.length != columns.size() || v[0].equals(columns.get(0))) {
            continue;
          }
          double usedKb = 0;
          for (String c : List.of("S0U", "S1U", "EU", "OU")) {
            usedKb += Double.parseDouble(v[columns.indexOf(c)]);
          }
          peakUsedMb = Math.max(peakUsedMb, usedKb / 1024);
        }
      } catch (IOException | RuntimeException e) {
        // the gateway is gone
      }
    }

    void mark(String when) throws IOException {
      marks.append(when).append(": heap peak ").append(Math.round(peakUsedMb)).append(" MiB used, ")
        .append(status("VmRSS")).append(" RSS, ").append(status("VmHWM")).append(" RSS peak; ");
    }

    private String status(String key) throws IOException {
      return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith(key + ":"))
        .map(l -> l.substring(key.length() + 1).trim()).findFirst().orElse("?");
    }

    String report() {
      return marks.toString();
    }

    @Override
    public void close() throws InterruptedException {
      jstat.destroy();
      reader.join(5_000);
    }
  }
}
