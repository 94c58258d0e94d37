// Overlapping relists: two or three forwarders (replicas, or one restarting while its old messages
// are still queued) each list the cluster at their own resourceVersion and then watch it, and their
// messages interleave on the cluster's session in any order (each sender's own order is kept: one
// session, FIFO). Whatever the interleaving, the engine must never forget an object that still
// exists, and once every message is in, its cache must equal the cluster as the freshest sender saw it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decide } from '../../shared/engine/decide.ts';
import { namespacedKey, serviceKey } from '../../shared/engine/kubeEvents.ts';
import { initialState } from '../../shared/engine/state.ts';
import type { ClusterState, EngineEvent, KubeObjectKind } from '../../shared/engine/types.ts';
import { ALL_KINDS, CLUSTER, ctxAt, node, pod, service, slice, uidOf } from '../support/builders.ts';

const RUNS = Number(process.env.ENGINE_PROPERTY_RUNS ?? 10_000);
const SEED = Number(process.env.ENGINE_PROPERTY_SEED ?? (process.env.CI ? 20_261_204 : Date.now() % 2 ** 31));

/** One object of the simulated cluster: its kind, name and the UID of its current incarnation. */
interface Obj {
  readonly kind: KubeObjectKind;
  readonly name: string;
  readonly uid: string;
  readonly rv: number;
}

type Change = { readonly kind: KubeObjectKind; readonly name: number; readonly op: 'put' | 'delete' | 'recreate' };

/** The cluster after each change: index r holds the objects at resourceVersion r + 1 (a re-creation
 * takes two resourceVersions, as in Kubernetes: the delete, then the new object). */
function history(changes: readonly Change[]): Map<string, Obj>[] {
  const out: Map<string, Obj>[] = [new Map<string, Obj>()];
  let generation = 0;
  for (const c of changes) {
    const key = `${c.kind}/n${c.name}`;
    const current = out[out.length - 1] ?? new Map<string, Obj>();
    const prev = current.get(key);
    if (c.op === 'recreate' && prev) {
      const without = new Map(current);
      without.delete(key);
      out.push(without);
    }
    const next = new Map(out[out.length - 1]);
    const rv = out.length + 1;
    if (c.op === 'delete') next.delete(key);
    else {
      const uid = prev && c.op === 'put' ? prev.uid : uidOf(`${key}#${++generation}`);
      next.set(key, { kind: c.kind, name: `n${c.name}`, uid, rv });
    }
    out.push(next);
  }
  return out;
}

function upsertOf(o: Obj, snapshot: string | undefined): EngineEvent {
  const resourceVersion = String(o.rv);
  const tag = snapshot === undefined ? {} : { snapshot };
  switch (o.kind) {
    case 'Service':
      return { kind: 'ServiceUpserted', service: service(o.name, { uid: o.uid, resourceVersion, type: 'ClusterIP' }), ...tag };
    case 'EndpointSlice':
      return { kind: 'EndpointSliceUpserted', slice: slice(o.name, null, [], { uid: o.uid, resourceVersion }), ...tag };
    case 'Node':
      return { kind: 'NodeUpserted', node: node(o.name, ['10.0.0.4'], { uid: o.uid, resourceVersion }), ...tag };
    case 'Pod':
      return { kind: 'PodUpserted', pod: pod(o.name, 'egress-a', { uid: o.uid, resourceVersion }), ...tag };
  }
}

function deletedOf(o: Obj, rv: number): EngineEvent {
  return { kind: 'ObjectDeleted', objectKind: o.kind, namespace: o.kind === 'Node' ? null : 'default', name: o.name, uid: o.uid, resourceVersion: String(rv) };
}

/** What one forwarder sends: its list at `listAt` (objects tagged, then a marker per kind), then its watch up to `watchTo`. */
function senderStream(states: readonly Map<string, Obj>[], listAt: number, watchTo: number): EngineEvent[] {
  const snapshot = String(listAt + 1);
  const events: EngineEvent[] = [];
  const listed = states[listAt] ?? new Map<string, Obj>();
  for (const kind of ALL_KINDS) {
    for (const o of listed.values()) if (o.kind === kind) events.push(upsertOf(o, snapshot));
    events.push({ kind: 'KubernetesSynced', objectKind: kind, snapshot });
  }
  for (let r = listAt + 1; r <= watchTo; r++) {
    const before = states[r - 1] ?? new Map<string, Obj>();
    const after = states[r] ?? new Map<string, Obj>();
    for (const [key, o] of after) if (before.get(key) !== o) events.push(upsertOf(o, undefined));
    for (const [key, o] of before) if (!after.has(key)) events.push(deletedOf(o, r + 1));
  }
  return events;
}

function cacheKey(o: Obj): string {
  return o.kind === 'Service' ? serviceKey(o.uid) : o.kind === 'Node' ? o.name : namespacedKey('default', o.name);
}

function cachedUid(state: ClusterState, kind: KubeObjectKind, key: string): string | undefined {
  const map = kind === 'Service' ? state.kube.services : kind === 'EndpointSlice' ? state.kube.slices : kind === 'Node' ? state.kube.nodes : state.kube.pods;
  return map.get(key)?.fact.uid;
}

/** Every cached object as `kind/key@uid:rv`, sorted. */
function cacheContent(state: ClusterState): string[] {
  const out: string[] = [];
  for (const [k, c] of state.kube.services) out.push(`Service/${k}@${c.fact.uid}:${c.fact.resourceVersion}`);
  for (const [k, c] of state.kube.slices) out.push(`EndpointSlice/${k}@${c.fact.uid}:${c.fact.resourceVersion}`);
  for (const [k, c] of state.kube.nodes) out.push(`Node/${k}@${c.fact.uid}:${c.fact.resourceVersion}`);
  for (const [k, c] of state.kube.pods) out.push(`Pod/${k}@${c.fact.uid}:${c.fact.resourceVersion}`);
  return out.sort();
}

function clusterContent(objects: ReadonlyMap<string, Obj>): string[] {
  return [...objects.values()].map((o) => `${o.kind}/${cacheKey(o)}@${o.uid}:${o.rv}`).sort();
}

const changeArb = fc.record({
  kind: fc.constantFrom(...ALL_KINDS),
  name: fc.nat(2),
  op: fc.constantFrom('put', 'put', 'delete', 'recreate'),
}) satisfies fc.Arbitrary<Change>;

const scenarioArb = fc
  .tuple(fc.array(changeArb, { minLength: 1, maxLength: 14 }), fc.integer({ min: 2, max: 3 }))
  .chain(([changes, senders]) =>
    fc.record({
      changes: fc.constant(changes),
      // Each sender lists at some point of the history and watches on to a later one.
      windows: fc.array(
        fc.nat(history(changes).length - 1).chain((listAt) => fc.record({ listAt: fc.constant(listAt), watchTo: fc.integer({ min: listAt, max: history(changes).length - 1 }) })),
        { minLength: senders, maxLength: senders },
      ),
      order: fc.array(fc.nat(senders - 1), { minLength: 0, maxLength: 400 }),
      batches: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 400 }),
    }),
  );

describe('overlapping relists', () => {
  it(`never forget a live object and end equal to the freshest view, for any interleaving of 2-3 senders (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(scenarioArb, ({ changes, windows, order, batches }) => {
        const states = history(changes);
        const end = states[states.length - 1] ?? new Map<string, Obj>();
        const streams = windows.map((w) => senderStream(states, w.listAt, w.watchTo));
        // Merge the streams: `order` picks the next sender while it has something left, then round robin.
        const merged: EngineEvent[] = [];
        const next = streams.map(() => 0);
        let pick = 0;
        while (merged.length < streams.reduce((n, s) => n + s.length, 0)) {
          let s = order[pick++] ?? pick % streams.length;
          while ((next[s] ?? 0) >= (streams[s]?.length ?? 0)) s = (s + 1) % streams.length;
          merged.push(streams[s]![next[s]!]!);
          next[s] = (next[s] ?? 0) + 1;
        }
        let state = initialState(CLUSTER);
        const delivered = new Set<string>();
        let at = 0;
        for (let b = 0; at < merged.length; b++) {
          const batch = merged.slice(at, at + (batches[b % batches.length] ?? 1));
          at += batch.length;
          state = decide(state, batch, ctxAt(b)).state;
          for (const e of batch) {
            const f = e.kind === 'ServiceUpserted' ? e.service : e.kind === 'EndpointSliceUpserted' ? e.slice : e.kind === 'NodeUpserted' ? e.node : e.kind === 'PodUpserted' ? e.pod : null;
            if (f) delivered.add(f.uid);
          }
          // Safety: an object that still exists at the end of the history and was reported is never dropped.
          for (const o of end.values()) {
            if (!delivered.has(o.uid)) continue;
            assert.equal(cachedUid(state, o.kind, cacheKey(o)), o.uid, `${o.kind} ${o.name} (${o.uid}) was dropped after batch ${b}: ${JSON.stringify(batch)}`);
          }
        }
        const freshest = Math.max(...windows.map((w) => w.watchTo));
        assert.deepEqual(cacheContent(state), clusterContent(states[freshest] ?? new Map()), 'the cache is not the freshest view of the cluster');
      }),
      { numRuns: RUNS, includeErrorInReport: true, seed: SEED },
    );
  });
});
