package io.execgate;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package rule, read from the compiled main classes: nothing imports {@code impl} but the API's
 * factory ({@link ExecutionGateway#deploy}); nothing imports {@code http} but {@code impl}; {@code docker}
 * imports only {@code error}, {@code model} and {@code config}; and the packages form no cycle except
 * through the API's factories ({@code ExecutionGateway -> impl}, {@code ExecutionClient -> client}).
 */
class PackageRuleTest {

  private static final String BASE = "io.execgate";
  /** The API's factories: the only edges out of the root package into what implements it. */
  private static final Map<String, String> FACTORIES = Map.of(
    BASE + ".ExecutionGateway", BASE + ".impl",
    BASE + ".ExecutionClient", BASE + ".client");
  /** What docker may import of execgate besides itself. */
  private static final Set<String> DOCKER_MAY_USE = Set.of(BASE + ".docker", BASE + ".error", BASE + ".model",
    BASE + ".config");
  /**
   * Package edges that still close a cycle and need a real refactoring, each with why. The list may
   * only shrink: an edge that no longer exists fails the test, so remove its entry with the fix.
   */
  private static final Map<String, String> KNOWN_CYCLE_EDGES = Map.of();

  private static JavaClasses classes;
  /** Package edges (outside the factories) to an example dependency each. */
  private static Map<String, String> edges;

  @BeforeAll
  static void importClasses() throws URISyntaxException {
    // the main classes' directory (or jar) only: scanning the whole class path for the package is slow
    Path main = Path.of(ExecutionGateway.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPath(main);
    edges = new TreeMap<>();
    for (JavaClass c : classes) {
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        String from = c.getPackageName();
        String to = d.getTargetClass().getBaseComponentType().getPackageName();
        if (!inBase(to) || from.equals(to) || isFactory(c, to)) {
          continue;
        }
        edges.putIfAbsent(from + " -> " + to, d.getDescription());
      }
    }
  }

  @Test
  void theMainClassesAreThere() {
    // a rule over nothing holds trivially: make sure the import saw the gateway
    assertThat(classes.contain(BASE + ".impl.DefaultExecutionGateway")).isTrue();
    assertThat(classes.contain(BASE + ".http.HttpGatewayVerticle")).isTrue();
    assertThat(edges).containsKey(BASE + ".impl -> " + BASE + ".http");
  }

  @Test
  void onlyTheApiFactoryImportsImpl() {
    assertThat(offending(to -> to.equals(BASE + ".impl"), from -> from.equals(BASE + ".impl"))).isEmpty();
  }

  @Test
  void onlyImplImportsHttp() {
    assertThat(offending(to -> to.equals(BASE + ".http"),
      from -> from.equals(BASE + ".http") || from.equals(BASE + ".impl"))).isEmpty();
  }

  @Test
  void dockerImportsOnlyErrorModelAndConfig() {
    List<String> bad = new ArrayList<>();
    edges.forEach((edge, example) -> {
      String[] e = edge.split(" -> ");
      if (e[0].equals(BASE + ".docker") && !DOCKER_MAY_USE.contains(e[1])) {
        bad.add(example);
      }
    });
    assertThat(bad).isEmpty();
  }

  @Test
  void noPackageCycles() {
    Map<String, Set<String>> graph = new TreeMap<>();
    edges.keySet().stream()
      .filter(edge -> !KNOWN_CYCLE_EDGES.containsKey(edge))
      .map(edge -> edge.split(" -> "))
      .forEach(e -> graph.computeIfAbsent(e[0], k -> new TreeSet<>()).add(e[1]));
    List<String> cycles = new ArrayList<>();
    for (Set<String> scc : stronglyConnected(graph)) {
      StringBuilder s = new StringBuilder("cycle among " + scc + ":");
      edges.forEach((edge, example) -> {
        String[] e = edge.split(" -> ");
        if (scc.contains(e[0]) && scc.contains(e[1]) && !KNOWN_CYCLE_EDGES.containsKey(edge)) {
          s.append("\n  ").append(edge).append(" (").append(example).append(')');
        }
      });
      cycles.add(s.toString());
    }
    assertThat(cycles).isEmpty();
  }

  @Test
  void theKnownCyclesStillExist() {
    // an entry whose edge is gone is stale: the list only shrinks
    assertThat(edges.keySet()).containsAll(KNOWN_CYCLE_EDGES.keySet());
  }

  private static List<String> offending(java.util.function.Predicate<String> target,
                                        java.util.function.Predicate<String> allowedSource) {
    List<String> bad = new ArrayList<>();
    edges.forEach((edge, example) -> {
      String[] e = edge.split(" -> ");
      if (target.test(e[1]) && !allowedSource.test(e[0])) {
        bad.add(example);
      }
    });
    return bad;
  }

  private static boolean isFactory(JavaClass c, String to) {
    String top = c.getName().contains("$") ? c.getName().substring(0, c.getName().indexOf('$')) : c.getName();
    return to.equals(FACTORIES.get(top));
  }

  private static boolean inBase(String pkg) {
    return pkg.equals(BASE) || pkg.startsWith(BASE + ".");
  }

  /** Tarjan's strongly connected components of more than one package. */
  private static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> out = new ArrayList<>();
    for (String v : graph.keySet()) {
      if (!index.containsKey(v)) {
        strongConnect(v, graph, index, low, stack, onStack, out);
      }
    }
    return out;
  }

  private static void strongConnect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
                                    Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                    List<Set<String>> out) {
    index.put(v, index.size());
    low.put(v, index.get(v));
    stack.push(v);
    onStack.add(v);
    for (String w : graph.getOrDefault(v, Set.of())) {
      if (!index.containsKey(w)) {
        strongConnect(w, graph, index, low, stack, onStack, out);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      Set<String> scc = new TreeSet<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        scc.add(w);
      } while (!w.equals(v));
      if (scc.size() > 1) {
        out.add(scc);
      }
    }
  }
}
