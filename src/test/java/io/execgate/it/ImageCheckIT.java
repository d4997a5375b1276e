package io.execgate.it;

import com.github.dockerjava.api.model.Event;
import io.execgate.GatewayOptions;
import io.execgate.model.RuntimeSpec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Images that would weaken the sandbox are refused before their first use, with a message that says
 * why, and the verdict is remembered; a fit custom image runs. The filesystem paths the sandbox
 * relies on are checked without starting the image; containers are created from the checked image
 * id, so a tag moved afterwards runs nothing unchecked; a warm pool of a refused image never starts
 * a container; allow-list globs do not cross the registry boundary.
 */
class ImageCheckIT extends GatewayITBase {

  private static final String SYMLINKED_TMP = "USER 0\nRUN rm -rf /tmp && ln -s /proc/self/fd /tmp\nUSER 1000\n";

  private final String tag = UUID.randomUUID().toString().substring(0, 8);
  private final List<String> built = new ArrayList<>();
  private final long since = System.currentTimeMillis() / 1000 - 1;
  private String symtmpId;

  private String image(String name) {
    return "execgate-test/check-" + name + ":" + tag;
  }

  @Override
  protected GatewayOptions options() {
    // built before the gateway starts: its warm pool looks at its runtimes' images at once
    String base = "FROM " + DockerSupport.IMAGE + "\n";
    build("fit", base + "LABEL io.execgate.test=check\n");
    build("procdir", base + "WORKDIR /proc/self\n");
    build("volume", base + "USER 0\nRUN mkdir /data && chmod 1777 /data\nUSER 1000\nVOLUME /data\n");
    build("nosh", base.replace("\n", " AS src\n") + "FROM scratch\nCOPY --from=src /bin/busybox /bin/busybox\n");
    symtmpId = build("symtmp", base + SYMLINKED_TMP);
    GatewayOptions options = super.options();
    options.getImages().addAllow("*.corp.example/*");
    // a runtime whose image is refused, with a warm pool
    options.addRuntime(new RuntimeSpec("symtmp", List.of(), "1.0.0", image("symtmp"), "main.sh", null, "sh {file}",
      10_000, false));
    options.getExecutor().getPool().setRuntimes(List.of(GatewayOptions.DEFAULT_RUNTIME, "symtmp"));
    return options;
  }

  private String build(String name, String dockerfile) {
    try {
      TestImages.build(docker, image(name), dockerfile);
      built.add(image(name));
      return docker.inspectImageCmd(image(name)).exec().getId();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @AfterAll
  void removeTestImages() {
    built.forEach(i -> TestImages.remove(docker, i));
  }

  private JsonObject state(String image) {
    for (Object o : get("/v1/images").bodyAsJsonObject().getJsonArray("images")) {
      if (((JsonObject) o).getString("image").equals(image)) {
        return (JsonObject) o;
      }
    }
    throw new AssertionError("no entry for " + image);
  }

  private JsonObject runIn(String image) {
    return run(new JsonObject().put("image", image).put("script", "echo ran; pwd"));
  }

  /**
   * @return the containers of this gateway that the engine started from {@code imageId} ({@code sha256:...}),
   *   by its id or by any of {@code tags}, since the class began
   */
  private List<Event> startsOf(String imageId, String... tags) throws InterruptedException {
    Set<String> names = new HashSet<>(List.of(tags));
    names.add(imageId);
    names.add(imageId.substring("sha256:".length()));
    return DockerSupport.containerEvents(docker, instanceId, "start", since, System.currentTimeMillis() / 1000 + 1)
      .stream().filter(e -> e.getActor() != null && e.getActor().getAttributes() != null
        && names.contains(e.getActor().getAttributes().get("image"))).toList();
  }

  @Test
  void aFitCustomImageRuns() {
    JsonObject r = runIn(image("fit"));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo("ran\n/tmp/work\n");
    assertThat(state(image("fit")).getString("state")).isEqualTo("present");
  }

  @Test
  void aWorkingDirectoryUnderProcIsRefused() {
    JsonObject r = runIn(image("procdir"));
    assertThat(r.getString("status")).isEqualTo("error");
    assertThat(r.getString("message")).contains(image("procdir")).contains("working directory to /proc/self")
      .contains("refused");
    JsonObject entry = state(image("procdir"));
    assertThat(entry.getString("state")).isEqualTo("refused");
    assertThat(entry.getJsonObject("lastError").getString("code")).isEqualTo("image_refused");
  }

  @Test
  void aDeclaredVolumeIsRefused() {
    JsonObject r = runIn(image("volume"));
    assertThat(r.getString("status")).isEqualTo("error");
    assertThat(r.getString("message")).contains("VOLUME /data").contains("without a size cap");
  }

  @Test
  void anImageWithoutBinShIsRefusedAndTheVerdictIsRemembered() {
    JsonObject r = runIn(image("nosh"));
    assertThat(r.getString("status")).isEqualTo("error");
    assertThat(r.getString("message")).contains(image("nosh")).contains("/bin/sh is missing");
    long refused = get("/v1/images").bodyAsJsonObject().getJsonObject("stats").getLong("refused");
    JsonObject again = runIn(image("nosh"));
    assertThat(again.getString("message")).isEqualTo(r.getString("message"));
    assertThat(get("/v1/images").bodyAsJsonObject().getJsonObject("stats").getLong("refused"))
      .as("the verdict is remembered per image id, not checked again").isEqualTo(refused);
  }

  @Test
  void aTmpThatLinksIntoProcIsRefusedBeforeAnyContainerOfItStarts() throws Exception {
    JsonObject r = runIn(image("symtmp"));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("error");
    assertThat(r.getString("message")).contains(image("symtmp"))
      .contains("makes /tmp a symbolic link to /proc/self/fd").contains("CVE-2024-21626");
    JsonObject entry = state(image("symtmp"));
    assertThat(entry.getString("state")).isEqualTo("refused");
    assertThat(entry.getJsonObject("lastError").getString("code")).isEqualTo("image_refused");
    // the engine's own log: no container of it ever started (the check's container was created, never started)
    assertThat(startsOf(symtmpId, image("symtmp"))).isEmpty();
  }

  @Test
  void aWarmPoolOfARefusedImageStaysEmptyAndSaysWhy() throws Exception {
    JsonObject pool = null;
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      pool = symtmpPool();
      if (pool != null && pool.getString("lastError") != null) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(pool).as("the pool of the refused runtime in /ready").isNotNull();
    assertThat(pool.getString("lastError")).as(pool.encode()).contains("symbolic link to /proc/self/fd");
    assertThat(pool.getInteger("target")).isZero();
    assertThat(pool.getInteger("ready")).isZero();
    // /v1/runtimes says the same: a pool that keeps nothing
    JsonObject runtime = get("/v1/runtimes").bodyAsJsonObject().getJsonArray("runtimes").stream()
      .map(o -> (JsonObject) o).filter(o -> o.getString("name").equals("symtmp")).findFirst().orElseThrow();
    assertThat(runtime.getJsonObject("pool").getInteger("target")).isZero();
    assertThat(startsOf(symtmpId, image("symtmp"))).isEmpty();
  }

  private JsonObject symtmpPool() {
    for (Object o : get("/ready").bodyAsJsonObject().getJsonObject("pool").getJsonArray("pools")) {
      if (((JsonObject) o).getString("image").equals(image("symtmp"))) {
        return (JsonObject) o;
      }
    }
    return null;
  }

  @Test
  void anImageRetaggedAfterItsCheckIsNotRunUnchecked() throws Exception {
    String moving = "execgate-test/check-moving:" + tag;
    String checked = build("marked-a", "FROM " + DockerSupport.IMAGE + "\nUSER 0\nRUN echo A > /etc/marker\nUSER 1000\n");
    // built ahead: the move below takes milliseconds, within the image cache's 5 s of trust in its last look
    String other = build("marked-b", "FROM " + DockerSupport.IMAGE + "\nUSER 0\nRUN echo B > /etc/marker\n"
      + SYMLINKED_TMP);
    TestImages.tag(docker, checked, moving);
    built.add(moving);
    JsonObject first = run(new JsonObject().put("image", moving).put("script", "cat /etc/marker"));
    assertThat(first.getString("stdout")).as(first.encode()).isEqualTo("A\n");

    // the same name now points at an image that the check refuses
    TestImages.tag(docker, other, moving);
    JsonObject second = run(new JsonObject().put("image", moving).put("script", "cat /etc/marker"));
    // either the checked image ran (by its id, not the name) or the move was seen and the new image checked:
    // never the new content unchecked
    if ("succeeded".equals(second.getString("status"))) {
      assertThat(second.getString("stdout")).as(second.encode()).isEqualTo("A\n");
    } else {
      assertThat(second.getString("message")).as(second.encode()).contains("symbolic link to /proc/self/fd");
    }
    // once the cache looks at the name again (at most 5 s after its last look), the new image is checked and refused
    Thread.sleep(5_500);
    JsonObject third = run(new JsonObject().put("image", moving).put("script", "cat /etc/marker"));
    assertThat(third.getString("status")).as(third.encode()).isEqualTo("error");
    assertThat(third.getString("message")).contains("symbolic link to /proc/self/fd");
    assertThat(startsOf(other, moving, image("marked-b"))).isEmpty();
  }

  @Test
  void anAllowListGlobDoesNotReachAcrossTheRegistry() {
    // *.corp.example/* is allowed; the attacker's registry with the allowed name moved into its path is not
    HttpResponse<Buffer> r = post("/v1/executions", new JsonObject().put("image", "evil.io/x.corp.example/pwn:1")
      .put("script", "echo pwned"));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(403);
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("image_not_allowed");
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("image");
    // nothing was queued or pulled for it
    assertThat(get("/v1/images").bodyAsJsonObject().getJsonArray("images").stream()
      .map(o -> ((JsonObject) o).getString("image"))).doesNotContain("evil.io/x.corp.example/pwn:1");
  }
}
