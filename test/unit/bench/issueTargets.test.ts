// Issue 15's targets as the full run judges them: the creation wave's budget floor from the wave's
// own writes and the configured write rate, and the direction of each bound.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ISSUE_TARGET_IDS, issueTargetVerdicts, targetMet } from '../../../bench/report/issueTargets.ts';
import type { IssueTargetId, TargetFigure } from '../../../bench/report/issueTargets.ts';
import { waveBudgetFloor } from '../../../bench/report/waveBudgetFloor.ts';
import { DEFAULT_BUDGETS } from '../../../shared/azure/throttleDefaults.ts';

/** The wave of docs/benchmarks.md's run at 0c82f02: 200 Services, 3 creation writes each, 52 syncs, 511.5 s. */
const WAVE = {
  convergedMs: 511_500,
  nrpWrites: {
    calls: { 'publicIPAddresses.createOrUpdate': 200, 'loadBalancers.createOrUpdate': 200, updateServices: 200, updateAddressLocations: 52, total: 652 },
    per1000Changes: {},
    throttled: 0,
  },
};

describe('waveBudgetFloor', () => {
  it('is the creation writes at the configured write rate plus one load balancer create', () => {
    const w = waveBudgetFloor(WAVE, 20_000);
    assert.equal(w.creationWrites, 600);
    assert.equal(w.writesPerSecond, 1.667);
    assert.equal(w.floorS, 380);
    assert.equal(w.convergedOverFloor, 1.346);
  });

  it('follows the configured budget, not a fixed rate', () => {
    const w = waveBudgetFloor(WAVE, 2_000, { ...DEFAULT_BUDGETS.write, share: 1 });
    assert.equal(w.floorS, 182);
  });
});

describe('issue 15 target verdicts', () => {
  it('an upper bound is met at the bound and not above it; a lower bound the other way round', () => {
    assert.equal(targetMet('steadyP99Ms', { measured: 6_500, bound: 6_500 }), true);
    assert.equal(targetMet('steadyP99Ms', { measured: 6_501, bound: 6_500 }), false);
    assert.equal(targetMet('decidePodEventsPerSecond', { measured: 10_000, bound: 10_000 }), true);
    assert.equal(targetMet('decidePodEventsPerSecond', { measured: 9_999, bound: 10_000 }), false);
    assert.equal(targetMet('sessionLockLosses', { measured: 1, bound: 0 }), false);
  });

  it('a figure that could not be read (NaN) meets nothing', () => {
    const all = Object.fromEntries(ISSUE_TARGET_IDS.map((id) => [id, { measured: NaN, bound: 1 }])) as Record<IssueTargetId, TargetFigure>;
    assert.ok(Object.values(issueTargetVerdicts(all)).every((met) => !met));
  });
});
