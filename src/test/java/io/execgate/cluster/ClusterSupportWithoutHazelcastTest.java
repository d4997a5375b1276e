package io.execgate.cluster;

import io.execgate.config.ClusterOptions;
import io.execgate.config.ConfigException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application that embeds the library without Hazelcast (an optional dependency) and enables
 * clustering gets a configuration error that says what to add, not a {@code NoClassDefFoundError}.
 */
class ClusterSupportWithoutHazelcastTest {

  /** Loads {@link ClusterSupport} itself and hides Hazelcast and Vert.x's cluster manager for it. */
  private static final class WithoutHazelcast extends ClassLoader {

    WithoutHazelcast(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        if (name.startsWith("com.hazelcast.") || name.startsWith("io.vertx.spi.cluster.hazelcast.")) {
          throw new ClassNotFoundException(name);
        }
        if (!name.equals(ClusterSupport.class.getName())) {
          return super.loadClass(name, resolve);
        }
        Class<?> loaded = findLoadedClass(name);
        if (loaded == null) {
          try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
            byte[] bytes = in.readAllBytes();
            loaded = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
          }
        }
        return loaded;
      }
    }
  }

  @Test
  void clusteringWithoutHazelcastIsAConfigurationErrorThatSaysWhatToAdd() throws Exception {
    Class<?> support = new WithoutHazelcast(getClass().getClassLoader()).loadClass(ClusterSupport.class.getName());
    assertThat(support).isNotSameAs(ClusterSupport.class);
    // as an application's call links it: that one method (reflection's getMethod would resolve every
    // public signature, Hazelcast's Config among them)
    MethodHandle configure = MethodHandles.publicLookup().findStatic(support, "configure",
      MethodType.methodType(VertxBuilder.class, VertxBuilder.class, VertxOptions.class, ClusterOptions.class));
    Throwable thrown = null;
    try {
      configure.invoke(Vertx.builder(), new VertxOptions(), new ClusterOptions().setEnabled(true));
    } catch (Throwable e) {
      thrown = e;
    }
    assertThat(thrown).as("configure without Hazelcast").isInstanceOf(ConfigException.class)
      .hasMessageContaining("io.vertx:vertx-hazelcast")
      .hasMessageContaining("io.vertx.spi.cluster.hazelcast.HazelcastClusterManager is missing");
    assertThat(((ConfigException) thrown).key()).isEqualTo("cluster.enabled");
  }

  @Test
  void withHazelcastTheCheckPasses() {
    ClusterSupport.requireHazelcast();
  }
}
