package io.execgate.bus;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A real event bus that records what is sent through it ({@code request}, {@code send},
 * {@code publish}), with the delivery options as given: a channel's test pins its address, body and
 * send timeout without waiting for the timeout to pass.
 */
final class RecordingBus {

  /**
   * One message sent.
   *
   * @param options the delivery options as given, or {@code null} when none were (Vert.x's defaults apply)
   */
  record Sent(String method, String address, Object body, DeliveryOptions options) {

    long timeoutMs() {
      return (options != null ? options : new DeliveryOptions()).getSendTimeout();
    }

    String header(String name) {
      return options == null ? null : options.getHeaders() == null ? null : options.getHeaders().get(name);
    }
  }

  private final List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
  private final EventBus bus;

  RecordingBus(EventBus real) {
    this.bus = (EventBus) Proxy.newProxyInstance(EventBus.class.getClassLoader(), new Class<?>[]{EventBus.class},
      (proxy, method, args) -> {
        String name = method.getName();
        if ((name.equals("request") || name.equals("send") || name.equals("publish")) && args.length >= 2) {
          DeliveryOptions options = args.length > 2 ? new DeliveryOptions((DeliveryOptions) args[2]) : null;
          sent.add(new Sent(name, (String) args[0], args[1], options));
        }
        try {
          return method.invoke(real, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      });
  }

  /**
   * @return the bus to hand to the channel under test
   */
  EventBus bus() {
    return bus;
  }

  /**
   * @return every message sent so far, in order
   */
  List<Sent> all() {
    synchronized (sent) {
      return List.copyOf(sent);
    }
  }

  /**
   * @return the one message sent so far
   */
  Sent only() {
    synchronized (sent) {
      if (sent.size() != 1) {
        throw new AssertionError("expected one message, got " + sent);
      }
      return sent.get(0);
    }
  }
}
