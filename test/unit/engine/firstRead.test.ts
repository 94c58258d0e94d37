// No locations sync before NRP was read once. On a fresh state (a first start on a cluster whose
// Services NRP already serves, a lost state) the mirror is empty, not NRP: a sync would rewrite each
// location whole with only the services adopted so far, cutting the others' traffic until they are.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from '../../../shared/engine/decide.ts';
import { initialState } from '../../../shared/engine/state.ts';
import { POD_FINALIZER, SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import type { ClusterState, EngineEvent } from '../../../shared/engine/types.ts';
import { decodeMeta, encodeMeta } from '../../../shared/state/stateCodec.ts';
import { ALL_KINDS, CLUSTER, ctxAt, node, pod, service, slice, uidOf } from '../../support/builders.ts';
import { commandsOf } from '../../support/engineDriver.ts';

const TIMEOUT = 600_000;
const listed: EngineEvent[] = ALL_KINDS.map((objectKind) => ({ kind: 'KubernetesSynced', objectKind, snapshot: 'initial' }));
const WEB = uidOf('web');
const API = uidOf('api');

/** A cluster with two Services, both already served by NRP (registered, addresses in place). */
const cluster: EngineEvent[] = [
  { kind: 'NodeUpserted', node: node('node-a', ['10.0.0.4']), snapshot: 'initial' },
  { kind: 'ServiceUpserted', service: service('web'), snapshot: 'initial' },
  { kind: 'ServiceUpserted', service: service('api'), snapshot: 'initial' },
  { kind: 'EndpointSliceUpserted', slice: slice('web-1', WEB, [{ ip: '10.244.0.7', node: 'node-a' }]), snapshot: 'initial' },
  { kind: 'EndpointSliceUpserted', slice: slice('api-1', API, [{ ip: '10.244.0.8', node: 'node-a' }]), snapshot: 'initial' },
  ...listed,
];
const nrpHolds = (nrpEpoch: number): Extract<EngineEvent, { kind: 'NrpObserved' }> => ({
  kind: 'NrpObserved',
  nrpEpoch,
  services: [{ name: WEB, type: 'Inbound' }, { name: API, type: 'Inbound' }],
  locations: [{ location: '10.0.0.4', addresses: [{ address: '10.244.0.7', services: [WEB] }, { address: '10.244.0.8', services: [API] }] }],
});

describe('the first read of NRP', () => {
  it('is asked for once on a fresh state, and no sync runs until it lands', () => {
    const first = decide(initialState(CLUSTER), cluster, ctxAt(0));
    assert.equal(commandsOf(first, 'ObserveNrp').length, 1);
    assert.equal(commandsOf(first, 'SyncLocations').length, 0);
    // The creates may start (they are idempotent PUTs); the locations wait.
    const again = decide(first.state, [{ kind: 'Tick' }], ctxAt(1_000));
    assert.equal(commandsOf(again, 'ObserveNrp').length, 0, 'asked once, not on every decision');
    assert.equal(commandsOf(again, 'SyncLocations').length, 0);
    assert.deepEqual(commandsOf(again, 'WakeAt').map((c) => c.at), [TIMEOUT]);
  });

  it('is asked for again when the request went unanswered for an operation timeout', () => {
    const first = decide(initialState(CLUSTER), cluster, ctxAt(0));
    const late = decide(first.state, [{ kind: 'Tick' }], ctxAt(TIMEOUT));
    assert.equal(commandsOf(late, 'ObserveNrp').length, 1);
  });

  it('keeps the addresses of Services being adopted: the sync that follows removes nothing', () => {
    const first = decide(initialState(CLUSTER), cluster, ctxAt(0));
    const read = decide(first.state, [nrpHolds(first.state.nrpEpoch)], ctxAt(10));
    assert.equal(read.state.sync.nrpRead.state, 'read');
    // Both are registered in NRP, so they count as ready while their adoption runs.
    const syncs = commandsOf(read, 'SyncLocations');
    assert.deepEqual(syncs, [], 'NRP already holds what the cluster asks for');
  });

  it('prevents the sync that would drop a Service not adopted yet once another one is created', () => {
    const webCreated = (state: ClusterState, at: number): ReturnType<typeof decide> => {
      const op = state.ops.get(WEB);
      assert.ok(op?.inFlight, 'web is being created');
      return decide(state, [{ kind: 'ServiceOperationCompleted', serviceName: WEB, dispatchId: op.inFlight.dispatchId, outcome: { result: 'success', publicIp: '20.0.0.1' } }], ctxAt(at));
    };
    const dropsApi = (d: ReturnType<typeof decide>): boolean =>
      commandsOf(d, 'SyncLocations').some((c) => c.sync.requests.some((r) => r.addressLocations.some((l) => l.addressLocation === '10.0.0.4' && l.addressUpdateAction === 'FullUpdate' && !l.addresses.some((a) => a.address === '10.244.0.8'))));

    // Without the gate (the state as it would be had the read been skipped), web's creation sends
    // the location whole, without api's address: api's traffic stops until api is adopted too.
    const fresh = initialState(CLUSTER);
    const ungated = decide({ ...fresh, sync: { ...fresh.sync, nrpRead: { state: 'read' } } }, cluster, ctxAt(0));
    assert.equal(dropsApi(webCreated(ungated.state, 1_000)), true);

    // With it, the read comes first, and web's creation changes nothing at that location.
    const first = decide(initialState(CLUSTER), cluster, ctxAt(0));
    const read = decide(first.state, [nrpHolds(first.state.nrpEpoch)], ctxAt(10));
    const created = webCreated(read.state, 1_000);
    assert.equal(dropsApi(created), false);
    assert.ok(commandsOf(created, 'SyncLocations').every((c) => c.sync.requests.every((r) => r.addressLocations.every((l) => l.addresses.every((a) => a.services.length > 0)))), 'no address loses its services');
  });

  it('waits for the last part of a read in parts', () => {
    const first = decide(initialState(CLUSTER), cluster, ctxAt(0));
    const epoch = first.state.nrpEpoch;
    const part1 = decide(first.state, [{ kind: 'NrpDriftObserved', nrpEpoch: epoch, services: [{ name: WEB, type: 'Inbound' }], locations: [], final: false }], ctxAt(10));
    assert.equal(part1.state.sync.nrpRead.state, 'unread');
    assert.equal(commandsOf(part1, 'SyncLocations').length, 0);
    const part2 = decide(part1.state, [{ kind: 'NrpDriftObserved', nrpEpoch: epoch, services: [], locations: [{ location: '10.0.0.4', addresses: [{ address: '10.244.0.7', services: [WEB] }] }], final: true }], ctxAt(20));
    assert.equal(part2.state.sync.nrpRead.state, 'read');
  });

  it('is asked for again at once when a completion overtook it', () => {
    const first = decide(initialState(CLUSTER), cluster, ctxAt(0));
    const stale = decide(first.state, [nrpHolds(first.state.nrpEpoch + 1)], ctxAt(10));
    assert.equal(stale.state.sync.nrpRead.state, 'unread');
    assert.equal(commandsOf(stale, 'ObserveNrp').length, 1, 'the overtaken read is replaced by a new one');
  });

  it('is stored with the state, and a state stored before the gate existed counts as read', () => {
    const first = decide(initialState(CLUSTER), cluster, ctxAt(0)).state;
    const meta = { cluster: CLUSTER, sequence: first.sequence, nrpEpoch: first.nrpEpoch, synced: first.kube.synced, sync: first.sync, azure: first.azure };
    assert.deepEqual(decodeMeta(encodeMeta(meta), 'meta').sync.nrpRead, { state: 'unread', requestedAt: 0 });
    const old = JSON.parse(encodeMeta(meta)) as { sync: Record<string, unknown> };
    delete old.sync['nrpRead'];
    assert.deepEqual(decodeMeta(JSON.stringify(old), 'meta').sync.nrpRead, { state: 'read' });
  });

  it('holds a Service deleted meanwhile at the drain gate until the read says its addresses are gone', () => {
    const deleting: EngineEvent[] = [
      { kind: 'NodeUpserted', node: node('node-a', ['10.0.0.4']), snapshot: 'initial' },
      { kind: 'ServiceUpserted', service: service('web', { deleting: true, finalizers: [SERVICE_FINALIZER] }), snapshot: 'initial' },
      ...listed,
    ];
    const first = decide(initialState(CLUSTER), deleting, ctxAt(0));
    // The empty mirror says neither "registered" nor "drained": no release, no Azure work yet.
    assert.equal(commandsOf(first, 'RemoveFinalizer').length, 0);
    assert.equal(commandsOf(first, 'DispatchServiceOperation').length, 0);
    // NRP still routes an address to it: the read keeps it waiting, and the sync removes the address.
    const read = decide(first.state, [{ ...nrpHolds(first.state.nrpEpoch), services: [{ name: WEB, type: 'Inbound' }], locations: [{ location: '10.0.0.4', addresses: [{ address: '10.244.0.7', services: [WEB] }] }] }], ctxAt(10));
    assert.equal(read.state.ops.get(WEB)?.state, 'DeletionPending');
    assert.equal(commandsOf(read, 'RemoveFinalizer').length, 0);
    const sync = commandsOf(read, 'SyncLocations')[0];
    assert.ok(sync, 'the drain is sent');
    const drained = decide(read.state, [{ kind: 'LocationsSyncCompleted', syncId: sync.sync.syncId, applied: sync.sync.requests.length, failure: null }], ctxAt(20));
    assert.equal(drained.state.ops.get(WEB)?.state, 'DeletionInProgress');
  });

  it('releases a deleted Service NRP turns out not to have, once the read (and the Azure listing it brings) says so', () => {
    const deleting: EngineEvent[] = [{ kind: 'ServiceUpserted', service: service('web', { deleting: true, finalizers: [SERVICE_FINALIZER] }), snapshot: 'initial' }, ...listed];
    const first = decide(initialState(CLUSTER), deleting, ctxAt(0));
    assert.equal(commandsOf(first, 'RemoveFinalizer').length, 0);
    const epoch = first.state.nrpEpoch;
    const read = decide(first.state, [{ kind: 'NrpDriftObserved', nrpEpoch: epoch, services: [], locations: [] }, { kind: 'AzureResourcesObserved', nrpEpoch: epoch, resources: [] }], ctxAt(10));
    assert.deepEqual(commandsOf(read, 'RemoveFinalizer').map((c) => c.target.name), ['web']);
  });

  it('creates no egress identity until the read lands: NRP may hold it already', () => {
    const egress: EngineEvent[] = [
      { kind: 'NodeUpserted', node: node('node-a', ['10.0.0.4', 'fd00::4']), snapshot: 'initial' },
      { kind: 'PodUpserted', pod: pod('worker', 'team-a'), snapshot: 'initial' },
      ...listed,
    ];
    const first = decide(initialState(CLUSTER), egress, ctxAt(0));
    assert.equal(first.state.ops.has('team-a'), false);
    assert.equal(commandsOf(first, 'DispatchServiceOperation').length, 0);
    const read = decide(first.state, [{ kind: 'NrpDriftObserved', nrpEpoch: first.state.nrpEpoch, services: [], locations: [] }], ctxAt(10));
    assert.deepEqual(commandsOf(read, 'DispatchServiceOperation').map((c) => [c.operation.serviceName, c.operation.operation, c.operation.config]), [
      ['team-a', 'create', { kind: 'outbound', name: 'team-a', ipFamilies: ['IPv4', 'IPv6'] }],
    ]);
  });

  it('keeps the finalizer of an egress pod that terminated meanwhile until the read', () => {
    const gone: EngineEvent[] = [
      { kind: 'NodeUpserted', node: node('node-a', ['10.0.0.4']), snapshot: 'initial' },
      { kind: 'PodUpserted', pod: pod('worker', 'team-a', { deleting: true, finalizers: [POD_FINALIZER] }), snapshot: 'initial' },
      ...listed,
    ];
    const first = decide(initialState(CLUSTER), gone, ctxAt(0));
    assert.equal(commandsOf(first, 'RemoveFinalizer').length, 0);
    const read = decide(first.state, [{ kind: 'NrpDriftObserved', nrpEpoch: first.state.nrpEpoch, services: [], locations: [] }], ctxAt(10));
    assert.equal(commandsOf(read, 'RemoveFinalizer').length, 1, 'released once NRP is known not to route it');
  });
});
