package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.bus.Addresses;
import io.execgate.store.ExecutionStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document served at {@code /openapi.json} tells the truth: it is a valid OpenAPI 3.1
 * document, every route the gateway's router serves is documented with its method, and every
 * documented operation is served.
 */
class OpenApiTest {

  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private static final Pattern TEMPLATE = Pattern.compile("\\{([^}/]+)}");
  private static final Pattern ROUTE_PARAM = Pattern.compile(":([A-Za-z0-9_]+)");

  private Vertx vertx;
  private Router router;
  private JsonObject document;

  @BeforeEach
  void buildTheGatewaysRouter() throws Exception {
    vertx = Vertx.vertx();
    GatewayOptions options = new GatewayOptions();
    ExecutionStore store = ExecutionStore.open(vertx, new Addresses(options.getAddressPrefix()).executionsMap(), 60_000)
      .await(10, TimeUnit.SECONDS);
    router = HttpGatewayVerticle.router(vertx, options, store);
    document = load();
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static JsonObject load() throws IOException {
    try (InputStream in = OpenApiTest.class.getClassLoader().getResourceAsStream(OpenApiDocument.RESOURCE)) {
      assertThat(in).as("webroot/openapi.json on the classpath").isNotNull();
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /**
   * Compares the routes of {@code router} with the operations of {@code document}.
   *
   * @return one line per difference; empty when they agree
   */
  static List<String> problems(Router router, JsonObject document) {
    List<String> problems = new ArrayList<>();
    Set<String> served = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      if (route.getPath() == null) {
        if (route.isRegexPath()) {
          problems.add("a route matched by a regular expression cannot be checked: give it a path");
        }
        // else a handler of every request: CORS, authentication, failure rendering
        continue;
      }
      if (route.methods() == null || route.methods().isEmpty()) {
        problems.add("route " + route.getPath() + " accepts any method: give it the methods it serves");
        continue;
      }
      String path = ROUTE_PARAM.matcher(route.getPath()).replaceAll("{}") + (route.isExactPath() ? "" : "{}");
      for (HttpMethod method : route.methods()) {
        served.add(method.name() + " " + path);
      }
    }
    Set<String> documented = new TreeSet<>();
    JsonObject paths = document.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        if (METHODS.contains(method)) {
          documented.add(method.toUpperCase() + " " + TEMPLATE.matcher(path).replaceAll("{}"));
        }
      }
    }
    served.stream().filter(op -> !documented.contains(op))
      .forEach(op -> problems.add(op + " is served but not documented in openapi.json"));
    documented.stream().filter(op -> !served.contains(op))
      .forEach(op -> problems.add(op + " is documented in openapi.json but not served"));
    return problems;
  }

  @Test
  void swaggerUisFilesAreWhereTheDocsRouteServesThemFrom() {
    // the POM's swagger-ui.version and HttpGatewayVerticle.SWAGGER_UI name the same WebJar
    for (String file : List.of("swagger-ui-bundle.js", "swagger-ui.css")) {
      assertThat(getClass().getClassLoader().getResource(HttpGatewayVerticle.SWAGGER_UI + "/" + file)).as(file)
        .isNotNull();
    }
  }

  @Test
  void codeMirrorsFilesAreWhereTheAssetsRouteServesThemFrom() {
    // the POM's codemirror.version and HttpGatewayVerticle.CODEMIRROR name the same WebJar
    for (String file : HttpGatewayVerticle.CODEMIRROR_FILES) {
      assertThat(getClass().getClassLoader().getResource(HttpGatewayVerticle.CODEMIRROR + "/" + file)).as(file)
        .isNotNull();
    }
  }

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedOperationIsServed() {
    assertThat(problems(router, document)).isEmpty();
    // the check sees the real routes: the API's main ones are among them
    assertThat(router.getRoutes().stream().filter(r -> "/v1/executions/:id".equals(r.getPath()))
      .flatMap(r -> r.methods().stream()).map(HttpMethod::name)).contains("GET", "DELETE");
  }

  @Test
  void aRouteAddedWithoutDocumentationIsReported() {
    router.get("/v1/undocumented").handler(ctx -> ctx.end());
    router.post("/v1/executions/:id/pause").handler(ctx -> ctx.end());
    assertThat(problems(router, document)).containsExactly(
      "GET /v1/undocumented is served but not documented in openapi.json",
      "POST /v1/executions/{}/pause is served but not documented in openapi.json");
  }

  @Test
  void aDocumentedOperationThatIsNotServedIsReported() {
    JsonObject stale = document.copy();
    stale.getJsonObject("paths").getJsonObject("/v1/runtimes").put("delete", new JsonObject());
    stale.getJsonObject("paths").remove("/v1/stats");
    assertThat(problems(router, stale)).containsExactly(
      "GET /v1/stats is served but not documented in openapi.json",
      "DELETE /v1/runtimes is documented in openapi.json but not served");
  }

  @Test
  void theDocumentIsAValidOpenApiDocument() throws Exception {
    assertThat(document.getString("openapi")).isEqualTo("3.1.0");
    // valid by the OpenAPI 3.1 schema (bundled with vertx-openapi), and every $ref resolves
    OpenAPIVersion version = OpenAPIVersion.fromContract(document);
    assertThat(version).isEqualTo(OpenAPIVersion.V3_1);
    SchemaRepository schemas = version.getRepository(vertx, "http://127.0.0.1/openapi.json").await(30, TimeUnit.SECONDS);
    version.validateContract(vertx, schemas, document.copy()).await(30, TimeUnit.SECONDS).checkValidity();
    version.resolve(vertx, schemas, document.copy()).await(30, TimeUnit.SECONDS);
    List<String> refs = new ArrayList<>();
    collectRefs(document, refs);
    assertThat(refs).isNotEmpty();
    for (String ref : refs) {
      assertThat(ref).startsWith("#/components/");
      String[] parts = ref.substring(2).split("/");
      assertThat(document.getJsonObject(parts[0]).getJsonObject(parts[1]).getJsonObject(parts[2])).as(ref).isNotNull();
    }
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      Set<String> templated = new TreeSet<>();
      Matcher m = TEMPLATE.matcher(path);
      while (m.find()) {
        templated.add(m.group(1));
      }
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (!METHODS.contains(method)) {
          continue;
        }
        JsonObject operation = item.getJsonObject(method);
        Set<String> declared = new TreeSet<>();
        for (JsonArray parameters : new JsonArray[]{item.getJsonArray("parameters", new JsonArray()),
          operation.getJsonArray("parameters", new JsonArray())}) {
          parameters.stream().map(JsonObject.class::cast).filter(p -> "path".equals(p.getString("in")))
            .forEach(p -> declared.add(p.getString("name")));
        }
        assertThat(declared).as("path parameters of %s %s", method, path).isEqualTo(templated);
        assertThat(operation.getString("operationId")).as("%s %s", method, path).isNotBlank();
        assertThat(operation.getJsonObject("responses").fieldNames()).as("%s %s", method, path).isNotEmpty();
      }
    }
  }

  private static void collectRefs(Object node, List<String> refs) {
    if (node instanceof JsonObject o) {
      o.forEach(e -> {
        if (e.getKey().equals("$ref")) {
          refs.add((String) e.getValue());
        } else {
          collectRefs(e.getValue(), refs);
        }
      });
    } else if (node instanceof JsonArray a) {
      a.forEach(v -> collectRefs(v, refs));
    }
  }

  @Test
  void everyErrorCodeIsInTheErrorSchema() {
    JsonArray codes = document.getJsonObject("components").getJsonObject("schemas").getJsonObject("Error")
      .getJsonObject("properties").getJsonObject("error").getJsonObject("properties").getJsonObject("code")
      .getJsonArray("enum");
    for (io.execgate.error.ErrorCode code : io.execgate.error.ErrorCode.values()) {
      assertThat(codes.getList()).as("error codes in openapi.json").contains(code.id());
    }
    assertThat(codes).hasSize(io.execgate.error.ErrorCode.values().length);
  }
}
