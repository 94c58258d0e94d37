// One benchmark run, start to end: engine figures; the pipeline with the function host and the
// forwarder in processes of their own; the steady state built fast (no NRP latency, a raised
// write budget, NRP's own limit lifted); then production pacing and realistic NRP latency for the
// measured workloads, churn, burst and creation wave, one after the other on the same cluster.
import { measureChurn, measureDiffs } from './engine.ts';
import type { ChurnRow, DiffRow, EngineBenchRuns } from './engine.ts';
import { runWorkload } from './measure/runWorkload.ts';
import type { WorkloadMeasurement } from './measure/runWorkload.ts';
import { withSteadyState } from './steadyState.ts';
import { planBench } from './workload/plan.ts';
import type { BenchPlan } from './workload/plan.ts';
import type { WorkloadShapes } from './workload/shapes.ts';

export { NRP_LIMITS } from './steadyState.ts';

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

export async function runBench(o: BenchOptions): Promise<BenchMeasurements> {
  o.log('engine: decide() throughput and the 100,000-address diff');
  const locationsDiff = measureDiffs(o.engineRuns);
  const decide = measureChurn(o.engineRuns);
  const plan = planBench(o.shapes, o.seed);

  return withSteadyState({ ...o, initial: plan.initial, setupScale: 1 }, async ({ run, setup, stop }) => {
    o.log(`steady: ${plan.churn.length} changes over ${o.shapes.churn.seconds} s`);
    const steady = await runWorkload('steady', plan.churn, run);
    o.log(`burst: ${plan.burst.length} changes at once (${plan.drainedNodes.length} nodes drain)`);
    const burst = await runWorkload('burst', plan.burst, run);
    o.log(`wave: ${o.shapes.wave.services} Services within ${o.shapes.wave.withinMs} ms`);
    const wave = await runWorkload('wave', plan.wave, run);

    const loads: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await run.pipeline.engineState();
      loads.push(performance.now() - t);
    }
    const peaks = await stop();
    return {
      plan,
      engine: { decide: { rows: decide.rows, setupMs: decide.setupMs }, locationsDiff },
      setup,
      workloads: { steady, burst, wave },
      memory: {
        functionHostPeakRssBytes: peaks.functionHostPeakRssBytes,
        forwarderPeakRssBytes: peaks.forwarderPeakRssBytes,
        forwarderMeasuredRssBytes: Math.max(steady.forwarderRssBytes, burst.forwarderRssBytes, wave.forwarderRssBytes),
      },
      stateLoadMs: Math.round([...loads].sort((a, b) => a - b)[1] ?? 0),
    };
  });
}
