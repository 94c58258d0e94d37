// The JSON a run writes (bench/results/<timestamp>.json): where it ran, with what, and under
// `figures` only numbers, so that a smoke test can check every figure is there and numeric.
import type { WorkloadName } from '../runBench.ts';
import type { RunContext } from '../runContext.ts';
import type { IssueTargetId, TargetFigure } from './issueTargets.ts';
import type { LatencyFigures } from './latencyFigures.ts';
import type { WaveBudgetFloor } from './waveBudgetFloor.ts';
import type { WorkloadFigures } from './workloadFigures.ts';

export interface SteadyTargetFigures {
  readonly syncWindowMs: number;
  readonly updateAddressLocationsCalls: number;
  /** Sync windows from the first change to the last updateAddressLocations. */
  readonly syncWindows: number;
  readonly updateAddressLocationsPerWindow: number;
  /** Most updateAddressLocations calls landing within any one window-long interval. */
  readonly maxUpdateAddressLocationsInAnyWindow: number;
  readonly p99Ms: number;
  /** 2 sync windows + one NRP round trip (the simulator's write latency). */
  readonly p99LimitMs: number;
  /** NRP writes per 5 minutes while the workload runs, over NRP's 1,000: this project, then the baselines. */
  readonly writeBudgetShare: number;
  readonly writeBudgetShareNaive: number;
  readonly writeBudgetShareUpstreamShaped: number;
}

export interface CostFigures {
  readonly perChange: {
    readonly tableTransactions: number;
    readonly serviceBusOperations: number;
    readonly executions: number;
    readonly busyMs: number;
  };
  readonly changesPerSecond: number;
  readonly changesPerMonth: number;
  readonly instanceMemoryMb: number;
  readonly monthlyUsd: { readonly table: number; readonly serviceBus: number; readonly functions: number; readonly total: number };
}

export interface Figures {
  readonly engine: {
    readonly decideEventsPerSecond: Readonly<Record<string, number>>;
    readonly locationsDiff100kMedianMs: Readonly<Record<string, number>>;
  };
  readonly setup: { readonly objects: number; readonly durationS: number };
  readonly workloads: Readonly<Record<WorkloadName, WorkloadFigures>>;
  readonly steady: SteadyTargetFigures;
  readonly memory: {
    readonly functionHostPeakMiB: number;
    readonly functionHostSetupPeakMiB: number;
    readonly forwarderPeakMiB: number;
    readonly forwarderMeasuredMaxMiB: number;
  };
  readonly cost: CostFigures;
  /** The harness's own load: its event-loop delay per workload, and one full state read from Azurite. */
  readonly harness: {
    readonly eventLoopDelayP99Ms: Readonly<Record<WorkloadName, number>>;
    readonly eventLoopDelayMaxMs: Readonly<Record<WorkloadName, number>>;
    /** The machine's 1-minute load average as each workload converged (2 cores). */
    readonly loadAverage: Readonly<Record<WorkloadName, number>>;
    readonly stateLoadMs: number;
  };
  readonly waveBudgetFloor: WaveBudgetFloor;
  /** Issue 15's targets, measured and bound (the verdicts are under the result's `targets`). */
  readonly issueTargets: Readonly<Record<IssueTargetId, TargetFigure>>;
}

export interface BenchResult extends RunContext {
  readonly benchmark: 'npm run bench';
  readonly mode: 'full' | 'quick';
  readonly startedAt: string;
  readonly elapsedS: number;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly targets: Readonly<Record<'oneUpdateAddressLocationsPerWindow' | 'p99UnderTwoWindowsPlusRoundTrip' | 'underTenPercentOfWriteBudget' | IssueTargetId, boolean>>;
  readonly notes: readonly string[];
  readonly figures: Figures;
  /** What the figures were computed from, for a reader who wants to look closer. */
  readonly detail: Readonly<Record<WorkloadName, WorkloadDetail>>;
}

export interface WorkloadDetail {
  /** When each updateAddressLocations landed in NRP, ms from the workload's start. */
  readonly updateAddressLocationsAtMs: readonly number[];
  /** Event-to-NRP latency by kind of change. */
  readonly latencyByKindMs: Readonly<Record<string, LatencyFigures>>;
}
