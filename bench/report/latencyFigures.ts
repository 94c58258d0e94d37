// Percentiles of a set of latencies (nearest rank, whole ms: the scenario reports' rule).
import { percentile } from '../../local/scenario/latency.ts';

export interface LatencyFigures {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export function latencyFigures(samples: readonly number[]): LatencyFigures {
  return {
    count: samples.length,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: percentile(samples, 100),
  };
}
