package io.execgate.session;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SessionFilesTest {

  @Test
  void listingLinesOfBusyboxAndCoreutilsStatParse() {
    JsonArray files = SessionFiles.parseList("3 1795998498 regular file ./x y\n"
      + "4096 1795998498 directory ./d\n"
      + "0 1795998498 regular empty file ./d/e\n"
      + "7 1795998498 symbolic link ./l\n"
      + "garbage\n"
      + "second line of a name with a newline\n");
    assertThat(files).hasSize(4);
    JsonObject first = files.getJsonObject(0);
    assertThat(first.getString("name")).isEqualTo("x y");
    assertThat(first.getLong("size")).isEqualTo(3);
    assertThat(first.getString("type")).isEqualTo("file");
    assertThat(first.getString("modifiedAt")).isEqualTo(java.time.Instant.ofEpochSecond(1795998498).toString());
    assertThat(files.getJsonObject(1).getString("type")).isEqualTo("directory");
    assertThat(files.getJsonObject(2).getString("type")).isEqualTo("file");
    assertThat(files.getJsonObject(3).getString("type")).isEqualTo("symlink");
  }
}
