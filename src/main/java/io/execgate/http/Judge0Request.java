package io.execgate.http;

import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.model.CompilerOptions;
import io.execgate.model.ExecutionRequest;
import io.execgate.model.RequestLimits;
import io.execgate.model.ResourceLimits;
import io.execgate.model.RuntimeSpec;
import io.execgate.model.SourceFile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Reads a Judge0 submission ({@code POST /submissions} body, or one item of a batch) into an
 * execution request, with Judge0's validation and its answer: {@code 422 {"field": ["message"]}}
 * naming every field at fault. Like Judge0 (Rails' {@code permit}), unknown fields are ignored.
 */
final class Judge0Request {

  /** Judge0's own bounds of the settings execgate accepts but has no use for. */
  static final int MAX_NUMBER_OF_RUNS = 20;
  static final double MAX_CPU_EXTRA_TIME = 5;
  static final int MAX_STACK_LIMIT = 128_000;
  static final int MIN_MEMORY_LIMIT_KB = 2048;
  static final int MAX_OPTION_CHARS = 512;
  /** The field of a submission's callback, named by its refusals. */
  static final String CALLBACK_FIELD = "callback_url";
  /**
   * Texts longer than this together are run but not kept to be echoed back: what is kept lives as
   * long as the record, outside the record store's output budget, for every submission a key's
   * request rate allows.
   */
  static final int ECHO_CHARS = 1024;
  /** What Judge0 strips from command line arguments before its run script sees them. */
  private static final Pattern SHELL_CHARS = Pattern.compile("[$&;<>|`]");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]*={0,2}");

  private final Judge0Languages languages;
  private final ResourceLimits max;
  private final long maxSourceBytes;

  /**
   * @param maxSourceBytes the largest source ({@code http.maxScriptBytes}): beyond it 413
   */
  Judge0Request(Judge0Languages languages, ResourceLimits max, long maxSourceBytes) {
    this.languages = languages;
    this.max = max;
    this.maxSourceBytes = maxSourceBytes;
  }

  /**
   * A submission refused: Judge0's {@code errors} object, one list of messages per field.
   */
  static final class Invalid extends RuntimeException {

    private final transient JsonObject errors;

    Invalid(JsonObject errors) {
      super(errors.encode(), null, false, false);
      this.errors = errors;
    }

    JsonObject errors() {
      return errors;
    }
  }

  /**
   * A submission read: the request to run and what the Judge0 layer keeps of it.
   *
   * @param compilerOptions the words of {@code compiler_options}, empty for none
   * @param callbackUrl     {@code callback_url}, not yet checked against the allow-list, or {@code null}
   */
  record Parsed(ExecutionRequest request, Judge0Submission submission, List<String> compilerOptions,
                String callbackUrl) {
  }

  /**
   * @param base64 whether {@code source_code}, {@code stdin} and {@code expected_output} are Base64
   * @throws Invalid naming every field at fault
   * @throws GatewayException {@link ErrorCode#PAYLOAD_TOO_LARGE} for a source over the cap
   */
  Parsed parse(JsonObject body, boolean base64) {
    return parse(body, base64, url -> {
      throw GatewayException.invalid(CALLBACK_FIELD, "setting callback is not allowed");
    });
  }

  /**
   * @param callbacks checks a {@code callback_url} (the allow-list): throws its refusal, which is
   *                  answered under {@code callback_url} beside the other fields at fault
   */
  Parsed parse(JsonObject body, boolean base64, Consumer<String> callbacks) {
    Map<String, List<String>> errors = new LinkedHashMap<>();
    byte[] source = text(body, "source_code", base64, errors);
    if (source != null && source.length > maxSourceBytes) {
      throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "source_code has " + source.length
        + " bytes; the maximum is " + maxSourceBytes, "source_code");
    }
    byte[] stdin = text(body, "stdin", base64, errors);
    byte[] expected = text(body, "expected_output", base64, errors);
    if (source == null && !errors.containsKey("source_code") || source != null && isBlank(source)) {
      add(errors, "source_code", "can't be blank");
    }
    RuntimeSpec runtime = language(body, errors);
    JsonObject settings = new JsonObject();
    Double runs = number(body, "number_of_runs", errors, settings);
    if (runs != null && (runs <= 0 || runs > MAX_NUMBER_OF_RUNS)) {
      add(errors, "number_of_runs", runs <= 0 ? "must be greater than 0"
        : "must be less than or equal to " + MAX_NUMBER_OF_RUNS);
    }
    double maxSeconds = max.timeoutMs() / 1000.0;
    Double cpu = range(body, "cpu_time_limit", 0, maxSeconds, errors, settings);
    range(body, "cpu_extra_time", 0, MAX_CPU_EXTRA_TIME, errors, settings);
    Double wall = range(body, "wall_time_limit", 1, maxSeconds, errors, settings);
    Double memoryKb = range(body, "memory_limit", MIN_MEMORY_LIMIT_KB, max.memoryMb() * 1024.0, errors, settings);
    range(body, "stack_limit", 0, MAX_STACK_LIMIT, errors, settings);
    Double processes = number(body, "max_processes_and_or_threads", errors, settings);
    if (processes != null && (processes <= 0 || processes > max.pids())) {
      add(errors, "max_processes_and_or_threads", processes <= 0 ? "must be greater than 0"
        : "must be less than or equal to " + max.pids());
    }
    Double fileKb = range(body, "max_file_size", 0, max.outputBytes() / 1024.0, errors, settings);
    refuseTrue(body, "enable_per_process_and_thread_time_limit", "this option cannot be enabled", errors, settings);
    refuseTrue(body, "enable_per_process_and_thread_memory_limit", "this option cannot be enabled", errors, settings);
    refuseTrue(body, "redirect_stderr_to_stdout", "redirecting stderr to stdout is not supported here", errors,
      settings);
    refuseTrue(body, "enable_network", "enabling network is not allowed", errors, settings);
    List<String> compilerOptions = compilerOptions(body, runtime, errors);
    String callbackUrl = scalar(body, "callback_url");
    callbackUrl = callbackUrl == null || callbackUrl.isBlank() ? null : callbackUrl.strip();
    if (callbackUrl != null) {
      try {
        callbacks.accept(callbackUrl);
      } catch (GatewayException e) {
        add(errors, "callback_url", e.getMessage());
      }
    }
    refuseSet(body, "additional_files", "setting additional files is not allowed", errors);
    String arguments = scalar(body, "command_line_arguments");
    if (arguments != null && arguments.length() > MAX_OPTION_CHARS) {
      add(errors, "command_line_arguments", "is too long (maximum is " + MAX_OPTION_CHARS + " characters)");
    }
    if (!errors.isEmpty()) {
      JsonObject json = new JsonObject();
      errors.forEach((field, messages) -> json.put(field, new JsonArray(messages)));
      throw new Invalid(json);
    }
    if (arguments != null) {
      settings.put("command_line_arguments", arguments);
    }
    if (!compilerOptions.isEmpty()) {
      settings.put("compiler_options", String.join(" ", compilerOptions));
    }
    if (callbackUrl != null) {
      settings.put("callback_url", callbackUrl);
    }
    RequestLimits limits = new RequestLimits(timeoutMs(cpu, wall),
      memoryKb == null ? null : Math.max(6, (int) Math.ceil(memoryKb / 1024)), null, null,
      fileKb == null ? null : Math.max(1, (long) (fileKb * 1024)), null);
    ExecutionRequest request = new ExecutionRequest(null, List.of(new SourceFile(runtime.file(), source)),
      runtime.name(), runtime.version(), null, arguments(arguments), stdin == null ? null : utf8(stdin), null,
      limits);
    boolean echo = source.length + length(stdin) + length(expected) <= ECHO_CHARS;
    Judge0Submission submission = new Judge0Submission(Judge0Languages.id(runtime),
      expected == null ? null : Judge0Output.digest(utf8(expected)),
      echo ? utf8(source) : null, echo && stdin != null ? utf8(stdin) : null,
      echo && expected != null ? utf8(expected) : null, settings);
    return new Parsed(request, submission, compilerOptions, callbackUrl);
  }

  /**
   * Judge0 pastes {@code compiler_options} (512 characters at most, only for a language with a compile
   * step) into its compile script; here they are words of a strict alphabet, each one argument.
   */
  private static List<String> compilerOptions(JsonObject body, RuntimeSpec runtime, Map<String, List<String>> errors) {
    String value = scalar(body, "compiler_options");
    if (value == null || value.isBlank()) {
      return List.of();
    }
    if (runtime != null && runtime.compile() == null) {
      add(errors, "compiler_options", "setting compiler options is only allowed for compiled languages");
      return List.of();
    }
    try {
      return CompilerOptions.parse(value, "compiler_options");
    } catch (GatewayException e) {
      add(errors, "compiler_options", e.getMessage());
      return List.of();
    }
  }

  /**
   * The deadline: Judge0 kills a program at its CPU time limit and at its wall time limit; execgate has
   * one wall-clock deadline, the smaller of the two given (a CPU-bound program's wall time is at least
   * its CPU time). Neither given: the gateway's default.
   */
  static Long timeoutMs(Double cpuSeconds, Double wallSeconds) {
    Double seconds = cpuSeconds != null && cpuSeconds > 0 ? cpuSeconds : null;
    if (wallSeconds != null) {
      seconds = seconds == null ? wallSeconds : Math.min(seconds, wallSeconds);
    }
    return seconds == null ? null : Math.max(1, (long) Math.ceil(seconds * 1000));
  }

  private RuntimeSpec language(JsonObject body, Map<String, List<String>> errors) {
    String value = scalar(body, "language_id");
    if (value == null || value.isBlank()) {
      add(errors, "language_id", "can't be blank");
      return null;
    }
    RuntimeSpec spec = null;
    try {
      spec = languages.find(Integer.parseInt(value.strip()));
    } catch (NumberFormatException e) {
      // Rails casts a non-number to nil, then finds no language
    }
    if (spec == null) {
      add(errors, "language_id", "language with id " + value + " doesn't exist");
    }
    return spec;
  }

  /**
   * @return the bytes of a text field, decoded from Base64 when asked, or {@code null} when absent
   */
  private static byte[] text(JsonObject body, String key, boolean base64, Map<String, List<String>> errors) {
    String value = scalar(body, key);
    if (value == null) {
      return null;
    }
    if (!base64) {
      return value.getBytes(StandardCharsets.UTF_8);
    }
    // Ruby's decoder skips line breaks; anything else outside the alphabet is refused here, not skipped
    String compact = WHITESPACE.matcher(value).replaceAll("");
    try {
      if (!BASE64.matcher(compact).matches()) {
        throw new IllegalArgumentException();
      }
      return Base64.getDecoder().decode(compact);
    } catch (IllegalArgumentException e) {
      add(errors, key, "is not valid Base64 (base64_encoded=true)");
      return null;
    }
  }

  /**
   * @return a scalar field as Rails reads it (a number as its text); {@code null} when absent, null, or
   *   not a scalar (Rails' {@code permit} drops arrays and objects)
   */
  private static String scalar(JsonObject body, String key) {
    Object value = body.getValue(key);
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    return null;
  }

  private static Double number(JsonObject body, String key, Map<String, List<String>> errors, JsonObject settings) {
    String value = scalar(body, key);
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      double d = Double.parseDouble(value.strip());
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException(value);
      }
      settings.put(key, body.getValue(key) instanceof Number n ? n : d);
      return d;
    } catch (NumberFormatException e) {
      add(errors, key, "is not a number");
      return null;
    }
  }

  private static Double range(JsonObject body, String key, double min, double max, Map<String, List<String>> errors,
                              JsonObject settings) {
    Double value = number(body, key, errors, settings);
    if (value == null) {
      return null;
    }
    if (value < min) {
      add(errors, key, "must be greater than or equal to " + format(min));
      return null;
    }
    if (value > max) {
      add(errors, key, "must be less than or equal to " + format(max));
      return null;
    }
    return value;
  }

  private static String format(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static void refuseTrue(JsonObject body, String key, String message, Map<String, List<String>> errors,
                                 JsonObject settings) {
    String value = scalar(body, key);
    if (value == null) {
      return;
    }
    boolean on = "true".equals(value.toLowerCase(Locale.ROOT)) || "1".equals(value);
    if (on) {
      add(errors, key, message);
    } else {
      settings.put(key, false);
    }
  }

  private static void refuseSet(JsonObject body, String key, String message, Map<String, List<String>> errors) {
    Object value = body.getValue(key);
    if (value != null && !(value instanceof String s && s.isBlank())) {
      add(errors, key, message);
    }
  }

  /**
   * Judge0 pastes the arguments, without {@code $&;<>|`}, into its run script: bash splits them into
   * words, quotes grouping. The same words here, each passed as one argument (nothing is expanded).
   */
  static List<String> arguments(String line) {
    List<String> words = new ArrayList<>();
    if (line == null) {
      return words;
    }
    String text = SHELL_CHARS.matcher(line.strip()).replaceAll("");
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        word = word == null ? new StringBuilder() : word;
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  private static boolean isBlank(byte[] bytes) {
    return utf8(bytes).isBlank();
  }

  private static int length(byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static void add(Map<String, List<String>> errors, String field, String message) {
    errors.computeIfAbsent(field, k -> new ArrayList<>()).add(message);
  }
}
