package io.execgate.it;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.WebClientInternal;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Checks the gateway's real responses against what openapi.json declares for their operation: the
 * status must be declared, and its content type and body must match the declared media type and
 * schema (vertx-openapi's {@link ResponseValidator}, JSON Schema 2020-12), and its declared headers.
 * Bodies are validated for JSON: for the other media types the document declares (NDJSON, server-sent
 * events, plain text, HTML, CSS, JavaScript) the status and content type are checked, not the body. A response to a
 * path the document does not describe is not checked (an unknown path's 404 is no operation's).
 */
final class OpenApiResponses {

  /** Where the gateway serves its document from, on the classpath. */
  static final String RESOURCE = "webroot/openapi.json";

  /** The media types whose bodies are validated (vertx-openapi reads plain text as no string). */
  private static final Set<String> VALIDATED = Set.of("application/json");

  private final JsonObject document;
  private final OpenAPIContract contract;
  private final ResponseValidator validator;
  private final Set<String> checked = ConcurrentHashMap.newKeySet();

  private OpenApiResponses(Vertx vertx, JsonObject document, OpenAPIContract contract) {
    this.document = document;
    this.contract = contract;
    this.validator = ResponseValidator.create(vertx, contract);
  }

  /**
   * @return a checker for the document the gateway serves
   */
  static OpenApiResponses load(Vertx vertx) {
    try (InputStream in = OpenApiResponses.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new AssertionError(RESOURCE + " is not on the classpath");
      }
      JsonObject document = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      JsonObject validatable = validatable(document.copy());
      return new OpenApiResponses(vertx, document, OpenAPIContract.from(vertx, validatable)
        .await(30, TimeUnit.SECONDS));
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (Exception e) {
      throw new AssertionError("openapi.json is not a contract vertx-openapi accepts", e);
    }
  }

  /**
   * @return the document as vertx-openapi takes it: an absolute server URL (the gateway's is relative,
   *   ".", so that a mount prefix is kept), and only the media types whose bodies it validates
   */
  private static JsonObject validatable(JsonObject document) {
    document.put("servers", new JsonArray().add(new JsonObject().put("url", "http://gateway/")));
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (Object op : paths.getJsonObject(path)) {
        if (!(((Map.Entry<?, ?>) op).getValue() instanceof JsonObject operation) || !operation.containsKey("responses")) {
          continue;
        }
        JsonObject body = operation.getJsonObject("requestBody");
        if (body != null && body.getJsonObject("content") != null) {
          keepValidated(body.getJsonObject("content"));
          if (body.getJsonObject("content").isEmpty()) {
            operation.remove("requestBody");
          }
        }
        for (Object r : operation.getJsonObject("responses")) {
          if (((Map.Entry<?, ?>) r).getValue() instanceof JsonObject response && response.containsKey("content")) {
            keepValidated(response.getJsonObject("content"));
          }
        }
      }
    }
    JsonObject responses = document.getJsonObject("components", new JsonObject()).getJsonObject("responses",
      new JsonObject());
    for (String name : responses.fieldNames()) {
      JsonObject content = responses.getJsonObject(name).getJsonObject("content");
      if (content != null) {
        keepValidated(content);
      }
    }
    return document;
  }

  private static void keepValidated(JsonObject content) {
    content.fieldNames().removeIf(type -> !VALIDATED.contains(mediaType(type)));
  }

  private static String mediaType(String contentType) {
    return contentType == null ? null : contentType.replaceFirst(";.*$", "").trim().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * @return the media types the document declares for {@code status} of {@code operationId} (exact or
   *   as {@code 4XX}, else {@code default}); {@code null} when it declares no such response
   */
  private Set<String> declared(String method, String template, int status) {
    JsonObject responses = document.getJsonObject("paths").getJsonObject(template).getJsonObject(method)
      .getJsonObject("responses");
    JsonObject response = responses.getJsonObject(String.valueOf(status),
      responses.getJsonObject(status / 100 + "XX", responses.getJsonObject("default")));
    if (response == null) {
      return null;
    }
    String ref = response.getString("$ref");
    if (ref != null) {
      response = document.getJsonObject("components").getJsonObject("responses")
        .getJsonObject(ref.substring(ref.lastIndexOf('/') + 1));
    }
    Set<String> types = new TreeSet<>();
    response.getJsonObject("content", new JsonObject()).fieldNames().forEach(t -> types.add(mediaType(t)));
    return types;
  }

  /**
   * Checks every response {@code client} receives (with a body read into a buffer, or none) before the
   * caller sees it: a response that disagrees with the document fails the request with an
   * {@link AssertionError} saying where.
   */
  void check(WebClient client) {
    ((WebClientInternal) client).addInterceptor(ctx -> {
      if (ctx.phase() != ClientPhase.DISPATCH_RESPONSE) {
        ctx.next();
        return;
      }
      HttpResponse<?> response = ctx.response();
      Object body = response.body();
      if (body != null && !(body instanceof Buffer)) {
        // decoded by another codec: the caller reads it its own way
        ctx.next();
        return;
      }
      validate(ctx.request().method(), ctx.requestOptions().getURI(), response.statusCode(), response.headers(),
        (Buffer) body).onComplete(ar -> {
          if (ar.succeeded()) {
            ctx.next();
          } else {
            ctx.fail(ar.cause());
          }
        });
    });
  }

  /**
   * Checks one response.
   *
   * @return the id of the operation it was checked against, or {@code null} when the document
   *   describes no operation at that path and method; failed with an {@link AssertionError} when the
   *   response disagrees with the document
   */
  Future<String> validate(HttpMethod method, String uri, int status, MultiMap headers, Buffer body) {
    String path = uri.replaceFirst("[?#].*$", "");
    Operation operation = contract.findOperation(path, method);
    if (operation == null) {
      return Future.succeededFuture(null);
    }
    String id = operation.getOperationId();
    String contentType = headers.get("content-type");
    String mediaType = mediaType(contentType);
    Set<String> declared = declared(method.name().toLowerCase(java.util.Locale.ROOT), operation.getOpenAPIPath(), status);
    String where = method + " " + path + " -> " + status + " (" + contentType + ")";
    if (declared == null) {
      return Future.failedFuture(new AssertionError(where + ": openapi.json's " + id + " declares no " + status
        + " response" + (body == null ? "" : "; body: " + abbreviate(body.toString()))));
    }
    boolean hasBody = body != null && body.length() > 0;
    if (hasBody && !declared.isEmpty() && !declared.contains(mediaType)) {
      return Future.failedFuture(new AssertionError(where + ": openapi.json's " + id + " declares " + declared
        + " for " + status + "; body: " + abbreviate(body.toString())));
    }
    Map<String, String> plain = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach(h -> plain.putIfAbsent(h.getKey(), asDecodable(h.getValue())));
    ValidatableResponse response = hasBody && VALIDATED.contains(mediaType)
      ? ValidatableResponse.create(status, plain, body, mediaType)
      : ValidatableResponse.create(status, plain);
    return validator.validate(response, id)
      .map(validated -> {
        checked.add(id + " " + status);
        return id;
      })
      .recover(err -> Future.failedFuture(new AssertionError(method + " " + path + " -> " + status + " ("
        + contentType + ") disagrees with openapi.json's " + id + ": " + err.getMessage()
        + (body == null ? "" : "; body: " + abbreviate(body.toString())), err)));
  }

  /**
   * @return the operations and statuses checked so far, as {@code operationId status}
   */
  Set<String> checked() {
    return new TreeSet<>(checked);
  }

  /**
   * vertx-openapi reads a header value that is not a single word as JSON (so {@code Bearer
   * realm="execgate"} cannot be read as the string it is): such a value is handed over as a JSON string.
   */
  private static String asDecodable(String value) {
    if (value.matches("\\w+")) {
      return value;
    }
    try {
      Json.decodeValue(value);
      return value;
    } catch (DecodeException e) {
      return Json.encode(value);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 500 ? s : s.substring(0, 500) + "…";
  }
}
