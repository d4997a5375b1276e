package io.execgate.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads {@link HttpOptions} from their JSON, strictly (bounds checked, unknown keys refused), and
 * writes them back: the hand-written counterpart of a Vert.x {@code *OptionsConverter}.
 */
final class HttpOptionsConverter {

  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\\.?");

  private HttpOptionsConverter() {
  }

  static void fromJson(JsonObject json, HttpOptions obj) {
    JsonReader r = new JsonReader(json, "http", ConfigException::new);
    obj.setEnabled(r.getBoolean("enabled", obj.isEnabled()));
    obj.setHost(r.getString("host", obj.getHost()));
    obj.setPort(r.getInt("port", obj.getPort(), 0, 65_535));
    obj.setInstances(r.getInt("instances", obj.getInstances(), 1, 256));
    obj.setMaxRequestBytes(r.getLong("maxRequestBytes", obj.getMaxRequestBytes(), 1024, 1L << 31));
    obj.setMaxScriptBytes(r.getInt("maxScriptBytes", obj.getMaxScriptBytes(), 1, Integer.MAX_VALUE));
    obj.setMaxFiles(r.getInt("maxFiles", obj.getMaxFiles(), 1, 100_000));
    obj.setMaxFilesBytes(r.getLong("maxFilesBytes", obj.getMaxFilesBytes(), 1, 1L << 40));
    obj.setMaxStdinBytes(r.getInt("maxStdinBytes", obj.getMaxStdinBytes(), 0, Integer.MAX_VALUE));
    obj.setMaxArgs(r.getInt("maxArgs", obj.getMaxArgs(), 0, 100_000));
    obj.setMaxEnv(r.getInt("maxEnv", obj.getMaxEnv(), 0, 100_000));
    obj.setMaxTests(r.getInt("maxTests", obj.getMaxTests(), 1, 10_000));
    obj.setStreamBufferBytes(r.getLong("streamBufferBytes", obj.getStreamBufferBytes(), 4096, 1L << 34));
    obj.setStreamKeepaliveMs(r.getLong("streamKeepaliveMs", obj.getStreamKeepaliveMs(), 100, 3_600_000));
    List<String> allowedHosts = new ArrayList<>();
    for (String name : r.getStrings("allowedHosts", List.of())) {
      if (!HOST_NAME.matcher(name).matches()) {
        throw new ConfigException("http.allowedHosts", "http.allowedHosts: '" + name + "' is not a host name (no port,"
          + " no scheme, no wildcard)");
      }
      allowedHosts.add(name.toLowerCase(Locale.ROOT));
    }
    obj.setAllowedHosts(allowedHosts);
    obj.setHeaderTimeoutMs(r.getLong("headerTimeoutMs", obj.getHeaderTimeoutMs(), 500, 3_600_000));
    obj.setIdleTimeoutMs(r.getLong("idleTimeoutMs", obj.getIdleTimeoutMs(), 500, 3_600_000));
    obj.setMaxStreams(r.getInt("maxStreams", obj.getMaxStreams(), 1, 1_000_000));
    obj.setControlRatePerSecond(r.getInt("controlRatePerSecond", obj.getControlRatePerSecond(), 1, 1_000_000));
    obj.setControlBurst(r.getInt("controlBurst", obj.getControlBurst(), 1, 1_000_000));
    r.finish();
  }

  static void toJson(HttpOptions obj, JsonObject json) {
    json.put("enabled", obj.isEnabled());
    json.put("host", obj.getHost());
    json.put("port", obj.getPort());
    json.put("instances", obj.getInstances());
    json.put("maxRequestBytes", obj.getMaxRequestBytes());
    json.put("maxScriptBytes", obj.getMaxScriptBytes());
    json.put("maxFiles", obj.getMaxFiles());
    json.put("maxFilesBytes", obj.getMaxFilesBytes());
    json.put("maxStdinBytes", obj.getMaxStdinBytes());
    json.put("maxArgs", obj.getMaxArgs());
    json.put("maxEnv", obj.getMaxEnv());
    json.put("maxTests", obj.getMaxTests());
    json.put("streamBufferBytes", obj.getStreamBufferBytes());
    json.put("streamKeepaliveMs", obj.getStreamKeepaliveMs());
    json.put("allowedHosts", new JsonArray(new ArrayList<>(obj.getAllowedHosts())));
    json.put("headerTimeoutMs", obj.getHeaderTimeoutMs());
    json.put("idleTimeoutMs", obj.getIdleTimeoutMs());
    json.put("maxStreams", obj.getMaxStreams());
    json.put("controlRatePerSecond", obj.getControlRatePerSecond());
    json.put("controlBurst", obj.getControlBurst());
  }
}
