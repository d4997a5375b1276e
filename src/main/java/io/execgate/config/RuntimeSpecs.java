package io.execgate.config;

import io.execgate.model.ImageRef;
import io.execgate.model.RuntimeSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code runtimes} list of the gateway's options: read strictly from its JSON, checked as a whole
 * (valid images, valid names, no name twice for one version) and written back. The hand-written
 * counterpart of a converter for a list of records.
 */
public final class RuntimeSpecs {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.+-]{0,31}");

  private RuntimeSpecs() {
  }

  /**
   * @param array the {@code runtimes} array
   * @return its runtimes, in order
   * @throws ConfigException naming the first entry or key that is wrong
   */
  public static List<RuntimeSpec> fromJson(JsonArray array) {
    List<RuntimeSpec> runtimes = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject o)) {
        throw new ConfigException("runtimes[" + i + "]", "runtimes[" + i + "] must be an object");
      }
      runtimes.add(read(new JsonReader(o, "runtimes[" + i + "]", ConfigException::new)));
    }
    return runtimes;
  }

  private static RuntimeSpec read(JsonReader r) {
    RuntimeSpec spec = new RuntimeSpec(
      require(r, "name"),
      r.getStrings("aliases", List.of()),
      r.getString("version", "unknown"),
      r.getString("image", null),
      require(r, "file"),
      r.getString("compile", null),
      require(r, "run"),
      r.getLong("compileTimeoutMs", RuntimeSpec.DEFAULT_COMPILE_TIMEOUT_MS, 100, 3_600_000),
      r.getBoolean("tmpfsExec", false),
      r.getString("ociRuntime", null),
      judge0Id(r));
    r.finish();
    return spec;
  }

  /**
   * @return the runtime's Judge0 language id, or {@code null} (absent or null) for Judge0 CE's default
   */
  private static Integer judge0Id(JsonReader r) {
    long id = r.getLong("judge0Id", 0, 0, Integer.MAX_VALUE);
    if (r.has("judge0Id") && id < 1) {
      throw new ConfigException(r.path("judge0Id"), r.path("judge0Id") + " must be at least 1");
    }
    return id == 0 ? null : (int) id;
  }

  private static String require(JsonReader r, String key) {
    String value = r.getString(key, null);
    if (value == null || value.isBlank()) {
      throw r.fail(key, r.path(key) + " is required");
    }
    return value;
  }

  /**
   * Checks the runtimes as a whole: one name may serve several versions of a language (requests choose
   * with a version selector), but not one version twice.
   *
   * @throws ConfigException naming the first runtime that cannot work
   */
  public static void validate(List<RuntimeSpec> runtimes) {
    if (runtimes.isEmpty()) {
      throw new ConfigException("runtimes", "at least one runtime is required");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < runtimes.size(); i++) {
      RuntimeSpec spec = runtimes.get(i);
      if (spec.image() != null && !validImage(spec.image())) {
        throw new ConfigException("runtimes[" + i + "].image", "runtimes[" + i + "].image '" + spec.image()
          + "' is not a valid image reference");
      }
      List<String> all = new ArrayList<>(spec.aliases());
      all.add(0, spec.name());
      for (String name : all) {
        if (!NAME.matcher(name).matches()) {
          throw new ConfigException("runtimes[" + i + "]", "runtime name '" + name + "' must match " + NAME.pattern());
        }
        if (!names.add(name.toLowerCase(Locale.ROOT) + " " + spec.version())) {
          throw new ConfigException("runtimes[" + i + "]", "runtime name '" + name + "' is used twice for version "
            + spec.version());
        }
      }
    }
  }

  private static boolean validImage(String image) {
    try {
      ImageRef.parse(image);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * @return the runtimes as the configuration writes them; an image of {@code null} (the base image) is left out
   */
  public static JsonArray toJson(List<RuntimeSpec> runtimes) {
    JsonArray array = new JsonArray();
    for (RuntimeSpec spec : runtimes) {
      JsonObject json = spec.toJson();
      if (spec.image() == null) {
        json.remove("image");
      }
      array.add(json);
    }
    return array;
  }
}
