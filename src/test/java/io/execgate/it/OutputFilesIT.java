package io.execgate.it;

import io.execgate.model.ExecutionRequest;
import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.OutputFile;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files out of an execution, on the real engine: what a program leaves in {@code out/} comes back in
 * its result (and its record, and its exit frame) byte for byte, within its cap, and nothing it does
 * in {@code out/} (links to the host's files, a FIFO, ten thousand files) makes the gateway read
 * anything else or wait.
 */
class OutputFilesIT extends StreamITBase {

  @Override
  protected boolean checksResponsesAgainstOpenApi() {
    return true;
  }

  private static byte[] allBytes() {
    byte[] all = new byte[256 * 4];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    return all;
  }

  private static JsonObject sh(String script) {
    return new JsonObject().put("script", script);
  }

  /** @return the result's files by name, their content decoded */
  private static Map<String, byte[]> files(JsonObject result) {
    JsonArray files = result.getJsonArray("files");
    assertThat(files).as(result.encode()).isNotNull();
    Map<String, byte[]> byName = new LinkedHashMap<>();
    for (int i = 0; i < files.size(); i++) {
      JsonObject f = files.getJsonObject(i);
      assertThat(f.getString("encoding")).isEqualTo("base64");
      byte[] content = Base64.getDecoder().decode(f.getString("content"));
      assertThat(f.getLong("size")).isEqualTo(content.length);
      byName.put(f.getString("name"), content);
    }
    return byName;
  }

  private static String mediaType(JsonObject result, String name) {
    return result.getJsonArray("files").stream().map(JsonObject.class::cast)
      .filter(f -> f.getString("name").equals(name)).findFirst().orElseThrow().getString("mediaType");
  }

  @Test
  void binaryFilesAndASubdirectoryComeBackByteExactInTheResultTheRecordAndTheExitFrame() throws Exception {
    byte[] all = allBytes();
    JsonObject body = new JsonObject()
      .put("files", new JsonArray()
        .add(new JsonObject().put("name", "main.sh").put("content",
          "mkdir -p out/sub && cp data.bin out/bytes.bin && echo '{\"a\":1}' > out/sub/r.json && echo done\n"))
        .add(new JsonObject().put("name", "data.bin").put("encoding", "base64")
          .put("content", Base64.getEncoder().encodeToString(all))));
    JsonObject r = run(body);
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo("done\n");
    assertThat(r.getBoolean("outputFilesTruncated")).isFalse();
    Map<String, byte[]> files = files(r);
    assertThat(files.keySet()).containsExactlyInAnyOrder("bytes.bin", "sub/r.json");
    assertThat(files.get("bytes.bin")).isEqualTo(all);
    assertThat(new String(files.get("sub/r.json"), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}\n");
    assertThat(mediaType(r, "sub/r.json")).isEqualTo("application/json");
    assertThat(mediaType(r, "bytes.bin")).isEqualTo("application/octet-stream");

    HttpResponse<Buffer> record = get("/v1/executions/" + r.getString("id"));
    assertThat(record.statusCode()).isEqualTo(200);
    assertThat(files(record.bodyAsJsonObject()).get("bytes.bin")).isEqualTo(all);

    Frames frames = ndjson(body);
    JsonObject exit = frames.awaitExit(60_000);
    assertThat(files(exit).get("bytes.bin")).isEqualTo(all);
    assertThat(exit.getBoolean("outputFilesTruncated")).isFalse();
  }

  @Test
  void anExecutionThatLeavesOutEmptyHasNoFiles() {
    JsonObject r = run(sh("test -d out && echo there"));
    assertThat(r.getString("stdout")).isEqualTo("there\n");
    assertThat(r.containsKey("files")).as(r.encode()).isFalse();
    assertThat(r.containsKey("outputFilesTruncated")).isFalse();
  }

  @Test
  void filesOverTheCapAreLeftOutWholeAndTheResultSaysTruncated() {
    JsonObject r = run(sh("head -c 500 /dev/zero > out/a; head -c 3000 /dev/zero > out/b; echo ok")
      .put("limits", new JsonObject().put("outputFilesBytes", 1000)));
    assertThat(r.getString("status")).isEqualTo("succeeded");
    assertThat(r.getBoolean("outputFilesTruncated")).isTrue();
    Map<String, byte[]> files = files(r);
    assertThat(files.keySet()).containsExactly("a");
    assertThat(files.get("a")).hasSize(500);

    // a sparse file of 10 GiB (no space in /tmp, all of it in the reading): cut at the stream's bound
    long start = System.nanoTime();
    JsonObject sparse = run(sh("dd if=/dev/zero of=out/sparse bs=1 count=0 seek=10737418240 2>/dev/null; "
      + "echo small > out/small; ls -l out/sparse | wc -l"));
    assertThat(sparse.getString("status")).as(sparse.encode()).isEqualTo("succeeded");
    assertThat(sparse.getString("stdout")).isEqualTo("1\n");
    assertThat(sparse.getBoolean("outputFilesTruncated")).isTrue();
    assertThat(files(sparse).keySet()).doesNotContain("sparse");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000);

    HttpResponse<Buffer> tooMuch = post("/v1/executions?wait=true", sh("true")
      .put("limits", new JsonObject().put("outputFilesBytes", 1L << 40)));
    assertThat(tooMuch.statusCode()).isEqualTo(422);
    assertThat(tooMuch.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("limits.outputFilesBytes");
  }

  @Test
  void linksInOutAreNotFollowed() {
    JsonObject r = run(sh("ln -s /etc/passwd out/passwd; ln -s /proc/self/environ out/environ; ln -s / out/root; "
      + "ln -s /proc/1/mem out/mem; echo ok > out/ok.txt; echo ran"));
    assertThat(r.getString("status")).isEqualTo("succeeded");
    Map<String, byte[]> files = files(r);
    assertThat(files.keySet()).containsExactly("ok.txt");
    // out/ itself replaced by a link to /etc: nothing is sent
    JsonObject linked = run(sh("rmdir out && ln -s /etc out && echo ran"));
    assertThat(linked.getString("stdout")).isEqualTo("ran\n");
    assertThat(linked.containsKey("files")).as(linked.encode()).isFalse();
    // or with a plain file
    JsonObject file = run(sh("rmdir out && echo x > out && echo ran"));
    assertThat(file.getString("stdout")).isEqualTo("ran\n");
    assertThat(file.containsKey("files")).isFalse();
  }

  @Test
  void aFifoInOutDoesNotHang() {
    long start = System.nanoTime();
    // a reader that opened the FIFO would wait for a writer until the deadline: timeout, not succeeded
    JsonObject r = run(sh("mkfifo out/fifo out/sub-fifo && echo x > out/x && echo ran")
      .put("limits", new JsonObject().put("timeoutMs", 8_000)));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    assertThat(files(r).keySet()).containsExactly("x");
    assertThat(ms).isLessThan(8_000);
  }

  @Test
  void tenThousandTinyFilesAreBoundedInCountAndTime() {
    String make = "cd out && i=0; while [ $i -lt 10000 ]; do echo $i > f$i; i=$((i+1)); done; "
      + "mkdir -p d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d; echo made";
    JsonObject r = run(sh(make));
    assertThat(r.getString("status")).as(r.getString("message")).isEqualTo("succeeded");
    assertThat(r.getBoolean("outputFilesTruncated")).isTrue();
    int returned = r.getJsonArray("files").size();
    assertThat(returned).isLessThanOrEqualTo(1000).isGreaterThan(100);
    // the same program writing elsewhere: the difference is what collecting the files cost
    JsonObject plain = run(sh(make.replace("cd out", "mkdir elsewhere && cd elsewhere")));
    assertThat(plain.containsKey("files")).isFalse();
    LoggerFactory.getLogger(OutputFilesIT.class).info("10,000 files: {} returned, run step {} ms with "
      + "out/ vs {} ms without", returned, r.getLong("durationMs"), plain.getLong("durationMs"));
    assertThat(r.getLong("durationMs") - plain.getLong("durationMs")).isLessThan(3_000);
  }

  @Test
  void theEmbeddingClientsResultHasTheFiles() {
    ExecutionResult r = await(gateway.client().execute(ExecutionRequest.script(
      "printf 'a,b\\n1,2\\n' > out/t.csv; echo ok")));
    assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.files().truncated()).isFalse();
    assertThat(r.files().files()).hasSize(1);
    OutputFile csv = r.files().files().get(0);
    assertThat(csv.name()).isEqualTo("t.csv");
    assertThat(csv.mediaType()).isEqualTo("text/csv");
    assertThat(new String(csv.content(), StandardCharsets.UTF_8)).isEqualTo("a,b\n1,2\n");
  }

  @Test
  void matplotlibSavesAPngIntoOut() {
    JsonObject r = run(new JsonObject().put("language", "python").put("script", """
      import matplotlib.pyplot as plt
      plt.plot([1, 2, 3], [1, 4, 9])
      plt.title("squares")
      plt.savefig("out/plot.png")
      print(plt.get_backend())
      """).put("limits", new JsonObject().put("timeoutMs", 30_000)));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualToIgnoringCase("agg\n");
    byte[] png = files(r).get("plot.png");
    assertThat(png).isNotNull();
    assertThat(Arrays.copyOf(png, 8)).isEqualTo(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    assertThat(png.length).isGreaterThan(5_000);
    assertThat(mediaType(r, "plot.png")).isEqualTo("image/png");
  }
}
