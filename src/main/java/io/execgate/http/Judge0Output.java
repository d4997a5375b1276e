package io.execgate.http;

import io.execgate.model.ExecutionResult;
import io.execgate.model.StageResult;
import io.execgate.model.Usage;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An execution's result as Judge0's submission serializer writes it: the fields a client asked for
 * ({@code fields}, Judge0's default eight, or {@code *}), texts raw or Base64 ({@code base64_encoded}),
 * {@code time} and {@code wall_time} as strings of seconds, {@code memory} in KB, the status Judge0
 * would give.
 */
final class Judge0Output {

  /** Judge0's {@code SubmissionSerializer.default_fields}. */
  static final List<String> DEFAULT_FIELDS = List.of("token", "time", "memory", "stdout", "stderr", "compile_output",
    "message", "status");
  /** Every field of Judge0's serializer (its submissions table's columns but id, then status and language). */
  static final List<String> ALL_FIELDS = List.of("source_code", "language_id", "stdin", "expected_output", "stdout",
    "status_id", "created_at", "finished_at", "time", "memory", "stderr", "token", "number_of_runs", "cpu_time_limit",
    "cpu_extra_time", "wall_time_limit", "memory_limit", "stack_limit", "max_processes_and_or_threads",
    "enable_per_process_and_thread_time_limit", "enable_per_process_and_thread_memory_limit", "max_file_size",
    "compile_output", "exit_code", "exit_signal", "message", "wall_time", "compiler_options", "command_line_arguments",
    "redirect_stderr_to_stdout", "callback_url", "additional_files", "enable_network", "status", "language");
  private static final Set<String> TEXTS = Set.of("source_code", "stdin", "expected_output", "stdout", "stderr",
    "compile_output", "message");
  private static final Set<String> SETTINGS = Set.of("number_of_runs", "cpu_time_limit", "cpu_extra_time",
    "wall_time_limit", "memory_limit", "stack_limit", "max_processes_and_or_threads",
    "enable_per_process_and_thread_time_limit", "enable_per_process_and_thread_memory_limit", "max_file_size",
    "command_line_arguments", "redirect_stderr_to_stdout", "enable_network", "compiler_options", "callback_url");
  /** Judge0's answer when a text is not UTF-8 and the client did not ask for Base64. */
  static final String NOT_UTF8 = "some attributes for this submission cannot be converted to UTF-8, use"
    + " base64_encoded=true query parameter";
  static final String NOT_UTF8_BATCH = "some attributes for one or more submissions cannot be converted to UTF-8,"
    + " use base64_encoded=true query parameter";
  private static final char REPLACEMENT = '\uFFFD';

  private Judge0Output() {
  }

  /**
   * A client's {@code fields}, read as Judge0 reads it.
   *
   * @param invalid the names that are no field (Judge0 answers 400 naming them)
   */
  record Fields(List<String> names, List<String> invalid) {

    static Fields parse(String param) {
      List<String> asked = param == null || param.isEmpty() ? List.of() : Arrays.asList(param.split(","));
      List<String> invalid = new ArrayList<>();
      for (String f : asked) {
        if (!f.equals("*") && !ALL_FIELDS.contains(f)) {
          invalid.add(f);
        }
      }
      if (asked.contains("*")) {
        return new Fields(ALL_FIELDS, invalid);
      }
      List<String> valid = new ArrayList<>(new LinkedHashSet<>(asked));
      valid.removeAll(invalid);
      return new Fields(valid.isEmpty() ? DEFAULT_FIELDS : List.copyOf(valid), invalid);
    }

    /**
     * @return Judge0's 400 message, or {@code null} when every name is a field
     */
    String problem() {
      return invalid.isEmpty() ? null : "invalid fields: [" + String.join(", ", invalid) + "]";
    }
  }

  /** Thrown when a text is not UTF-8 and the client did not ask for Base64. */
  static final class NotUtf8 extends RuntimeException {

    NotUtf8() {
      super(NOT_UTF8, null, false, false);
    }
  }

  /**
   * @param r          the execution's result, with its texts
   * @param submission what the Judge0 layer kept of the request, or {@code null} (an execution made
   *                   through another API)
   * @param languageId the id of its language, or {@code null}
   * @throws NotUtf8 when a text asked for held bytes that are not UTF-8 and {@code base64} is false
   */
  static JsonObject render(ExecutionResult r, Judge0Submission submission, Integer languageId, String languageName,
                           boolean base64, List<String> fields) {
    boolean compileFailed = Judge0Status.compileFailed(r);
    boolean ran = r.status().isFinal() && !compileFailed;
    String stdout = ran ? r.stdout() : null;
    Boolean matches = submission == null || submission.expectedDigest() == null ? null
      : submission.expectedDigest().equals(digest(stdout == null ? "" : stdout));
    Judge0Status status = Judge0Status.of(r, matches);
    JsonObject json = new JsonObject();
    for (String field : fields) {
      Object value = value(field, r, submission, languageId, languageName, status, ran, compileFailed);
      if (TEXTS.contains(field) && value != null) {
        String text = (String) value;
        if (base64) {
          value = encode64(text);
        } else if (text.indexOf(REPLACEMENT) >= 0 && !field.equals("message")) {
          // the program's bytes were not UTF-8: decoded, they hold U+FFFD where those bytes were
          throw new NotUtf8();
        }
      }
      json.put(field, value);
    }
    return json;
  }

  private static Object value(String field, ExecutionResult r, Judge0Submission s, Integer languageId,
                              String languageName, Judge0Status status, boolean ran, boolean compileFailed) {
    Usage usage = r.usage() == null ? Usage.UNKNOWN : r.usage();
    StageResult compile = r.compile();
    return switch (field) {
      case "token" -> r.id();
      case "source_code" -> s == null ? null : s.sourceCode();
      case "stdin" -> s == null ? null : s.stdin();
      case "expected_output" -> s == null ? null : s.expectedOutput();
      case "language_id" -> languageId;
      case "language" -> new JsonObject().put("id", languageId).put("name", languageName);
      case "status" -> status.toJson();
      case "status_id" -> status.id();
      case "stdout" -> ran ? emptyToNull(r.stdout()) : null;
      case "stderr" -> ran ? emptyToNull(r.stderr()) : null;
      case "compile_output" -> compileOutput(r, compileFailed);
      case "message" -> message(r, status, compileFailed);
      case "time" -> ran ? seconds(runCpuMs(usage, compile)) : null;
      case "wall_time" -> ran ? seconds(r.durationMs()) : null;
      case "memory" -> ran && usage.memoryPeakBytes() != null ? usage.memoryPeakBytes() / 1024 : null;
      case "exit_code" -> ran ? exitCode(r, status) : null;
      case "exit_signal" -> ran ? exitSignal(r, status) : null;
      case "created_at" -> Instant.ofEpochMilli(r.submittedAt()).toString();
      case "finished_at" -> r.status().isFinal() ? finishedAt(r) : null;
      case "additional_files" -> null;
      default -> SETTINGS.contains(field) && s != null ? s.settings().getValue(field) : null;
    };
  }

  private static String compileOutput(ExecutionResult r, boolean compileFailed) {
    StageResult c = r.compile();
    if (c == null) {
      return null;
    }
    if (compileFailed && c.exitCode() == null && c.signal() == null) {
      // the compile step's deadline ended it
      return "Compilation time limit exceeded.";
    }
    // Judge0 compiles with stderr sent to stdout
    String text = (c.stdout() == null ? "" : c.stdout()) + (c.stderr() == null ? "" : c.stderr());
    return emptyToNull(text);
  }

  /**
   * isolate's messages ({@code Exited with error status 1}, {@code Caught fatal signal 11},
   * {@code Time limit exceeded}); execgate's own for what only it reports.
   */
  private static String message(ExecutionResult r, Judge0Status status, boolean compileFailed) {
    if (compileFailed || !r.status().isFinal()) {
      return null;
    }
    return switch (r.status()) {
      case FAILED -> r.signal() != null ? "Caught fatal signal " + signalNumber(r) : "Exited with error status "
        + r.exitCode();
      case TIMEOUT -> "Time limit exceeded";
      case SUCCEEDED -> null;
      default -> r.message() != null ? r.message() : status.description();
    };
  }

  private static Integer exitCode(ExecutionResult r, Judge0Status status) {
    // isolate reports an exit code for a program that exited, 0 otherwise
    return r.signal() == null && r.exitCode() != null && status != Judge0Status.TIME_LIMIT_EXCEEDED ? r.exitCode() : 0;
  }

  private static Integer exitSignal(ExecutionResult r, Judge0Status status) {
    return switch (r.status()) {
      case FAILED -> r.signal() != null ? signalNumber(r) : null;
      case TIMEOUT, OOM_KILLED -> 9;
      case OUTPUT_LIMIT -> 25;
      default -> null;
    };
  }

  private static Integer signalNumber(ExecutionResult r) {
    return r.exitCode() != null && r.exitCode() > 128 ? r.exitCode() - 128 : null;
  }

  private static Long runCpuMs(Usage usage, StageResult compile) {
    Long cpu = usage.cpuMs();
    if (cpu != null && compile != null && compile.usage() != null && compile.usage().cpuMs() != null) {
      cpu = Math.max(0, cpu - compile.usage().cpuMs());
    }
    return cpu;
  }

  private static String finishedAt(ExecutionResult r) {
    long ms = r.submittedAt() + nz(r.queuedMs()) + nz(r.durationMs())
      + (r.compile() == null ? 0 : nz(r.compile().durationMs()));
    return Instant.ofEpochMilli(ms).toString();
  }

  private static long nz(Long value) {
    return value == null ? 0 : value;
  }

  /**
   * @return milliseconds as Judge0 writes a duration: a string of seconds, e.g. {@code "0.012"}
   */
  static String seconds(Long ms) {
    return ms == null ? null : String.format(Locale.ROOT, "%.3f", ms / 1000.0);
  }

  private static String emptyToNull(String text) {
    return text == null || text.isEmpty() ? null : text;
  }

  /**
   * @return Ruby's {@code Base64.encode64}: lines of 60 characters, each ending with a line feed
   */
  static String encode64(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length == 0) {
      return "";
    }
    return Base64.getMimeEncoder(60, new byte[]{'\n'}).encodeToString(bytes) + "\n";
  }

  /**
   * Judge0's comparison: each line without trailing whitespace, and the text without trailing
   * whitespace (so trailing blank lines do not count).
   */
  static String normalize(String text) {
    String[] lines = text.split("\n", -1);
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        sb.append('\n');
      }
      sb.append(rstrip(lines[i]));
    }
    return rstrip(sb.toString());
  }

  /**
   * @return Ruby's {@code rstrip}: without trailing ASCII whitespace and NUL
   */
  private static String rstrip(String s) {
    int end = s.length();
    while (end > 0 && " \t\n\u000b\f\r\0".indexOf(s.charAt(end - 1)) >= 0) {
      end--;
    }
    return s.substring(0, end);
  }

  /**
   * @return the SHA-256 (hex) of a text normalized Judge0's way: two outputs match when their digests do
   */
  static String digest(String text) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(normalize(text).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }
}
