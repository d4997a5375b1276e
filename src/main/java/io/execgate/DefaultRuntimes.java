package io.execgate;

import io.execgate.model.RuntimeSpec;

import java.util.List;

/**
 * The runtimes a gateway has when its configuration names none: {@code sh} on the base image, and
 * the languages of the images that {@code custom-images/offline/build-debian.sh} builds without a
 * container registry. {@code conf/config.json} lists the same runtimes, so that an operator sees
 * and edits them there.
 * <p>
 * A runtime whose image is not present costs nothing until a request selects it; the image cache
 * then tries to pull it, and the execution ends in {@code error} with the reason if it cannot.
 */
public final class DefaultRuntimes {

  /** Python 3.11 with numpy, pandas and scipy ({@code custom-images/python-scientific}). */
  public static final String PYTHON_IMAGE = "execgate/python-scientific:offline";
  /** Node.js 18 with the packages of {@code custom-images/nodejs-runtime/package.json}. */
  public static final String NODE_IMAGE = "execgate/nodejs-runtime:offline";
  /** bash, python3, Node.js and gcc/g++ ({@code custom-images/multi-language}). */
  public static final String MULTI_LANGUAGE_IMAGE = "execgate/multi-language:offline";

  /** Where compiled runtimes write their program: /tmp is the sandbox's only writable place. */
  private static final String BINARY = "/tmp/main";

  private DefaultRuntimes() {
  }

  /**
   * @return the built-in runtimes, {@code sh} first
   */
  public static List<RuntimeSpec> all() {
    return List.of(
      new RuntimeSpec("sh", List.of("shell", "busybox"), "1.35.0", null, "main.sh", null, "sh {file}",
        RuntimeSpec.DEFAULT_COMPILE_TIMEOUT_MS, false),
      new RuntimeSpec("bash", List.of(), "5.2.15", MULTI_LANGUAGE_IMAGE, "main.sh", null, "bash {file}",
        RuntimeSpec.DEFAULT_COMPILE_TIMEOUT_MS, false).withJudge0Id(46),
      new RuntimeSpec("python", List.of("python3", "py", "py3"), "3.11.2", PYTHON_IMAGE, "main.py", null,
        "python3 -u {file}", RuntimeSpec.DEFAULT_COMPILE_TIMEOUT_MS, false).withJudge0Id(71),
      new RuntimeSpec("javascript", List.of("js", "node", "nodejs", "node-js", "node-javascript"), "18.20.4",
        NODE_IMAGE, "main.js", null, "node {file}", RuntimeSpec.DEFAULT_COMPILE_TIMEOUT_MS, false).withJudge0Id(63),
      new RuntimeSpec("c", List.of("gcc"), "12.2.0", MULTI_LANGUAGE_IMAGE, "main.c",
        "cc -std=gnu17 -O2 -o " + BINARY + " -x c {sources:.c} -lm", BINARY, RuntimeSpec.DEFAULT_COMPILE_TIMEOUT_MS, true)
        .withJudge0Id(50),
      new RuntimeSpec("c++", List.of("cpp", "g++"), "12.2.0", MULTI_LANGUAGE_IMAGE, "main.cpp",
        "c++ -std=gnu++17 -O2 -o " + BINARY + " -x c++ {sources:.cpp,.cc,.cxx,.c++}", BINARY, 15_000, true)
        .withJudge0Id(54));
  }
}
