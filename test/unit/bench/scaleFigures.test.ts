// The scale run's figures: per size, what one steady change costs, normalised to the smallest size,
// and the largest over the smallest against issue 15's 1.3x.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkloadMeasurement } from '../../../bench/measure/runWorkload.ts';
import { SCALE_METRICS, ratioOf, scaleFiguresOf, scaleVerdicts } from '../../../bench/report/scaleFigures.ts';
import type { ScaleSizeMeasurement } from '../../../bench/runScale.ts';
import type { PlannedChange } from '../../../bench/workload/plannedChange.ts';
import { FULL, scaledShapes } from '../../../bench/workload/shapes.ts';

const CHANGES = 100;

/** A steady churn of CHANGES changes that cost what `cost` says, all of them `latencyMs` late. */
function steady(cost: { busyMs: number; tables: number; busOps: number; latencyMs: number }): WorkloadMeasurement {
  const change: PlannedChange = { atMs: 0, kind: 'egressPodDeleted', write: { op: 'delete', kind: 'Pod', namespace: 'egress', name: 'p' }, expect: [] };
  const applied = Array.from({ length: CHANGES }, (_, i) => ({ change: { ...change, atMs: i * 20 }, atMs: i * 20 }));
  return {
    applied,
    reflected: applied.map((a) => ({ kind: a.change.kind, appliedAtMs: a.atMs, latencyMs: cost.latencyMs })),
    appliedOverMs: 2_000,
    lastReflectedMs: 2_000 + cost.latencyMs,
    convergedMs: 10_000,
    counters: {
      nrpWrites: { updateAddressLocations: 2 },
      tableRequests: { batch: cost.tables * CHANGES },
      busByQueue: { 'engine-events': { sent: cost.busOps * CHANGES, duplicates: 0, sendCalls: 1, delivered: 0, settled: 0, management: 0 } },
      executions: { engine: 3 },
      failedInvocations: 0,
      closedBeforeInvocation: 0,
      busyMs: cost.busyMs * CHANGES,
      forwarderMessages: CHANGES,
    },
    writes: [],
    forwarderRssBytes: 0,
    harnessDelayMs: { p99: 0, max: 0 },
    loadAverage: 0,
  };
}

function size(factor: number, cost: { busyMs: number; tables: number; busOps: number; latencyMs: number }): ScaleSizeMeasurement {
  return {
    factor,
    cluster: scaledShapes(FULL, factor).cluster,
    setup: { objects: 7_102 * factor, durationMs: 100_000 * factor, functionHostPeakRssBytes: 2 ** 28 },
    steady: steady(cost),
    functionHostPeakRssBytes: 2 ** 28,
    forwarderPeakRssBytes: 2 ** 27,
  };
}

describe('scaledShapes', () => {
  it('makes 4x of the full cluster 4,000 Services, 100,000 addresses and 400 nodes at the same churn', () => {
    const x4 = scaledShapes(FULL, 4);
    assert.equal(x4.cluster.services, 4_000);
    assert.equal(x4.cluster.nodes, 400);
    assert.equal(x4.cluster.services * x4.cluster.endpointsPerService + x4.cluster.identities * x4.cluster.podsPerIdentity, 100_000);
    assert.deepEqual(x4.churn, FULL.churn);
  });
});

describe('scaleFiguresOf', () => {
  const one = { busyMs: 10, tables: 0.5, busOps: 2, latencyMs: 4_000 };
  const four = { busyMs: 12, tables: 1, busOps: 2, latencyMs: 5_000 };
  const f = scaleFiguresOf([size(4, four), size(1, one), size(2, one)], 200, 20_000);

  it('gives each size its per-change figures, smallest first', () => {
    assert.deepEqual(f.sizes.map((s) => s.factor), [1, 2, 4]);
    assert.deepEqual(f.sizes.map((s) => s.addresses), [25_000, 50_000, 100_000]);
    assert.deepEqual(f.sizes[2]?.perChange, { busyMsPerChange: 12, tableTransactionsPerChange: 1, serviceBusOperationsPerChange: 2, p99Ms: 5_000 });
  });

  it('normalises every size to the smallest, and divides the largest by the smallest', () => {
    for (const k of SCALE_METRICS) assert.equal(f.sizes[0]?.normalised[k], 1, k);
    assert.deepEqual(f.largestOverSmallest, { busyMsPerChange: 1.2, tableTransactionsPerChange: 2, serviceBusOperationsPerChange: 1, p99Ms: 1.25 });
    assert.deepEqual(f.sizes[2]?.normalised, f.largestOverSmallest);
  });

  it('meets the bound per figure where 4x is within 1.3x of 1x', () => {
    assert.deepEqual(scaleVerdicts(f), { busyMsPerChange: true, tableTransactionsPerChange: false, serviceBusOperationsPerChange: true, p99Ms: true });
  });

  it('keeps ratios finite when the smallest size measured 0', () => {
    assert.equal(ratioOf(0, 0), 1);
    assert.ok(Number.isFinite(ratioOf(3, 0)) && ratioOf(3, 0) > 1e6);
  });
});
