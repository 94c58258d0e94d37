// `npm run bench -- --scale`: the steady churn at 1x, 2x and 4x the cluster, each size on a fresh
// pipeline built up to its own steady state, at the same change rate. What a change costs should
// not depend on how large the cluster around it is.
import { runWorkload } from './measure/runWorkload.ts';
import type { WorkloadMeasurement } from './measure/runWorkload.ts';
import { withSteadyState } from './steadyState.ts';
import { planBench } from './workload/plan.ts';
import { scaledShapes } from './workload/shapes.ts';
import type { ClusterShape, WorkloadShapes } from './workload/shapes.ts';

export interface ScaleOptions {
  /** The 1x shapes (only the cluster and the churn are used). */
  readonly shapes: WorkloadShapes;
  readonly factors: readonly number[];
  readonly seed: number;
  readonly writeMs: number;
  readonly lbCreateMs: number;
  readonly pollMs: number;
  /** At 1x; each size gets this times its factor (the set-up's work grows with the cluster). */
  readonly setupTimeoutMs: number;
  readonly workloadTimeoutMs: number;
  readonly log: (line: string) => void;
}

export interface ScaleSizeMeasurement {
  readonly factor: number;
  readonly cluster: ClusterShape;
  readonly setup: { readonly objects: number; readonly durationMs: number; readonly functionHostPeakRssBytes: number };
  readonly steady: WorkloadMeasurement;
  readonly functionHostPeakRssBytes: number;
  readonly forwarderPeakRssBytes: number;
}

export async function runScale(o: ScaleOptions): Promise<ScaleSizeMeasurement[]> {
  const sizes: ScaleSizeMeasurement[] = [];
  for (const factor of o.factors) {
    const shapes = scaledShapes(o.shapes, factor);
    const plan = planBench(shapes, o.seed);
    const log = (line: string): void => o.log(`${factor}x ${line}`);
    log(`cluster of ${shapes.cluster.services} Services, ${shapes.cluster.identities} egress identities, ${shapes.cluster.nodes} nodes`);
    const options = { ...o, log, initial: plan.initial, setupScale: factor, setupTimeoutMs: o.setupTimeoutMs * factor };
    sizes.push(await withSteadyState(options, async ({ run, setup, stop }) => {
      log(`steady: ${plan.churn.length} changes over ${shapes.churn.seconds} s`);
      const steady = await runWorkload('steady', plan.churn, run);
      const peaks = await stop();
      return { factor, cluster: shapes.cluster, setup, steady, ...peaks };
    }));
  }
  return sizes;
}
