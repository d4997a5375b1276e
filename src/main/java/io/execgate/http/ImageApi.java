package io.execgate.http;

import io.execgate.GatewayOptions;
import io.execgate.auth.Principal;
import io.execgate.bus.Addresses;
import io.execgate.bus.ImageChannel;
import io.execgate.config.JsonReader;
import io.execgate.error.ErrorCode;
import io.execgate.error.GatewayException;
import io.execgate.image.ImagePolicy;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/images}: the image cache's images and counters; {@code POST /v1/images}: pre-pull
 * an image the policy and the caller's key allow (202 at once; the pull's progress shows in the
 * list). Talks to the image cache over the event bus only.
 */
final class ImageApi {

  /** The largest body of a pre-pull: it names one image; beyond it 413, before the body is read. */
  static final long MAX_BODY_BYTES = 64 * 1024;

  private final ImageChannel images;
  private final ImagePolicy policy;

  ImageApi(Vertx vertx, GatewayOptions options) {
    this.images = new ImageChannel(vertx.eventBus(), new Addresses(options.getAddressPrefix()));
    this.policy = new ImagePolicy(options.resolvedRuntimes(), options.getImages());
  }

  /**
   * An admin sees every image and the cache's counters; another key only the images it may use, without
   * the counters and when each was last used (they tell every key's activity).
   */
  void list(RoutingContext ctx) {
    Principal principal = AuthHandler.principal(ctx);
    images.list()
      .onSuccess(list -> {
        if (principal.admin()) {
          ExecutionApi.respond(ctx, 200, list.toJson());
          return;
        }
        JsonArray images = new JsonArray();
        list.images().stream().filter(i -> principal.mayUseImage(i.image()))
          .forEach(i -> images.add(i.toJson().put("lastUsedAt", null)));
        ExecutionApi.respond(ctx, 200, new JsonObject().put("images", images));
      })
      .onFailure(ctx::fail);
  }

  void prePull(RoutingContext ctx) {
    JsonObject body = ExecutionRequestParser.decode(ctx.body().buffer());
    JsonReader r = new JsonReader(body, "", GatewayException::invalid);
    String requested = r.getString("image", null);
    r.finish();
    if (requested == null) {
      throw GatewayException.invalid("image", "image is required");
    }
    String image = policy.check(requested);
    Principal principal = AuthHandler.principal(ctx);
    if (!principal.mayUseImage(image)) {
      throw new GatewayException(ErrorCode.FORBIDDEN, "key '" + principal.id() + "' may not use image " + image,
        "image");
    }
    images.prePull(image)
      .onSuccess(info -> ExecutionApi.respond(ctx, 202, info.toJson()))
      .onFailure(ctx::fail);
  }
}
