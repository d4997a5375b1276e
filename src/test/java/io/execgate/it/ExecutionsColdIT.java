package io.execgate.it;

import io.execgate.GatewayOptions;

/**
 * {@link ExecutionsIT} with the warm pool off: every execution starts a fresh container, and the
 * results must be the same.
 */
class ExecutionsColdIT extends ExecutionsIT {

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getExecutor().getPool().setEnabled(false);
    return options;
  }
}
