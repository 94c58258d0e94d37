// The system model tier (issue 13 item 13): generated cluster histories, not scripted ones. Label
// edits, same-name re-creation, node IP changes, pods before nodes, a second forwarder's late list
// and watch, oversize objects, ARM 400/409/429/500 on every operation, sync failures, API-server
// and bus outages, lost Kubernetes actions and host restarts at any step, all through the pure
// engine against the World's strict NRP model (test/support/model/).
//
// Invariants: at every step no live admitted Service's load balancer or public IP is deleted or
// lost; once the faults stop and everything settles, NRP equals what the cluster asks for and no
// finalizer is stuck. A failure prints its seed and path; replay it with
//   MODEL_SEED=<seed> MODEL_PATH=<path> node --test test/property/systemModel.property.test.ts
// MODEL_RUNS=<n> runs more (the default keeps `npm run test:property` fast).
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stepArb } from '../support/model/steps.ts';
import { SystemModel } from '../support/model/system.ts';

const RUNS = Number(process.env.MODEL_RUNS ?? 400);
const SEED = Number(process.env.MODEL_SEED ?? (process.env.CI ? 20_261_204 : Date.now() % 2 ** 31));
const PATH = process.env.MODEL_PATH;
const replay = { seed: SEED, ...(PATH === undefined ? {} : { path: PATH, endOnFailure: true }) };

describe('system model', () => {
  it(`never deletes a live admitted Service's load balancer, and converges once faults stop (${RUNS} runs, seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.array(stepArb({ terminal: false }), { minLength: 5, maxLength: 80, size: 'max' }), fc.integer(), (steps, seed) => {
        const m = new SystemModel(seed);
        for (const s of steps) m.step(s);
        m.stopFaultsAndSettle();
      }),
      { numRuns: RUNS, includeErrorInReport: true, ...replay },
    );
  });

  it(`keeps the safety invariant with terminal ARM and sync refusals too (${Math.max(100, Math.floor(RUNS / 4))} runs, seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.array(stepArb({ terminal: true }), { minLength: 5, maxLength: 80, size: 'max' }), fc.integer(), (steps, seed) => {
        const m = new SystemModel(seed);
        for (const s of steps) m.step(s);
        m.w.losingKubeActions = false;
        m.w.settle(5_000);
        m.step({ t: 'tick', ms: 0 });
      }),
      { numRuns: Math.max(100, Math.floor(RUNS / 4)), includeErrorInReport: true, ...replay },
    );
  });
});
