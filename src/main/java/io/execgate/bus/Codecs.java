package io.execgate.bus;

import io.execgate.model.Admission;
import io.execgate.model.CallbackRequest;
import io.execgate.model.Control;
import io.execgate.model.ExecutionJob;
import io.execgate.model.ExecutionResult;
import io.execgate.model.Frame;
import io.execgate.model.FramePage;
import io.execgate.model.ImageInfo;
import io.execgate.model.ImageList;
import io.execgate.model.ImageRequest;
import io.execgate.model.PoolKey;
import io.execgate.model.PoolState;
import io.execgate.model.Readiness;
import io.execgate.model.WorkerAdvert;
import io.execgate.model.SessionCall;
import io.vertx.core.eventbus.EventBus;

import java.util.List;

/**
 * The codecs of every record that crosses the event bus, registered once per {@code Vertx}.
 */
public final class Codecs {

  static final List<RecordCodec<?>> ALL = List.of(
    new RecordCodec<>(ExecutionJob.class, ExecutionJob::toJson, ExecutionJob::fromJson),
    new RecordCodec<>(ExecutionResult.class, ExecutionResult::toJson, ExecutionResult::fromJson),
    new RecordCodec<>(Frame.class, Frame::toJson, Frame::fromJson),
    new RecordCodec<>(FramePage.class, FramePage::toJson, FramePage::fromJson),
    new RecordCodec<>(Control.class, Control::toJson, Control::fromJson),
    new RecordCodec<>(Admission.class, Admission::toJson, Admission::fromJson),
    new RecordCodec<>(Readiness.class, Readiness::toJson, Readiness::fromJson),
    new RecordCodec<>(PoolKey.class, PoolKey::toJson, PoolKey::fromJson),
    new RecordCodec<>(PoolState.class, PoolState::toJson, PoolState::fromJson),
    new RecordCodec<>(ImageRequest.class, ImageRequest::toJson, ImageRequest::fromJson),
    new RecordCodec<>(ImageInfo.class, ImageInfo::toJson, ImageInfo::fromJson),
    new RecordCodec<>(ImageList.class, ImageList::toJson, ImageList::fromJson),
    new RecordCodec<>(WorkerAdvert.class, WorkerAdvert::toJson, WorkerAdvert::fromJson),
    new RecordCodec<>(CallbackRequest.class, CallbackRequest::toJson, CallbackRequest::fromJson),
    new RecordCodec<>(SessionCall.class, SessionCall::toJson, SessionCall::fromJson));

  private Codecs() {
  }

  /**
   * Registers the codecs as default codecs of their types. Safe to call again on the same event bus
   * (a second gateway in the same {@code Vertx}): already registered types are left alone.
   */
  public static void registerAll(EventBus eventBus) {
    for (RecordCodec<?> codec : ALL) {
      register(eventBus, codec);
    }
  }

  private static <T> void register(EventBus eventBus, RecordCodec<T> codec) {
    try {
      eventBus.registerDefaultCodec(codec.type(), codec);
    } catch (IllegalStateException alreadyRegistered) {
      // another gateway in this Vertx registered the same codec
    }
  }
}
