package io.execgate.it;

import io.vertx.core.json.JsonObject;

import java.util.function.Predicate;

/**
 * What the gateway's web page shows, read the same way by the Chromium (WebDriver) and Firefox
 * (WebDriver BiDi) tests.
 */
final class PageState {

  /**
   * A JavaScript expression for the page's state: status, duration, output, the stderr part of the
   * output, the number of runtimes offered, the stats panel, and whether a run is in progress.
   */
  static final String EXPRESSION = "({status: document.getElementById('status').textContent,"
    + " duration: document.getElementById('duration').textContent,"
    + " output: document.getElementById('output').textContent,"
    + " stderr: Array.from(document.querySelectorAll('#output .stderr')).map(e => e.textContent).join(''),"
    + " runtimes: document.querySelectorAll('#runtime option').length,"
    + " stats: Object.fromEntries(Array.from(document.querySelectorAll('#stats [data-stat]'))"
    + "   .map(e => [e.dataset.stat, e.textContent])),"
    + " running: !document.getElementById('cancel').disabled})";

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
