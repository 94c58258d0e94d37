// The LocationsUpdater (reference §4) through decide(): one sync in flight, a sync window,
// chunked requests, a mirror that follows only what NRP acknowledged, and the drain gate.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../../shared/engine/decide.ts';
import { defaultEngineConfig } from '../../../shared/engine/config.ts';
import type { EngineCommand, EngineConfig, EngineObservation, LocationsSync, ServiceOperation } from '../../../shared/engine/types.ts';
import type { EndpointSpec } from '../../support/builders.ts';
import { ctxAt, node, service, slice, syncedState, upsertNode } from '../../support/builders.ts';
import { World } from '../../support/world.ts';

type Command<K extends EngineCommand['kind']> = Extract<EngineCommand, { kind: K }>;
type Observation<K extends EngineObservation['kind']> = Extract<EngineObservation, { kind: K }>;

function commands<K extends EngineCommand['kind']>(list: readonly EngineCommand[], kind: K): Command<K>[] {
  return list.filter((c): c is Command<K> => c.kind === kind);
}

function observed<K extends EngineObservation['kind']>(list: readonly EngineObservation[], kind: K): Observation<K>[] {
  return list.filter((o): o is Observation<K> => o.kind === kind);
}

function syncsSince(w: World, mark: number): LocationsSync[] {
  return commands(w.commands.slice(mark), 'SyncLocations').map((c) => c.sync);
}

function addressesOf(sync: LocationsSync | null | undefined): string[] {
  return (sync?.requests ?? []).flatMap((r) => r.addressLocations.flatMap((l) => l.addresses.map((a) => a.address)));
}

function deletes(w: World, name: string): ServiceOperation[] {
  return commands(w.commands, 'DispatchServiceOperation')
    .map((c) => c.operation)
    .filter((o) => o.serviceName === name && o.operation === 'delete');
}

function pendingOp(w: World, name: string): ServiceOperation {
  const op = [...w.pendingOps.values()].find((o) => o.serviceName === name);
  assert.ok(op, `a pending operation for ${name}`);
  return op;
}

/** Unregisters NRP refused with ServiceWithOverlayMappingsCannotBeDeleted. */
function overlayRefusals(w: World): number {
  return w.nrp.overlayRefusals;
}

const svc = service('web');
const NAME = svc.uid.toLowerCase();
const LOC = '10.0.0.4';

function ep(...ips: string[]): EndpointSpec[] {
  return ips.map((ip) => ({ ip, node: 'node-a' }));
}

function setSlice(w: World, endpoints: EndpointSpec[]): void {
  w.apply({ kind: 'EndpointSlice', fact: slice('web-1', svc.uid, endpoints) });
}

/** node-a and the Service `web`, created, with `endpoints` synced and every window elapsed. */
function created(endpoints: EndpointSpec[], config: Partial<EngineConfig> = {}): World {
  const w = new World({ config });
  w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
  w.apply({ kind: 'Service', fact: svc });
  setSlice(w, endpoints);
  assert.ok(w.settle());
  assert.equal(w.state.ops.get(NAME)?.state, 'Created');
  w.advance(60_000);
  return w;
}

describe('one sync at a time', () => {
  it('keeps a second change waiting while a sync is in flight and coalesces it into the next sync', () => {
    const w = created(ep('10.244.0.1'), { locationsSyncIntervalMs: 0 });
    const mark = w.commands.length;
    setSlice(w, ep('10.244.0.1', '10.244.0.2'));
    assert.equal(syncsSince(w, mark).length, 1);
    setSlice(w, ep('10.244.0.1', '10.244.0.2', '10.244.0.3'));
    setSlice(w, ep('10.244.0.1', '10.244.0.2', '10.244.0.3', '10.244.0.4'));
    assert.equal(syncsSince(w, mark).length, 1, 'no second sync while the first is in flight');
    assert.deepEqual(addressesOf(w.pendingSync), ['10.244.0.2']);

    w.completeSync();
    const next = syncsSince(w, mark);
    assert.equal(next.length, 2);
    assert.equal(next[1]?.requests.length, 1);
    assert.deepEqual(addressesOf(next[1]), ['10.244.0.3', '10.244.0.4']);
    assert.ok(w.settle());
    assert.equal(Object.keys(w.nrp.snapshot()[LOC] ?? {}).length, 4);
    assert.deepEqual(w.nrp.violations, []);
  });

  it('waits out the sync window after a sync started, with a WakeAt for its end', () => {
    const w = created(ep('10.244.0.1'));
    const interval = defaultEngineConfig.locationsSyncIntervalMs;
    setSlice(w, ep('10.244.0.1', '10.244.0.2'));
    const started = w.now;
    assert.ok(w.pendingSync);
    w.completeSync();

    const mark = w.commands.length;
    setSlice(w, ep('10.244.0.1', '10.244.0.2', '10.244.0.3'));
    assert.equal(syncsSince(w, mark).length, 0);
    assert.deepEqual(commands(w.commands.slice(mark), 'WakeAt').at(-1), { kind: 'WakeAt', at: started + interval });
    setSlice(w, ep('10.244.0.1', '10.244.0.2', '10.244.0.3', '10.244.0.4'));

    w.advance(interval - 1);
    assert.equal(syncsSince(w, mark).length, 0);
    w.advance(1);
    const syncs = syncsSince(w, mark);
    assert.equal(syncs.length, 1, 'both changes go out together');
    assert.deepEqual(addressesOf(syncs[0]), ['10.244.0.3', '10.244.0.4']);
  });

  it('starts a sync at once for the first change after a quiet window (leading edge), and at most one per window', () => {
    const w = created(ep('10.244.0.1'));
    const interval = defaultEngineConfig.locationsSyncIntervalMs;
    const mark = w.commands.length;
    setSlice(w, ep('10.244.0.1', '10.244.0.2'));
    assert.equal(syncsSince(w, mark).length, 1, 'no wait for a window when none started within the last one');
    const first = w.now;
    w.completeSync();
    w.advance(interval / 2);
    setSlice(w, ep('10.244.0.1', '10.244.0.2', '10.244.0.3'));
    assert.equal(syncsSince(w, mark).length, 1, 'a change within the window waits for it');
    w.advance(first + interval - w.now);
    assert.equal(syncsSince(w, mark).length, 2, 'and goes out when the window ends');
    w.completeSync();
    w.advance(3 * interval);
    const quiet = w.commands.length;
    setSlice(w, ep('10.244.0.1', '10.244.0.2', '10.244.0.3', '10.244.0.4'));
    assert.equal(syncsSince(w, quiet).length, 1, 'after a quiet spell the next change goes at once again');
  });

  it('sends nothing and clears the dirty flag when the diff is empty', () => {
    const r = decide(syncedState(), [upsertNode(node('node-a', [LOC]))], ctxAt(0));
    assert.deepEqual(commands(r.commands, 'SyncLocations'), []);
    assert.equal(r.state.sync.dirty, false);
    assert.equal(r.state.sync.inFlight, null);
  });

  it('ignores the completion of a sync it does not know', () => {
    const w = created(ep('10.244.0.1'));
    const before = w.state.nrp.locations;
    w.send([{ kind: 'LocationsSyncCompleted', syncId: 'test-cluster:sync:999', applied: 1, failure: null }]);
    assert.deepEqual(observed(w.observations, 'CompletionIgnored').at(-1), { kind: 'CompletionIgnored', id: 'test-cluster:sync:999', reason: 'unknownSync' });
    assert.equal(w.state.nrp.locations, before);
  });
});

describe('chunked requests', () => {
  const five = ep('10.244.0.1', '10.244.0.2', '10.244.0.3', '10.244.0.4', '10.244.0.5');

  it('cuts a sync into requests of at most maxAddressesPerRequest addresses', () => {
    const w = created(ep(), { maxAddressesPerRequest: 2 });
    setSlice(w, five);
    const sync = w.pendingSync;
    assert.ok(sync);
    assert.deepEqual(
      sync.requests.map((r) => r.addressLocations.map((l) => [l.addressLocation, l.addressUpdateAction, l.addresses.length])),
      [[[LOC, 'FullUpdate', 2]], [[LOC, 'PartialUpdate', 2]], [[LOC, 'PartialUpdate', 1]]],
    );
    const dispatched = observed(w.observations, 'LocationsSyncDispatched').at(-1);
    assert.equal(dispatched?.requests, 3);
    assert.equal(dispatched?.added, 5);
    w.completeSync();
    assert.equal(Object.keys(w.nrp.snapshot()[LOC] ?? {}).length, 5);
    assert.equal(w.state.nrp.locations.get(LOC)?.addresses.size, 5);
  });

  it('mirrors only the acknowledged requests of a partly applied sync and resends the rest', () => {
    const w = created(ep(), { maxAddressesPerRequest: 2 });
    setSlice(w, five);
    w.completeSync({ failAt: 1 });
    assert.deepEqual([...(w.state.nrp.locations.get(LOC)?.addresses.keys() ?? [])], ['10.244.0.1', '10.244.0.2']);
    assert.equal(w.state.nrp.locations.get(LOC)?.certain, true);

    const mark = w.commands.length;
    assert.ok(w.settle());
    const retry = syncsSince(w, mark)[0];
    assert.deepEqual(addressesOf(retry), ['10.244.0.3', '10.244.0.4', '10.244.0.5']);
    assert.equal(retry?.requests[0]?.addressLocations[0]?.addressUpdateAction, 'PartialUpdate');
    assert.equal(Object.keys(w.nrp.snapshot()[LOC] ?? {}).length, 5);
  });
});

describe('failed syncs', () => {
  it('marks a location uncertain after an unknown outcome and rewrites it whole next time', () => {
    const w = created(ep('10.244.0.1'));
    setSlice(w, ep('10.244.0.1', '10.244.0.2'));
    assert.equal(w.pendingSync?.requests[0]?.addressLocations[0]?.addressUpdateAction, 'PartialUpdate');
    w.completeSync({ failAt: 0, outcomeUnknown: true });
    const loc = w.state.nrp.locations.get(LOC);
    assert.equal(loc?.certain, false);
    assert.deepEqual([...(loc?.addresses.keys() ?? [])].sort(), ['10.244.0.1', '10.244.0.2']);

    const mark = w.commands.length;
    assert.ok(w.settle());
    const next = syncsSince(w, mark)[0];
    assert.deepEqual(next?.requests[0]?.addressLocations, [
      {
        addressLocation: LOC,
        addressUpdateAction: 'FullUpdate',
        addresses: [
          { address: '10.244.0.1', services: [NAME] },
          { address: '10.244.0.2', services: [NAME] },
        ],
      },
    ]);
    assert.equal(w.state.nrp.locations.get(LOC)?.certain, true);
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.1': [NAME], '10.244.0.2': [NAME] } });
  });

  it('converges when a request of unknown outcome was in fact applied', () => {
    const w = created(ep('10.244.0.1'));
    setSlice(w, ep('10.244.0.2'));
    w.completeSync({ failAt: 0, outcomeUnknown: true, unknownApplied: true });
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.2': [NAME] } });
    assert.equal(w.state.nrp.locations.get(LOC)?.certain, true);
  });

  it('does not resend a batch NRP rejected as invalid until the cluster changes', () => {
    const w = created(ep('10.244.0.1'));
    setSlice(w, ep('10.244.0.1', '10.244.0.2'));
    w.completeSync({ failAt: 0, terminal: true });
    const finished = observed(w.observations, 'LocationsSyncFinished').at(-1);
    assert.equal(finished?.status, 'failure');
    assert.equal(finished?.terminal, true);

    const mark = w.commands.length;
    assert.ok(w.settle());
    for (let i = 0; i < 5; i++) w.advance(60_000);
    assert.equal(syncsSince(w, mark).length, 0, 'the rejected batch is not resent');
    assert.equal(w.wakeAt, null, 'and nothing wakes the engine up for it');

    setSlice(w, ep('10.244.0.1', '10.244.0.2', '10.244.0.3'));
    assert.ok(w.settle());
    const after = syncsSince(w, mark);
    assert.equal(after.length, 1);
    assert.deepEqual(addressesOf(after[0]), ['10.244.0.2', '10.244.0.3']);
  });

  it('keeps resending a rejected batch while a drain is pending', () => {
    const w = created(ep('10.244.0.1'));
    w.remove('Service', 'web');
    assert.equal(w.state.ops.get(NAME)?.state, 'DeletionPending');
    const drain = w.pendingSync;
    assert.ok(drain);
    w.completeSync({ failAt: 0, terminal: true });
    const mark = w.commands.length;
    w.advance(60_000);
    assert.deepEqual(syncsSince(w, mark).map((s) => s.requests), [drain.requests]);
    assert.ok(w.settle());
    assert.equal(w.nrp.services.has(NAME), false);
    assert.equal(overlayRefusals(w), 0);
  });

  it('retries a transient failure with growing backoff', () => {
    const w = created(ep('10.244.0.1'), { locationsSyncIntervalMs: 0 });
    setSlice(w, ep('10.244.0.1', '10.244.0.2'));
    w.completeSync({ failAt: 0 });
    assert.equal(observed(w.observations, 'LocationsSyncFinished').at(-1)?.errorCode, 'TooManyRequests');
    // 1 s, +20 % x random 0.5 = 1.1 s; then 2.2 s.
    assert.equal(w.wakeAt, w.now + 1_100);
    const mark = w.commands.length;
    w.advance(1_099);
    assert.equal(syncsSince(w, mark).length, 0);
    w.advance(1);
    assert.equal(syncsSince(w, mark).length, 1);
    w.completeSync({ failAt: 0 });
    assert.equal(w.wakeAt, w.now + 2_200);
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.1': [NAME], '10.244.0.2': [NAME] } });
    assert.equal(w.state.sync.failures, 0, 'a success resets the failure count');
  });

  it('treats a sync with no result within operationTimeoutMs as of unknown outcome', () => {
    const w = created(ep('10.244.0.1'));
    setSlice(w, ep('10.244.0.1', '10.244.0.2'));
    const lost = w.pendingSync;
    assert.ok(lost);
    w.pendingSync = null; // the result never arrives
    assert.equal(w.wakeAt, w.now + defaultEngineConfig.operationTimeoutMs);
    w.advance(defaultEngineConfig.operationTimeoutMs - 1);
    assert.ok(w.state.sync.inFlight, 'still waiting just before the deadline');
    w.advance(1);
    assert.equal(w.state.sync.inFlight, null);
    assert.equal(w.state.nrp.locations.get(LOC)?.certain, false);
    assert.equal(observed(w.observations, 'LocationsSyncFinished').at(-1)?.errorCode, 'timeout');

    const mark = w.commands.length;
    assert.ok(w.settle());
    assert.equal(syncsSince(w, mark)[0]?.requests[0]?.addressLocations[0]?.addressUpdateAction, 'FullUpdate');
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.1': [NAME], '10.244.0.2': [NAME] } });

    w.send([{ kind: 'LocationsSyncCompleted', syncId: lost.syncId, applied: 1, failure: null }]);
    assert.equal(observed(w.observations, 'CompletionIgnored').at(-1)?.reason, 'unknownSync');
  });
});

describe('the drain gate', () => {
  it('deletes the location of a node whose last address left, in NRP and in the mirror', () => {
    const w = created(ep('10.244.0.1', '10.244.0.2'));
    const mark = w.commands.length;
    setSlice(w, []);
    assert.ok(w.settle());
    assert.deepEqual(syncsSince(w, mark).flatMap((s) => s.requests.flatMap((r) => r.addressLocations)), [
      { addressLocation: LOC, addressUpdateAction: 'PartialUpdate', addresses: [] },
    ]);
    assert.equal(w.nrp.locations.has(LOC), false, 'NRP no longer holds the location');
    assert.equal(w.state.nrp.locations.has(LOC), false, 'the mirror dropped it');
  });

  it('does not unregister a deleted service while the mirror references it', () => {
    const w = created(ep('10.244.0.1', '10.244.0.2'));
    w.remove('Service', 'web');
    assert.equal(w.state.ops.get(NAME)?.state, 'DeletionPending');
    assert.ok(w.pendingSync, 'the drain sync is on its way');
    w.advance(1_000);
    assert.deepEqual(deletes(w, NAME), []);
    w.completeSync();
    assert.equal(deletes(w, NAME).length, 1);
    assert.ok(w.settle());
    assert.equal(w.nrp.services.has(NAME), false);
    assert.equal(overlayRefusals(w), 0);
    assert.deepEqual(w.nrp.violations, []);
  });

  it('does not unregister a deleted service while the sync in flight still adds its addresses', () => {
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
    w.apply({ kind: 'Service', fact: svc });
    setSlice(w, ep('10.244.0.1'));
    w.completeOp(pendingOp(w, NAME).dispatchId);
    assert.deepEqual(addressesOf(w.pendingSync), ['10.244.0.1'], 'the sync in flight adds the address');
    w.remove('Service', 'web');
    assert.equal(w.state.ops.get(NAME)?.state, 'DeletionPending', 'the in-flight add blocks the delete');
    assert.deepEqual(deletes(w, NAME), []);
    w.completeSync();
    assert.equal(w.state.ops.get(NAME)?.state, 'DeletionPending', 'now the mirror blocks it');
    assert.ok(w.settle());
    assert.equal(deletes(w, NAME).length, 1);
    assert.equal(w.nrp.services.has(NAME), false);
    assert.equal(overlayRefusals(w), 0);
    assert.deepEqual(w.nrp.violations, []);
  });

  it('does not let a drain sync that timed out release the delete', () => {
    const w = created(ep('10.244.0.1'));
    w.remove('Service', 'web');
    assert.ok(w.pendingSync);
    w.pendingSync = null; // lost
    w.advance(defaultEngineConfig.operationTimeoutMs);
    assert.equal(w.state.ops.get(NAME)?.state, 'DeletionPending', 'the address may still be mapped');
    assert.deepEqual(deletes(w, NAME), []);
    assert.ok(w.settle());
    assert.equal(w.nrp.services.has(NAME), false);
    assert.deepEqual(w.nrp.snapshot(), {});
    assert.equal(overlayRefusals(w), 0);
    assert.deepEqual(w.nrp.violations, []);
  });

  it('counts the adds of a sync that timed out as possibly applied, so they are drained before the delete', () => {
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
    w.apply({ kind: 'Service', fact: svc });
    setSlice(w, ep('10.244.0.1'));
    w.completeOp(pendingOp(w, NAME).dispatchId);
    const lost = w.pendingSync;
    assert.ok(lost);
    // NRP applied it, but the result never came back.
    for (const r of lost.requests) w.nrp.applyRequest(r);
    w.pendingSync = null;
    w.remove('Service', 'web');
    w.advance(defaultEngineConfig.operationTimeoutMs);
    assert.deepEqual(w.state.nrp.locations.get(LOC)?.addresses.get('10.244.0.1'), [NAME]);
    assert.equal(w.state.ops.get(NAME)?.state, 'DeletionPending');
    assert.ok(w.settle());
    assert.equal(w.nrp.services.has(NAME), false);
    assert.deepEqual(w.nrp.snapshot(), {});
    assert.equal(overlayRefusals(w), 0);
    assert.deepEqual(w.nrp.violations, []);
  });

  it('does not let a drain request of unknown outcome release the delete', () => {
    const w = created(ep('10.244.0.1'));
    w.remove('Service', 'web');
    w.completeSync({ failAt: 0, outcomeUnknown: true });
    assert.equal(w.state.ops.get(NAME)?.state, 'DeletionPending');
    assert.deepEqual(deletes(w, NAME), []);
    assert.ok(w.settle());
    assert.equal(w.nrp.services.has(NAME), false);
    assert.equal(overlayRefusals(w), 0);
  });
});
