// A state decide() returned never changes afterwards, and the same state decided twice (a conflict
// retry, decideWithinLimits' second call, a kept state reused) gives the same result both times:
// the LayeredMaps of the two decisions share the state's bases (docs/adr/0023).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decide } from '../../shared/engine/decide.ts';
import type { ClusterState, EngineEvent } from '../../shared/engine/types.ts';
import { POD_FINALIZER } from '../../shared/engine/types.ts';
import { rowsOf } from '../../shared/state/stateRows.ts';
import { ctxAt, deleted, node, pod, service, slice, syncedState, uidOf, upsertNode, upsertPod, upsertService, upsertSlice } from '../support/builders.ts';

const event = fc.record({
  what: fc.constantFrom('pod', 'podGone', 'service', 'slice', 'node'),
  name: fc.constantFrom('a', 'b', 'c'),
  label: fc.constantFrom(null, 'id-1', 'id-2'),
  ip: fc.constantFrom('10.244.0.1', '10.244.0.2'),
  finalizer: fc.boolean(),
});

type Ev = { what: string; name: string; label: string | null; ip: string; finalizer: boolean };

function toEvent(e: Ev, rv: number): EngineEvent {
  const resourceVersion = String(rv);
  switch (e.what) {
    case 'pod':
      return upsertPod(pod(e.name, e.label, { uid: `uid-${e.name}`, resourceVersion, podIPs: [e.ip], finalizers: e.finalizer ? [POD_FINALIZER] : [] }));
    case 'podGone':
      return deleted('Pod', { name: e.name, uid: `uid-${e.name}`, resourceVersion });
    case 'service':
      return upsertService(service(`svc-${e.name}`, { resourceVersion }));
    case 'slice':
      return upsertSlice(slice(`svc-${e.name}-1`, uidOf(`svc-${e.name}`), [{ ip: e.ip, node: 'node-a' }], { resourceVersion }));
    default:
      return upsertNode(node('node-a', [e.ip === '10.244.0.1' ? '10.0.0.4' : '10.0.0.5'], { resourceVersion }));
  }
}

const rows = (s: ClusterState): [string, string][] => [...rowsOf(s)];

describe('a decided state', () => {
  it('never changes when decided again, twice over, and gives the same decision both times', () => {
    fc.assert(
      fc.property(fc.array(fc.array(event, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 10 }), fc.array(event, { minLength: 1, maxLength: 4 }), (batches, retry) => {
        let state = syncedState(0);
        let rv = 10;
        for (const batch of batches) {
          const before = rows(state);
          const events = batch.map((e) => toEvent(e, ++rv));
          const retried = retry.map((e) => toEvent(e, ++rv));
          const a = decide(state, retried, ctxAt(rv));
          const b = decide(state, retried, ctxAt(rv));
          assert.deepEqual(rows(a.state), rows(b.state));
          assert.deepEqual(a.commands, b.commands);
          const next = decide(state, events, ctxAt(rv)).state;
          rows(a.state);
          decide(a.state, events, ctxAt(rv + 1));
          assert.deepEqual(rows(state), before);
          state = next;
        }
      }),
      { numRuns: 200 },
    );
  });
});
