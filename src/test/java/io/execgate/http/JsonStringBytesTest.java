package io.execgate.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class JsonStringBytesTest {

  private static void sameAsJackson(String text) {
    Buffer ours = JsonStringBytes.escape(text, 0, text.length());
    assertThat(ours.getBytes()).as("%s", text.chars().limit(40).boxed().toList())
      .isEqualTo(JsonStringEncoder.getInstance().quoteAsUTF8(text));
    assertThat((long) ours.length()).isEqualTo(JsonStringBytes.length(text, 0, text.length()));
  }

  @Test
  void everyAsciiCharacterIsEscapedAsJacksonDoes() {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x80; c++) {
      all.append(c);
      sameAsJackson(String.valueOf(c));
    }
    sameAsJackson(all.toString());
  }

  @Test
  void randomTextOfEveryWidthIsByteForByteJacksons() {
    Random random = new Random(42);
    for (int round = 0; round < 500; round++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(round < 450 ? 64 : 20_000);
      while (s.length() < length) {
        switch (random.nextInt(5)) {
          case 0 -> s.append((char) random.nextInt(0x20));
          case 1 -> s.append((char) (0x20 + random.nextInt(0x60)));
          case 2 -> s.append((char) (0x80 + random.nextInt(0x780)));
          case 3 -> s.append((char) (0x800 + random.nextInt(0xD000 - 0x800)));
          default -> s.appendCodePoint(0x10000 + random.nextInt(0x100000 - 0x10000));
        }
      }
      sameAsJackson(s.toString());
    }
  }

  @Test
  void aRunOfAStringIsEscapedAloneAndReadsBackAsThatRun() {
    String text = "a\u0001\"b\\\n\u00e9\u20ac\ud83d\ude00z";
    Buffer run = JsonStringBytes.escape(text, 1, text.length() - 1);
    String json = "{\"t\":\"" + run.toString() + "\"}";
    assertThat(new JsonObject(json).getString("t")).isEqualTo(text.substring(1, text.length() - 1));
  }

  @Test
  void aLoneSurrogateBecomesTheReplacementCharacter() {
    assertThat(JsonStringBytes.escape("a\ud83db", 0, 3).toString()).isEqualTo("a\ufffdb");
    // a pair cut by the run's end is a lone surrogate within the run
    assertThat(JsonStringBytes.escape("\ud83d\ude00", 0, 1).toString()).isEqualTo("\ufffd");
    assertThat(JsonStringBytes.length("\ud83d\ude00", 0, 1)).isEqualTo(3);
  }

  @Test
  void controlBytesTakeSixBytesEachInOneExactBuffer() {
    String flood = "\u0001".repeat(8192);
    Buffer out = JsonStringBytes.escape(flood, 0, flood.length());
    assertThat(out.length()).isEqualTo(6 * 8192);
    assertThat(out.getString(0, 12)).isEqualTo("\\u0001\\u0001");
  }
}
