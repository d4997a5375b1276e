package io.execgate.http;

import io.execgate.model.ExecutionResult;
import io.execgate.model.ExecutionStatus;
import io.execgate.model.StageResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Judge0's submission statuses (its {@code app/enumerations/status.rb}), and which one an execution's
 * result is, decided the way Judge0's worker decides it from isolate's verdict.
 */
enum Judge0Status {

  IN_QUEUE(1, "In Queue"),
  PROCESSING(2, "Processing"),
  ACCEPTED(3, "Accepted"),
  WRONG_ANSWER(4, "Wrong Answer"),
  TIME_LIMIT_EXCEEDED(5, "Time Limit Exceeded"),
  COMPILATION_ERROR(6, "Compilation Error"),
  SIGSEGV(7, "Runtime Error (SIGSEGV)"),
  SIGXFSZ(8, "Runtime Error (SIGXFSZ)"),
  SIGFPE(9, "Runtime Error (SIGFPE)"),
  SIGABRT(10, "Runtime Error (SIGABRT)"),
  NZEC(11, "Runtime Error (NZEC)"),
  OTHER(12, "Runtime Error (Other)"),
  INTERNAL_ERROR(13, "Internal Error"),
  EXEC_FORMAT_ERROR(14, "Exec Format Error");

  private final int id;
  private final String description;

  Judge0Status(int id, String description) {
    this.id = id;
    this.description = description;
  }

  int id() {
    return id;
  }

  String description() {
    return description;
  }

  JsonObject toJson() {
    return new JsonObject().put("id", id).put("description", description);
  }

  /**
   * @return {@code GET /statuses}: every status, by id
   */
  static JsonArray all() {
    JsonArray list = new JsonArray();
    for (Judge0Status s : values()) {
      list.add(s.toJson());
    }
    return list;
  }

  /**
   * Judge0's {@code find_runtime_error_by_status_code}: the runtime error of a fatal signal.
   *
   * @param signal a signal's name, e.g. {@code SIGSEGV}
   */
  static Judge0Status ofSignal(String signal) {
    return switch (signal) {
      case "SIGSEGV" -> SIGSEGV;
      case "SIGXFSZ" -> SIGXFSZ;
      case "SIGFPE" -> SIGFPE;
      case "SIGABRT", "SIGIOT" -> SIGABRT;
      default -> OTHER;
    };
  }

  /**
   * @return whether the compile step of {@code r} ran and did not succeed (the program then never ran)
   */
  static boolean compileFailed(ExecutionResult r) {
    StageResult c = r.compile();
    return c != null && !Integer.valueOf(0).equals(c.exitCode()) && r.status().isFinal()
      && r.status() != ExecutionStatus.ERROR && r.status() != ExecutionStatus.CANCELLED;
  }

  /**
   * The status of an execution in Judge0's terms.
   *
   * @param stdoutMatches whether the program's stdout matches the expected output, Judge0's way
   *                      ({@code null}: no expected output was given)
   */
  static Judge0Status of(ExecutionResult r, Boolean stdoutMatches) {
    if (compileFailed(r)) {
      return COMPILATION_ERROR;
    }
    return switch (r.status()) {
      case QUEUED -> IN_QUEUE;
      case PULLING, STARTING, RUNNING -> PROCESSING;
      case SUCCEEDED -> stdoutMatches == null || stdoutMatches ? ACCEPTED : WRONG_ANSWER;
      case FAILED -> r.signal() != null ? ofSignal(r.signal()) : NZEC;
      case TIMEOUT -> TIME_LIMIT_EXCEEDED;
      // isolate's file-size limit is what bounds a program's output there: the kernel's SIGXFSZ
      case OUTPUT_LIMIT -> SIGXFSZ;
      // the cgroup's OOM killer sends SIGKILL, which Judge0 reports as "Other"
      case OOM_KILLED -> OTHER;
      case CANCELLED, ERROR -> INTERNAL_ERROR;
    };
  }
}
