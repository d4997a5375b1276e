package io.execgate.it;

import io.execgate.GatewayOptions;
import io.execgate.model.RegistryCredentials;
import io.execgate.model.RuntimeSpec;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Images from a real registry (Debian's docker-registry on 127.0.0.1) through the real engine:
 * the registry prefix, single-flight pulls, retries with backoff, digests, credentials and the
 * allow-list. The test image is built here, pushed, and removed locally, so only the registry has it.
 */
class ImageRegistryIT extends GatewayITBase {

  private static final long DELAY_MS = 400;
  private static final long MAX_DELAY_MS = 1_600;
  /** Enough retries that a registry started after the first failure is up before the last attempt. */
  private static final int RETRIES = 5;

  private final Path work = tempDir();
  private final String token = "marker-" + UUID.randomUUID();
  private final RegistryProcess registry = new RegistryProcess(work.resolve("storage"), work, "main", null);
  /** Serves the same storage; down when a test begins. */
  private final RegistryProcess flaky = new RegistryProcess(work.resolve("storage"), work, "flaky", null);
  /** Serves the same storage behind basic auth. */
  private final RegistryProcess locked = new RegistryProcess(work.resolve("storage"), work, "locked",
    work.resolve("htpasswd"));
  private final int deadPort = RegistryProcess.freePort();
  private String pinnedDigest;

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("execgate-registry-it");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getImages()
      .setRegistry(registry.address())
      .setPullTimeoutSeconds(30)
      .setPullRetries(RETRIES)
      .setPullRetryDelayMs(DELAY_MS)
      .setPullRetryMaxDelayMs(MAX_DELAY_MS)
      .addAllow("it/*")
      .addAllow(flaky.address() + "/**")
      .addAllow(locked.address() + "/**")
      .addAllow("localhost:" + locked.port() + "/**")
      .addAllow("127.0.0.1:" + deadPort + "/**")
      .addCredentials(locked.address(), new RegistryCredentials("tester", "s3cret-pass"));
    options.addRuntime(new RuntimeSpec("fromreg", List.of(), "1", "it/runtime:1", "main.sh", null, "sh {file}",
      10_000, false));
    return options;
  }

  @BeforeAll
  void pushTheTestImage() throws Exception {
    Process htpasswd = new ProcessBuilder("htpasswd", "-Bbn", "tester", "s3cret-pass").start();
    Files.write(work.resolve("htpasswd"), htpasswd.getInputStream().readAllBytes());
    assertThat(htpasswd.waitFor()).isZero();
    registry.start();
    String local = "execgate-test/registry-it:" + token;
    String id = TestImages.build(docker, local, "FROM " + DockerSupport.IMAGE + "\nUSER 0\n"
      + "RUN echo " + token + " > /etc/execgate-test-marker\nUSER 1000\nLABEL io.execgate.test=registry-it\n");
    for (String name : List.of("it/ok:1", "it/single:1", "it/flaky:1", "it/runtime:1", "it/pinned:1", "it/prepull:1",
      "it/locked:1", "forbidden/img:1")) {
      String remote = registry.address() + "/" + name;
      TestImages.tag(docker, id, remote);
      TestImages.push(docker, remote, null);
      if (name.equals("it/pinned:1")) {
        pinnedDigest = TestImages.repoDigest(docker, remote);
      }
    }
    TestImages.removeAllStartingWith(docker, registry.address() + "/");
    TestImages.remove(docker, local);
    assertThat(TestImages.present(docker, id)).as("the test image must exist only in the registry").isFalse();
  }

  @AfterAll
  void stopRegistriesAndRemoveTheirImages() throws Exception {
    try {
      registry.close();
      flaky.close();
      locked.close();
    } finally {
      for (RegistryProcess r : List.of(registry, flaky, locked)) {
        TestImages.removeAllStartingWith(docker, r.address() + "/");
      }
      TestImages.removeAllStartingWith(docker, "localhost:" + locked.port() + "/");
      TestImages.deleteTree(work);
    }
  }

  private JsonObject stats() {
    return get("/v1/images").bodyAsJsonObject().getJsonObject("stats");
  }

  private JsonObject imageEntry(String image) {
    for (Object o : get("/v1/images").bodyAsJsonObject().getJsonArray("images")) {
      JsonObject entry = (JsonObject) o;
      if (entry.getString("image").equals(image)) {
        return entry;
      }
    }
    return null;
  }

  private JsonObject runIn(String image, String script) {
    return run(new JsonObject().put("image", image).put("script", script));
  }

  @Test
  void anImageOnlyInTheRegistryRunsThroughTheCustomRegistry() throws Exception {
    JsonObject r = runIn("it/ok:1", "cat /etc/execgate-test-marker");
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo(token + "\n");
    assertThat(r.getString("image")).isEqualTo(registry.address() + "/it/ok:1");
    assertThat(registry.manifestRequests("it/ok", "1")).isEqualTo(1);

    long hits = stats().getLong("cacheHits");
    JsonObject again = runIn("it/ok:1", "echo again");
    assertThat(again.getString("stdout")).isEqualTo("again\n");
    assertThat(registry.manifestRequests("it/ok", "1")).as("a present image is not pulled again").isEqualTo(1);
    assertThat(stats().getLong("cacheHits")).isGreaterThan(hits);
  }

  @Test
  void twentyConcurrentExecutionsOfAMissingImageCauseExactlyOnePull() throws Exception {
    long pullsBefore = stats().getLong("pullsStarted");
    List<Future<HttpResponse<Buffer>>> responses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      JsonObject body = new JsonObject().put("image", "it/single:1")
        .put("script", "echo \"$1:$(cat /etc/execgate-test-marker)\"")
        .put("args", new io.vertx.core.json.JsonArray().add(String.valueOf(i)));
      responses.add(client.post("/v1/executions?wait=true").putHeader("content-type", "application/json")
        .sendBuffer(body.toBuffer()));
    }
    for (int i = 0; i < 20; i++) {
      HttpResponse<Buffer> response = await(responses.get(i));
      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject r = response.bodyAsJsonObject();
      assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
      assertThat(r.getString("stdout")).isEqualTo(i + ":" + token + "\n");
    }
    assertThat(registry.manifestRequests("it/single", "1")).isEqualTo(1);
    assertThat(stats().getLong("pullsStarted") - pullsBefore).isEqualTo(1);
  }

  @Test
  void aRegistryDownAtFirstIsRetriedUntilItComesBack() throws Exception {
    String image = flaky.address() + "/it/flaky:1";
    long retriesBefore = stats().getLong("retries");
    // every image.ensure (by its execution header) and pull notice (by its execution) on the bus
    List<String> sent = java.util.Collections.synchronizedList(new ArrayList<>());
    io.vertx.core.Handler<io.vertx.core.eventbus.DeliveryContext<Object>> count = dc -> {
      String address = dc.message().address();
      if (address.endsWith(".image.ensure") || address.endsWith(".pulling")) {
        sent.add(address.endsWith(".pulling")
          ? "pulling " + address.substring(address.indexOf(".exec.") + 6, address.length() - ".pulling".length())
          : "ensure " + dc.message().headers().get(io.execgate.bus.Headers.EXECUTION));
      }
      dc.next();
    };
    vertx.eventBus().addOutboundInterceptor(count);
    HttpResponse<Buffer> accepted = post("/v1/executions", new JsonObject().put("image", image)
      .put("script", "cat /etc/execgate-test-marker"));
    assertThat(accepted.statusCode()).isEqualTo(202);
    String id = accepted.bodyAsJsonObject().getString("id");

    // the execution waits in 'pulling' while the first attempt fails on the closed port
    awaitStatus(id, "pulling"::equals, 10_000);
    long deadline = System.currentTimeMillis() + 10_000;
    JsonObject entry = imageEntry(image);
    while ((entry == null || entry.getJsonObject("lastError") == null) && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
      entry = imageEntry(image);
    }
    assertThat(entry).isNotNull();
    assertThat(entry.getString("state")).isEqualTo("pulling");
    assertThat(entry.getJsonObject("lastError").getString("message")).contains(flaky.address())
      .contains("connection refused");
    flaky.start();

    JsonObject done = awaitStatus(id, GatewayITBase::isFinal, 30_000);
    assertThat(done.getString("status")).as(done.encode()).isEqualTo("succeeded");
    assertThat(done.getString("stdout")).isEqualTo(token + "\n");
    assertThat(stats().getLong("retries") - retriesBefore).isBetween(1L, (long) RETRIES);
    assertThat(flaky.manifestRequests("it/flaky", "1")).isEqualTo(1);
    assertThat(imageEntry(image).getString("state")).isEqualTo("present");
    vertx.eventBus().removeOutboundInterceptor(count);
    // the execution asked for its image once, and learned of the pull by the cache's one notice (other
    // components, e.g. the warm pool, may ask for their own images meanwhile)
    assertThat(sent.stream().filter(m -> m.contains(id))).containsExactly("ensure " + id, "pulling " + id);
  }

  @Test
  void aRegistryDownThroughoutEndsInErrorAfterExactlyTheConfiguredAttempts() {
    String dead = "127.0.0.1:" + deadPort;
    String image = dead + "/it/ok:1";
    JsonObject before = stats();
    long start = System.nanoTime();
    JsonObject r = runIn(image, "echo never");
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(r.getString("status")).isEqualTo("error");
    assertThat(r.getString("message")).contains("registry " + dead).contains("connection refused")
      .contains("gave up after " + (RETRIES + 1) + " attempts");
    JsonObject after = stats();
    assertThat(after.getLong("pullAttempts") - before.getLong("pullAttempts")).isEqualTo(RETRIES + 1);
    assertThat(after.getLong("retries") - before.getLong("retries")).isEqualTo(RETRIES);
    assertThat(after.getLong("pullsFailed") - before.getLong("pullsFailed")).isEqualTo(1);
    JsonObject entry = imageEntry(image);
    assertThat(entry.getString("state")).isEqualTo("failed");
    assertThat(entry.getInteger("attempts")).isEqualTo(RETRIES + 1);
    assertThat(entry.getJsonObject("lastError").getString("code")).isEqualTo("image_pull_failed");

    // nominal backoffs of 400, 800, 1600, 1600, 1600 ms; jitter takes at most half of each off
    long maxBackoff = 0;
    for (int retry = 1; retry <= RETRIES; retry++) {
      maxBackoff += Math.min(MAX_DELAY_MS, DELAY_MS << (retry - 1));
    }
    assertThat(elapsedMs).isBetween(maxBackoff / 2, maxBackoff + 5_000);
  }

  @Test
  void aMissingImageIsNotFoundAndNotRetried() throws Exception {
    long retriesBefore = stats().getLong("retries");
    JsonObject r = runIn("it/absent:1", "echo never");
    assertThat(r.getString("status")).isEqualTo("error");
    assertThat(r.getString("message")).contains(registry.address() + "/it/absent:1").contains("not found")
      .contains("registry " + registry.address());
    assertThat(registry.manifestRequests("it/absent", "1")).isEqualTo(1);
    assertThat(stats().getLong("retries")).isEqualTo(retriesBefore);
    JsonObject entry = imageEntry(registry.address() + "/it/absent:1");
    assertThat(entry.getInteger("attempts")).isEqualTo(1);
    assertThat(entry.getJsonObject("lastError").getString("code")).isEqualTo("image_not_found");
  }

  @Test
  void anImageOutsideTheAllowListIsRefusedWith403AndNeverPulled() throws Exception {
    long ensures = stats().getLong("ensures");
    for (String path : List.of("/v1/executions?wait=true", "/v1/images")) {
      JsonObject body = new JsonObject().put("image", "forbidden/img:1");
      if (path.startsWith("/v1/executions")) {
        body.put("script", "echo never");
      }
      HttpResponse<Buffer> r = post(path, body);
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.getHeader("content-type")).isEqualTo("application/json");
      JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("image_not_allowed");
      assertThat(error.getString("field")).isEqualTo("image");
      assertThat(error.getString("message")).contains(registry.address() + "/forbidden/img:1");
    }
    assertThat(stats().getLong("ensures")).as("the image cache never heard of it").isEqualTo(ensures);
    assertThat(registry.manifestRequests("forbidden/img", "1")).isZero();
    assertThat(imageEntry(registry.address() + "/forbidden/img:1")).isNull();
  }

  @Test
  void runtimeImagesAreUsedLocallyWhenPresentAndFetchedFromTheRegistryOtherwise() throws Exception {
    JsonObject local = run("echo local");
    assertThat(local.getString("status")).isEqualTo("succeeded");
    assertThat(local.getString("image")).isEqualTo(DockerSupport.IMAGE);

    JsonObject fromRegistry = run(new JsonObject().put("language", "fromreg").put("script", "cat /etc/execgate-test-marker"));
    assertThat(fromRegistry.getString("status")).as(fromRegistry.encode()).isEqualTo("succeeded");
    assertThat(fromRegistry.getString("stdout")).isEqualTo(token + "\n");
    assertThat(fromRegistry.getString("image")).isEqualTo(registry.address() + "/it/runtime:1");
    assertThat(registry.manifestRequests("it/runtime", "1")).isEqualTo(1);
  }

  @Test
  void anImagePinnedByDigestIsPulledByThatDigest() throws Exception {
    JsonObject r = runIn("it/pinned@" + pinnedDigest, "cat /etc/execgate-test-marker");
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("succeeded");
    assertThat(r.getString("stdout")).isEqualTo(token + "\n");
    assertThat(r.getString("image")).isEqualTo(registry.address() + "/it/pinned@" + pinnedDigest);
    assertThat(registry.manifestRequests("it/pinned", pinnedDigest)).isEqualTo(1);
  }

  @Test
  void aPrePullIsAcceptedAtOnceAndTheListShowsItsState() throws Exception {
    String image = registry.address() + "/it/prepull:1";
    HttpResponse<Buffer> accepted = post("/v1/images", new JsonObject().put("image", "it/prepull:1"));
    assertThat(accepted.statusCode()).isEqualTo(202);
    assertThat(accepted.bodyAsJsonObject().getString("image")).isEqualTo(image);
    assertThat(accepted.bodyAsJsonObject().getString("state")).isEqualTo("pulling");

    long deadline = System.currentTimeMillis() + 30_000;
    JsonObject entry = imageEntry(image);
    while (!"present".equals(entry.getString("state")) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      entry = imageEntry(image);
    }
    assertThat(entry.getString("state")).isEqualTo("present");
    assertThat(entry.getString("id")).startsWith("sha256:");
    assertThat(entry.getLong("sizeBytes")).isPositive();
    assertThat(entry.getInteger("attempts")).isEqualTo(1);
    assertThat(entry.getLong("lastUsedAt")).isPositive();
    assertThat(entry.containsKey("lastError")).isFalse();

    JsonObject r = runIn("it/prepull:1", "echo ran");
    assertThat(r.getString("stdout")).isEqualTo("ran\n");
    assertThat(registry.manifestRequests("it/prepull", "1")).isEqualTo(1);

    HttpResponse<Buffer> bad = post("/v1/images", new JsonObject().put("image", "it/x:1").put("extra", 1));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("extra");
  }

  @Test
  void credentialsAreSentToTheirRegistryAndARefusalIsNotRetried() throws Exception {
    locked.start();
    JsonObject ok = runIn(locked.address() + "/it/locked:1", "cat /etc/execgate-test-marker");
    assertThat(ok.getString("status")).as(ok.encode()).isEqualTo("succeeded");
    assertThat(ok.getString("stdout")).isEqualTo(token + "\n");

    // the same registry under another name has no credentials configured
    String other = "localhost:" + locked.port();
    long retriesBefore = stats().getLong("retries");
    JsonObject refused = runIn(other + "/it/locked:1", "echo never");
    assertThat(refused.getString("status")).isEqualTo("error");
    assertThat(refused.getString("message")).contains("registry " + other).contains("credentials");
    assertThat(imageEntry(other + "/it/locked:1").getJsonObject("lastError").getString("code"))
      .isEqualTo("registry_auth_failed");
    assertThat(stats().getLong("retries")).isEqualTo(retriesBefore);
  }
}
