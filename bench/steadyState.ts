// The pipeline at the steady state, ready to measure: the cluster's objects applied, the steady
// state built fast (no NRP latency, a raised write budget, NRP's own limit lifted), then a fresh
// function host with production's configuration, NRP's limits and realistic latency. Both the
// full run and each size of the scale run start from here.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPipeline } from '../local/host/pipeline.ts';
import type { LocalPipeline } from '../local/host/pipeline.ts';
import type { NrpThrottle } from '../local/sim/nrp/server.ts';
import { startForwarderProcess } from './host/forwarderProcess.ts';
import type { ForwarderProcess } from './host/forwarderProcess.ts';
import type { FunctionHostConfig } from './host/functionHostProtocol.ts';
import { startFunctionHost } from './host/functionHostProcess.ts';
import type { FunctionHostProcess } from './host/functionHostProcess.ts';
import { waitConverged } from './measure/convergence.ts';
import type { WorkloadRun } from './measure/runWorkload.ts';
import type { KubeObject } from '../local/sim/kube/server.ts';

export interface SteadyStateOptions {
  /** Namespaces, Nodes, Services, EndpointSlices and egress pods of the steady state. */
  readonly initial: readonly KubeObject[];
  readonly writeMs: number;
  readonly lbCreateMs: number;
  readonly pollMs: number;
  readonly setupTimeoutMs: number;
  readonly workloadTimeoutMs: number;
  /**
   * The cluster's size over the full shape's (1 for the full run). The set-up's batches and
   * concurrent creates grow with it, so that building the steady state takes as many engine
   * invocations at 4x as at 1x: each one reads the whole state, so more of them would make the
   * 4x set-up grow with the square of the size.
   */
  readonly setupScale: number;
  readonly log: (line: string) => void;
}

export interface SteadyState {
  /** What a workload is played against (the function host restarted with production's configuration). */
  readonly run: WorkloadRun;
  readonly setup: { readonly objects: number; readonly durationMs: number; readonly functionHostPeakRssBytes: number };
  /** Stops both processes (the pipeline must be idle) and says how much memory each held at most. */
  readonly stop: () => Promise<{ readonly functionHostPeakRssBytes: number; readonly forwarderPeakRssBytes: number }>;
}

const CLUSTER = 'bench';
const FIVE_MINUTES_S = 300;
/** NRP's own per-subscription limits (limits.md), as the local pipeline sets them. */
export const NRP_LIMITS: NrpThrottle = {
  writes: { burst: 1_000, refillPerSecond: 1_000 / FIVE_MINUTES_S },
  reads: { burst: 10_000, refillPerSecond: 10_000 / FIVE_MINUTES_S },
};
/** Set-up only: limits that never bind. */
const UNLIMITED: NrpThrottle = {};
type Tuning = Pick<FunctionHostConfig, 'writeBudget' | 'engineConfig' | 'maxMessageBatchSize'>;

/**
 * Set-up only: a write budget for the functions that never binds either, every Service created at
 * once, syncs a second apart, and batches of a thousand events (per 1x of cluster), so that the
 * steady state is there in minutes instead of most of an hour at production pacing.
 */
export function setupTuning(scale: number): Tuning {
  return {
    writeBudget: { limit: 1_000_000, share: 1, burst: 100_000 },
    engineConfig: { maxConcurrentOperations: Math.ceil(2_000 * scale), locationsSyncIntervalMs: 1_000 },
    maxMessageBatchSize: Math.ceil(1_000 * scale),
  };
}
/** Measured runs: production's budget, engine configuration and host.json. */
const PRODUCTION: Tuning = { writeBudget: {} };

function hostConfig(p: LocalPipeline, tuning: Tuning): FunctionHostConfig {
  const { baseUrl, subscriptionId, resourceGroup, location } = p.nrp;
  return { cluster: CLUSTER, brokerConnectionString: p.broker.connectionString, tablesConnectionString: p.tablesConnectionString, nrp: { baseUrl, subscriptionId, resourceGroup, location }, ...tuning };
}

/** Runs `measure` against a fresh pipeline at the steady state, and stops everything after. */
export async function withSteadyState<T>(o: SteadyStateOptions, measure: (s: SteadyState) => Promise<T>): Promise<T> {
  // Azure's 30 s locks (infra): at full size an engine invocation takes seconds.
  const pipeline = await startPipeline({ cluster: CLUSTER, inProcess: { functions: false, forwarder: false }, kubeHistorySize: 200_000, queueLockDurationMs: 30_000 });
  let functions: FunctionHostProcess | null = null;
  let forwarder: ForwarderProcess | null = null;
  try {
    const setupStart = Date.now();
    pipeline.nrp.setThrottle(UNLIMITED);
    for (const obj of o.initial) pipeline.kube.apply(obj);
    const kubeconfigPath = join(mkdtempSync(join(tmpdir(), 'bench-')), 'kubeconfig');
    await pipeline.kube.writeKubeconfig(kubeconfigPath);
    functions = await startFunctionHost(hostConfig(pipeline, setupTuning(o.setupScale)));
    forwarder = await startForwarderProcess({ cluster: CLUSTER, brokerConnectionString: pipeline.broker.connectionString, kubeconfigPath });
    o.log(`set-up: ${o.initial.length} objects applied; building the steady state`);
    const probe = (f: FunctionHostProcess, w: ForwarderProcess) => ({ pipeline, functions: f, forwarder: w, unresolved: () => 0 });
    await waitConverged(probe(functions, forwarder), o.pollMs, setupStart + o.setupTimeoutMs);
    const durationMs = Date.now() - setupStart;
    o.log(`set-up: steady state in ${(durationMs / 1000).toFixed(1)} s`);

    // Production pacing from here on: a fresh function host with the default write budget (as a
    // redeploy would start), NRP's own limits (buckets full), realistic latency.
    const setupHost = await functions.stop();
    functions = null;
    pipeline.nrp.setLatency({ writeMs: o.writeMs, lbCreateMs: o.lbCreateMs });
    pipeline.nrp.setThrottle(NRP_LIMITS);
    const measuredHost = await startFunctionHost(hostConfig(pipeline, PRODUCTION));
    functions = measuredHost;
    const fwd = forwarder;
    await waitConverged(probe(measuredHost, fwd), o.pollMs, Date.now() + o.workloadTimeoutMs);
    return await measure({
      run: { pipeline, functions: measuredHost, forwarder: fwd, pollMs: o.pollMs, timeoutMs: o.workloadTimeoutMs, log: o.log },
      setup: { objects: o.initial.length, durationMs, functionHostPeakRssBytes: setupHost.peakRssBytes },
      stop: async () => {
        const host = await measuredHost.stop();
        functions = null;
        const f = await fwd.stop();
        forwarder = null;
        return { functionHostPeakRssBytes: host.peakRssBytes, forwarderPeakRssBytes: f.peakRssBytes };
      },
    });
  } finally {
    await functions?.stop().catch(() => undefined);
    await forwarder?.stop().catch(() => undefined);
    await pipeline.stop();
  }
}
