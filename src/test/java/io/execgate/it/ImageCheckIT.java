package io.execgate.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Images that would weaken the sandbox are refused before their first use, with a message that says
 * why, and the verdict is remembered; a fit custom image runs.
 */
class ImageCheckIT extends GatewayITBase {

  private final String tag = UUID.randomUUID().toString().substring(0, 8);
  private final List<String> built = new ArrayList<>();

  private String image(String name) {
    return "execgate-test/check-" + name + ":" + tag;
  }

  @BeforeAll
  void buildTestImages() throws Exception {
    String base = "FROM " + DockerSupport.IMAGE + "\n";
    build("fit", base + "LABEL io.execgate.test=check\n");
    build("procdir", base + "WORKDIR /proc/self\n");
    build("volume", base + "USER 0\nRUN mkdir /data && chmod 1777 /data\nUSER 1000\nVOLUME /data\n");
    build("nosh", base.replace("\n", " AS src\n") + "FROM scratch\nCOPY --from=src /bin/busybox /bin/busybox\n");
  }

  private void build(String name, String dockerfile) throws Exception {
    TestImages.build(docker, image(name), dockerfile);
    built.add(image(name));
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
}
