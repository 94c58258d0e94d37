// The outbox's running totals: whatever the sequence of puts, replacements of a queued object,
// snapshot puts beyond the bounds, markers, acknowledgements (also of changes replaced since they
// were peeked) and full drains, the byte and object counts it keeps equal a recount of what it
// holds, and a watch change never takes it past either bound.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { QueuedChange } from '../../forwarder/changeQueue.ts';
import { ChangeQueue } from '../../forwarder/changeQueue.ts';
import type { KubeObjectKind } from '../../shared/engine/types.ts';

const RUNS = Number(process.env.ENGINE_PROPERTY_RUNS ?? 2_000);
const SEED = Number(process.env.ENGINE_PROPERTY_SEED ?? (process.env.CI ? 20_261_204 : Date.now() % 2 ** 31));
const BOUNDS = { maxObjects: 6, maxBytes: 400 };
const KINDS: readonly KubeObjectKind[] = ['Service', 'EndpointSlice', 'Node', 'Pod'];

type Op =
  | { readonly op: 'put'; readonly key: number; readonly rv: number; readonly bytes: number; readonly snapshot: boolean }
  | { readonly op: 'marker'; readonly kind: number; readonly bytes: number }
  | { readonly op: 'peek'; readonly n: number }
  | { readonly op: 'ackPeeked' }
  | { readonly op: 'drain' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('put' as const), key: fc.nat(9), rv: fc.nat(20), bytes: fc.integer({ min: 1, max: 150 }), snapshot: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('marker' as const), kind: fc.nat(3), bytes: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('peek' as const), n: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 2, arbitrary: fc.constant({ op: 'ackPeeked' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'drain' as const }) },
);

function change(key: number, rv: number, bytes: number): QueuedChange {
  return { key: `Pod/ns/p${key}/u${key}`, objectKind: 'Pod', marker: false, resourceVersion: String(rv), bytes, message: { queue: 'engine-events', body: { rv }, messageId: `p${key}@${rv}`, sessionId: 'c' } };
}

function marker(kind: KubeObjectKind, bytes: number): QueuedChange {
  return { key: `synced/${kind}`, objectKind: kind, marker: true, bytes, message: { queue: 'engine-events', body: {}, messageId: `synced/${kind}`, sessionId: 'c' } };
}

function recount(q: ChangeQueue): { bytes: number; objects: number } {
  const all = q.peek(Number.MAX_SAFE_INTEGER);
  return { bytes: all.reduce((n, c) => n + c.bytes, 0), objects: all.filter((c) => !c.marker).length };
}

describe(`the outbox's totals (seed ${SEED})`, () => {
  it('equal a recount after any sequence of puts, replacements, acknowledgements and drains', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const q = new ChangeQueue(BOUNDS);
        let peeked: QueuedChange[] = [];
        let forced = false;
        for (const o of ops) {
          switch (o.op) {
            case 'put':
              q.put(change(o.key, o.rv, o.bytes), o.snapshot);
              forced ||= o.snapshot;
              break;
            case 'marker':
              q.putMarker(marker(KINDS[o.kind] ?? 'Pod', o.bytes));
              break;
            case 'peek':
              peeked = q.peek(o.n);
              break;
            case 'ackPeeked':
              q.ack(peeked);
              break;
            case 'drain':
              q.ack(q.peek(Number.MAX_SAFE_INTEGER));
              forced = false;
              break;
          }
          const r = recount(q);
          assert.deepEqual({ bytes: q.bytes, objects: q.objects }, r);
          if (!forced) {
            // Markers are outside the object bound and add at most 4 x 20 bytes.
            assert.ok(r.objects <= BOUNDS.maxObjects, `${r.objects} objects`);
            assert.ok(r.bytes <= BOUNDS.maxBytes + 4 * 20, `${r.bytes} bytes`);
          }
        }
        if (ops.at(-1)?.op === 'drain') assert.deepEqual(recount(q), { bytes: 0, objects: 0 });
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
