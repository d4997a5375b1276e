package io.execgate.it;

import io.execgate.GatewayOptions;

/**
 * {@link SandboxIT} with the warm pool off: the profile and the limits hold the same way for
 * containers started cold.
 */
class SandboxColdIT extends SandboxIT {

  @Override
  protected GatewayOptions options() {
    GatewayOptions options = super.options();
    options.getExecutor().getPool().setEnabled(false);
    return options;
  }
}
