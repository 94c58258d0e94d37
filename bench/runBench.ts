// One benchmark run, start to end: engine figures; the pipeline with the function host and the
// forwarder in processes of their own; the steady state built fast (no NRP latency, a raised
// write budget, NRP's own limit lifted); then production pacing and realistic NRP latency for the
// measured workloads, churn, burst and creation wave, one after the other on the same cluster.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPipeline } from '../local/host/pipeline.ts';
import type { LocalPipeline } from '../local/host/pipeline.ts';
import type { NrpThrottle } from '../local/sim/nrp/server.ts';
import { measureChurn, measureDiffs } from './engine.ts';
import type { ChurnRow, DiffRow, EngineBenchRuns } from './engine.ts';
import { startForwarderProcess } from './host/forwarderProcess.ts';
import type { ForwarderProcess } from './host/forwarderProcess.ts';
import type { FunctionHostConfig } from './host/functionHostProtocol.ts';
import { startFunctionHost } from './host/functionHostProcess.ts';
import type { FunctionHostProcess } from './host/functionHostProcess.ts';
import { waitConverged } from './measure/convergence.ts';
import { runWorkload } from './measure/runWorkload.ts';
import type { WorkloadMeasurement } from './measure/runWorkload.ts';
import { planBench } from './workload/plan.ts';
import type { BenchPlan } from './workload/plan.ts';
import type { WorkloadShapes } from './workload/shapes.ts';

export interface BenchOptions {
  readonly shapes: WorkloadShapes;
  readonly seed: number;
  readonly writeMs: number;
  readonly lbCreateMs: number;
  readonly engineRuns: EngineBenchRuns;
  /** How often convergence is checked (its resolution). */
  readonly pollMs: number;
  readonly setupTimeoutMs: number;
  readonly workloadTimeoutMs: number;
  readonly log: (line: string) => void;
}

export type WorkloadName = 'steady' | 'burst' | 'wave';

export interface BenchMeasurements {
  readonly plan: BenchPlan;
  readonly engine: { readonly decide: { readonly rows: ChurnRow[]; readonly setupMs: number }; readonly locationsDiff: readonly DiffRow[] };
  readonly setup: { readonly objects: number; readonly durationMs: number; readonly functionHostPeakRssBytes: number };
  readonly workloads: Readonly<Record<WorkloadName, WorkloadMeasurement>>;
  readonly memory: { readonly functionHostPeakRssBytes: number; readonly forwarderPeakRssBytes: number; readonly forwarderMeasuredRssBytes: number };
  /** One read of the whole engine state from Azurite at the end (median of 3): what every engine invocation pays first. */
  readonly stateLoadMs: number;
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
/**
 * Set-up only: a write budget for the functions that never binds either, every Service created at
 * once, syncs a second apart, and batches of a thousand events, so that the steady state is there
 * in minutes instead of most of an hour at production pacing.
 */
const SETUP_TUNING: Pick<FunctionHostConfig, 'writeBudget' | 'engineConfig' | 'maxMessageBatchSize'> = {
  writeBudget: { limit: 1_000_000, share: 1, burst: 100_000 },
  engineConfig: { maxConcurrentOperations: 2_000, locationsSyncIntervalMs: 1_000 },
  maxMessageBatchSize: 1_000,
};
/** Measured runs: production's budget, engine configuration and host.json. */
const PRODUCTION: Pick<FunctionHostConfig, 'writeBudget'> = { writeBudget: {} };

function hostConfig(p: LocalPipeline, tuning: Pick<FunctionHostConfig, 'writeBudget' | 'engineConfig' | 'maxMessageBatchSize'>): FunctionHostConfig {
  const { baseUrl, subscriptionId, resourceGroup, location } = p.nrp;
  return { cluster: CLUSTER, brokerConnectionString: p.broker.connectionString, tablesConnectionString: p.tablesConnectionString, nrp: { baseUrl, subscriptionId, resourceGroup, location }, ...tuning };
}

export async function runBench(o: BenchOptions): Promise<BenchMeasurements> {
  o.log('engine: decide() throughput and the 100,000-address diff');
  const locationsDiff = measureDiffs(o.engineRuns);
  const decide = measureChurn(o.engineRuns);
  const plan = planBench(o.shapes, o.seed);

  // Azure's 30 s locks (infra): at full size an engine invocation takes seconds.
  const pipeline = await startPipeline({ cluster: CLUSTER, inProcess: { functions: false, forwarder: false }, kubeHistorySize: 200_000, queueLockDurationMs: 30_000 });
  let functions: FunctionHostProcess | null = null;
  let forwarder: ForwarderProcess | null = null;
  try {
    // Set-up: the steady state, as fast as the machine allows.
    const setupStart = Date.now();
    pipeline.nrp.setThrottle(UNLIMITED);
    for (const obj of plan.initial) pipeline.kube.apply(obj);
    const kubeconfigPath = join(mkdtempSync(join(tmpdir(), 'bench-')), 'kubeconfig');
    await pipeline.kube.writeKubeconfig(kubeconfigPath);
    functions = await startFunctionHost(hostConfig(pipeline, SETUP_TUNING));
    forwarder = await startForwarderProcess({ cluster: CLUSTER, brokerConnectionString: pipeline.broker.connectionString, kubeconfigPath });
    o.log(`set-up: ${plan.initial.length} objects applied; building the steady state`);
    const probe = (f: FunctionHostProcess, w: ForwarderProcess) => ({ pipeline, functions: f, forwarder: w, unresolved: () => 0 });
    await waitConverged(probe(functions, forwarder), o.pollMs, setupStart + o.setupTimeoutMs);
    const setupDurationMs = Date.now() - setupStart;
    o.log(`set-up: steady state in ${(setupDurationMs / 1000).toFixed(1)} s`);

    // Production pacing from here on: a fresh function host with the default write budget (as a
    // redeploy would start), NRP's own limits (buckets full), realistic latency.
    const setupHost = await functions.stop();
    functions = null;
    pipeline.nrp.setLatency({ writeMs: o.writeMs, lbCreateMs: o.lbCreateMs });
    pipeline.nrp.setThrottle(NRP_LIMITS);
    functions = await startFunctionHost(hostConfig(pipeline, PRODUCTION));
    await waitConverged(probe(functions, forwarder), o.pollMs, Date.now() + o.workloadTimeoutMs);

    const run = { pipeline, functions, forwarder, pollMs: o.pollMs, timeoutMs: o.workloadTimeoutMs, log: o.log };
    o.log(`steady: ${plan.churn.length} changes over ${o.shapes.churn.seconds} s`);
    const steady = await runWorkload('steady', plan.churn, run);
    o.log(`burst: ${plan.burst.length} changes at once (${plan.drainedNodes.length} nodes drain)`);
    const burst = await runWorkload('burst', plan.burst, run);
    o.log(`wave: ${o.shapes.wave.services} Services within ${o.shapes.wave.withinMs} ms`);
    const wave = await runWorkload('wave', plan.wave, run);

    const loads: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await pipeline.engineState();
      loads.push(performance.now() - t);
    }
    const measured = await functions.stop();
    functions = null;
    const forwarderStop = await forwarder.stop();
    forwarder = null;
    return {
      plan,
      engine: { decide: { rows: decide.rows, setupMs: decide.setupMs }, locationsDiff },
      setup: { objects: plan.initial.length, durationMs: setupDurationMs, functionHostPeakRssBytes: setupHost.peakRssBytes },
      workloads: { steady, burst, wave },
      memory: {
        functionHostPeakRssBytes: measured.peakRssBytes,
        forwarderPeakRssBytes: forwarderStop.peakRssBytes,
        forwarderMeasuredRssBytes: Math.max(steady.forwarderRssBytes, burst.forwarderRssBytes, wave.forwarderRssBytes),
      },
      stateLoadMs: Math.round([...loads].sort((a, b) => a - b)[1] ?? 0),
    };
  } finally {
    await functions?.stop().catch(() => undefined);
    await forwarder?.stop().catch(() => undefined);
    await pipeline.stop();
  }
}
