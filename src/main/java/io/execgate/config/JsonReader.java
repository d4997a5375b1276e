package io.execgate.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Strict reading of one JSON object: typed getters that name the offending path, range checks, and
 * a final check that no unknown key was given. Keys starting with {@code //} are comments.
 * The failure type is chosen by the caller (config errors vs request errors).
 */
public final class JsonReader {

  private final JsonObject json;
  private final String path;
  private final BiFunction<String, String, RuntimeException> error;
  private final Set<String> seen = new HashSet<>();

  /**
   * @param json  the object to read ({@code null} reads as empty)
   * @param path  its path, used in messages ({@code ""} at the top)
   * @param error builds the exception from (field path, message)
   */
  public JsonReader(JsonObject json, String path, BiFunction<String, String, RuntimeException> error) {
    this.json = json == null ? new JsonObject() : json;
    this.path = path;
    this.error = error;
  }

  public String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public RuntimeException fail(String key, String message) {
    return error.apply(path(key), message);
  }

  public boolean has(String key) {
    return json.getValue(key) != null;
  }

  private Object value(String key) {
    seen.add(key);
    return json.getValue(key);
  }

  public String getString(String key, String def) {
    Object v = value(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof String s)) {
      throw fail(key, path(key) + " must be a string");
    }
    return s;
  }

  public boolean getBoolean(String key, boolean def) {
    Object v = value(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Boolean b)) {
      throw fail(key, path(key) + " must be true or false");
    }
    return b;
  }

  public long getLong(String key, long def, long min, long max) {
    Object v = value(key);
    if (v == null) {
      return def;
    }
    long n = integral(key, v);
    if (n < min || n > max) {
      throw fail(key, path(key) + (max == Long.MAX_VALUE ? " must be at least " + min : " must be between " + min
        + " and " + max) + ", got " + n);
    }
    return n;
  }

  public int getInt(String key, int def, int min, int max) {
    return (int) getLong(key, def, min, max);
  }

  public double getDouble(String key, double def, double min, double max) {
    Object v = value(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Number num)) {
      throw fail(key, path(key) + " must be a number");
    }
    double d = num.doubleValue();
    if (Double.isNaN(d) || Double.isInfinite(d) || d < min || d > max) {
      throw fail(key, path(key) + (max == Double.MAX_VALUE ? " must be at least " + min : " must be between " + min
        + " and " + max) + ", got " + num);
    }
    return d;
  }

  /**
   * @return the integral value of {@code v}, refusing fractions and numbers beyond a long
   */
  public long integral(String key, Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    boolean finite = !(v instanceof Double d && d.isInfinite()) && !(v instanceof Float f && f.isInfinite())
      && !(v instanceof Double dn && dn.isNaN()) && !(v instanceof Float fn && fn.isNaN());
    if (finite && (v instanceof BigInteger || v instanceof BigDecimal || v instanceof Double || v instanceof Float)) {
      BigDecimal d = new BigDecimal(v.toString());
      if (d.signum() == 0 || d.stripTrailingZeros().scale() <= 0) {
        if (d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0 && d.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0) {
          return d.longValueExact();
        }
        throw fail(key, path(key) + " is out of range");
      }
    }
    throw fail(key, path(key) + " must be an integer");
  }

  public JsonObject getObject(String key) {
    Object v = value(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      throw fail(key, path(key) + " must be an object");
    }
    return o;
  }

  public JsonArray getArray(String key) {
    Object v = value(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonArray a)) {
      throw fail(key, path(key) + " must be an array");
    }
    return a;
  }

  public List<String> getStrings(String key, List<String> def) {
    JsonArray array = getArray(key);
    if (array == null) {
      return def;
    }
    List<String> list = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String s)) {
        throw error.apply(path(key) + "[" + i + "]", path(key) + "[" + i + "] must be a string");
      }
      list.add(s);
    }
    return list;
  }

  /**
   * A reader of the nested object {@code key} (empty when absent).
   */
  public JsonReader child(String key) {
    return new JsonReader(getObject(key), path(key), error);
  }

  /**
   * Fails on the first key that no getter asked for, other than {@code //} comments.
   */
  public void finish() {
    for (String key : json.fieldNames()) {
      if (!seen.contains(key) && !key.startsWith("//")) {
        throw fail(key, "unknown field " + path(key));
      }
    }
  }
}
