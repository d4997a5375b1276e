package io.execgate.config;

import io.execgate.model.ResourceLimits;
import io.vertx.core.json.JsonObject;

/**
 * Reads {@link ExecutorOptions} from their JSON, strictly (bounds checked, unknown keys refused), and
 * writes them back: the hand-written counterpart of a Vert.x {@code *OptionsConverter}.
 */
final class ExecutorOptionsConverter {

  private ExecutorOptionsConverter() {
  }

  static void fromJson(JsonObject json, ExecutorOptions obj) {
    JsonReader r = new JsonReader(json, "executor", ConfigException::new);
    obj.setInstances(r.getInt("instances", obj.getInstances(), 1, 256));
    obj.setMaxConcurrent(r.getInt("maxConcurrent", obj.getMaxConcurrent(), 1, 100_000));
    obj.setMaxQueued(r.getInt("maxQueued", obj.getMaxQueued(), 0, 1_000_000));
    obj.setMaxQueueWaitMs(r.getLong("maxQueueWaitMs", obj.getMaxQueueWaitMs(), 1_000, 86_400_000));
    obj.setQueueOrder(QueueOrder.of(r.getString("queueOrder", obj.getQueueOrder().id()), r));
    obj.setMaxKeyShare(r.getDouble("maxKeyShare", obj.getMaxKeyShare(), 0.01, 1.0));
    obj.setRecordTtlSeconds(r.getLong("recordTtlSeconds", obj.getRecordTtlSeconds(), 1, 31_536_000));
    obj.setMaxLimits(readLimits(r.child("maxLimits"), obj.getMaxLimits()));
    obj.setLimits(readLimits(r.child("limits"), obj.getLimits()));
    obj.setTmpfsMb(r.getInt("tmpfsMb", obj.getTmpfsMb(), 1, 1 << 20));
    obj.setNofile(r.getInt("nofile", obj.getNofile(), 16, 1 << 20));
    obj.setUid(r.getInt("uid", obj.getUid(), 1, Integer.MAX_VALUE));
    obj.setPool(new PoolOptions(r.getObject("pool")));
    obj.setStreamRetainBytes(r.getLong("streamRetainBytes", obj.getStreamRetainBytes(), 4096, 1L << 40));
    obj.setStreamGraceSeconds(r.getLong("streamGraceSeconds", obj.getStreamGraceSeconds(), 0, 86_400));
    obj.setStreamGraceBytes(r.getLong("streamGraceBytes", obj.getStreamGraceBytes(), 0, 1L << 40));
    String check = r.getString("hostMemoryCheck", obj.getHostMemoryCheck().id());
    HostMemoryCheck hostMemoryCheck = HostMemoryCheck.of(check);
    if (hostMemoryCheck == null) {
      throw r.fail("hostMemoryCheck", "executor.hostMemoryCheck must be off, warn or refuse, got '" + check + "'");
    }
    obj.setHostMemoryCheck(hostMemoryCheck);
    obj.setHostMemoryReserveMb(r.getInt("hostMemoryReserveMb", obj.getHostMemoryReserveMb(), 0, 1 << 30));
    obj.setSweepIntervalSeconds(r.getLong("sweepIntervalSeconds", obj.getSweepIntervalSeconds(), 1, 86_400));
    obj.setSweepGraceSeconds(r.getLong("sweepGraceSeconds", obj.getSweepGraceSeconds(), 0, 86_400));
    obj.setOutputRetention(new OutputRetentionOptions(r.getObject("outputRetention")));
    r.finish();
  }

  private static ResourceLimits readLimits(JsonReader r, ResourceLimits def) {
    ResourceLimits limits = new ResourceLimits(
      r.getLong("timeoutMs", def.timeoutMs(), 100, 86_400_000),
      r.getInt("memoryMb", def.memoryMb(), 6, 1 << 20),
      r.getDouble("cpus", def.cpus(), 0.01, 1024),
      r.getInt("pids", def.pids(), 8, 1 << 22),
      r.getLong("outputBytes", def.outputBytes(), 1, 1L << 40),
      r.getLong("outputFilesBytes", def.outputFilesBytes(), 0, 1L << 30));
    r.finish();
    return limits;
  }

  static void toJson(ExecutorOptions obj, JsonObject json) {
    json.put("instances", obj.getInstances());
    json.put("maxConcurrent", obj.getMaxConcurrent());
    json.put("maxQueued", obj.getMaxQueued());
    json.put("maxQueueWaitMs", obj.getMaxQueueWaitMs());
    json.put("queueOrder", obj.getQueueOrder().id());
    json.put("maxKeyShare", obj.getMaxKeyShare());
    json.put("recordTtlSeconds", obj.getRecordTtlSeconds());
    json.put("limits", obj.getLimits().toJson());
    json.put("maxLimits", obj.getMaxLimits().toJson());
    json.put("tmpfsMb", obj.getTmpfsMb());
    json.put("nofile", obj.getNofile());
    json.put("uid", obj.getUid());
    json.put("pool", obj.getPool().toJson());
    json.put("streamRetainBytes", obj.getStreamRetainBytes());
    json.put("streamGraceSeconds", obj.getStreamGraceSeconds());
    json.put("streamGraceBytes", obj.getStreamGraceBytes());
    json.put("hostMemoryCheck", obj.getHostMemoryCheck().id());
    json.put("hostMemoryReserveMb", obj.getHostMemoryReserveMb());
    json.put("sweepIntervalSeconds", obj.getSweepIntervalSeconds());
    json.put("sweepGraceSeconds", obj.getSweepGraceSeconds());
    json.put("outputRetention", obj.getOutputRetention().toJson());
  }
}
