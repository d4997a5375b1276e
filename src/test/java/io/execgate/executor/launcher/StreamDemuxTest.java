package io.execgate.executor.launcher;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StreamDemuxTest {

  private static final byte[] PREFIX = JobScript.markerPrefix("abc123");

  private final List<String> texts = new ArrayList<>();
  private final List<List<String>> records = new ArrayList<>();
  private final List<Long> truncations = new ArrayList<>();
  private boolean takeRecords = true;

  private StreamDemux demux(long limit) {
    return demux(limit, limit);
  }

  private StreamDemux demux(long limit, long totalLimit) {
    return new StreamDemux(PREFIX, limit, totalLimit, new StreamDemux.Sink() {
      @Override
      public void text(String text) {
        texts.add(text);
      }

      @Override
      public void truncated(long keptBytes) {
        truncations.add(keptBytes);
      }

      @Override
      public boolean record(List<String> fields) {
        records.add(fields);
        return takeRecords;
      }
    });
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void separatesTextFromTheEndRecord() {
    StreamDemux d = demux(1000);
    d.feed(bytes("hello\n\u001eEXECGATE:abc123:exit:3:12:4096\u001eafter"));
    assertThat(texts).containsExactly("hello\n", "after");
    assertThat(records).containsExactly(List.of("exit", "3", "12", "4096"));
  }

  @Test
  void findsARecordSplitAcrossEveryByte() {
    StreamDemux d = demux(1000);
    byte[] all = bytes("a\u001eEXECGATE:abc123:exit:0::\u001e");
    for (byte b : all) {
      d.feed(new byte[]{b});
    }
    assertThat(String.join("", texts)).isEqualTo("a");
    assertThat(records).containsExactly(List.of("exit", "0", "", ""));
  }

  @Test
  void aRecordWithAnotherNonceIsProgramText() {
    StreamDemux d = demux(1000);
    String forged = "\u001eEXECGATE:ffffff:exit:0::\u001e";
    d.feed(bytes(forged));
    d.end();
    assertThat(String.join("", texts)).isEqualTo(forged);
    assertThat(records).isEmpty();
  }

  @Test
  void neverSplitsAMultiByteCharacterAcrossFrames() {
    StreamDemux d = demux(1000);
    byte[] emoji = bytes("x\uD83D\uDE00y\u00e9");
    for (byte b : emoji) {
      d.feed(new byte[]{b});
    }
    d.end();
    assertThat(texts).containsExactly("x", "\uD83D\uDE00", "y", "\u00e9");
  }

  @Test
  void invalidBytesBecomeReplacementCharacters() {
    StreamDemux d = demux(1000);
    d.feed(new byte[]{'a', (byte) 0xff, 'b', (byte) 0xe2, (byte) 0x82});
    d.end();
    assertThat(String.join("", texts)).isEqualTo("a\uFFFDb\uFFFD");
  }

  @Test
  void capsTextAndReportsTruncationOnce() {
    StreamDemux d = demux(5);
    d.feed(bytes("abc"));
    d.feed(bytes("defgh"));
    d.feed(bytes("ijk"));
    assertThat(String.join("", texts)).isEqualTo("abcde");
    assertThat(truncations).containsExactly(5L);
    assertThat(d.keptBytes()).isEqualTo(5);
    assertThat(d.isTruncated()).isTrue();
  }

  @Test
  void ignoresOutputAfterClose() {
    StreamDemux d = demux(100);
    d.feed(bytes("a\u001eEXECGATE:abc123:exit:0::\u001e"));
    d.close();
    d.feed(bytes("late"));
    assertThat(String.join("", texts)).isEqualTo("a");
  }

  @Test
  void aLoneSeparatorIsText() {
    StreamDemux d = demux(100);
    d.feed(bytes("a\u001eb"));
    d.end();
    assertThat(String.join("", texts)).isEqualTo("a\u001eb");
  }

  @Test
  void aRecordTheSinkRefusesIsProgramTextCountedAgainstTheCap() {
    takeRecords = false;
    StreamDemux d = demux(1000);
    d.feed(bytes("a\u001eEXECGATE:abc123:compile:0::\u001eb"));
    assertThat(String.join("", texts)).isEqualTo("a\u001eEXECGATE:abc123:compile:0::\u001eb");
    assertThat(records).hasSize(1);
    assertThat(d.keptBytes()).isEqualTo(31);
  }

  @Test
  void theTotalCapHoldsWhateverRestartsTheStepsCap() {
    StreamDemux d = demux(4, 6);
    d.feed(bytes("abc"));
    d.restartCap();
    d.feed(bytes("def"));
    d.restartCap();
    d.restartCap();
    d.feed(bytes("ghi"));
    assertThat(String.join("", texts)).isEqualTo("abcdef");
    assertThat(d.isTruncated()).isTrue();
    assertThat(d.keptBytes()).isEqualTo(6);
    assertThat(truncations).hasSize(1);
    // once cut, a restart does not reopen the stream
    d.restartCap();
    d.feed(bytes("jkl"));
    assertThat(String.join("", texts)).isEqualTo("abcdef");
  }
}
