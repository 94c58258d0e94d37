// The functions as the integration tests run them (test/support/functionsHarness.ts: real handlers,
// the AMQP test broker, Azurite), with the production ARM adapter against the NRP simulator in
// place of the in-memory network, and the telemetry injected: a MeterProvider of the test's own
// (read through a pull MetricReader) and a sink that keeps the log lines.
import type { Tracer } from '@opentelemetry/api';
import { configureDependencies } from '../../../functions/dependencies.ts';
import { httpAllowed, useLocalBearer } from '../../../local/host/nrpNetwork.ts';
import type { NrpSimulator } from '../../../local/sim/nrp/server.ts';
import { createArmNetworkClient } from '../../../shared/azure/armNetworkClient.ts';
import { ArmNetworkProvider } from '../../../shared/azure/armNetworkProvider.ts';
import { readNetworkConfig } from '../../../shared/azure/networkConfig.ts';
import type { Budget } from '../../../shared/azure/throttleDefaults.ts';
import { ThrottleGate } from '../../../shared/azure/throttleGate.ts';
import { MemoryThrottleStore } from '../../../shared/azure/throttleStore.ts';
import type { EngineConfig, EngineEvent } from '../../../shared/engine/types.ts';
import type { LogLevel } from '../../../shared/telemetry/engineLog.ts';
import { createTelemetry } from '../../../shared/telemetry/telemetry.ts';
import type { Telemetry } from '../../../shared/telemetry/telemetry.ts';
import { node, service, slice, syncedEvents, uidOf } from '../../support/builders.ts';
import { startHarness } from '../../support/functionsHarness.ts';
import type { Harness } from '../../support/functionsHarness.ts';
import { fixedCredential, startSim } from '../../integration/nrp/harness.ts';
import { MetricProbe } from './metricProbe.ts';

export interface LogLine {
  readonly level: LogLevel;
  readonly line: Readonly<Record<string, unknown>>;
}

export interface TelemetryWorld {
  readonly h: Harness;
  readonly sim: NrpSimulator;
  readonly provider: ArmNetworkProvider;
  /** The lines logged since the last `fresh()`. */
  readonly lines: LogLine[];
  /** A new meter (every metric at zero) and an empty log, installed as the functions' telemetry.
   * With `keepLines: false` log lines go to each invocation's own log instead. */
  fresh(options?: { keepLines?: boolean }): MetricProbe;
  stop(): Promise<void>;
}

export interface WorldOptions {
  readonly config?: Partial<EngineConfig> | undefined;
  /** The throttle gate's write budget (default: generous enough never to wait). */
  readonly writeBudget?: Partial<Budget> | undefined;
  /** Where the ARM client sends its requests, given the simulator's address (default: the simulator). */
  readonly endpointFor?: ((simulatorUrl: string) => Promise<string>) | undefined;
  /** The tracer the functions' spans come from (default: the global one). */
  readonly tracer?: Tracer | undefined;
}

export async function startWorld(o: WorldOptions = {}): Promise<TelemetryWorld> {
  const h = await startHarness({ config: o.config });
  const sim = await startSim();
  const config = readNetworkConfig({
    AZURE_SUBSCRIPTION_ID: sim.subscriptionId,
    AZURE_RESOURCE_GROUP: sim.resourceGroup,
    AZURE_VNET_NAME: 'vnet',
    AZURE_LOCATION: sim.location,
    CLUSTER_NAME: 'aks-telemetry',
  });
  let telemetry: Telemetry = createTelemetry();
  const lines: LogLine[] = [];
  const gate = new ThrottleGate(new MemoryThrottleStore(), config.networkSubscriptionId, {
    budgets: { read: { burst: 10_000, share: 1, limit: 1_000_000 }, write: { burst: 10_000, share: 1, limit: 1_000_000, ...o.writeBudget } },
    sharedRefreshMs: 0,
    onWait: (kind, ms) => telemetry.nrp.recordGateWait(kind, ms),
  });
  const client = createArmNetworkClient(fixedCredential, config, {
    gate,
    observer: { onNrpCall: (call) => telemetry.nrp.onNrpCall(call) },
    clientOptions: { endpoint: o.endpointFor ? await o.endpointFor(sim.baseUrl) : sim.baseUrl, allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
  });
  useLocalBearer(client, fixedCredential);
  const provider = new ArmNetworkProvider(client, config, {
    pollIntervalMs: 5,
    httpClient: httpAllowed(),
    onSubstepFailure: (f) => telemetry.nrp.recordSubstepFailure(f.step),
  });
  return {
    h,
    sim,
    provider,
    lines,
    fresh(options = {}) {
      const probe = new MetricProbe();
      lines.length = 0;
      telemetry = createTelemetry({
        meter: probe.meter,
        tracer: o.tracer,
        now: () => h.now,
        logSink: options.keepLines === false ? undefined : (level, line) => lines.push({ level, line: JSON.parse(line) as Record<string, unknown> }),
      });
      const t = telemetry;
      configureDependencies(() => Promise.resolve({ ...h.deps, network: provider, telemetry: t }));
      return probe;
    },
    async stop() {
      await h.stop();
      await sim.stop();
    },
  };
}

/** A one-node cluster with a LoadBalancer Service `name` and one ready endpoint, all listed. */
export function webCluster(name: string, nodeIp: string, podIp: string): EngineEvent[] {
  return [
    ...syncedEvents(),
    { kind: 'NodeUpserted', node: node(`node-${name}`, [nodeIp]) },
    { kind: 'ServiceUpserted', service: service(name, { resourceVersion: '10' }) },
    { kind: 'EndpointSliceUpserted', slice: slice(`${name}-1`, uidOf(name), [{ ip: podIp, node: `node-${name}` }], { resourceVersion: '11' }) },
  ];
}

/** Delivers engine-events, then service-ops, then the rest, with `ms` of engine time before the service operation runs. */
export async function createWith(w: TelemetryWorld, cluster: string, events: readonly EngineEvent[], ms: number): Promise<void> {
  await w.h.sendEvents(cluster, events);
  await w.h.deliver('engine-events');
  w.h.now += ms;
  await w.h.deliver('service-ops');
  await w.h.pump();
}
