// Azure orphans (docs/adr/0013): the backstop lists the public IPs, load balancers and NAT gateways
// this engine tagged for this cluster; what nothing protects is deleted by an orphan operation.
// Protected: a name with an op, a name NRP registers or an NRP address references, a cached Service
// of ours, a live egress identity, and every name of a kind an unread (withheld) object may hold.
// Never touched: what is tagged for another cluster or named unlike what its tags say. The sweep
// waits for every kind to be listed, for the NRP read and for a listing no completion overtook,
// and a Service finalizer comes off only once such a listing was taken in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from '../../../shared/engine/decide.ts';
import { initialState } from '../../../shared/engine/state.ts';
import { SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import type { ClusterState, Decision, EngineEvent, ManagedResource, ServiceKind } from '../../../shared/engine/types.ts';
import { assembleState, metaJsonOf } from '../../../shared/state/stateRows.ts';
import { ALL_KINDS, CLUSTER, ctxAt, node, pod, service, syncedState, uidOf } from '../../support/builders.ts';
import { EngineDriver, commandsOf, completion, dispatches, observationsOf, theDispatch } from '../../support/engineDriver.ts';

const ORPHAN = uidOf('left-behind');
/** An orphan listed beside each protected name: deleted, so the listing was taken in. */
const LONE = uidOf('lone');
const ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network';

function resource(resourceType: ManagedResource['resourceType'], name: string, serviceKind: ServiceKind, svc: string, cluster = CLUSTER): ManagedResource {
  const path = resourceType === 'publicIPAddress' ? 'publicIPAddresses' : resourceType === 'loadBalancer' ? 'loadBalancers' : 'natGateways';
  return { resourceType, name, id: `${ID}/${path}/${name}`, cluster, serviceKind, service: svc };
}

/** An inbound Service's load balancer and public IP, as the adapter lists them. */
function inboundResources(name: string, cluster = CLUSTER): ManagedResource[] {
  return [resource('loadBalancer', name, 'inbound', name, cluster), resource('publicIPAddress', `${name}-pip`, 'inbound', name, cluster)];
}

function outboundResources(name: string): ManagedResource[] {
  return [
    resource('natGateway', name, 'outbound', name),
    resource('publicIPAddress', `${name}-pip`, 'outbound', name),
    resource('publicIPAddress', `${name}-pip-v6`, 'outbound', name),
  ];
}

function listing(state: ClusterState, resources: ManagedResource[], final?: boolean, part?: number): Extract<EngineEvent, { kind: 'AzureResourcesObserved' }> {
  return { kind: 'AzureResourcesObserved', nrpEpoch: state.nrpEpoch, resources, ...(final === undefined ? {} : { final }), ...(part === undefined ? {} : { part }) };
}

function found(d: Decision): string[] {
  return observationsOf(d, 'AzureOrphanFound').map((o) => o.serviceName);
}

/** Lists `resources` beside LONE's: only LONE is found (so the listing was taken in and the rest kept). */
function keptBesideLone(e: EngineDriver, resources: ManagedResource[], before: EngineEvent[] = []): Decision {
  const d = e.send([...before, listing(e.state, [...resources, ...inboundResources(LONE)])]);
  assert.deepEqual(found(d), [LONE]);
  return d;
}

function orphanDeletes(d: Decision): { name: string; kind: ServiceKind }[] {
  return dispatches(d)
    .filter((o) => o.operation === 'delete' && o.orphan)
    .map((o) => ({ name: o.serviceName, kind: o.serviceKind }));
}

const listedKinds: EngineEvent[] = ALL_KINDS.map((objectKind) => ({ kind: 'KubernetesSynced', objectKind, snapshot: '10' }));

/** Every kind listed and NRP read, but no listing of Azure yet (a fresh start). */
function unlistedState(extra: EngineEvent[] = []): ClusterState {
  const s = decide(initialState(CLUSTER), [...extra, ...listedKinds], ctxAt(0)).state;
  return decide(s, [{ kind: 'NrpDriftObserved', nrpEpoch: s.nrpEpoch, services: [], locations: [] }], ctxAt(1)).state;
}

describe('Azure orphans', () => {
  it('deletes the public IP and load balancer of a Service nothing wants and NRP does not register', () => {
    const e = new EngineDriver({ state: syncedState() });
    const d = e.send([listing(e.state, inboundResources(ORPHAN))]);
    const op = theDispatch(d);
    assert.deepEqual(
      { name: op.serviceName, kind: op.serviceKind, operation: op.operation, orphan: op.orphan, config: op.config },
      { name: ORPHAN, kind: 'inbound', operation: 'delete', orphan: true, config: null },
    );
    assert.deepEqual(observationsOf(d, 'AzureOrphanFound'), [
      { kind: 'AzureOrphanFound', serviceName: ORPHAN, serviceKind: 'inbound', resources: [ORPHAN, `${ORPHAN}-pip`] },
    ]);
    // Once deleted, it is forgotten; a later listing that no longer has it changes nothing.
    e.send([completion(op, { result: 'success', publicIp: null })]);
    assert.equal(e.state.ops.has(ORPHAN), false);
    assert.deepEqual(dispatches(e.send([listing(e.state, [])])), []);
  });

  it('deletes the NAT gateway and public IPs of an egress identity no pod has', () => {
    const e = new EngineDriver({ state: syncedState() });
    assert.deepEqual(orphanDeletes(e.send([listing(e.state, outboundResources('team-gone'))])), [{ name: 'team-gone', kind: 'outbound' }]);
  });

  it('deletes a lone public IP left by a create that failed after it', () => {
    const e = new EngineDriver({ state: syncedState() });
    const d = e.send([listing(e.state, [resource('publicIPAddress', `${ORPHAN}-pip`, 'inbound', ORPHAN)])]);
    assert.deepEqual(orphanDeletes(d), [{ name: ORPHAN, kind: 'inbound' }]);
  });

  it('keeps what an operation is working on', () => {
    const e = new EngineDriver({ state: syncedState() });
    const web = service('web');
    e.send([{ kind: 'ServiceUpserted', service: web }]);
    const name = web.uid.toLowerCase();
    assert.equal(e.op(name).state, 'CreationInProgress');
    const d = keptBesideLone(e, inboundResources(name));
    assert.deepEqual(orphanDeletes(d), [{ name: LONE, kind: 'inbound' }]);
    assert.equal(e.op(name).state, 'CreationInProgress');
  });

  it('keeps the resources of a Service of ours that admission rejects (left as they are)', () => {
    const e = new EngineDriver({ state: syncedState() });
    const rejected = service('pinned', { loadBalancerIP: '20.0.0.9' });
    e.send([{ kind: 'ServiceUpserted', service: rejected }]);
    const name = rejected.uid.toLowerCase();
    assert.equal(e.state.ops.has(name), false);
    keptBesideLone(e, inboundResources(name));
    assert.equal(e.state.ops.has(name), false);
  });

  it('keeps the resources of a Service that arrived in the same batch', () => {
    const e = new EngineDriver({ state: syncedState() });
    const web = service('web');
    const name = web.uid.toLowerCase();
    const d = keptBesideLone(e, inboundResources(name), [{ kind: 'ServiceUpserted', service: web }]);
    assert.deepEqual(dispatches(d).map((o) => `${o.operation}:${o.serviceName}`).sort(), [`create:${name}`, `delete:${LONE}`]);
  });

  it('keeps the NAT gateway of a live egress identity', () => {
    const e = new EngineDriver({ state: syncedState() });
    const d = keptBesideLone(e, outboundResources('team-a'), [{ kind: 'NodeUpserted', node: node('node-a', ['10.0.0.4']) }, { kind: 'PodUpserted', pod: pod('worker', 'team-a') }]);
    assert.deepEqual(dispatches(d).map((o) => `${o.operation}:${o.serviceName}`).sort(), [`create:team-a`, `delete:${LONE}`]);
  });

  it('leaves a name NRP registers to the NRP path (one delete, not two)', () => {
    const e = new EngineDriver({ state: syncedState() });
    const d = keptBesideLone(e, inboundResources(ORPHAN), [e.observed([{ name: ORPHAN, type: 'Inbound' }])]);
    assert.deepEqual(orphanDeletes(d).map((o) => o.name).sort(), [ORPHAN, LONE].sort());
  });

  it('keeps a name an NRP address still references', () => {
    const e = new EngineDriver({ state: syncedState() });
    e.send([e.observed([], [{ location: '10.0.0.4', addresses: [{ address: '10.244.0.7', services: [ORPHAN] }] }])]);
    keptBesideLone(e, inboundResources(ORPHAN));
    assert.equal(e.state.ops.has(ORPHAN), false);
  });

  it('spares every inbound name while a Service it could not read may own them, until a later list completes without it', () => {
    const e = new EngineDriver({ state: syncedState() });
    const big = service('huge');
    e.send([{ kind: 'ObjectWithheld', objectKind: 'Service', namespace: 'default', name: 'huge', uid: big.uid, resourceVersion: '7', reason: 'ObjectTooLarge', detail: 'too large', snapshot: '20' }]);
    const d = e.send([listing(e.state, [...inboundResources(ORPHAN), ...outboundResources('team-gone')])]);
    assert.deepEqual(orphanDeletes(d), [{ name: 'team-gone', kind: 'outbound' }], 'only the kind a withheld Service cannot own');
    // The list that withheld it completes: still unread, still spared.
    e.send([{ kind: 'KubernetesSynced', objectKind: 'Service', snapshot: '20' }]);
    assert.deepEqual(orphanDeletes(e.send([listing(e.state, inboundResources(ORPHAN))])), []);
    // A newer list that had it no longer withheld (here: it is gone): the orphan goes.
    e.send([{ kind: 'KubernetesSynced', objectKind: 'Service', snapshot: '30' }]);
    assert.deepEqual(orphanDeletes(e.send([listing(e.state, inboundResources(ORPHAN))])), [{ name: ORPHAN, kind: 'inbound' }]);
  });

  it('spares every outbound name while a withheld pod may carry an egress label', () => {
    const e = new EngineDriver({ state: syncedState() });
    e.send([{ kind: 'ObjectWithheld', objectKind: 'Pod', namespace: 'default', name: 'p', uid: uidOf('p'), resourceVersion: '7', reason: 'ObjectUnreadable', detail: 'bad' }]);
    const d = e.send([listing(e.state, [...inboundResources(ORPHAN), ...outboundResources('team-gone')])]);
    assert.deepEqual(orphanDeletes(d), [{ name: ORPHAN, kind: 'inbound' }]);
  });

  it('never touches what is tagged for another cluster or named unlike its tags', () => {
    const e = new EngineDriver({ state: syncedState() });
    const other = uidOf('other');
    const d = e.send([
      listing(e.state, [
        ...inboundResources(other, 'another-cluster'),
        // Tagged ours, but the name is not one this engine gives a resource of that service.
        resource('publicIPAddress', 'customer-ip', 'inbound', ORPHAN),
        resource('loadBalancer', 'customer-lb', 'inbound', ORPHAN),
        // A NAT gateway is never an inbound service's, a load balancer never an outbound one's.
        resource('natGateway', ORPHAN, 'inbound', ORPHAN),
        resource('loadBalancer', 'team-x', 'outbound', 'team-x'),
        ...inboundResources(LONE),
      ]),
    ]);
    assert.deepEqual(found(d), [LONE]);
    assert.deepEqual(orphanDeletes(d), [{ name: LONE, kind: 'inbound' }]);
    assert.deepEqual([...e.state.ops.keys()], [LONE]);
  });

  it('waits until every kind was listed once', () => {
    const s = decide(initialState(CLUSTER), listedKinds.slice(0, 3), ctxAt(0)).state;
    const read = decide(s, [{ kind: 'NrpDriftObserved', nrpEpoch: s.nrpEpoch, services: [], locations: [] }], ctxAt(1)).state;
    const d = decide(read, [listing(read, inboundResources(ORPHAN))], ctxAt(2));
    assert.deepEqual(dispatches(d), []);
    assert.deepEqual(observationsOf(d, 'AzureListingIgnored').map((o) => o.reason), ['kubernetesNotListed']);
    assert.equal(d.state.ops.size, 0);
  });

  it('waits for the first read of NRP', () => {
    const s = decide(initialState(CLUSTER), listedKinds, ctxAt(0)).state;
    const d = decide(s, [listing(s, inboundResources(ORPHAN))], ctxAt(1));
    assert.deepEqual(observationsOf(d, 'AzureListingIgnored').map((o) => o.reason), ['nrpUnread']);
    assert.equal(d.state.ops.size, 0);
  });

  it('ignores a listing an operation completed after (it may show what that operation just deleted)', () => {
    const e = new EngineDriver({ state: syncedState() });
    const web = service('web');
    const name = web.uid.toLowerCase();
    const create = theDispatch(e.send([{ kind: 'ServiceUpserted', service: web }]));
    // The listing is taken here; the create completes, the Service goes and its delete completes.
    const before = e.state;
    e.send([completion(create, { result: 'success', publicIp: '20.0.0.1' })]);
    const del = theDispatch(e.send([{ kind: 'ObjectDeleted', objectKind: 'Service', namespace: 'default', name: 'web', uid: web.uid, resourceVersion: '2' }]));
    e.send([completion(del, { result: 'success', publicIp: null })]);
    assert.equal(e.state.ops.has(name), false);
    const d = e.send([listing(before, inboundResources(name))]);
    assert.deepEqual(observationsOf(d, 'AzureListingIgnored').map((o) => o.reason), ['completedSinceListing']);
    assert.deepEqual(dispatches(d), []);
  });

  it('asks for the first listing with the first read of NRP, and again after a timeout', () => {
    const first = decide(initialState(CLUSTER), listedKinds, ctxAt(0));
    assert.equal(commandsOf(first, 'ObserveNrp').length, 1, 'the first read of NRP brings a listing too');
    const read = decide(first.state, [{ kind: 'NrpDriftObserved', nrpEpoch: first.state.nrpEpoch, services: [], locations: [] }], ctxAt(10));
    assert.equal(commandsOf(read, 'ObserveNrp').length, 0, 'asked once, not on every decision');
    const late = decide(read.state, [{ kind: 'Tick' }], ctxAt(600_000));
    assert.equal(commandsOf(late, 'ObserveNrp').length, 1, 'no listing came: asked again');
    const listed = decide(late.state, [listing(late.state, [])], ctxAt(600_001));
    assert.equal(listed.state.azure.listing.state, 'listed');
    assert.equal(commandsOf(decide(listed.state, [{ kind: 'Tick' }], ctxAt(1_800_000)), 'ObserveNrp').length, 0);
  });

  it('asks again as soon as it can when the listing came before every kind was listed', () => {
    const first = decide(initialState(CLUSTER), listedKinds.slice(0, 3), ctxAt(0));
    const epoch = first.state.nrpEpoch;
    const early = decide(first.state, [{ kind: 'NrpDriftObserved', nrpEpoch: epoch, services: [], locations: [] }, listing(first.state, [])], ctxAt(10));
    assert.deepEqual(observationsOf(early, 'AzureListingIgnored').map((o) => o.reason), ['kubernetesNotListed']);
    assert.equal(commandsOf(early, 'ObserveNrp').length, 0);
    const synced = decide(early.state, listedKinds.slice(3), ctxAt(20));
    assert.equal(commandsOf(synced, 'ObserveNrp').length, 1);
  });

  it('takes a listing in parts: each part deletes its orphans, the last one completes the listing', () => {
    const s = unlistedState();
    const part1 = decide(s, [listing(s, inboundResources(ORPHAN), false, 0)], ctxAt(2));
    assert.deepEqual(orphanDeletes(part1), [{ name: ORPHAN, kind: 'inbound' }]);
    assert.equal(part1.state.azure.listing.state, 'unlisted');
    const part2 = decide(part1.state, [{ ...listing(part1.state, outboundResources('team-gone'), true, 1), nrpEpoch: s.nrpEpoch }], ctxAt(3));
    assert.deepEqual(orphanDeletes(part2), [{ name: 'team-gone', kind: 'outbound' }]);
    assert.equal(part2.state.azure.listing.state, 'listed');
  });

  it('does not complete a listing whose middle part never came', () => {
    const s = unlistedState();
    const d = decide(s, [listing(s, [], false, 0), listing(s, [], true, 2)], ctxAt(2));
    assert.equal(d.state.azure.listing.state, 'unlisted');
  });
});

describe('the Azure listing state', () => {
  it('is stored with the state, and a state stored before it existed counts as unlisted', () => {
    const e = new EngineDriver({ state: unlistedState() });
    e.send([{ kind: 'ObjectWithheld', objectKind: 'Pod', namespace: 'default', name: 'p', uid: uidOf('p'), resourceVersion: '7', reason: 'ObjectUnreadable', detail: 'bad', snapshot: '12' }]);
    e.send([listing(e.state, [])]);
    const back = assembleState(CLUSTER, metaJsonOf(e.state), []).state;
    assert.deepEqual(back.azure, { listing: { state: 'listed' }, withheld: new Map([['Pod', '12']]) });
    const old = JSON.parse(metaJsonOf(e.state)) as Record<string, unknown>;
    delete old['azure'];
    assert.deepEqual(assembleState(CLUSTER, JSON.stringify(old), []).state.azure, { listing: { state: 'unlisted', requestedAt: null, nextPart: 0 }, withheld: new Map() });
  });
});

describe('Service finalizer recovery checks Azure', () => {
  const deleting = service('web', { deleting: true, finalizers: [SERVICE_FINALIZER] });
  const name = deleting.uid.toLowerCase();
  const withDeleting: EngineEvent[] = [{ kind: 'ServiceUpserted', service: deleting, snapshot: '10' }];

  it('holds the finalizer of a deleted Service with no op until Azure was listed, then releases it when nothing of it is left', () => {
    const s = unlistedState(withDeleting);
    assert.equal(s.azure.listing.state, 'unlisted');
    const tick = decide(s, [{ kind: 'Tick' }], ctxAt(2));
    assert.deepEqual(commandsOf(tick, 'RemoveFinalizer'), [], 'NRP does not have it, but Azure may still');
    const d = decide(tick.state, [listing(tick.state, [])], ctxAt(3));
    assert.deepEqual(commandsOf(d, 'RemoveFinalizer').map((c) => c.target.name), ['web']);
  });

  it('regression: holds it when an earlier part of the listing was ignored, and asks for a whole listing again', () => {
    // Part 0 (which shows the Service's load balancer) comes before the pods were listed and is
    // ignored; part 1, taken in, must not make the listing whole.
    const s0 = decide(initialState(CLUSTER), [...withDeleting, ...listedKinds.slice(0, 3)], ctxAt(0)).state;
    const s = decide(s0, [{ kind: 'NrpDriftObserved', nrpEpoch: s0.nrpEpoch, services: [], locations: [] }], ctxAt(1)).state;
    const first = decide(s, [listing(s, inboundResources(name), false, 0)], ctxAt(2));
    assert.deepEqual(observationsOf(first, 'AzureListingIgnored').map((o) => o.reason), ['kubernetesNotListed']);
    const pods = decide(first.state, listedKinds.slice(3), ctxAt(3));
    const last = decide(pods.state, [listing(pods.state, [], true, 1)], ctxAt(4));
    assert.deepEqual(commandsOf(last, 'RemoveFinalizer'), [], 'Azure may still hold its load balancer');
    assert.equal(last.state.azure.listing.state, 'unlisted');
    assert.equal(commandsOf(last, 'ObserveNrp').length, 1, 'a whole listing is asked for');
    // A whole listing (parts 0 and 1, both taken in) then finds its resources and deletes them first.
    const again = decide(last.state, [listing(last.state, inboundResources(name), false, 0), listing(last.state, [], true, 1)], ctxAt(5));
    assert.equal(again.state.azure.listing.state, 'listed');
    assert.deepEqual(commandsOf(again, 'RemoveFinalizer'), []);
    assert.deepEqual(orphanDeletes(again), [{ name, kind: 'inbound' }]);
  });

  it('deletes what Azure still holds of it first, then releases the finalizer', () => {
    const s = unlistedState(withDeleting);
    const d = decide(s, [listing(s, inboundResources(name))], ctxAt(3));
    assert.deepEqual(commandsOf(d, 'RemoveFinalizer'), []);
    const op = theDispatch(d);
    assert.deepEqual([op.serviceName, op.operation, op.orphan], [name, 'delete', true]);
    const done = decide(d.state, [completion(op, { result: 'success', publicIp: null })], ctxAt(4));
    assert.deepEqual(commandsOf(done, 'RemoveFinalizer').map((c) => c.target.name), ['web']);
  });
});
