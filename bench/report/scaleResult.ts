// The JSON a scale run writes (bench/results/<timestamp>-scale.json): where it ran, with what, and
// under `figures` only numbers, as the full run's.
import type { RunContext } from '../runContext.ts';
import type { ScaleFigures, ScaleMetric } from './scaleFigures.ts';

export interface ScaleResult extends RunContext {
  readonly benchmark: 'npm run bench -- --scale';
  readonly mode: 'full' | 'quick';
  readonly startedAt: string;
  readonly elapsedS: number;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly figures: ScaleFigures;
  /** Per figure: the largest size within issue 15's bound of the smallest. */
  readonly targets: Readonly<Record<ScaleMetric, boolean>>;
  /** The plot's file, beside this one. */
  readonly plot: string;
}
