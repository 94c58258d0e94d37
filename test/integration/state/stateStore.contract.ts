// What every StateStore does, run against each implementation (memoryStateStore.test.ts,
// tableStateStore.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../../shared/engine/decide.ts';
import { initialState } from '../../../shared/engine/state.ts';
import type { ClusterState } from '../../../shared/engine/types.ts';
import type { LoadedState, StateStore } from '../../../shared/state/stateStore.ts';
import { isStateConflictError } from '../../../shared/state/stateStore.ts';
import { StateLimitError, rowKeyOf, rowsOf } from '../../../shared/state/stateRows.ts';
import { ctxAt, deleted, service, slice, upsertService, upsertSlice } from '../../support/builders.ts';
import { ODD_KEYS, richState, syncedState, withAddressServices, withBigLocation, withBigSlice, withMirror, withOddKeys, withServiceVersion } from './states.ts';

/** A deep copy of a state, read through the maps' own methods: a state's maps may be LayeredMaps
 * (docs/adr/0023), whose contents structuredClone, reading the Map storage directly, cannot see. */
function snapshotOf<T>(v: T): T {
  if (v instanceof Map) return new Map([...(v as Map<unknown, unknown>)].map(([k, x]) => [k, snapshotOf(x)])) as T;
  if (Array.isArray(v)) return v.map((x: unknown) => snapshotOf(x)) as T;
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, snapshotOf(x)])) as T;
  return v;
}

export interface StoreUnderTest {
  readonly store: StateStore;
  /** Row keys (meta excluded) written or deleted since the last call. */
  readonly takeRowWrites: () => string[];
}

/** A fresh store with nothing saved yet (its own table, for Table Storage). */
export type MakeStore = () => Promise<StoreUnderTest>;

/** Save `state` as the cluster's first state and return what a fresh load gives. */
async function saveFresh(store: StateStore, state: ClusterState): Promise<LoadedState> {
  const empty = await store.load(state.cluster);
  await store.save(empty, state);
  return store.load(state.cluster);
}

/** `state` re-labelled as cluster `cluster`. */
function asCluster(state: ClusterState, cluster: string): ClusterState {
  return { ...state, cluster };
}

async function rejectsWithConflict(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (e: unknown) => isStateConflictError(e));
}

export function describeStateStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name} (StateStore contract)`, () => {
    it('loads the initial state for a cluster that was never saved', async () => {
      const { store } = await makeStore();
      const loaded = await store.load('never-saved');
      assert.deepEqual(loaded.state, initialState('never-saved'));
    });

    it('stamps a cluster: null until saved, changed by every committed save, kept by a save that changes nothing', async () => {
      const { store } = await makeStore();
      const state = richState();
      assert.equal(await store.stamp(state.cluster), null);
      const first = await saveFresh(store, state);
      const stamped = await store.stamp(state.cluster);
      assert.notEqual(stamped, null);
      assert.equal(await store.stamp(state.cluster), stamped);
      await store.save(first, first.state);
      assert.equal(await store.stamp(state.cluster), stamped);
      await store.save(first, withServiceVersion(first.state, [...first.state.kube.services.keys()][0] ?? '', '99'));
      assert.notEqual(await store.stamp(state.cluster), stamped);
      assert.equal(await store.stamp('other'), null);
    });

    it('round-trips a rich state built by driving the engine', async () => {
      const { store } = await makeStore();
      const state = richState();
      const loaded = await saveFresh(store, state);
      assert.deepEqual(loaded.state, state);
    });

    it('writes no rows when saving an unchanged state', async () => {
      const { store, takeRowWrites } = await makeStore();
      const loaded = await saveFresh(store, richState());
      takeRowWrites();
      const again = await store.save(loaded, loaded.state);
      assert.deepEqual(takeRowWrites(), []);
      assert.deepEqual((await store.load(loaded.state.cluster)).state, loaded.state);
      // The returned version is still current: a real change saves without a conflict.
      const uid = [...loaded.state.kube.services.keys()][0] ?? '';
      await store.save(again, withServiceVersion(loaded.state, uid, '424242'));
    });

    it('writes only the changed service row when one service changes', async () => {
      const { store, takeRowWrites } = await makeStore();
      const loaded = await saveFresh(store, richState());
      const uid = [...loaded.state.kube.services.keys()][1] ?? '';
      takeRowWrites();
      const next = withServiceVersion(loaded.state, uid, '424242');
      await store.save(loaded, next);
      assert.deepEqual(takeRowWrites(), [rowKeyOf('svc', uid)]);
      assert.deepEqual((await store.load(next.cluster)).state, next);
    });

    it('writes only what decide() changed for a batch of events', async () => {
      const { store, takeRowWrites } = await makeStore();
      const loaded = await saveFresh(store, richState());
      const web = loaded.state.kube.services.get(service('web').uid.toLowerCase());
      assert.ok(web);
      const next = decide(loaded.state, [upsertService({ ...web.fact, annotations: { changed: 'yes' }, resourceVersion: '900000' })], ctxAt(10 * 60_000)).state;
      takeRowWrites();
      await store.save(loaded, next);
      const written = takeRowWrites().sort();
      const expected = [...rowsOf(next)].filter(([k, v]) => rowsOf(loaded.state).get(k) !== v).map(([k]) => k);
      const removed = [...rowsOf(loaded.state).keys()].filter((k) => !rowsOf(next).has(k));
      assert.deepEqual(written, [...expected, ...removed].sort());
      assert.ok(written.includes(rowKeyOf('svc', web.fact.uid.toLowerCase())));
      assert.ok(written.length < rowsOf(next).size / 2, `${written.length} of ${rowsOf(next).size} rows written`);
      assert.deepEqual((await store.load(next.cluster)).state, next);
    });

    it('writes nothing when the mirror is rebuilt with equal locations in another order', async () => {
      const { store, takeRowWrites } = await makeStore();
      const loaded = await saveFresh(store, richState());
      const locations = new Map([...loaded.state.nrp.locations].reverse().map(([k, l]) => [k, { addresses: new Map([...l.addresses].reverse()), certain: l.certain }]));
      takeRowWrites();
      await store.save(loaded, { ...loaded.state, nrp: { ...loaded.state.nrp, locations } });
      assert.deepEqual(takeRowWrites(), []);
    });

    it('refuses the second of two saves from the same load, keeping the first', async () => {
      const { store } = await makeStore();
      const base = await saveFresh(store, richState());
      const first = await store.load(base.state.cluster);
      const second = await store.load(base.state.cluster);
      const uids = [...base.state.kube.services.keys()];
      const one = withServiceVersion(first.state, uids[0] ?? '', '111111');
      const two = withServiceVersion(second.state, uids[1] ?? '', '222222');
      await store.save(first, one);
      await rejectsWithConflict(store.save(second, two));
      assert.deepEqual((await store.load(base.state.cluster)).state, one);
    });

    it('refuses the second of two first saves of a new cluster', async () => {
      const { store } = await makeStore();
      const first = await store.load('fresh');
      const second = await store.load('fresh');
      const one = syncedState(0, 'fresh');
      const two = { ...syncedState(0, 'fresh'), sequence: 99 };
      await store.save(first, one);
      await rejectsWithConflict(store.save(second, two));
      assert.deepEqual((await store.load('fresh')).state, one);
    });

    it('refuses a save from a load older than the last save, even after several saves', async () => {
      const { store } = await makeStore();
      const stale = await saveFresh(store, richState());
      let current = stale;
      for (const rv of ['1', '2', '3']) current = await store.save(current, withServiceVersion(current.state, [...current.state.kube.services.keys()][0] ?? '', rv));
      await rejectsWithConflict(store.save(stale, { ...stale.state, sequence: stale.state.sequence + 1 }));
      assert.deepEqual((await store.load(stale.state.cluster)).state, current.state);
    });

    it('chains saves from the LoadedState each save returns', async () => {
      const { store } = await makeStore();
      let loaded = await store.load('chain');
      let state = syncedState(0, 'chain');
      for (let i = 0; i < 5; i++) {
        state = decide(state, [upsertService(service(`s${i}`)), upsertSlice(slice(`s${i}-1`, service(`s${i}`).uid, [{ ip: `10.244.0.${i + 1}`, node: null }]))], ctxAt(i * 1_000)).state;
        loaded = await store.save(loaded, state);
        assert.equal(loaded.state, state);
      }
      assert.deepEqual((await store.load('chain')).state, state);
    });

    it('keeps two clusters apart', async () => {
      const { store } = await makeStore();
      const a = asCluster(richState(), 'cluster-a');
      const b = syncedState(5, 'cluster-b');
      await saveFresh(store, a);
      await saveFresh(store, b);
      assert.deepEqual((await store.load('cluster-a')).state, a);
      assert.deepEqual((await store.load('cluster-b')).state, b);
      assert.deepEqual((await store.load('cluster-c')).state, initialState('cluster-c'));
    });

    it('removes the rows of deleted objects', async () => {
      const { store, takeRowWrites } = await makeStore();
      const loaded = await saveFresh(store, richState());
      const web = loaded.state.kube.services.get(service('web').uid.toLowerCase());
      const webSlice = loaded.state.kube.slices.get('default/web-1');
      assert.ok(web && webSlice);
      const events = [deleted('Service', { name: 'web', uid: web.fact.uid }), deleted('EndpointSlice', { name: 'web-1', uid: webSlice.fact.uid })];
      const next = decide(loaded.state, events, ctxAt(10 * 60_000)).state;
      assert.ok(!next.kube.services.has(web.fact.uid.toLowerCase()) && !next.kube.slices.has('default/web-1'));
      takeRowWrites();
      await store.save(loaded, next);
      const written = takeRowWrites();
      assert.ok(written.includes(rowKeyOf('svc', web.fact.uid.toLowerCase())) && written.includes(rowKeyOf('slice', 'default/web-1')));
      const reloaded = await store.load(next.cluster);
      assert.deepEqual(reloaded.state, next);
      assert.ok(!reloaded.state.kube.services.has(web.fact.uid.toLowerCase()));
    });

    it('replaces the request rows of a finished sync with those of the next one', async () => {
      const { store } = await makeStore();
      const loaded = await saveFresh(store, richState());
      const flight = loaded.state.sync.inFlight;
      assert.ok(flight);
      const finished = decide(loaded.state, [{ kind: 'LocationsSyncCompleted', syncId: flight.syncId, applied: flight.requests.length, failure: null }], ctxAt(10 * 60_000)).state;
      const afterFinish = await store.save(loaded, finished);
      assert.deepEqual((await store.load(finished.cluster)).state, finished);
      const started = decide(finished, [upsertSlice(slice('api-2', service('api').uid, [{ ip: '10.244.9.1', node: 'node-a' }, { ip: '10.244.9.2', node: 'node-b' }, { ip: '10.244.9.3', node: 'node-a' }]))], ctxAt(20 * 60_000)).state;
      assert.ok(started.sync.inFlight && started.sync.inFlight.syncId !== flight.syncId);
      await store.save(afterFinish, started);
      assert.deepEqual((await store.load(started.cluster)).state, started);
    });

    it('round-trips a 100,000-address mirror over 1,000 locations', async () => {
      const { store } = await makeStore();
      const state = withMirror(syncedState(0, 'big-mirror'), 1_000, 100);
      const loaded = await saveFresh(store, state);
      assert.deepEqual(loaded.state, state);
      let addresses = 0;
      for (const l of loaded.state.nrp.locations.values()) addresses += l.addresses.size;
      assert.equal(addresses, 100_000);
    });

    it('saves and reloads a location too large for one row, in parts that each fit, rewriting only what changed', async () => {
      const { store, takeRowWrites } = await makeStore();
      const state = withBigLocation(syncedState(0, 'big-location'), 1_000, 20);
      const first = await store.load(state.cluster);
      const saved = await store.save(first, state);
      const parts = [...rowsOf(state).keys()].filter((k) => k.startsWith(`${rowKeyOf('loc', '10.0.0.4')}`));
      assert.ok(parts.length >= 4, `the location is stored in ${parts.length} rows`);
      assert.ok(parts.includes(rowKeyOf('loc', '10.0.0.4')), 'part 0 keeps the one-row key');
      const loaded = await store.load(state.cluster);
      assert.deepEqual(loaded.state, state);
      assert.equal(loaded.state.nrp.locations.get('10.0.0.4')?.addresses.size, 1_000);

      // Unchanged: nothing is written.
      takeRowWrites();
      await store.save(saved, saved.state);
      assert.deepEqual(takeRowWrites(), []);

      // One address changes: only the part that holds it is written.
      const afterOne = await store.save(loaded, withAddressServices(loaded.state, '10.0.0.4', '10.244.1.17', ['one-service']));
      assert.equal(takeRowWrites().length, 1);
      assert.deepEqual((await store.load(state.cluster)).state, afterOne.state);

      // Shrunk to fit one row: the other parts are deleted.
      const small = withBigLocation(afterOne.state, 10, 2);
      await store.save(afterOne, small);
      const written = takeRowWrites();
      for (const k of parts) assert.ok(written.includes(k), `${k} rewritten or deleted`);
      const reloaded = await store.load(state.cluster);
      assert.equal(reloaded.state.nrp.locations.get('10.0.0.4')?.addresses.size, 10);
      assert.deepEqual([...rowsOf(reloaded.state).keys()].filter((k) => k.startsWith(rowKeyOf('loc', '10.0.0.4'))), [rowKeyOf('loc', '10.0.0.4')]);
    });

    it('round-trips an EndpointSlice of 1,000 endpoints', async () => {
      const { store } = await makeStore();
      const state = withBigSlice(syncedState(0, 'big-slice'), 1_000);
      const loaded = await saveFresh(store, state);
      assert.deepEqual(loaded.state, state);
      assert.equal(loaded.state.kube.slices.get('default/big-1')?.fact.endpoints.length, 1_000);
    });

    it('round-trips keys with /, #, ?, \\, |, !, %, quotes, control characters and unicode', async () => {
      const { store } = await makeStore();
      const state = withOddKeys(syncedState(0, 'clu/ster#1?é😀|!'));
      const loaded = await saveFresh(store, state);
      assert.deepEqual(loaded.state, state);
      for (const k of ODD_KEYS) assert.ok(loaded.state.kube.pods.has(`ns/${k}`), k);
      assert.deepEqual((await store.load('clu/ster#1?é😀|')).state, initialState('clu/ster#1?é😀|'));
    });

    it('gives back tombstones in deletion order', async () => {
      const { store } = await makeStore();
      const base = syncedState(0, 'tombs');
      const tombstones = new Map([
        ['Pod/z/late', { uid: 'u3', resourceVersion: '3', deletedAt: 3_000 }],
        ['Pod/a/early', { uid: 'u1', resourceVersion: '1', deletedAt: 1_000 }],
        ['Node/m', { uid: 'u2', resourceVersion: '2', deletedAt: 2_000 }],
      ]);
      const loaded = await saveFresh(store, { ...base, kube: { ...base.kube, tombstones } });
      assert.deepEqual([...loaded.state.kube.tombstones.keys()], ['Pod/a/early', 'Node/m', 'Pod/z/late']);
    });

    // Loads may share one state (the table store keeps its last save, see keptClusters), so the
    // store must never change a state once it handed it out or was given it to save.
    it('never changes a state it handed out or was given: a later save leaves both as they were', async () => {
      const { store } = await makeStore();
      const state = richState();
      const saved = snapshotOf(state);
      const loaded = await saveFresh(store, state);
      const asLoaded = snapshotOf(loaded.state);
      const next = { ...loaded.state, kube: { ...loaded.state.kube, services: new Map() }, sequence: loaded.state.sequence + 1 };
      await store.save(loaded, next);
      assert.deepEqual(loaded.state, asLoaded);
      assert.deepEqual(state, saved);
      assert.deepEqual((await store.load(state.cluster)).state, next);
    });

    it('treats a save that changes nothing as a no-op, even from a stale load', async () => {
      const { store, takeRowWrites } = await makeStore();
      const stale = await saveFresh(store, richState());
      const current = await store.save(await store.load(stale.state.cluster), { ...stale.state, sequence: stale.state.sequence + 1 });
      takeRowWrites();
      await store.save(stale, stale.state);
      assert.deepEqual(takeRowWrites(), []);
      assert.deepEqual((await store.load(stale.state.cluster)).state, current.state);
      await rejectsWithConflict(store.save(stale, { ...stale.state, nrpEpoch: stale.state.nrpEpoch + 1 }));
    });

    it('refuses a LoadedState it did not produce, and a state of another cluster', async () => {
      const { store } = await makeStore();
      const state = syncedState(0, 'one');
      await assert.rejects(store.save({ state: initialState('one'), version: { forged: true } }, state), TypeError);
      const loaded = await store.load('one');
      await assert.rejects(store.save(loaded, syncedState(0, 'two')), TypeError);
    });

    it('refuses a row too large for Table Storage before writing anything, and names it', async () => {
      const { store, takeRowWrites } = await makeStore();
      const loaded = await saveFresh(store, richState());
      takeRowWrites();
      const huge = withBigSlice(loaded.state, 5_000);
      await assert.rejects(store.save(loaded, huge), (e: unknown) => e instanceof StateLimitError && e.rowKeys.includes(rowKeyOf('slice', 'default/big-1')));
      assert.deepEqual(takeRowWrites(), []);
      assert.deepEqual((await store.load(loaded.state.cluster)).state, loaded.state);
      const fits = withBigSlice(loaded.state, 1_000);
      await store.save(loaded, fits);
      assert.deepEqual((await store.load(loaded.state.cluster)).state, fits, 'a row just under the limit is stored');
    });
  });
}
