// The generated ARM network client as the adapter needs it: addressed to the network subscription
// (where every resource of ours lives); when a gate is given, with the throttle gate in its
// pipeline after the Retry phase, so that every attempt of every call is gated; with the active
// trace on every request; and, when an observer is given, with every attempt reported to it (the
// NRP call metrics).
import { NetworkManagementClient } from '@azure/arm-network';
import type { NetworkManagementClientOptionalParams } from '@azure/arm-network';
import type { NetworkConfig } from './networkConfig.ts';
import { NRP_CALL_POLICY_OPTIONS, nrpCallPolicy } from './nrpCallPolicy.ts';
import type { NrpCallObserver } from './nrpCallPolicy.ts';
import type { ThrottleGate } from './throttleGate.ts';
import { THROTTLE_GATE_POLICY_OPTIONS, throttleGatePolicy } from './throttleGatePolicy.ts';
import { TRACEPARENT_POLICY_OPTIONS, traceparentPolicy } from './traceparentPolicy.ts';

export type ArmCredential = ConstructorParameters<typeof NetworkManagementClient>[0];

export interface ArmNetworkClientOptions {
  /** Shared NRP budget; without one the client is not throttled client-side. */
  readonly gate?: ThrottleGate | undefined;
  /** Told of every HTTP attempt (operation, status, duration, classified error). */
  readonly observer?: NrpCallObserver | undefined;
  readonly clientOptions?: NetworkManagementClientOptionalParams | undefined;
}

export function createArmNetworkClient(credential: ArmCredential, config: NetworkConfig, options: ArmNetworkClientOptions = {}): NetworkManagementClient {
  const client = new NetworkManagementClient(credential, config.networkSubscriptionId, options.clientOptions);
  if (options.gate) {
    if (options.gate.scope !== config.networkSubscriptionId) {
      throw new Error(`the throttle gate budgets subscription ${options.gate.scope}, but the client addresses ${config.networkSubscriptionId}`);
    }
    client.pipeline.addPolicy(throttleGatePolicy(options.gate), THROTTLE_GATE_POLICY_OPTIONS);
  }
  client.pipeline.addPolicy(traceparentPolicy(), TRACEPARENT_POLICY_OPTIONS);
  if (options.observer) client.pipeline.addPolicy(nrpCallPolicy(options.observer), NRP_CALL_POLICY_OPTIONS);
  return client;
}
