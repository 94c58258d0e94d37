// From what a run measured to the figures it reports: per-workload figures with their baselines,
// the steady workload's targets, memory, and the monthly cost of the steady workload.
import { defaultEngineConfig } from '../../shared/engine/config.ts';
import type { ModelParameters } from '../baselines/baselineModel.ts';
import { flexInstanceFor, monthlyCost } from '../cost.ts';
import type { WorkloadMeasurement } from '../measure/runWorkload.ts';
import type { BenchMeasurements } from '../runBench.ts';
import type { CostFigures, Figures, SteadyTargetFigures, WorkloadDetail } from './benchResult.ts';
import { issueTargetFigures } from './issueTargets.ts';
import type { MeasuredFigures } from './issueTargets.ts';
import { latencyFigures } from './latencyFigures.ts';
import { waveBudgetFloor } from './waveBudgetFloor.ts';
import { workloadFigures } from './workloadFigures.ts';
import type { WorkloadFigures } from './workloadFigures.ts';

export interface FigureInputs {
  readonly measured: BenchMeasurements;
  readonly writeMs: number;
  readonly lbCreateMs: number;
  readonly churnSeconds: number;
  readonly changesPerSecond: number;
}

const FIVE_MINUTES_MS = 300_000;
const NRP_WRITES_PER_FIVE_MINUTES = 1_000;
const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);
const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] ?? 0) - (times[j] ?? 0) >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

function steadyTargets(m: WorkloadMeasurement, f: WorkloadFigures, i: FigureInputs): SteadyTargetFigures {
  const windowMs = defaultEngineConfig.locationsSyncIntervalMs;
  const calls = m.writes.filter((w) => w.operation === 'updateAddressLocations').map((w) => w.atMs);
  const windows = Math.max(1, Math.ceil((calls.at(-1) ?? 0) / windowMs));
  // Demand on the budget while the workload lasts: writes per 5 minutes of churn.
  const share = (writes: number): number => round((writes * (FIVE_MINUTES_MS / (i.churnSeconds * 1_000))) / NRP_WRITES_PER_FIVE_MINUTES, 4);
  return {
    syncWindowMs: windowMs,
    updateAddressLocationsCalls: calls.length,
    syncWindows: windows,
    updateAddressLocationsPerWindow: round(calls.length / windows),
    maxUpdateAddressLocationsInAnyWindow: maxInAnyWindow(calls, windowMs),
    p99Ms: f.latencyMs.p99,
    p99LimitMs: 2 * windowMs + i.writeMs,
    writeBudgetShare: share(f.nrpWrites.calls['total'] ?? 0),
    writeBudgetShareNaive: share(f.baselines.naive.nrpWrites.calls['total'] ?? 0),
    writeBudgetShareUpstreamShaped: share(f.baselines.upstreamShaped.nrpWrites.calls['total'] ?? 0),
  };
}

function costFigures(steady: WorkloadFigures, functionHostPeakRssBytes: number, changesPerSecond: number): CostFigures {
  const perChange = {
    tableTransactions: steady.tableTransactions.perChange,
    serviceBusOperations: steady.serviceBus.operationsPerChange,
    executions: steady.functions.executionsPerChange,
    busyMs: round((steady.functions.busySeconds * 1_000) / steady.changes),
  };
  const instanceMemoryMb = flexInstanceFor(functionHostPeakRssBytes);
  const monthly = monthlyCost({ ...perChange, busySeconds: perChange.busyMs / 1_000 }, changesPerSecond, instanceMemoryMb);
  return {
    perChange,
    changesPerSecond,
    changesPerMonth: monthly.changesPerMonth,
    instanceMemoryMb,
    monthlyUsd: { table: monthly.tableUsd, serviceBus: monthly.serviceBusUsd, functions: monthly.functionsUsd, total: monthly.totalUsd },
  };
}

/** What the baselines are modelled with: the run's NRP latency, NRP's write limit, the reference's concurrency. */
export function modelParameters(writeMs: number, lbCreateMs: number): ModelParameters {
  return {
    writeMs,
    lbCreateMs,
    limit: { writes: NRP_WRITES_PER_FIVE_MINUTES, perMs: FIVE_MINUTES_MS },
    serviceConcurrency: defaultEngineConfig.maxConcurrentOperations,
  };
}

export function figuresOf(i: FigureInputs): Figures {
  const m = i.measured;
  const model = modelParameters(i.writeMs, i.lbCreateMs);
  const workloads = {
    steady: workloadFigures(m.workloads.steady, model),
    burst: workloadFigures(m.workloads.burst, model),
    wave: workloadFigures(m.workloads.wave, model),
  };
  const measured: MeasuredFigures = {
    engine: {
      decideEventsPerSecond: Object.fromEntries(m.engine.decide.rows.map((r) => [r.scenario, r.eventsPerSecond])),
      locationsDiff100kMedianMs: Object.fromEntries(m.engine.locationsDiff.map((r) => [`${r.mirror} mirror`, r.totalMs.medianMs])),
    },
    setup: { objects: m.setup.objects, durationS: round(m.setup.durationMs / 1_000, 1) },
    workloads,
    steady: steadyTargets(m.workloads.steady, workloads.steady, i),
    memory: {
      functionHostPeakMiB: mib(m.memory.functionHostPeakRssBytes),
      functionHostSetupPeakMiB: mib(m.setup.functionHostPeakRssBytes),
      forwarderPeakMiB: mib(m.memory.forwarderPeakRssBytes),
      forwarderMeasuredMaxMiB: mib(m.memory.forwarderMeasuredRssBytes),
    },
    cost: costFigures(workloads.steady, m.memory.functionHostPeakRssBytes, i.changesPerSecond),
    harness: {
      eventLoopDelayP99Ms: { steady: m.workloads.steady.harnessDelayMs.p99, burst: m.workloads.burst.harnessDelayMs.p99, wave: m.workloads.wave.harnessDelayMs.p99 },
      eventLoopDelayMaxMs: { steady: m.workloads.steady.harnessDelayMs.max, burst: m.workloads.burst.harnessDelayMs.max, wave: m.workloads.wave.harnessDelayMs.max },
      loadAverage: { steady: m.workloads.steady.loadAverage, burst: m.workloads.burst.loadAverage, wave: m.workloads.wave.loadAverage },
      stateLoadMs: m.stateLoadMs,
    },
    waveBudgetFloor: waveBudgetFloor(workloads.wave, i.lbCreateMs),
  };
  return { ...measured, issueTargets: issueTargetFigures(measured) };
}

export function detailOf(m: WorkloadMeasurement): WorkloadDetail {
  const byKind = new Map<string, number[]>();
  for (const r of m.reflected) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r.latencyMs]);
  return {
    updateAddressLocationsAtMs: m.writes.filter((w) => w.operation === 'updateAddressLocations').map((w) => w.atMs),
    latencyByKindMs: Object.fromEntries([...byKind].map(([k, v]) => [k, latencyFigures(v)])),
  };
}
