// Issue 15's targets, each read off the run's own figures: what was measured, the bound, and
// whether it was met. The table in the full run's Markdown is made from these rows.
import type { Figures } from './benchResult.ts';

export const ISSUE_TARGET_IDS = [
  'burstConvergenceS',
  'steadyP50Ms',
  'steadyP99Ms',
  'updateAddressLocationsInAnyWindow',
  'writeBudgetShare',
  'serviceBusOperationsPerChange',
  'busyMsPerChange',
  'decidePodEventsPerSecond',
  'decideSliceEventsPerSecond',
  'syncCompletionsPerSecond',
  'functionHostPeakMiB',
  'forwarderPeakMiB',
  'monthlyUsd',
  'sessionLockLosses',
  'waveOverBudgetFloor',
] as const;
export type IssueTargetId = (typeof ISSUE_TARGET_IDS)[number];

/** The figures the targets are read from (everything but the targets themselves). */
export type MeasuredFigures = Omit<Figures, 'issueTargets'>;

export interface TargetFigure {
  readonly measured: number;
  readonly bound: number;
}

interface TargetRule {
  readonly title: string;
  readonly bound: number;
  /** 'atMost': measured <= bound meets it; 'atLeast': measured >= bound. */
  readonly direction: 'atMost' | 'atLeast';
  readonly measured: (f: MeasuredFigures) => number;
  /** The measured cell of the table, with what it was computed from. */
  readonly shown: (f: MeasuredFigures) => string;
}

const n = (x: number, digits = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
// decide() scenarios of bench/engine.ts's measureChurn; a renamed one reads as NaN (the CI smoke test catches it).
const decideRate = (f: MeasuredFigures, scenario: string): number => f.engine.decideEventsPerSecond[scenario] ?? NaN;
const POD_EVENT = 'sync in flight, 1 Pod event per decide';
const SLICE_EVENT = 'sync in flight, 1 EndpointSlice event per decide';
const SYNC_COMPLETION = 'sync completion (LocationsSyncCompleted)';
const lockLosses = (f: MeasuredFigures): number => f.workloads.steady.functions.failedInvocations + f.workloads.burst.functions.failedInvocations + f.workloads.wave.functions.failedInvocations;

const atMost = (title: string, bound: number, measured: TargetRule['measured'], shown: TargetRule['shown']): TargetRule => ({ title, bound, direction: 'atMost', measured, shown });
const atLeast = (title: string, bound: number, measured: TargetRule['measured']): TargetRule => ({ title, bound, direction: 'atLeast', measured, shown: (f) => n(measured(f)) });

const RULES: Readonly<Record<IssueTargetId, TargetRule>> = {
  burstConvergenceS: atMost('burst, full convergence (s)', 20, (f) => f.workloads.burst.convergedMs / 1_000, (f) => `${n(f.workloads.burst.convergedMs / 1_000, 1)} s (${n(f.workloads.burst.changes)} changes)`),
  steadyP50Ms: atMost('steady churn p50 event-to-NRP (ms)', 2_000, (f) => f.workloads.steady.latencyMs.p50, (f) => `${n(f.workloads.steady.latencyMs.p50)} ms`),
  steadyP99Ms: atMost('steady churn p99 event-to-NRP (ms)', 6_500, (f) => f.workloads.steady.latencyMs.p99, (f) => `${n(f.workloads.steady.latencyMs.p99)} ms`),
  updateAddressLocationsInAnyWindow: atMost(
    'steady `updateAddressLocations` in any one sync window',
    1,
    (f) => f.steady.maxUpdateAddressLocationsInAnyWindow,
    (f) => `${n(f.steady.maxUpdateAddressLocationsInAnyWindow)} (${n(f.steady.updateAddressLocationsCalls)} calls in ${n(f.steady.syncWindows)} windows of ${n(f.steady.syncWindowMs / 1_000, 1)} s)`,
  ),
  writeBudgetShare: atMost('steady share of the NRP write budget (%)', 10, (f) => f.steady.writeBudgetShare * 100, (f) => `${n(f.steady.writeBudgetShare * 100, 1)} %`),
  serviceBusOperationsPerChange: atMost('Service Bus operations per change (steady)', 1, (f) => f.cost.perChange.serviceBusOperations, (f) => n(f.cost.perChange.serviceBusOperations, 2)),
  busyMsPerChange: atMost('function busy time per change, steady (ms)', 5, (f) => f.cost.perChange.busyMs, (f) => `${n(f.cost.perChange.busyMs, 1)} ms`),
  decidePodEventsPerSecond: atLeast('`decide()`, one Pod event per call (events/s)', 10_000, (f) => decideRate(f, POD_EVENT)),
  decideSliceEventsPerSecond: atLeast('`decide()`, one EndpointSlice event per call (events/s)', 10_000, (f) => decideRate(f, SLICE_EVENT)),
  syncCompletionsPerSecond: atLeast('`decide()`, one sync completion per call (/s)', 2_000, (f) => decideRate(f, SYNC_COMPLETION)),
  functionHostPeakMiB: atMost('function host peak RSS (MiB)', 400, (f) => f.memory.functionHostPeakMiB, (f) => `${n(f.memory.functionHostPeakMiB)} MiB (set-up ${n(f.memory.functionHostSetupPeakMiB)})`),
  forwarderPeakMiB: atMost('forwarder peak RSS (MiB)', 256, (f) => f.memory.forwarderPeakMiB, (f) => `${n(f.memory.forwarderPeakMiB)} MiB (${n(f.memory.forwarderMeasuredMaxMiB)} during the workloads)`),
  monthlyUsd: atMost('monthly cost of the steady workload (USD)', 100, (f) => f.cost.monthlyUsd.total, (f) => `$${n(f.cost.monthlyUsd.total, 2)} (${n(f.cost.instanceMemoryMb)} MB instance)`),
  sessionLockLosses: atMost(
    'session-lock losses (redelivered batches), all workloads',
    0,
    lockLosses,
    (f) => {
      const closed = f.workloads.steady.functions.closedBeforeInvocation + f.workloads.burst.functions.closedBeforeInvocation + f.workloads.wave.functions.closedBeforeInvocation;
      return `${n(lockLosses(f))} (steady ${n(f.workloads.steady.functions.failedInvocations)}, burst ${n(f.workloads.burst.functions.failedInvocations)}, wave ${n(f.workloads.wave.functions.failedInvocations)}); besides, ${n(closed)} delivered again unworked after the SDK closed the receiver`;
    },
  ),
  waveOverBudgetFloor: atMost('creation wave ÷ its budget floor (writes it needs ÷ write rate + one load balancer create)', 1.15, (f) => f.waveBudgetFloor.convergedOverFloor, (f) => {
    const w = f.waveBudgetFloor;
    return `${n(w.convergedS, 1)} s ÷ ${n(w.floorS, 1)} s = ${n(w.convergedOverFloor, 2)} (${n(w.creationWrites)} writes at ${n(w.writesPerSecond, 2)}/s + ${n(w.lbCreateS, 1)} s)`;
  }),
};

const round = (x: number): number => Math.round(x * 1_000) / 1_000;

export function issueTargetFigures(f: MeasuredFigures): Record<IssueTargetId, TargetFigure> {
  return Object.fromEntries(ISSUE_TARGET_IDS.map((id) => [id, { measured: round(RULES[id].measured(f)), bound: RULES[id].bound }])) as Record<IssueTargetId, TargetFigure>;
}

export function targetMet(id: IssueTargetId, t: TargetFigure): boolean {
  return RULES[id].direction === 'atMost' ? t.measured <= t.bound : t.measured >= t.bound;
}

export function issueTargetVerdicts(targets: Readonly<Record<IssueTargetId, TargetFigure>>): Record<IssueTargetId, boolean> {
  return Object.fromEntries(ISSUE_TARGET_IDS.map((id) => [id, targetMet(id, targets[id])])) as Record<IssueTargetId, boolean>;
}

/** The table's rows: title, measured (with what it came from), bound, verdict. */
export function issueTargetRows(f: Figures): { readonly title: string; readonly measured: string; readonly bound: string; readonly met: boolean }[] {
  return ISSUE_TARGET_IDS.map((id) => {
    const r = RULES[id];
    return { title: r.title, measured: r.shown(f), bound: `${r.direction === 'atMost' ? '≤' : '≥'} ${n(r.bound, r.bound % 1 === 0 ? 0 : 2)}`, met: targetMet(id, f.issueTargets[id]) };
  });
}
