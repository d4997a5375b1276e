/**
 * The composition root only: {@link io.execgate.impl.DefaultExecutionGateway} builds the parts
 * and deploys the verticles in order. It may use every package; only
 * {@link io.execgate.ExecutionGateway}'s factory uses it.
 */
package io.execgate.impl;
