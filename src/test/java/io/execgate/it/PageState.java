package io.execgate.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the gateway's web page shows, read the same way by the Chromium (WebDriver) and Firefox
 * (WebDriver BiDi) tests.
 */
final class PageState {

  /**
   * A JavaScript expression for the page's state: status, duration, output, the stderr part of the
   * output, the number of runtimes offered, the runtime and version chosen, the editor's text and its
   * highlighted tokens, the output's ANSI-styled spans (classes, text, computed colour), the number of
   * elements inside the output (text only: one span per run), the share link, the stats panel, and
   * whether a run is in progress.
   */
  static final String ENTER = "\uE007";
  static final String TAB = "\uE004";
  static final String CONTROL = "\uE009";

  static final String EXPRESSION = "({status: document.getElementById('status').textContent,"
    + " duration: document.getElementById('duration').textContent,"
    + " output: document.getElementById('output').textContent,"
    + " stderr: Array.from(document.querySelectorAll('#output .stderr')).map(e => e.textContent).join(''),"
    + " runtimes: document.querySelectorAll('#runtime option').length,"
    + " runtime: document.getElementById('runtime').value,"
    + " version: document.getElementById('version').value,"
    + " versions: Array.from(document.querySelectorAll('#version option')).map(e => e.value),"
    + " script: document.querySelector('.CodeMirror') ? document.querySelector('.CodeMirror').CodeMirror.getValue() : null,"
    + " input: document.getElementById('input').value,"
    + " highlighted: document.querySelectorAll('.CodeMirror-code [class*=\"cm-\"]').length,"
    + " ansi: Array.from(document.querySelectorAll('#output [class*=\"ansi-\"]')).map(e => ({classes: e.className,"
    + "   text: e.textContent, color: getComputedStyle(e).color})),"
    + " outputElements: Array.from(document.querySelectorAll('#output *')).filter(e => e.tagName !== 'SPAN').length,"
    + " shareLink: document.getElementById('share-link').value,"
    + " stats: Object.fromEntries(Array.from(document.querySelectorAll('#stats [data-stat]'))"
    + "   .map(e => [e.dataset.stat, e.textContent])),"
    + " running: !document.getElementById('cancel').disabled})";

  /** Puts {@code script} into the page's editor (CodeMirror), as a paste would. */
  static String setScript(String script) {
    return "document.querySelector('.CodeMirror').CodeMirror.setValue(" + new JsonArray().add(script).encode()
      + "[0]);";
  }

  /** Picks a runtime and version in the page's selects, as a user would (a change event each). */
  static String choose(String runtime, String version) {
    return "(() => { const r = document.getElementById('runtime'); r.value = " + quote(runtime) + ";"
      + " r.dispatchEvent(new Event('change'));"
      + (version == null ? "" : " const v = document.getElementById('version'); v.value = " + quote(version) + ";"
      + " v.dispatchEvent(new Event('change'));")
      + " return 'ok'; })()";
  }

  static String quote(String s) {
    return new JsonArray().add(s).encode().replaceAll("^\\[|]$", "");
  }

  /**
   * @return WebDriver (and WebDriver BiDi) key actions that type {@code text} key by key: a newline
   *   is the Enter key, a tab the Tab key
   */
  static JsonArray typing(String text) {
    JsonArray keys = new JsonArray();
    text.codePoints().forEach(c -> {
      String key = c == '\n' ? ENTER : c == '\t' ? TAB : new String(Character.toChars(c));
      keys.add(new JsonObject().put("type", "keyDown").put("value", key));
      keys.add(new JsonObject().put("type", "keyUp").put("value", key));
    });
    return keys;
  }

  /** @return key actions for Ctrl+Enter */
  static JsonArray ctrlEnter() {
    return new JsonArray()
      .add(new JsonObject().put("type", "keyDown").put("value", CONTROL))
      .add(new JsonObject().put("type", "keyDown").put("value", ENTER))
      .add(new JsonObject().put("type", "keyUp").put("value", ENTER))
      .add(new JsonObject().put("type", "keyUp").put("value", CONTROL));
  }

  /** @return a keyboard input source performing {@code keys}, as {@code actions} takes it */
  static JsonArray keyboard(JsonArray keys) {
    return new JsonArray().add(new JsonObject().put("type", "key").put("id", "keyboard").put("actions", keys));
  }

  /**
   * Saves a screenshot (base64 PNG, as both protocols return it) under target/screenshots and checks it
   * is a PNG of a sensible size.
   *
   * @return the file
   */
  static Path saveScreenshot(String base64, String name) throws Exception {
    byte[] png = Base64.getDecoder().decode(base64);
    Path file = Path.of("target", "screenshots", name);
    Files.createDirectories(file.getParent());
    Files.write(file, png);
    assertThat(png).as("a PNG").startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G', (byte) '\r', (byte) '\n',
      (byte) 0x1a, (byte) '\n');
    // the 1200x800 page with an editor and output is tens of kilobytes; a blank page is a few
    assertThat(png.length).as("screenshot size").isBetween(10_000, 5_000_000);
    return file;
  }

  /** Reads the page's state once. */
  interface Probe {
    JsonObject read() throws Exception;
  }

  private PageState() {
  }

  /**
   * Reads the page every 50 ms until {@code condition} holds.
   *
   * @return the first state that satisfies it
   * @throws AssertionError with the last state, when none did within {@code timeoutMs}
   */
  static JsonObject await(Probe page, Predicate<JsonObject> condition, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    JsonObject state;
    do {
      state = page.read();
      if (condition.test(state)) {
        return state;
      }
      Thread.sleep(50);
    } while (System.currentTimeMillis() < deadline);
    throw new AssertionError("the page never showed what was expected; it shows " + state.encode());
  }
}
