// ArmNetworkProvider wired as in production (createArmNetworkClient with a real ThrottleGate, here
// over the in-memory store), but pointed at the NRP simulator over plain http: the SDK's bearer
// policy refuses http, so it is swapped for one that sets the same header (as
// test/integration/nrp/harness.ts does), and every request the client sends is recorded.
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { httpAllowed } from '../../../local/host/nrpNetwork.ts';
import type { NetworkManagementClient } from '@azure/arm-network';
import { createArmNetworkClient } from '../../../shared/azure/armNetworkClient.ts';
import { ArmNetworkProvider } from '../../../shared/azure/armNetworkProvider.ts';
import type { SubstepFailure } from '../../../shared/azure/armNetworkProvider.ts';
import { readNetworkConfig } from '../../../shared/azure/networkConfig.ts';
import type { NetworkConfig } from '../../../shared/azure/networkConfig.ts';
import { ThrottleGate } from '../../../shared/azure/throttleGate.ts';
import { THROTTLE_GATE_POLICY_NAME } from '../../../shared/azure/throttleGatePolicy.ts';
import { MemoryThrottleStore } from '../../../shared/azure/throttleStore.ts';
import type { InboundConfig, OutboundConfig, PortRule, ServiceOperation } from '../../../shared/engine/types.ts';
import type { NrpSimulator, NrpSimulatorOptions } from '../../../local/sim/nrp/server.ts';
import { fixedCredential, newClient, startSim } from '../nrp/harness.ts';

export interface SentRequest {
  /** When the request left the pipeline, after the throttle gate let it through. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export interface World {
  readonly sim: NrpSimulator;
  readonly config: NetworkConfig;
  readonly store: MemoryThrottleStore;
  readonly gate: ThrottleGate;
  readonly provider: ArmNetworkProvider;
  /** A plain client (no gate) for reading what the simulator holds. */
  readonly reader: NetworkManagementClient;
  /** Every request the adapter's client sent (polls included), in order. */
  readonly sent: SentRequest[];
  readonly substepFailures: SubstepFailure[];
}

const running: NrpSimulator[] = [];

/** Stops every simulator started here (call from `after`). */
export async function stopAll(): Promise<void> {
  await Promise.all(running.splice(0).map((s) => s.stop()));
}

/** `policies` go into the adapter's client pipeline, e.g. to change what NRP's answers look like to it. */
export async function startWorld(simOptions: Partial<NrpSimulatorOptions> = {}, policies: readonly PipelinePolicy[] = []): Promise<World> {
  const sim = await startSim(simOptions);
  running.push(sim);
  return adapterOn(sim, new MemoryThrottleStore(), policies);
}

/** An adapter instance (its own client and gate) on a running simulator, sharing `store`. */
export function adapterOn(sim: NrpSimulator, store: MemoryThrottleStore, policies: readonly PipelinePolicy[] = []): World {
  const config = readNetworkConfig({
    AZURE_SUBSCRIPTION_ID: sim.subscriptionId,
    AZURE_RESOURCE_GROUP: sim.resourceGroup,
    AZURE_VNET_NAME: 'vnet',
    AZURE_LOCATION: sim.location,
    CLUSTER_NAME: 'aks-contract',
  });
  // Generous budgets so the buckets never hold a test up; the shared store is read every request.
  const gate = new ThrottleGate(store, config.networkSubscriptionId, {
    budgets: { read: { burst: 10_000, share: 1, limit: 1_000_000 }, write: { burst: 10_000, share: 1, limit: 1_000_000 } },
    sharedRefreshMs: 0,
  });
  const client = createArmNetworkClient(fixedCredential, config, {
    gate,
    clientOptions: { endpoint: sim.baseUrl, allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
  });
  client.pipeline.removePolicy({ name: 'bearerTokenAuthenticationPolicy' });
  const sent: SentRequest[] = [];
  const plainHttpBearer: PipelinePolicy = {
    name: 'plainHttpBearer',
    async sendRequest(request, next) {
      const token = await fixedCredential.getToken('https://management.azure.com/.default');
      request.headers.set('authorization', `Bearer ${token?.token ?? ''}`);
      const body = typeof request.body === 'string' ? (JSON.parse(request.body) as unknown) : undefined;
      sent.push({ at: Date.now(), method: request.method, path: new URL(request.url).pathname, body });
      return next(request);
    },
  };
  // After the gate, so that `at` is when the request really went out.
  client.pipeline.addPolicy(plainHttpBearer, { afterPolicies: [THROTTLE_GATE_POLICY_NAME] });
  for (const policy of policies) client.pipeline.addPolicy(policy);
  const substepFailures: SubstepFailure[] = [];
  const provider = new ArmNetworkProvider(client, config, {
    pollIntervalMs: 5,
    httpClient: httpAllowed(),
    onSubstepFailure: (f) => substepFailures.push(f),
  });
  return { sim, config, store, gate, provider, reader: newClient(sim), sent, substepFailures };
}

/** Requests whose path ends with `suffix` (e.g. `/updateAddressLocations`). */
export function sentTo(w: World, method: string, suffix: string): SentRequest[] {
  return w.sent.filter((r) => r.method === method && r.path.endsWith(suffix));
}

export function inboundConfig(uid: string, ports: readonly PortRule[], o: { ipFamily?: 'IPv4' | 'IPv6'; idleTimeoutMinutes?: number } = {}): InboundConfig {
  return {
    kind: 'inbound',
    name: uid,
    service: { namespace: 'default', name: `svc-${uid.slice(0, 8)}`, uid },
    ipFamily: o.ipFamily ?? 'IPv4',
    ports,
    idleTimeoutMinutes: o.idleTimeoutMinutes ?? 4,
  };
}

export function outboundConfig(name: string, ipFamilies: readonly ('IPv4' | 'IPv6')[]): OutboundConfig {
  return { kind: 'outbound', name, ipFamilies };
}

let dispatch = 0;

export function createOp(config: InboundConfig | OutboundConfig): ServiceOperation {
  return op('create', config.kind, config.name, config);
}

export function updateOp(config: InboundConfig | OutboundConfig): ServiceOperation {
  return op('update', config.kind, config.name, config);
}

export function deleteOp(kind: 'inbound' | 'outbound', name: string): ServiceOperation {
  return op('delete', kind, name, null);
}

function op(operation: ServiceOperation['operation'], serviceKind: ServiceOperation['serviceKind'], serviceName: string, config: ServiceOperation['config']): ServiceOperation {
  dispatch++;
  return { cluster: 'aks-contract', dispatchId: `d${dispatch}`, correlationId: `c${dispatch}`, serviceName, serviceKind, operation, config, orphan: false, attempt: 1 };
}
