// Telling an early locations trigger (the engine has not saved its sync yet) from a stale one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_DEFERRALS, awaitSync, deferredTrigger, lookUpSync, sequenceOf } from '../../../functions/awaitSync.ts';
import { initialState } from '../../../shared/engine/state.ts';
import type { ClusterState } from '../../../shared/engine/types.ts';

const withSync = (sequence: number, syncId: string | null): ClusterState => {
  const s = initialState('c1');
  return { ...s, sequence, sync: { ...s.sync, inFlight: syncId === null ? null : { syncId, requests: [], startedAt: 0 } } };
};

describe('early locations triggers', () => {
  it('reads the engine sequence number out of a sync id', () => {
    assert.equal(sequenceOf('c1:sync:42'), 42);
    assert.equal(sequenceOf('my:cluster:sync:7'), 7);
    assert.equal(sequenceOf('c1:sync:x'), null);
  });

  it('finds the sync in flight, knows a closed one is stale, and an unsaved one early', () => {
    assert.equal(lookUpSync(withSync(5, 'c1:sync:5'), 'c1:sync:5').kind, 'inFlight');
    assert.equal(lookUpSync(withSync(9, 'c1:sync:9'), 'c1:sync:5').kind, 'stale');
    assert.equal(lookUpSync(withSync(5, null), 'c1:sync:5').kind, 'stale');
    assert.equal(lookUpSync(withSync(4, null), 'c1:sync:5').kind, 'notSavedYet');
  });

  it('re-reads the state until the engine saved the sync', async () => {
    const states = [withSync(4, null), withSync(4, null), withSync(6, 'c1:sync:5')];
    const waited: number[] = [];
    const found = await awaitSync(() => Promise.resolve(states.shift() ?? withSync(6, null)), 'c1:sync:5', [10, 20, 40], (ms) => {
      waited.push(ms);
      return Promise.resolve();
    });
    assert.equal(found.kind, 'inFlight');
    assert.deepEqual(waited, [10, 20]);
  });

  it('puts the trigger back under a new id each time, and stops after the last deferral', () => {
    const first = deferredTrigger({ v: 1, cluster: 'c1', syncId: 'c1:sync:5' }, 1_000);
    const second = deferredTrigger({ v: 1, cluster: 'c1', syncId: 'c1:sync:5', deferrals: 1 }, 1_000);
    assert.ok(first && second);
    assert.notEqual(first.messageId, second.messageId);
    assert.equal(first.sessionId, 'c1');
    assert.deepEqual(first.scheduledEnqueueTimeUtc, new Date(6_000));
    assert.deepEqual(first.body, { v: 1, cluster: 'c1', syncId: 'c1:sync:5', deferrals: 1 });
    assert.equal(deferredTrigger({ v: 1, cluster: 'c1', syncId: 'c1:sync:5', deferrals: MAX_DEFERRALS }, 0), null);
  });
});
