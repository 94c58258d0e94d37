// Kubernetes facts into the cache: stale events lose, duplicates change nothing, finished
// snapshots prune what they did not mention, and absence is only trusted once every kind is listed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../../shared/engine/decide.ts';
import { initialState } from '../../../shared/engine/state.ts';
import type { ClusterState, EngineCommand, EngineEvent, EngineObservation } from '../../../shared/engine/types.ts';
import {
  ctxAt,
  deleted,
  node,
  pod,
  service,
  slice,
  syncedEvents,
  syncedState,
  upsertNode,
  upsertPod,
  upsertService,
  upsertSlice,
} from '../../support/builders.ts';
import { World } from '../../support/world.ts';

type Command<K extends EngineCommand['kind']> = Extract<EngineCommand, { kind: K }>;
type Observation<K extends EngineObservation['kind']> = Extract<EngineObservation, { kind: K }>;

function commands<K extends EngineCommand['kind']>(list: readonly EngineCommand[], kind: K): Command<K>[] {
  return list.filter((c): c is Command<K> => c.kind === kind);
}

function observed<K extends EngineObservation['kind']>(list: readonly EngineObservation[], kind: K): Observation<K>[] {
  return list.filter((o): o is Observation<K> => o.kind === kind);
}

/** Commands that reach the outside world (a WakeAt only schedules the next call). */
function effects(list: readonly EngineCommand[]): EngineCommand[] {
  return list.filter((c) => c.kind !== 'WakeAt');
}

/** A list resourceVersion above every resourceVersion the World hands out in these tests. */
const RELIST = '1000000';


const web = service('web', { resourceVersion: '5' });
const webKey = web.uid.toLowerCase();

function withWeb(): ClusterState {
  return decide(syncedState(), [upsertService(web)], ctxAt(0)).state;
}

describe('resourceVersion ordering of upserts', () => {
  it('ignores a Service upsert older than the cached one and leaves the state unchanged', () => {
    const before = withWeb();
    const older = service('web', { resourceVersion: '4', ports: [{ protocol: 'TCP', port: 81, targetPort: 8081 }] });
    const r = decide(before, [upsertService(older)], ctxAt(1));
    assert.deepEqual(observed(r.observations, 'EventIgnored'), [
      { kind: 'EventIgnored', objectKind: 'Service', key: webKey, reason: 'olderResourceVersion' },
    ]);
    assert.equal(r.state.kube.services.get(webKey)?.fact.resourceVersion, '5');
    assert.deepEqual(r.state.ops.get(webKey)?.config, before.ops.get(webKey)?.config);
    assert.deepEqual(effects(r.commands), []);
  });

  it('compares numeric resourceVersions as numbers, not as strings', () => {
    const before = decide(syncedState(), [upsertService(service('web', { resourceVersion: '10' }))], ctxAt(0)).state;
    const r = decide(before, [upsertService(service('web', { resourceVersion: '9', ports: [{ protocol: 'TCP', port: 81, targetPort: 81 }] }))], ctxAt(1));
    assert.equal(observed(r.observations, 'EventIgnored')[0]?.reason, 'olderResourceVersion');
    assert.equal(r.state.kube.services.get(webKey)?.fact.resourceVersion, '10');
  });

  it('ignores a duplicate upsert of the same resourceVersion', () => {
    const before = withWeb();
    const r = decide(before, [upsertService(web)], ctxAt(1));
    assert.deepEqual(observed(r.observations, 'EventIgnored'), [
      { kind: 'EventIgnored', objectKind: 'Service', key: webKey, reason: 'duplicate' },
    ]);
    assert.deepEqual(effects(r.commands), []);
    assert.deepEqual(r.state.ops, before.ops);
  });

  it('applies a newer upsert and carries its spec into the op', () => {
    const before = withWeb();
    const newer = service('web', { resourceVersion: '6', ports: [{ protocol: 'UDP', port: 53, targetPort: 5353 }] });
    const r = decide(before, [upsertService(newer)], ctxAt(1));
    assert.deepEqual(observed(r.observations, 'EventIgnored'), []);
    assert.equal(r.state.kube.services.get(webKey)?.fact.resourceVersion, '6');
    const config = r.state.ops.get(webKey)?.config;
    assert.equal(config?.kind, 'inbound');
    assert.deepEqual(config?.kind === 'inbound' ? config.ports : null, [{ protocol: 'UDP', port: 53, backendPort: 5353 }]);
  });

  it('ignores an older EndpointSlice so its stale endpoints never come back', () => {
    const s = decide(syncedState(), [upsertNode(node('node-a', ['10.0.0.4'])), upsertSlice(slice('web-1', web.uid, [{ ip: '10.244.0.5', node: 'node-a' }], { resourceVersion: '7' }))], ctxAt(0)).state;
    const r = decide(s, [upsertSlice(slice('web-1', web.uid, [{ ip: '10.244.0.99', node: 'node-a' }], { resourceVersion: '3' }))], ctxAt(1));
    assert.equal(observed(r.observations, 'EventIgnored')[0]?.reason, 'olderResourceVersion');
    assert.deepEqual(r.state.kube.slices.get('default/web-1')?.fact.endpoints[0]?.addresses, ['10.244.0.5']);
  });

  it('ignores an older Node upsert so a node keeps its current InternalIP', () => {
    const s = decide(syncedState(), [upsertNode(node('node-a', ['10.0.0.9'], { resourceVersion: '8' }))], ctxAt(0)).state;
    const r = decide(s, [upsertNode(node('node-a', ['10.0.0.4'], { resourceVersion: '2' }))], ctxAt(1));
    assert.equal(observed(r.observations, 'EventIgnored')[0]?.reason, 'olderResourceVersion');
    assert.deepEqual(r.state.kube.nodes.get('node-a')?.fact.internalIPs, ['10.0.0.9']);
  });
});

describe('deletions', () => {
  it('ignores a Pod delete whose UID does not match the cached pod of that name', () => {
    const p = pod('p1', 'egress-a', { uid: 'uid-new' });
    const s = decide(syncedState(), [upsertPod(p)], ctxAt(0)).state;
    const r = decide(s, [deleted('Pod', { name: 'p1', uid: 'uid-old' })], ctxAt(1));
    assert.deepEqual(observed(r.observations, 'EventIgnored'), [{ kind: 'EventIgnored', objectKind: 'Pod', key: 'default/p1', reason: 'uidMismatch' }]);
    assert.equal(r.state.kube.pods.get('default/p1')?.fact.uid, 'uid-new');
    assert.equal(r.state.ops.get('egress-a')?.state, 'CreationInProgress');
  });

  it('ignores a Node delete whose UID does not match, keeping the node location', () => {
    const s = decide(syncedState(), [upsertNode(node('node-a', ['10.0.0.4'], { uid: 'node-uid-2' }))], ctxAt(0)).state;
    const r = decide(s, [deleted('Node', { name: 'node-a', uid: 'node-uid-1' })], ctxAt(1));
    assert.equal(observed(r.observations, 'EventIgnored')[0]?.reason, 'uidMismatch');
    assert.ok(r.state.kube.nodes.has('node-a'));
  });

  it('ignores a delete of an object it never saw', () => {
    const r = decide(syncedState(), [deleted('EndpointSlice', { name: 'ghost', uid: 'ghost-uid' })], ctxAt(0));
    assert.deepEqual(observed(r.observations, 'EventIgnored'), [
      { kind: 'EventIgnored', objectKind: 'EndpointSlice', key: 'default/ghost', reason: 'unknownObject' },
    ]);
    assert.deepEqual(effects(r.commands), []);
  });

  it('ignores a delete older than the cached object', () => {
    const s = decide(syncedState(), [upsertPod(pod('p1', 'egress-a', { resourceVersion: '20' }))], ctxAt(0)).state;
    const p = s.kube.pods.get('default/p1');
    assert.ok(p);
    const r = decide(s, [deleted('Pod', { name: 'p1', uid: p.fact.uid, resourceVersion: '19' })], ctxAt(1));
    assert.equal(observed(r.observations, 'EventIgnored')[0]?.reason, 'olderResourceVersion');
    assert.ok(r.state.kube.pods.has('default/p1'));
  });

  it('keys a Service by its lower-cased UID and deletes it by that UID', () => {
    const upper = service('web', { uid: 'ABCDEF01-0000-4000-8000-ABCDEF01ABCD' });
    const s = decide(syncedState(), [upsertService(upper)], ctxAt(0)).state;
    assert.ok(s.kube.services.has('abcdef01-0000-4000-8000-abcdef01abcd'));
    const r = decide(s, [deleted('Service', { name: 'web', uid: upper.uid })], ctxAt(1));
    assert.equal(r.state.kube.services.size, 0);
    assert.deepEqual(observed(r.observations, 'EventIgnored'), []);
  });
});

describe('tombstones', () => {
  function deletedPod(): ClusterState {
    const s = decide(syncedState(), [upsertPod(pod('p1', 'egress-a', { resourceVersion: '5' }))], ctxAt(0)).state;
    const p = s.kube.pods.get('default/p1');
    assert.ok(p);
    return decide(s, [deleted('Pod', { name: 'p1', uid: p.fact.uid, resourceVersion: '6' })], ctxAt(1)).state;
  }

  it('does not revive a deleted object when an older upsert of it is replayed', () => {
    const gone = deletedPod();
    assert.equal(gone.kube.pods.has('default/p1'), false);
    assert.equal(gone.ops.get('egress-a')?.state, 'DeletionPending', 'its outbound service is on the way out');
    const r = decide(gone, [upsertPod(pod('p1', 'egress-a', { resourceVersion: '5' }))], ctxAt(2));
    assert.equal(observed(r.observations, 'EventIgnored')[0]?.reason, 'olderResourceVersion');
    assert.equal(r.state.kube.pods.has('default/p1'), false);
    assert.equal(r.state.ops.get('egress-a')?.state, 'DeletionPending', 'the replay does not revive the service');
    assert.equal(r.state.ops.get('egress-a')?.recreateAfterDeletion, false);
    assert.deepEqual(effects(r.commands), []);
  });

  it('accepts a newer object of the same name after a deletion', () => {
    const r = decide(deletedPod(), [upsertPod(pod('p1', 'egress-a', { resourceVersion: '9', uid: 'p1-reborn' }))], ctxAt(2));
    assert.equal(r.state.kube.pods.get('default/p1')?.fact.uid, 'p1-reborn');
    assert.equal(r.state.ops.get('egress-a')?.state, 'CreationInProgress');
  });

  // A pod found gone by a finalizer action is reported deleted at the pod watch's newest
  // resourceVersion, which can be newer than a pod re-created under the same name in between.
  it('accepts a pod re-created under the same name whose version is below a gone answer\'s', () => {
    const s = decide(syncedState(), [upsertPod(pod('p1', 'egress-a', { resourceVersion: '5' }))], ctxAt(0)).state;
    const old = s.kube.pods.get('default/p1');
    assert.ok(old);
    const gone = decide(s, [deleted('Pod', { name: 'p1', uid: old.fact.uid, resourceVersion: '120' })], ctxAt(1)).state;
    const r = decide(gone, [upsertPod(pod('p1', 'egress-a', { resourceVersion: '100', uid: 'p1-reborn' }))], ctxAt(2));
    assert.deepEqual(observed(r.observations, 'EventIgnored'), []);
    assert.equal(r.state.kube.pods.get('default/p1')?.fact.uid, 'p1-reborn');
  });

  it('still buries an older incarnation and the deleted pod itself after a gone answer', () => {
    const s0 = decide(syncedState(), [upsertPod(pod('p1', 'egress-a', { resourceVersion: '5', uid: 'p1-first' }))], ctxAt(0)).state;
    const s1 = decide(s0, [deleted('Pod', { name: 'p1', uid: 'p1-first', resourceVersion: '6' })], ctxAt(1)).state;
    const s2 = decide(s1, [upsertPod(pod('p1', 'egress-a', { resourceVersion: '50', uid: 'p1-second' }))], ctxAt(2)).state;
    const gone = decide(s2, [deleted('Pod', { name: 'p1', uid: 'p1-second', resourceVersion: '120' })], ctxAt(3)).state;
    for (const late of [pod('p1', 'egress-a', { resourceVersion: '5', uid: 'p1-first' }), pod('p1', 'egress-a', { resourceVersion: '50', uid: 'p1-second' }), pod('p1', 'egress-a', { resourceVersion: '110', uid: 'p1-second' })]) {
      const r = decide(gone, [upsertPod(late)], ctxAt(4));
      assert.equal(r.state.kube.pods.has('default/p1'), false, `${late.uid}@${late.resourceVersion} stays buried`);
    }
  });

  it('revives the same pod when it comes back into the selector after its deletion', () => {
    const gone = deletedPod();
    const p = pod('p1', 'egress-a', { resourceVersion: '7' });
    const r = decide(gone, [upsertPod(p)], ctxAt(2));
    assert.equal(r.state.kube.pods.get('default/p1')?.fact.resourceVersion, '7');
  });

  it('forgets a deletion after tombstoneTtlMs', () => {
    const gone = deletedPod();
    assert.equal(gone.kube.tombstones.size, 1);
    const ttl = ctxAt(0).config.tombstoneTtlMs;
    assert.equal(decide(gone, [{ kind: 'Tick' }], ctxAt(ttl)).state.kube.tombstones.size, 1);
    assert.equal(decide(gone, [{ kind: 'Tick' }], ctxAt(1 + ttl)).state.kube.tombstones.size, 0);
  });
});

/** A World serving one LoadBalancer Service `web` with one endpoint, settled. */
function servedWeb(): { w: World; svc: ReturnType<typeof service>; name: string } {
  const w = new World();
  w.apply({ kind: 'Node', fact: node('node-a', ['10.0.0.4']) });
  const svc = service('web');
  w.apply({ kind: 'Service', fact: svc });
  w.apply({ kind: 'EndpointSlice', fact: slice('web-1', svc.uid, [{ ip: '10.244.0.5', node: 'node-a' }]) });
  assert.ok(w.settle());
  return { w, svc, name: svc.uid.toLowerCase() };
}

describe('snapshot pruning', () => {
  it('treats a Service missing from a finished snapshot as deleted and deletes its load balancer', () => {
    const { w, name } = servedWeb();
    assert.equal(w.nrp.services.get(name), 'Inbound');

    // The forwarder was down while the Service went away (its finalizer stripped by hand).
    w.cluster.delete('Service/default/web');
    w.relist(RELIST);
    assert.equal(w.state.kube.services.has(name), false);
    assert.equal(w.state.ops.get(name)?.state, 'DeletionPending');
    assert.ok(w.settle());
    assert.equal(w.nrp.services.has(name), false);
    assert.deepEqual(w.nrp.snapshot(), {});
    assert.equal(w.state.ops.has(name), false);
    assert.deepEqual(w.nrp.violations, []);
  });

  it('keeps an object whose snapshot upsert was a duplicate of the cached version', () => {
    const w = new World();
    const svc = service('web');
    w.apply({ kind: 'Service', fact: svc });
    assert.ok(w.settle());
    const name = svc.uid.toLowerCase();
    const before = w.observations.length;
    w.relist(RELIST);
    const ignored = observed(w.observations.slice(before), 'EventIgnored');
    assert.ok(ignored.some((o) => o.objectKind === 'Service' && o.reason === 'duplicate'), 'the re-listed Service is a duplicate');
    assert.equal(w.state.kube.services.get(name)?.snapshot, RELIST);
    assert.equal(w.state.ops.get(name)?.state, 'Created');
    assert.ok(w.settle());
    assert.equal(w.nrp.services.get(name), 'Inbound');
  });

  it('ignores a replayed snapshot marker older than the last one', () => {
    const s = decide(syncedState(), [{ kind: 'NodeUpserted', node: node('node-a', ['10.0.0.4'], { resourceVersion: '15' }), snapshot: '20' }, { kind: 'KubernetesSynced', objectKind: 'Node', snapshot: '20' }], ctxAt(0)).state;
    assert.equal(s.kube.nodes.size, 1);
    const r = decide(s, [{ kind: 'KubernetesSynced', objectKind: 'Node', snapshot: '10' }], ctxAt(1));
    assert.equal(observed(r.observations, 'EventIgnored')[0]?.reason, 'olderResourceVersion');
    assert.equal(r.state.kube.nodes.size, 1);
  });

  it('keeps an object that changed after the list was taken', () => {
    const s = decide(syncedState(), [upsertNode(node('node-a', ['10.0.0.4'], { resourceVersion: '30' }))], ctxAt(0)).state;
    const r = decide(s, [{ kind: 'KubernetesSynced', objectKind: 'Node', snapshot: '25' }], ctxAt(1));
    assert.ok(r.state.kube.nodes.has('node-a'), 'the watch event overtook the snapshot marker');
    const older = decide(s, [{ kind: 'KubernetesSynced', objectKind: 'Node', snapshot: '35' }], ctxAt(1));
    assert.equal(older.state.kube.nodes.has('node-a'), false, 'not in a later list: gone');
  });

  it('prunes only the kind whose snapshot finished', () => {
    const s = decide(syncedState(), [upsertNode(node('node-a', ['10.0.0.4'])), upsertPod(pod('p1', 'egress-a'))], ctxAt(0)).state;
    const r = decide(s, [{ kind: 'KubernetesSynced', objectKind: 'Node', snapshot: 's2' }], ctxAt(1));
    assert.equal(r.state.kube.nodes.size, 0);
    assert.equal(r.state.kube.pods.size, 1);
  });

  it("keeps a live Service when an older list's marker arrives after a newer list re-reported it", () => {
    // Two forwarders list at 100 and 105; the session holds "A's objects, B's objects, A's marker".
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', ['10.0.0.4']) });
    const svc = service('web');
    w.apply({ kind: 'Service', fact: svc });
    assert.ok(w.settle());
    const name = svc.uid.toLowerCase();
    const live = w.get('Service', 'web');
    assert.ok(live?.kind === 'Service');
    const listed = (snapshot: string): EngineEvent => ({ kind: 'ServiceUpserted', service: live.fact, snapshot });
    w.send([listed('100'), listed('105'), { kind: 'KubernetesSynced', objectKind: 'Service', snapshot: '100' }]);
    assert.equal(w.state.kube.services.get(name)?.snapshot, '105', 'a tag only moves forward');
    w.send([{ kind: 'KubernetesSynced', objectKind: 'Service', snapshot: '105' }]);
    assert.equal(w.state.kube.services.has(name), true);
    assert.equal(w.state.ops.get(name)?.state, 'Created');
    assert.equal(commands(w.commands, 'DispatchServiceOperation').filter((c) => c.operation.operation === 'delete').length, 0);
  });

  it('keeps the last known state of an object a list withheld, and warns its owner instead of deleting its load balancer', () => {
    const { w, svc, name } = servedWeb();
    const live = w.get('Service', 'web');
    assert.ok(live?.kind === 'Service');
    const before = w.commands.length;
    // The Service grew past what the forwarder can send; the relist withholds it.
    const withheld: EngineEvent = {
      kind: 'ObjectWithheld',
      objectKind: 'Service',
      namespace: 'default',
      name: 'web',
      uid: svc.uid,
      resourceVersion: '99',
      reason: 'ObjectTooLarge',
      detail: 'Service/default/web cannot be forwarded: too large',
      snapshot: RELIST,
    };
    const others = w.history.filter((e) => e.kind === 'NodeUpserted' || e.kind === 'EndpointSliceUpserted').map((e) => ({ ...e, snapshot: RELIST }));
    w.send([...others, withheld, ...(['Service', 'EndpointSlice', 'Node', 'Pod'] as const).map((objectKind): EngineEvent => ({ kind: 'KubernetesSynced', objectKind, snapshot: RELIST }))]);
    assert.ok(w.settle());
    assert.equal(w.state.kube.services.get(name)?.fact.resourceVersion, live.fact.resourceVersion, 'the last known state stays');
    assert.equal(w.state.ops.get(name)?.state, 'Created');
    assert.equal(w.nrp.services.get(name), 'Inbound');
    assert.deepEqual(w.nrp.snapshot(), { '10.0.0.4': { '10.244.0.5': [name] } });
    const warnings = commands(w.commands.slice(before), 'RecordKubernetesEvent');
    assert.deepEqual(warnings.map((c) => [c.type, c.reason, c.target.name]), [['Warning', 'ObjectTooLarge', 'web']]);
    assert.ok(observed(w.observations, 'InputRejected').some((o) => o.reason === 'ObjectTooLarge'));
  });

  it('does not revive an object from an older list that arrives after a newer list finished without it', () => {
    const s = decide(syncedState(), [{ kind: 'KubernetesSynced', objectKind: 'Node', snapshot: '105' }], ctxAt(0)).state;
    const late = decide(s, [{ kind: 'NodeUpserted', node: node('node-x', ['10.0.0.9'], { resourceVersion: '90' }), snapshot: '100' }], ctxAt(1));
    assert.equal(late.state.kube.nodes.has('node-x'), false, 'not in the list at 105: it was gone by then');
    assert.equal(observed(late.observations, 'EventIgnored')[0]?.reason, 'olderResourceVersion');
    const watched = decide(s, [upsertNode(node('node-x', ['10.0.0.9'], { resourceVersion: '106' }))], ctxAt(1));
    assert.equal(watched.state.kube.nodes.has('node-x'), true, 'created after that list: new');
  });

  it('prunes a Node missing from a snapshot and deletes its location', () => {
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', ['10.0.0.4']) });
    w.apply({ kind: 'Node', fact: node('node-b', ['10.0.0.5']) });
    const svc = service('web');
    w.apply({ kind: 'Service', fact: svc });
    w.apply({ kind: 'EndpointSlice', fact: slice('web-1', svc.uid, [{ ip: '10.244.0.5', node: 'node-a' }, { ip: '10.244.1.5', node: 'node-b' }]) });
    assert.ok(w.settle());
    assert.deepEqual(Object.keys(w.nrp.snapshot()), ['10.0.0.4', '10.0.0.5']);
    w.cluster.delete('Node/node-b');
    w.relist(RELIST);
    assert.ok(w.settle());
    assert.deepEqual(Object.keys(w.nrp.snapshot()), ['10.0.0.4']);
    assert.equal(w.nrp.locations.has('10.0.0.5'), false);
  });
});

describe('absence before the initial listing', () => {
  function unsyncedWithDrift(): World {
    const w = new World({ synced: false });
    // NRP holds a registration and an address that the cluster has not mentioned (yet).
    w.nrp.services.set('stale-egress', 'Outbound');
    w.nrp.locations.set('10.0.0.4', new Map([['10.244.0.77', ['stale-egress']]]));
    w.observeNrp();
    w.send([{ kind: 'NodeUpserted', node: node('node-a', ['10.0.0.4']), snapshot: 'initial' }]);
    return w;
  }

  it('sends no locations sync and deletes no orphan before every kind was listed', () => {
    const w = unsyncedWithDrift();
    w.send([
      { kind: 'KubernetesSynced', objectKind: 'Service', snapshot: 'initial' },
      { kind: 'KubernetesSynced', objectKind: 'EndpointSlice', snapshot: 'initial' },
      { kind: 'KubernetesSynced', objectKind: 'Node', snapshot: 'initial' },
    ]);
    assert.equal(commands(w.commands, 'SyncLocations').length, 0);
    assert.equal(commands(w.commands, 'DispatchServiceOperation').length, 0);
    assert.equal(w.state.ops.size, 0);
  });

  it('removes the drift once the last kind finished its listing', () => {
    const w = unsyncedWithDrift();
    w.send(syncedEvents());
    const sync = commands(w.commands, 'SyncLocations')[0];
    assert.ok(sync, 'a sync is sent once absence can be trusted');
    // The stale address was all NRP held under the location: the location is deleted.
    assert.deepEqual(sync.sync.requests[0]?.addressLocations, [{ addressLocation: '10.0.0.4', addressUpdateAction: 'PartialUpdate', addresses: [] }]);
    assert.equal(w.state.ops.get('stale-egress')?.orphan, true);
    assert.ok(w.settle());
    assert.equal(w.nrp.services.has('stale-egress'), false);
    assert.deepEqual(w.nrp.snapshot(), {});
    assert.deepEqual(w.nrp.violations, []);
  });

  it('does not delete a registered inbound service before Services were listed', () => {
    const name = '0badf00d-0000-4000-8000-0badf00d0bad';
    const s0 = decide(initialState('c1'), [{ kind: 'NrpObserved', nrpEpoch: 0, services: [{ name, type: 'Inbound' }], locations: [] }], ctxAt(0)).state;
    const early = decide(s0, [{ kind: 'KubernetesSynced', objectKind: 'Pod', snapshot: 'initial' }], ctxAt(1));
    assert.equal(early.state.ops.has(name), false);
    const late = decide(early.state, [{ kind: 'KubernetesSynced', objectKind: 'Service', snapshot: 'initial' }], ctxAt(2));
    assert.equal(late.state.ops.get(name)?.orphan, true);
    const dispatch = commands(late.commands, 'DispatchServiceOperation')[0];
    assert.equal(dispatch?.operation.operation, 'delete');
    assert.equal(dispatch?.operation.serviceName, name);
  });
});

describe('cluster-scoped ids', () => {
  function run(cluster: string): { dispatch: Command<'DispatchServiceOperation'>; sync: Command<'SyncLocations'> } {
    const svc = service('web');
    let s = decide(initialState(cluster), syncedEvents(), ctxAt(0)).state;
    const r1 = decide(s, [upsertNode(node('node-a', ['10.0.0.4'])), upsertService(svc), upsertSlice(slice('web-1', svc.uid, [{ ip: '10.244.0.5', node: 'node-a' }]))], ctxAt(0));
    s = r1.state;
    const dispatch = commands(r1.commands, 'DispatchServiceOperation')[0];
    assert.ok(dispatch);
    const r2 = decide(s, [{ kind: 'ServiceOperationCompleted', serviceName: dispatch.operation.serviceName, dispatchId: dispatch.operation.dispatchId, outcome: { result: 'success', publicIp: '20.1.2.3' } }], ctxAt(10));
    const sync = commands(r2.commands, 'SyncLocations')[0];
    assert.ok(sync);
    return { dispatch, sync };
  }

  it('puts the cluster name into every dispatch, correlation and sync id', () => {
    const { dispatch, sync } = run('cluster-b');
    assert.equal(dispatch.operation.cluster, 'cluster-b');
    assert.match(dispatch.operation.dispatchId, /^cluster-b:/);
    assert.match(dispatch.operation.correlationId, /^cluster-b:/);
    assert.equal(sync.sync.cluster, 'cluster-b');
    assert.match(sync.sync.syncId, /^cluster-b:/);
  });

  it('gives two clusters with the same events distinct ids', () => {
    const b = run('cluster-b');
    const c = run('cluster-c');
    assert.notEqual(b.dispatch.operation.dispatchId, c.dispatch.operation.dispatchId);
    assert.notEqual(b.sync.sync.syncId, c.sync.sync.syncId);
    assert.deepEqual(b.sync.sync.requests, c.sync.sync.requests);
  });
});
