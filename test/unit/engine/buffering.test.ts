// Buffering (reference §2.3), derived: an address references a service only once the service is
// ready, so endpoints of a not-yet-ready service wait and are released by the diff after create
// success, and a delete drops them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineCommand, EngineObservation, ServiceOperation } from '../../../shared/engine/types.ts';
import type { EndpointSpec } from '../../support/builders.ts';
import { node, pod, service, slice } from '../../support/builders.ts';
import { World } from '../../support/world.ts';

type Command<K extends EngineCommand['kind']> = Extract<EngineCommand, { kind: K }>;
type Observation<K extends EngineObservation['kind']> = Extract<EngineObservation, { kind: K }>;

function commands<K extends EngineCommand['kind']>(list: readonly EngineCommand[], kind: K): Command<K>[] {
  return list.filter((c): c is Command<K> => c.kind === kind);
}

function observed<K extends EngineObservation['kind']>(list: readonly EngineObservation[], kind: K): Observation<K>[] {
  return list.filter((o): o is Observation<K> => o.kind === kind);
}

/** Every (location, address, services) a list of commands sent to NRP, in order. */
function sentEntries(list: readonly EngineCommand[]): { location: string; address: string; services: readonly string[] }[] {
  const out: { location: string; address: string; services: readonly string[] }[] = [];
  for (const c of commands(list, 'SyncLocations')) {
    for (const r of c.sync.requests) for (const l of r.addressLocations) for (const a of l.addresses) out.push({ location: l.addressLocation, address: a.address, services: a.services });
  }
  return out;
}

function pendingOp(w: World, name: string, operation?: ServiceOperation['operation']): ServiceOperation {
  const op = [...w.pendingOps.values()].find((o) => o.serviceName === name && (operation === undefined || o.operation === operation));
  assert.ok(op, `a pending ${operation ?? 'operation'} for ${name}`);
  return op;
}

const svc = service('web');
const NAME = svc.uid.toLowerCase();
const LOC = '10.0.0.4';

function setSlice(w: World, endpoints: EndpointSpec[]): void {
  w.apply({ kind: 'EndpointSlice', fact: slice('web-1', svc.uid, endpoints) });
}

/** node-a at 10.0.0.4 and the Service `web`, whose create is dispatched but not completed. */
function creating(): World {
  const w = new World();
  w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
  w.apply({ kind: 'Service', fact: svc });
  assert.equal(w.state.ops.get(NAME)?.state, 'CreationInProgress');
  return w;
}

/** As `creating`, with the create completed and `endpoints` synced. */
function created(endpoints: EndpointSpec[]): World {
  const w = creating();
  setSlice(w, endpoints);
  assert.ok(w.settle());
  assert.equal(w.state.ops.get(NAME)?.state, 'Created');
  return w;
}

describe('endpoints of a service that is not ready yet', () => {
  it('does not sync endpoints that arrive while the create is in progress', () => {
    const w = creating();
    setSlice(w, [{ ip: '10.244.0.5', node: 'node-a' }]);
    assert.equal(w.pendingSync, null);
    assert.deepEqual(sentEntries(w.commands), []);
    assert.deepEqual(w.nrp.snapshot(), {});
  });

  it('does not sync endpoints while a failed create waits for its retry in NotStarted', () => {
    const w = creating();
    w.completeOp(pendingOp(w, NAME).dispatchId, 'transient');
    assert.equal(w.state.ops.get(NAME)?.state, 'NotStarted');
    setSlice(w, [{ ip: '10.244.0.5', node: 'node-a' }]);
    assert.equal(w.state.ops.get(NAME)?.state, 'NotStarted');
    assert.deepEqual(sentEntries(w.commands), []);
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [NAME] } });
  });

  it('syncs exactly the final endpoint set in one sync after create success, replaying adds and removals in order', () => {
    const w = creating();
    setSlice(w, [{ ip: '10.244.0.1', node: 'node-a' }, { ip: '10.244.0.2', node: 'node-a' }]);
    setSlice(w, [{ ip: '10.244.0.2', node: 'node-a' }]); // .1 removed
    setSlice(w, [{ ip: '10.244.0.2', node: 'node-a' }, { ip: '10.244.0.3', node: 'node-a' }]); // .3 added
    setSlice(w, [{ ip: '10.244.0.1', node: 'node-a' }, { ip: '10.244.0.2', node: 'node-a' }]); // .3 removed, .1 re-added
    assert.deepEqual(sentEntries(w.commands), []);

    const mark = w.commands.length;
    w.completeOp(pendingOp(w, NAME).dispatchId);
    assert.ok(w.settle());
    const syncs = commands(w.commands.slice(mark), 'SyncLocations');
    assert.equal(syncs.length, 1);
    assert.deepEqual(syncs[0]?.sync.requests, [
      {
        action: 'PartialUpdate',
        addressLocations: [
          {
            addressLocation: LOC,
            addressUpdateAction: 'FullUpdate',
            addresses: [
              { address: '10.244.0.1', services: [NAME] },
              { address: '10.244.0.2', services: [NAME] },
            ],
          },
        ],
      },
    ]);
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.1': [NAME], '10.244.0.2': [NAME] } });
    assert.deepEqual(w.nrp.violations, []);
  });

  it('does not resurrect an endpoint removed during creation that another, live service still had', () => {
    const other = service('api');
    const OTHER = other.uid.toLowerCase();
    const w = creating();
    w.apply({ kind: 'Service', fact: other });
    w.completeOp(pendingOp(w, OTHER).dispatchId);
    w.apply({ kind: 'EndpointSlice', fact: slice('api-1', other.uid, [{ ip: '10.244.0.9', node: 'node-a' }]) });
    setSlice(w, [{ ip: '10.244.0.9', node: 'node-a' }]);
    w.completeSync();
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.9': [OTHER] } });

    // The pod goes away from both slices while `web` is still being created.
    w.apply({ kind: 'EndpointSlice', fact: slice('api-1', other.uid, []) });
    setSlice(w, []);
    w.completeOp(pendingOp(w, NAME).dispatchId);
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), {});
    assert.ok(!sentEntries(w.commands).some((e) => e.services.includes(NAME)), 'web never referenced the gone endpoint');
  });

  it('seeds endpoints of a slice that arrived before its Service on create success', () => {
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
    setSlice(w, [{ ip: '10.244.0.5', node: 'node-a' }]);
    w.apply({ kind: 'Service', fact: svc });
    assert.deepEqual(sentEntries(w.commands), []);
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [NAME] } });
  });

  it('never syncs endpoints of a Service that is not a LoadBalancer', () => {
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
    const internal = service('internal', { type: 'ClusterIP' });
    w.apply({ kind: 'Service', fact: internal });
    w.apply({ kind: 'EndpointSlice', fact: slice('internal-1', internal.uid, [{ ip: '10.244.0.5', node: 'node-a' }]) });
    assert.ok(w.settle());
    assert.equal(w.state.ops.size, 0);
    assert.deepEqual(sentEntries(w.commands), []);
  });

  it('syncs new endpoints at once for a parked service whose load balancer is registered', () => {
    const w = created([{ ip: '10.244.0.5', node: 'node-a' }]);
    w.apply({ kind: 'Service', fact: service('web', { ports: [{ protocol: 'TCP', port: 443, targetPort: 8443 }] }) });
    w.completeOp(pendingOp(w, NAME, 'update').dispatchId, 'terminal');
    const op = w.state.ops.get(NAME);
    assert.equal(op?.state, 'NotStarted');
    assert.ok(op?.state === 'NotStarted' && op.terminal !== null, 'parked on the terminal error');
    setSlice(w, [{ ip: '10.244.0.5', node: 'node-a' }, { ip: '10.244.0.6', node: 'node-a' }]);
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [NAME], '10.244.0.6': [NAME] } });
    assert.equal(w.state.ops.get(NAME)?.state, 'NotStarted');
  });
});

describe('endpoints of a service being deleted', () => {
  it('does not add endpoints that arrive after the delete, and drains the ones it had', () => {
    const w = created([{ ip: '10.244.0.5', node: 'node-a' }]);
    w.remove('Service', 'web');
    assert.equal(w.state.ops.get(NAME)?.state, 'DeletionPending');
    setSlice(w, [{ ip: '10.244.0.5', node: 'node-a' }, { ip: '10.244.0.6', node: 'node-a' }]);
    assert.ok(w.settle());
    assert.ok(!sentEntries(w.commands).some((e) => e.address === '10.244.0.6' && e.services.includes(NAME)));
    assert.deepEqual(w.nrp.snapshot(), {});
    assert.equal(w.nrp.services.has(NAME), false);
    assert.equal(w.get('Service', 'web'), undefined, 'the finalizer came off and the Service is gone');
    assert.deepEqual(w.nrp.violations, []);
  });

  it('discards endpoints buffered during a create that a delete overtook: NRP never sees them', () => {
    const w = creating();
    setSlice(w, [{ ip: '10.244.0.5', node: 'node-a' }, { ip: '10.244.0.6', node: 'node-a' }]);
    w.remove('Service', 'web');
    assert.equal(w.state.ops.get(NAME)?.state, 'DeletionPending');
    w.completeOp(pendingOp(w, NAME, 'create').dispatchId);
    assert.equal(w.state.ops.get(NAME)?.state, 'DeletionInProgress', 'nothing to drain: delete starts at once');
    assert.ok(w.settle());
    assert.deepEqual(sentEntries(w.commands), []);
    assert.equal(w.nrp.services.has(NAME), false);
    assert.equal(w.nrp.resources.size, 0);
    assert.equal(w.state.ops.has(NAME), false);
  });

  it('re-seeds the endpoints from the slice cache when the service is recreated after deletion', () => {
    const w = created([{ ip: '10.244.0.5', node: 'node-a' }]);
    const mark = w.commands.length;
    // LoadBalancer -> ClusterIP (delete) -> LoadBalancer again (recreate), same UID.
    w.apply({ kind: 'Service', fact: service('web', { type: 'ClusterIP' }) });
    assert.equal(w.state.ops.get(NAME)?.state, 'DeletionPending');
    w.apply({ kind: 'Service', fact: svc });
    assert.equal(w.state.ops.get(NAME)?.recreateAfterDeletion, true);
    assert.ok(w.settle());
    const ops = commands(w.commands.slice(mark), 'DispatchServiceOperation').map((c) => c.operation.operation);
    assert.deepEqual(ops, ['delete', 'create']);
    // The drain leaves nothing under the location, which is deleted; the recreate writes it whole.
    const sent = commands(w.commands.slice(mark), 'SyncLocations').flatMap((c) => c.sync.requests.flatMap((r) => r.addressLocations));
    assert.deepEqual(sent, [
      { addressLocation: LOC, addressUpdateAction: 'PartialUpdate', addresses: [] },
      { addressLocation: LOC, addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.0.5', services: [NAME] }] },
    ]);
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [NAME] } });
    assert.equal(w.state.ops.get(NAME)?.state, 'Created');
    assert.deepEqual(w.nrp.violations, []);
  });
});

describe('endpoint changes of a ready service', () => {
  it('removes an endpoint that turns not ready, and treats an unset ready condition as ready', () => {
    const w = created([{ ip: '10.244.0.5', node: 'node-a' }, { ip: '10.244.0.6', node: 'node-a', ready: null }]);
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [NAME], '10.244.0.6': [NAME] } });
    setSlice(w, [{ ip: '10.244.0.5', node: 'node-a', ready: false }, { ip: '10.244.0.6', node: 'node-a', ready: null }]);
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.6': [NAME] } });
    assert.deepEqual(sentEntries(w.commands).at(-1), { location: LOC, address: '10.244.0.5', services: [] });
  });

  it('re-files endpoints under a node\'s new InternalIP and deletes the old location', () => {
    const w = created([{ ip: '10.244.0.5', node: 'node-a' }]);
    const mark = w.commands.length;
    w.apply({ kind: 'Node', fact: node('node-a', ['10.0.0.9']) });
    assert.ok(w.settle());
    const sync = commands(w.commands.slice(mark), 'SyncLocations');
    assert.equal(sync.length, 1);
    assert.deepEqual(sync[0]?.sync.requests[0]?.addressLocations, [
      { addressLocation: '10.0.0.4', addressUpdateAction: 'PartialUpdate', addresses: [] },
      { addressLocation: '10.0.0.9', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.0.5', services: [NAME] }] },
    ]);
    assert.deepEqual(w.nrp.snapshot(), { '10.0.0.9': { '10.244.0.5': [NAME] } });
    assert.equal(w.nrp.locations.has('10.0.0.4'), false);
  });

  it('deletes the location of a deleted node with an empty address list', () => {
    const w = created([{ ip: '10.244.0.5', node: 'node-a' }]);
    const mark = w.commands.length;
    w.remove('Node', 'node-a');
    assert.ok(w.settle());
    const sync = commands(w.commands.slice(mark), 'SyncLocations');
    assert.deepEqual(sync.map((s) => s.sync.requests), [
      [{ action: 'PartialUpdate', addressLocations: [{ addressLocation: LOC, addressUpdateAction: 'PartialUpdate', addresses: [] }] }],
    ]);
    assert.equal(w.nrp.locations.has(LOC), false);
  });

  it('rejects an endpoint on an unknown node instead of guessing, and still syncs the others', () => {
    const w = creating();
    setSlice(w, [{ ip: '10.244.0.5', node: 'node-a' }, { ip: '10.244.9.9', node: 'node-x' }]);
    const rejected = observed(w.observations, 'InputRejected');
    assert.ok(rejected.some((r) => r.reason === 'UnknownNode' && r.examples.some((x) => x.includes('10.244.9.9'))));
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [NAME] } });
  });
});

describe('BuffersFlushed', () => {
  it('counts the ready endpoints that waited and for how long', () => {
    const w = creating();
    setSlice(w, [
      { ip: '10.244.0.1', node: 'node-a' },
      { ip: ['10.244.0.2', '10.244.0.3'], node: 'node-a' },
      { ip: '10.244.0.4', node: 'node-a', ready: false },
    ]);
    w.now = 2_500;
    w.completeOp(pendingOp(w, NAME).dispatchId);
    assert.deepEqual(observed(w.observations, 'BuffersFlushed'), [
      { kind: 'BuffersFlushed', serviceName: NAME, endpoints: 3, pods: 0, waitedMs: 2_500 },
    ]);
  });

  it('counts the pod addresses an outbound service waited with', () => {
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
    w.apply({ kind: 'Pod', fact: pod('p1', 'egress-a', { podIPs: ['10.244.0.10'] }) });
    w.apply({ kind: 'Pod', fact: pod('p2', 'egress-a', { podIPs: ['10.244.0.11'] }) });
    w.now = 700;
    w.completeOp(pendingOp(w, 'egress-a').dispatchId);
    assert.deepEqual(observed(w.observations, 'BuffersFlushed'), [
      { kind: 'BuffersFlushed', serviceName: 'egress-a', endpoints: 0, pods: 2, waitedMs: 700 },
    ]);
  });

  it('is not observed when a create fails', () => {
    const w = creating();
    setSlice(w, [{ ip: '10.244.0.1', node: 'node-a' }]);
    w.completeOp(pendingOp(w, NAME).dispatchId, 'transient');
    assert.deepEqual(observed(w.observations, 'BuffersFlushed'), []);
  });
});
