// The pod index that decide() keeps in step event by event equals the one built from scratch, and
// a LayeredMap behaves as a Map through forks (docs/adr/0023).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decide } from '../../shared/engine/decide.ts';
import { LayeredMap } from '../../shared/engine/layeredMap.ts';
import { podIndexOf } from '../../shared/engine/podIndex.ts';
import type { PodIndex } from '../../shared/engine/podIndex.ts';
import type { ClusterState, EngineEvent } from '../../shared/engine/types.ts';
import { POD_FINALIZER } from '../../shared/engine/types.ts';
import { viewOf } from '../../shared/engine/view.ts';
import { ctxAt, deleted, pod, syncedState, upsertPod } from '../support/builders.ts';

function plain(index: PodIndex): { live: [string, string[]][]; held: string[] } {
  const live = [...index.liveByIdentity].map(([identity, keys]): [string, string[]] => [identity, [...keys.keys()].sort()]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return { live, held: [...index.held.keys()].sort() };
}

const podEvent = fc.record({
  name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
  label: fc.constantFrom(null, 'id-1', 'id-2', 'bad label!'),
  finalizer: fc.boolean(),
  deleting: fc.boolean(),
  phase: fc.constantFrom('Running', 'Succeeded', 'Pending'),
  ip: fc.constantFrom(['10.244.0.1'], [], ['10.244.0.2']),
  incarnation: fc.constantFrom(1, 2),
  remove: fc.boolean(),
});

describe('pod index', () => {
  it('kept in step by decide() equals the index rebuilt from the pods, after any event sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.array(podEvent, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 }), (batches) => {
        let state: ClusterState = syncedState(0);
        let rv = 10;
        for (const batch of batches) {
          const events: EngineEvent[] = batch.map((p) => {
            rv += 1;
            const uid = `uid-${p.name}-${p.incarnation}`;
            if (p.remove) return deleted('Pod', { name: p.name, uid, resourceVersion: String(rv) });
            return upsertPod(
              pod(p.name, p.label, { uid, resourceVersion: String(rv), phase: p.phase, deleting: p.deleting, podIPs: [...p.ip], finalizers: p.finalizer ? [POD_FINALIZER] : [] }),
            );
          });
          state = decide(state, events, ctxAt(rv)).state;
          assert.deepEqual(plain(viewOf(state).kubePodIndex), plain(podIndexOf(new Map(state.kube.pods))));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('LayeredMap', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 40 }), value: fc.integer() }),
    fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 40 }) }),
    fc.record({ kind: fc.constant('fork' as const) }),
    fc.record({ kind: fc.constant('iterate' as const) }),
  );

  it('has a Map\'s contents and iteration order through any writes and forks, and never changes a map it forked', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        let model = new Map<number, number>();
        let map: Map<number, number> = LayeredMap.fork(new Map());
        const forked: [ReadonlyMap<number, number>, [number, number][]][] = [];
        for (const o of ops) {
          if (o.kind === 'set') {
            model.set(o.key, o.value);
            map.set(o.key, o.value);
          } else if (o.kind === 'delete') {
            assert.equal(map.delete(o.key), model.delete(o.key));
          } else if (o.kind === 'fork') {
            forked.push([map, [...model]]);
            map = LayeredMap.fork(map);
            model = new Map(model);
          } else {
            assert.deepEqual([...map], [...model]);
          }
          assert.equal(map.size, model.size);
          for (let k = 0; k <= 40; k++) {
            assert.equal(map.has(k), model.has(k));
            assert.equal(map.get(k), model.get(k));
          }
        }
        assert.deepEqual([...map], [...model]);
        for (const [m, entries] of forked) assert.deepEqual([...m], entries);
      }),
      { numRuns: 300 },
    );
  });
});
