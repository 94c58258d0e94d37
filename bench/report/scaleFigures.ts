// The figures of `npm run bench -- --scale`: per cluster size, what one change of the steady churn
// costs (function busy time, Table transactions, Service Bus operations) and its p99 event-to-NRP
// latency; each normalised to the smallest size, and the largest size over the smallest.
import type { ScaleSizeMeasurement } from '../runScale.ts';
import { addressesOf } from '../workload/shapes.ts';
import { modelParameters } from './figures.ts';
import { workloadFigures } from './workloadFigures.ts';

export const SCALE_METRICS = ['busyMsPerChange', 'tableTransactionsPerChange', 'serviceBusOperationsPerChange', 'p99Ms'] as const;
export type ScaleMetric = (typeof SCALE_METRICS)[number];

export const SCALE_METRIC_TITLES: Readonly<Record<ScaleMetric, string>> = {
  busyMsPerChange: 'function busy time per change',
  tableTransactionsPerChange: 'Table transactions per change',
  serviceBusOperationsPerChange: 'Service Bus operations per change',
  p99Ms: 'p99 event-to-NRP latency',
};

/** Issue 15's target: the largest cluster's figures within this factor of the smallest's. */
export const SCALE_RATIO_BOUND = 1.3;

export interface ScaleSizeFigures {
  readonly factor: number;
  readonly services: number;
  readonly addresses: number;
  readonly nodes: number;
  readonly objects: number;
  readonly changes: number;
  readonly setupDurationS: number;
  readonly convergedS: number;
  readonly functionHostPeakMiB: number;
  readonly forwarderPeakMiB: number;
  readonly perChange: Readonly<Record<ScaleMetric, number>>;
  /** perChange over the smallest size's. */
  readonly normalised: Readonly<Record<ScaleMetric, number>>;
}

export interface ScaleFigures {
  readonly sizes: readonly ScaleSizeFigures[];
  /** The largest size's figure over the smallest's (4x / 1x). */
  readonly largestOverSmallest: Readonly<Record<ScaleMetric, number>>;
  readonly ratioBound: number;
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;
const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);

/** Below any figure measured (they are rounded to thousandths): a base of 0 counts as this. */
const TINY = 1e-9;

/** x over base; 0 over 0 is 1, and x over 0 stays finite (and huge) where JSON has no Infinity. */
export function ratioOf(x: number, base: number): number {
  if (x === 0 && base === 0) return 1;
  return round(x / Math.max(base, TINY));
}

function perChangeOf(s: ScaleSizeMeasurement, writeMs: number, lbCreateMs: number): Record<ScaleMetric, number> {
  const f = workloadFigures(s.steady, modelParameters(writeMs, lbCreateMs));
  return {
    busyMsPerChange: round((f.functions.busySeconds * 1_000) / f.changes),
    tableTransactionsPerChange: f.tableTransactions.perChange,
    serviceBusOperationsPerChange: f.serviceBus.operationsPerChange,
    p99Ms: f.latencyMs.p99,
  };
}

function ratios(x: Readonly<Record<ScaleMetric, number>>, base: Readonly<Record<ScaleMetric, number>>): Record<ScaleMetric, number> {
  return Object.fromEntries(SCALE_METRICS.map((k) => [k, ratioOf(x[k], base[k])])) as Record<ScaleMetric, number>;
}

export function scaleFiguresOf(measured: readonly ScaleSizeMeasurement[], writeMs: number, lbCreateMs: number): ScaleFigures {
  const sorted = [...measured].sort((a, b) => a.factor - b.factor);
  const perChange = sorted.map((s) => perChangeOf(s, writeMs, lbCreateMs));
  const base = perChange[0];
  const last = perChange.at(-1);
  if (!base || !last) throw new Error('a scale run needs at least one size');
  const sizes = sorted.map((s, i): ScaleSizeFigures => {
    const own = perChange[i] ?? base;
    return {
      factor: s.factor,
      services: s.cluster.services,
      addresses: addressesOf(s.cluster),
      nodes: s.cluster.nodes,
      objects: s.setup.objects,
      changes: s.steady.applied.length,
      setupDurationS: round(s.setup.durationMs / 1_000, 1),
      convergedS: round(s.steady.convergedMs / 1_000, 1),
      functionHostPeakMiB: mib(s.functionHostPeakRssBytes),
      forwarderPeakMiB: mib(s.forwarderPeakRssBytes),
      perChange: own,
      normalised: ratios(own, base),
    };
  });
  return { sizes, largestOverSmallest: ratios(last, base), ratioBound: SCALE_RATIO_BOUND };
}

/** Per figure: is the largest size within the bound of the smallest? */
export function scaleVerdicts(f: ScaleFigures): Record<ScaleMetric, boolean> {
  return Object.fromEntries(SCALE_METRICS.map((k) => [k, f.largestOverSmallest[k] <= f.ratioBound])) as Record<ScaleMetric, boolean>;
}
