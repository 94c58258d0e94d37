// The op index that decide() keeps in step op write by op write equals the one built from the ops
// map, order included: the passes that use it emit in ops-map order (docs/adr/0023).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decide } from '../../shared/engine/decide.ts';
import { inOpsOrder, opIndexOf } from '../../shared/engine/opIndex.ts';
import type { OpIndex } from '../../shared/engine/opIndex.ts';
import type { ClusterState, EngineEvent, ServiceOperation } from '../../shared/engine/types.ts';
import { ctxAt, deleted, seededRandom, service, syncedState, uidOf, upsertService } from '../support/builders.ts';

/** What an index says, in terms a rebuilt one must agree on (places differ, their order must not). */
function plain(index: OpIndex): { order: string[]; unsettled: string[] } {
  return { order: inOpsOrder(index, index.place.keys()), unsettled: [...index.unsettled.keys()].sort() };
}

const NAMES = ['svc-1', 'svc-2', 'svc-3', 'svc-4'];

const action = fc.oneof(
  fc.record({ t: fc.constant('upsert' as const), name: fc.constantFrom(...NAMES), port: fc.constantFrom(80, 81), lb: fc.boolean() }),
  fc.record({ t: fc.constant('delete' as const), name: fc.constantFrom(...NAMES) }),
  fc.record({ t: fc.constant('complete' as const), pick: fc.nat(), outcome: fc.constantFrom('success', 'retry', 'terminal') }),
  fc.record({ t: fc.constant('tick' as const), ms: fc.constantFrom(1, 5_000, 60_000, 600_000) }),
);

describe('op index', () => {
  it('kept in step by decide() equals the index rebuilt from the ops, after any sequence of ops written and dropped', () => {
    fc.assert(
      fc.property(fc.array(fc.array(action, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 20 }), fc.nat(), (batches, seed) => {
        let state: ClusterState = syncedState(0);
        const random = seededRandom(seed);
        const pending: ServiceOperation[] = [];
        let now = 1;
        let rv = 10;
        for (const batch of batches) {
          const events: EngineEvent[] = [];
          for (const a of batch) {
            rv += 1;
            if (a.t === 'upsert') {
              const s = service(a.name, { resourceVersion: String(rv), type: a.lb ? 'LoadBalancer' : 'ClusterIP', ports: [{ name: 'http', protocol: 'TCP', port: a.port, targetPort: 8080 }] });
              events.push(upsertService(s));
            } else if (a.t === 'delete') events.push(deleted('Service', { name: a.name, uid: uidOf(a.name), resourceVersion: String(rv) }));
            else if (a.t === 'tick') now += a.ms;
            else if (pending.length > 0) {
              const [op] = pending.splice(a.pick % pending.length, 1);
              if (!op) continue;
              const outcome =
                a.outcome === 'success'
                  ? { result: 'success' as const, publicIp: '20.0.0.1' }
                  : { result: 'failure' as const, terminal: a.outcome === 'terminal', code: a.outcome === 'terminal' ? 'InvalidParameter' : 'InternalServerError', message: 'x' };
              events.push({ kind: 'ServiceOperationCompleted', serviceName: op.serviceName, dispatchId: op.dispatchId, outcome });
            }
          }
          const decision = decide(state, events.length > 0 ? events : [{ kind: 'Tick' }], ctxAt(now, {}, random));
          for (const c of decision.commands) if (c.kind === 'DispatchServiceOperation') pending.push(c.operation);
          state = decision.state;
          assert.deepEqual(plain(opIndexOf(state.ops)), plain(opIndexOf(new Map(state.ops))));
        }
      }),
      { numRuns: 300 },
    );
  });
});
