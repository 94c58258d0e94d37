// AddService, UpdateService and DeleteService by current state (reference §2.2), and which
// Services are ours at all: driven through decide() with Kubernetes facts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IDLE_TIMEOUT_ANNOTATION, INTERNAL_LB_ANNOTATION } from '../../../shared/engine/admission.ts';
import { SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import type {
  Decision,
  LocationsSync,
  ServiceOp,
  ServiceOperation,
} from '../../../shared/engine/types.ts';
import type { ServiceOptions } from '../../support/builders.ts';
import { completion, commandsOf, dispatches, EngineDriver, observationsOf, theDispatch } from '../../support/engineDriver.ts';
import { PUBLIC_IP, success, transient, WEB_NAME, WEB_UID, web, webConfig } from '../../support/webService.ts';
import type { DriverOptions } from '../../support/engineDriver.ts';
import { deleted, node, service, slice, uidOf, upsertService } from '../../support/builders.ts';
import { World } from '../../support/world.ts';

// --- a small driver over decide() -------------------------------------------------------------

class Engine extends EngineDriver {
  constructor(o: DriverOptions = {}) {
    super({ defaultName: NAME, ...o });
  }
}

function transitions(d: Decision): string[] {
  return observationsOf(d, 'StateChanged').map((o) => `${o.from}->${o.to}`);
}

const NAME = WEB_NAME;
const UID = WEB_UID;
const WEB_REF = { kind: 'Service', namespace: 'default', name: 'web', uid: UID } as const;

const HELD = { finalizers: [SERVICE_FINALIZER] };

/** `web` created at t=10 (its fact already carries our finalizer). Returns the create. */
function created(e: Engine, backendPort = 8080): ServiceOperation {
  const create = theDispatch(e.at(0, [upsertService(web(1, backendPort, HELD))]));
  e.at(10, [completion(create, success())]);
  assert.equal(e.op().state, 'Created');
  return create;
}

/** A World with one node, `web` and its slice, settled: the endpoint is registered in NRP. */
function settledWorld(): World {
  const w = new World();
  w.apply({ kind: 'Node', fact: node('node-a', ['10.0.0.4']) });
  w.apply({ kind: 'Service', fact: service('web') });
  w.apply({ kind: 'EndpointSlice', fact: slice('web-abc', UID, [{ ip: '10.244.0.5', node: 'node-a' }]) });
  assert.ok(w.settle());
  assert.deepEqual(w.nrp.snapshot(), { '10.0.0.4': { '10.244.0.5': [NAME] } });
  return w;
}

/** Let time pass until the World has a locations sync to complete. */
function untilSync(w: World): void {
  for (let i = 0; i < 10 && !w.pendingSync; i++) {
    assert.ok(w.wakeAt !== null, 'the engine asked to be woken for the sync');
    w.advance(Math.max(0, w.wakeAt - w.now));
  }
  assert.ok(w.pendingSync, 'a sync is pending');
}

/** The World's pending sync, read afresh (not narrowed by earlier checks). */
function pendingSyncOf(w: World): LocationsSync | null {
  return w.pendingSync;
}

function worldOp(w: World, name = NAME): ServiceOp | undefined {
  return w.state.ops.get(name);
}

function pendingOperations(w: World): ServiceOperation[] {
  return [...w.pendingOps.values()];
}

// --- AddService --------------------------------------------------------------------------------

describe('AddService: an untracked LoadBalancer Service', () => {
  it('is tracked as NotStarted and gets the service finalizer', () => {
    const e = new Engine({ config: { maxConcurrentOperations: 0 } });
    const d = e.at(0, [upsertService(web(1))]);
    const op = e.op();
    assert.equal(op.state, 'NotStarted');
    assert.deepEqual(op.config, webConfig(8080));
    assert.equal(op.lastApplied, null);
    assert.equal(op.dispatches, 0);
    assert.deepEqual(transitions(d), ['Untracked->NotStarted']);
    assert.deepEqual(commandsOf(d, 'AddFinalizer'), [{ kind: 'AddFinalizer', target: WEB_REF, finalizer: SERVICE_FINALIZER }]);
  });

  it('has its create dispatched in the same decision when a slot is free', () => {
    const e = new Engine();
    const d = e.at(0, [upsertService(web(1))]);
    const create = theDispatch(d);
    assert.equal(create.operation, 'create');
    assert.deepEqual(create.config, webConfig(8080));
    assert.deepEqual(transitions(d), ['Untracked->NotStarted', 'NotStarted->CreationInProgress']);
    assert.equal(e.op().state, 'CreationInProgress');
  });

  it('gets no finalizer request when it already carries the finalizer', () => {
    const e = new Engine();
    const d = e.at(0, [upsertService(web(1, 8080, HELD))]);
    assert.deepEqual(commandsOf(d, 'AddFinalizer'), []);
    assert.equal(e.op().state, 'CreationInProgress');
  });

  for (const type of ['Inbound', 'InboundOutbound'] as const) {
    it(`is adopted as UpdateInProgress and updated when NRP already registers it as ${type}`, () => {
      const e = new Engine();
      const d = e.at(0, [e.observed([{ name: NAME, type }]), upsertService(web(1))]);
      assert.deepEqual(transitions(d), ['Untracked->UpdateInProgress']);
      const update = theDispatch(d);
      assert.equal(update.operation, 'update');
      assert.deepEqual(update.config, webConfig(8080));
      assert.equal(e.op().lastApplied, null);
      assert.equal(commandsOf(d, 'AddFinalizer').length, 1);
    });
  }

  it('is adopted Created once the re-applying update succeeds', () => {
    const e = new Engine();
    const update = theDispatch(e.at(0, [e.observed([{ name: NAME, type: 'Inbound' }]), upsertService(web(1))]));
    e.at(10, [completion(update, success())]);
    assert.equal(e.op().state, 'Created');
    assert.deepEqual(e.op().lastApplied, webConfig(8080));
  });
});

// --- UpdateService by state ----------------------------------------------------------------------

describe('UpdateService while NotStarted', () => {
  it('replaces the config of an op not yet dispatched: the latest spec wins', () => {
    const e = new Engine({ config: { maxConcurrentOperations: 0 } });
    e.at(0, [upsertService(web(1))]);
    const d = e.at(5, [upsertService(web(2, 9090))]);
    assert.deepEqual(e.op().config, webConfig(9090));
    assert.equal(e.op().state, 'NotStarted');
    assert.deepEqual(transitions(d), []);
    e.config = {};
    const create = theDispatch(e.at(10));
    assert.deepEqual(create.config, webConfig(9090));
  });

  it('dispatches a changed spec at once, with a fresh retry, when the create waits in backoff', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    e.at(10, [completion(create, transient())]);
    assert.equal(e.op().retry.count, 1);
    const retry = theDispatch(e.at(20, [upsertService(web(2, 9090))]));
    assert.equal(retry.attempt, 1);
    assert.deepEqual(retry.config, webConfig(9090));
  });

  it('keeps waiting for the retry gate when the same spec is sent again during backoff', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    e.at(10, [completion(create, transient())]);
    const before = e.op();
    const d = e.at(20, [upsertService(web(2))]);
    assert.deepEqual(dispatches(d), []);
    assert.deepEqual(e.op().retry, before.retry);
  });
});

describe('UpdateService while CreationInProgress', () => {
  it('records the latest spec while the in-flight create keeps its snapshot', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    const d = e.at(5, [upsertService(web(2, 9090))]);
    assert.deepEqual(dispatches(d), [], 'the running create is neither cancelled nor doubled');
    const op = e.op();
    assert.equal(op.state, 'CreationInProgress');
    assert.deepEqual(op.config, webConfig(9090));
    assert.equal(op.inFlight?.dispatchId, create.dispatchId);
    assert.deepEqual(op.inFlight?.config, webConfig(8080));
  });

  it('goes to UpdateInProgress when the create completes with a drifted config, and dispatches the update', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    e.at(5, [upsertService(web(2, 9090))]);
    const d = e.at(10, [completion(create, success())]);
    assert.deepEqual(transitions(d), ['CreationInProgress->UpdateInProgress']);
    assert.deepEqual(e.op().lastApplied, webConfig(8080));
    const update = theDispatch(d);
    assert.equal(update.operation, 'update');
    assert.deepEqual(update.config, webConfig(9090));
  });

  it('ends Created when the spec returned to the in-flight snapshot before the create completed', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    e.at(5, [upsertService(web(2, 9090))]);
    e.at(6, [upsertService(web(3, 8080))]);
    const d = e.at(10, [completion(create, success())]);
    assert.equal(e.op().state, 'Created');
    assert.deepEqual(dispatches(d), []);
  });
});

describe('UpdateService while Created', () => {
  it('does nothing when the same spec is sent again', () => {
    const e = new Engine();
    created(e);
    const before = e.op();
    // The Service now shows the IP the create reported, so nothing is left to ask.
    const d = e.at(20, [upsertService(web(2, 8080, { ...HELD, ingressIPs: [PUBLIC_IP] }))]);
    assert.deepEqual(d.commands, []);
    assert.deepEqual(transitions(d), []);
    assert.deepEqual(e.op(), before);
  });

  it('does nothing for a change that leaves the config as it is', () => {
    const e = new Engine();
    created(e);
    const d = e.at(20, [upsertService(web(2, 8080, { ...HELD, annotations: { 'example.com/owner': 'team-a' } }))]);
    assert.deepEqual(dispatches(d), []);
    assert.equal(e.op().state, 'Created');
  });

  it('moves to UpdateInProgress and dispatches an update for a changed config', () => {
    const e = new Engine();
    const create = created(e);
    const d = e.at(20, [upsertService(web(2, 9090, HELD))]);
    assert.deepEqual(transitions(d), ['Created->UpdateInProgress']);
    const update = theDispatch(d);
    assert.equal(update.operation, 'update');
    assert.deepEqual(update.config, webConfig(9090));
    assert.equal(update.attempt, 1);
    assert.equal(update.correlationId, create.correlationId);
    assert.deepEqual(e.op().lastApplied, webConfig(8080), 'last applied changes only on success');
  });

  it('builds the config from the spec: ports sorted, target ports as backends, idle timeout from the annotation', () => {
    const e = new Engine();
    created(e);
    const spec = web(2, 8080, {
      ...HELD,
      annotations: { [IDLE_TIMEOUT_ANNOTATION]: '15' },
      ports: [
        { name: 'dns', protocol: 'UDP', port: 53, targetPort: null },
        { name: 'https', protocol: 'TCP', port: 443, targetPort: '8443' },
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
      ],
    });
    const update = theDispatch(e.at(20, [upsertService(spec)]));
    assert.deepEqual(update.config, {
      ...webConfig(8080),
      ports: [
        { protocol: 'TCP', port: 80, backendPort: 8080 },
        { protocol: 'TCP', port: 443, backendPort: 8443 },
        { protocol: 'UDP', port: 53, backendPort: 53 },
      ],
      idleTimeoutMinutes: 15,
    });
  });
});

describe('UpdateService while UpdateInProgress', () => {
  it('records drift during an in-flight update and re-dispatches once it completes', () => {
    const e = new Engine();
    created(e);
    const update = theDispatch(e.at(20, [upsertService(web(2, 9090, HELD))]));
    assert.deepEqual(dispatches(e.at(25, [upsertService(web(3, 7070, HELD))])), []);
    assert.deepEqual(e.op().config, webConfig(7070));
    assert.deepEqual(e.op().inFlight?.config, webConfig(9090));
    const d = e.at(30, [completion(update, success())]);
    assert.deepEqual(e.op().lastApplied, webConfig(9090));
    const next = theDispatch(d);
    assert.equal(next.operation, 'update');
    assert.deepEqual(next.config, webConfig(7070));
  });

  it('dispatches a changed spec at once, with a fresh retry, when the update waits in backoff', () => {
    const e = new Engine();
    created(e);
    const update = theDispatch(e.at(20, [upsertService(web(2, 9090, HELD))]));
    e.at(30, [completion(update, transient())]);
    assert.equal(e.op().retry.count, 1);
    const next = theDispatch(e.at(40, [upsertService(web(3, 7070, HELD))]));
    assert.equal(next.attempt, 1);
    assert.deepEqual(next.config, webConfig(7070));
    assert.deepEqual(e.op().retry, { count: 0, nextAt: null, parkedUntil: null });
  });
});

describe('UpdateService while DeletionPending or DeletionInProgress', () => {
  it('recreates a Service that came back during DeletionInProgress once the delete succeeds', () => {
    const e = new Engine();
    created(e);
    const del = theDispatch(e.at(20, [upsertService(web(2, 8080, { ...HELD, type: 'ClusterIP' }))]));
    assert.equal(del.operation, 'delete');
    const back = e.at(25, [upsertService(web(3, 9090, HELD))]);
    assert.deepEqual(dispatches(back), [], 'the running delete finishes first');
    const op = e.op();
    assert.equal(op.state, 'DeletionInProgress');
    assert.equal(op.recreateAfterDeletion, true);
    assert.deepEqual(op.config, webConfig(9090));
    const d = e.at(30, [completion(del, success(null))]);
    assert.deepEqual(transitions(d), ['DeletionInProgress->NotStarted', 'NotStarted->CreationInProgress']);
    const create = theDispatch(d);
    assert.equal(create.operation, 'create');
    assert.deepEqual(create.config, webConfig(9090));
    assert.equal(e.op().lastApplied, null);
    assert.equal(e.op().recreateAfterDeletion, false);
  });

  it('recreates a Service that came back during DeletionPending after the drain and the delete', () => {
    const w = settledWorld();
    w.apply({ kind: 'Service', fact: service('web', { type: 'ClusterIP' }) });
    assert.equal(worldOp(w)?.state, 'DeletionPending');
    w.apply({ kind: 'Service', fact: service('web') });
    assert.equal(worldOp(w)?.state, 'DeletionPending');
    assert.equal(worldOp(w)?.recreateAfterDeletion, true);
    assert.deepEqual(pendingOperations(w), []);
    untilSync(w);
    w.completeSync();
    const [del] = pendingOperations(w);
    assert.equal(del?.operation, 'delete');
    w.completeOp(del?.dispatchId ?? '');
    const [create] = pendingOperations(w);
    assert.equal(create?.operation, 'create');
    assert.ok(w.settle());
    assert.equal(worldOp(w)?.state, 'Created');
    assert.deepEqual(w.nrp.snapshot(), { '10.0.0.4': { '10.244.0.5': [NAME] } });
    assert.equal(w.nrp.overlayRefusals, 0);
  });

  it('forgets the recreate when the Service goes away again before the delete finishes', () => {
    const e = new Engine();
    created(e);
    const del = theDispatch(e.at(20, [upsertService(web(2, 8080, { ...HELD, type: 'ClusterIP' }))]));
    e.at(25, [upsertService(web(3, 8080, HELD))]);
    e.at(26, [upsertService(web(4, 8080, { ...HELD, type: 'ClusterIP' }))]);
    assert.equal(e.op().recreateAfterDeletion, false);
    const d = e.at(30, [completion(del, success(null))]);
    assert.equal(e.state.ops.has(NAME), false);
    assert.deepEqual(dispatches(d), []);
  });
});

// --- DeleteService -------------------------------------------------------------------------------

describe('DeleteService', () => {
  it('drops a NotStarted op that never reached Azure without any Azure operation', () => {
    const e = new Engine({ config: { maxConcurrentOperations: 0 } });
    e.at(0, [upsertService(web(1))]);
    const d = e.at(5, [deleted('Service', { name: 'web', uid: UID, resourceVersion: '2' })]);
    assert.equal(e.state.ops.has(NAME), false);
    assert.deepEqual(transitions(d), ['NotStarted->Untracked']);
    assert.deepEqual(dispatches(d), []);
    e.config = {};
    assert.deepEqual(dispatches(e.at(10)), [], 'nothing is left to dispatch once slots free');
  });

  it('releases the finalizer of a never-dispatched Service at once', () => {
    const e = new Engine({ config: { maxConcurrentOperations: 0 } });
    e.at(0, [upsertService(web(1, 8080, HELD))]);
    const d = e.at(5, [upsertService(web(2, 8080, { ...HELD, deleting: true }))]);
    assert.equal(e.state.ops.has(NAME), false);
    assert.deepEqual(commandsOf(d, 'RemoveFinalizer'), [{ kind: 'RemoveFinalizer', target: WEB_REF, finalizer: SERVICE_FINALIZER }]);
  });

  it('deletes in Azure a NotStarted op whose create was dispatched before', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1, 8080, HELD))]));
    e.at(10, [completion(create, transient())]);
    const d = e.at(20, [upsertService(web(2, 8080, { ...HELD, deleting: true }))]);
    const del = theDispatch(d);
    assert.equal(del.operation, 'delete');
    assert.equal(del.attempt, 1, 'delete is fresh intent');
    assert.deepEqual(transitions(d), ['NotStarted->DeletionPending', 'DeletionPending->DeletionInProgress']);
  });

  it('does not cancel an in-flight create: the op waits in DeletionPending with it', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1, 8080, HELD))]));
    const d = e.at(5, [upsertService(web(2, 8080, { ...HELD, deleting: true }))]);
    assert.deepEqual(dispatches(d), []);
    const op = e.op();
    assert.equal(op.state, 'DeletionPending');
    assert.equal(op.inFlight?.dispatchId, create.dispatchId);
    assert.deepEqual(commandsOf(d, 'RemoveFinalizer'), []);
  });

  it('delete-during-create waits then routes to deletion', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1, 8080, HELD))]));
    e.at(5, [upsertService(web(2, 8080, { ...HELD, deleting: true }))]);
    const d = e.at(10, [completion(create, success())]);
    assert.deepEqual(transitions(d), ['DeletionPending->DeletionInProgress']);
    const del = theDispatch(d);
    assert.equal(del.operation, 'delete');
    assert.deepEqual(del.config, webConfig(8080));
    assert.equal(e.state.nrp.services.get(NAME), 'Inbound', 'what the create registered is known');
    assert.deepEqual(commandsOf(d, 'PatchServiceStatus'), [], 'a deleted Service gets no ingress IP');
    const done = e.at(20, [completion(del, success(null))]);
    assert.equal(e.state.ops.has(NAME), false);
    assert.equal(commandsOf(done, 'RemoveFinalizer').length, 1);
  });

  it('routes a failed create that a delete overtook to deletion as well', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1, 8080, HELD))]));
    e.at(5, [upsertService(web(2, 8080, { ...HELD, deleting: true }))]);
    const del = theDispatch(e.at(10, [completion(create, transient())]));
    assert.equal(del.operation, 'delete');
    assert.equal(e.op().state, 'DeletionInProgress');
  });

  it('does not cancel an in-flight update: its completion is routed to deletion', () => {
    const e = new Engine();
    created(e);
    const update = theDispatch(e.at(20, [upsertService(web(2, 9090, HELD))]));
    const d = e.at(25, [upsertService(web(3, 9090, { ...HELD, deleting: true }))]);
    assert.deepEqual(dispatches(d), []);
    assert.equal(e.op().state, 'DeletionPending');
    assert.equal(e.op().inFlight?.dispatchId, update.dispatchId);
    const del = theDispatch(e.at(30, [completion(update, success())]));
    assert.equal(del.operation, 'delete');
    assert.deepEqual(del.config, webConfig(9090), 'the delete targets what the update applied');
  });

  it('moves a Created service with no referencing address to DeletionInProgress and dispatches the delete in the same decision', () => {
    const e = new Engine();
    const create = created(e);
    const d = e.at(20, [upsertService(web(2, 8080, { ...HELD, deleting: true }))]);
    assert.deepEqual(transitions(d), ['Created->DeletionPending', 'DeletionPending->DeletionInProgress']);
    const del = theDispatch(d);
    assert.equal(del.operation, 'delete');
    assert.deepEqual(del.config, webConfig(8080));
    assert.equal(del.orphan, false);
    assert.equal(del.correlationId, create.correlationId);
  });

  it('waits in DeletionPending while the mirror maps an address to the service', () => {
    const e = new Engine();
    created(e);
    e.at(15, [e.observed([{ name: NAME, type: 'Inbound' }], [{ location: '10.0.0.4', addresses: [{ address: '10.244.0.5', services: [NAME] }] }])]);
    const d = e.at(20, [upsertService(web(2, 8080, { ...HELD, deleting: true }))]);
    assert.equal(e.op().state, 'DeletionPending');
    assert.deepEqual(dispatches(d), []);
    assert.deepEqual(dispatches(e.at(60_000)), [], 'time alone does not open the drain gate');
  });

  it('waits for a locations sync to drain the referencing addresses, then deletes', () => {
    const w = settledWorld();
    w.remove('Service', 'web');
    assert.equal(worldOp(w)?.state, 'DeletionPending');
    assert.deepEqual(pendingOperations(w), []);
    untilSync(w);
    assert.equal(worldOp(w)?.state, 'DeletionPending', 'still referenced while the drain is in flight');
    w.completeSync();
    assert.deepEqual(w.nrp.referencing(NAME), []);
    assert.equal(worldOp(w)?.state, 'DeletionInProgress');
    const [del] = pendingOperations(w);
    assert.equal(del?.operation, 'delete');
    w.completeOp(del?.dispatchId ?? '');
    assert.equal(worldOp(w), undefined);
    assert.equal(w.get('Service', 'web'), undefined, 'the finalizer came off and the Service is gone');
    assert.equal(w.nrp.overlayRefusals, 0);
  });

  it('treats the addresses of the sync in flight as referencing', () => {
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', ['10.0.0.4']) });
    w.apply({ kind: 'Service', fact: service('web') });
    w.apply({ kind: 'EndpointSlice', fact: slice('web-abc', UID, [{ ip: '10.244.0.5', node: 'node-a' }]) });
    const [create] = pendingOperations(w);
    w.completeOp(create?.dispatchId ?? '');
    untilSync(w);
    assert.deepEqual(w.nrp.snapshot(), {}, 'the registering sync has not completed');
    w.remove('Service', 'web');
    assert.equal(worldOp(w)?.state, 'DeletionPending');
    assert.deepEqual(pendingOperations(w), [], 'no delete while the in-flight sync may register an address');
    assert.ok(w.settle());
    assert.equal(worldOp(w), undefined);
    assert.equal(w.nrp.overlayRefusals, 0);
    assert.deepEqual(w.nrp.snapshot(), {});
  });

  it('re-arms a parked delete at once when the delete is requested again', () => {
    const e = new Engine();
    created(e);
    let del = theDispatch(e.at(20, [upsertService(web(2, 8080, { ...HELD, deleting: true }))]));
    for (let failure = 1; failure <= 12; failure++) {
      e.at(e.now + 1, [completion(del, transient())]);
      if (failure < 12) del = theDispatch(e.at(e.op().retry.nextAt ?? Infinity));
    }
    const parkedUntil = e.op().retry.parkedUntil;
    assert.ok(parkedUntil !== null);
    assert.deepEqual(dispatches(e.at(e.now + 1_000)), []);
    const again = theDispatch(e.at(e.now + 1_000, [upsertService(web(3, 8080, { ...HELD, deleting: true }))]));
    assert.ok(e.now < parkedUntil);
    assert.equal(again.operation, 'delete');
    assert.equal(again.attempt, 1);
  });

  it('leaves a delete waiting in backoff alone when the delete is requested again', () => {
    const e = new Engine();
    created(e);
    const del = theDispatch(e.at(20, [upsertService(web(2, 8080, { ...HELD, deleting: true }))]));
    e.at(30, [completion(del, transient())]);
    const before = e.op();
    const d = e.at(40, [upsertService(web(3, 8080, { ...HELD, deleting: true }))]);
    assert.deepEqual(dispatches(d), []);
    assert.deepEqual(e.op().retry, before.retry);
  });

  it('does nothing for a Service it never tracked and NRP does not know', () => {
    const e = new Engine();
    const d = e.at(0, [upsertService(web(1, 8080, { deleting: true }))]);
    assert.equal(e.state.ops.size, 0);
    assert.deepEqual(dispatches(d), []);
  });

  it('tracks an untracked name that NRP registers as an orphan and deletes it', () => {
    const e = new Engine();
    const orphan = uidOf('left-behind');
    const d = e.at(0, [e.observed([{ name: orphan, type: 'Inbound' }])]);
    const op = e.op(orphan);
    assert.equal(op.orphan, true);
    assert.equal(op.config, null);
    assert.equal(op.state, 'DeletionInProgress');
    assert.deepEqual(transitions(d), ['Untracked->DeletionPending', 'DeletionPending->DeletionInProgress']);
    e.at(10, [completion(theDispatch(d), success(null))]);
    assert.equal(e.state.ops.has(orphan), false);
  });
});

// --- admission: which Services are ours and buildable ----------------------------------------

describe('admission of inbound Services', () => {
  const rejected: { reason: string; spec: ServiceOptions }[] = [
    { reason: 'UnsupportedProtocol', spec: { ports: [{ name: 'sctp', protocol: 'SCTP', port: 80, targetPort: 8080 }] } },
    { reason: 'UnsupportedSessionAffinity', spec: { sessionAffinity: 'ClientIP' } },
    { reason: 'UnsupportedLoadBalancerIP', spec: { loadBalancerIP: '20.1.2.3' } },
    { reason: 'UnsupportedDualStack', spec: { ipFamilies: ['IPv4', 'IPv6'] } },
    { reason: 'InvalidIdleTimeout', spec: { annotations: { [IDLE_TIMEOUT_ANNOTATION]: '90' } } },
    { reason: 'UnsupportedInternalLoadBalancer', spec: { annotations: { [INTERNAL_LB_ANNOTATION]: 'true' } } },
    { reason: 'UnsupportedNamedTargetPort', spec: { ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }] } },
    {
      reason: 'UnsupportedBackendPortCollision',
      spec: {
        ports: [
          { name: 'a', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: 'b', protocol: 'TCP', port: 81, targetPort: 8080 },
        ],
      },
    },
  ];
  for (const c of rejected) {
    it(`gives a Service rejected as ${c.reason} a Warning event with the reason and no op`, () => {
      const e = new Engine();
      const d = e.at(0, [upsertService(service('web', c.spec))]);
      const warnings = commandsOf(d, 'RecordKubernetesEvent');
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]?.type, 'Warning');
      assert.equal(warnings[0]?.reason, c.reason);
      assert.deepEqual(warnings[0]?.target, WEB_REF);
      assert.equal(observationsOf(d, 'AdmissionRejected')[0]?.reason, c.reason);
      assert.equal(e.state.ops.size, 0);
      assert.deepEqual(dispatches(d), []);
      assert.deepEqual(commandsOf(d, 'AddFinalizer'), []);
    });
  }

  it('keeps the op and load balancer of a created Service updated to an invalid spec', () => {
    const e = new Engine();
    created(e);
    const before = e.op();
    const d = e.at(20, [upsertService(web(2, 8080, { ...HELD, sessionAffinity: 'ClientIP' }))]);
    assert.equal(commandsOf(d, 'RecordKubernetesEvent')[0]?.reason, 'UnsupportedSessionAffinity');
    assert.deepEqual(e.op(), before);
    assert.deepEqual(dispatches(d), []);
    assert.deepEqual(dispatches(e.at(600_000)), [], 'no delete, ever');
    assert.deepEqual(commandsOf(d, 'RemoveFinalizer'), []);
  });

  it('creates a rejected Service once its spec is fixed', () => {
    const e = new Engine();
    e.at(0, [upsertService(web(1, 8080, { sessionAffinity: 'ClientIP' }))]);
    assert.equal(e.state.ops.size, 0);
    const create = theDispatch(e.at(10, [upsertService(web(2))]));
    assert.equal(create.operation, 'create');
    assert.deepEqual(create.config, webConfig(8080));
  });

  const notOurs: { name: string; spec: ServiceOptions }[] = [
    { name: 'a Service with a loadBalancerClass', spec: { loadBalancerClass: 'example.com/other-lb' } },
    { name: 'a ClusterIP Service', spec: { type: 'ClusterIP' } },
  ];
  for (const c of notOurs) {
    it(`ignores ${c.name}: no op, no finalizer, no event`, () => {
      const e = new Engine();
      const d = e.at(0, [upsertService(web(1, 8080, c.spec))]);
      assert.equal(e.state.ops.size, 0);
      assert.deepEqual(d.commands, []);
    });

    it(`deletes a tracked Service that becomes ${c.name} and releases the finalizer after the delete`, () => {
      const e = new Engine();
      created(e);
      const d = e.at(20, [upsertService(web(2, 8080, { ...HELD, ...c.spec }))]);
      const del = theDispatch(d);
      assert.equal(del.operation, 'delete');
      assert.deepEqual(commandsOf(d, 'RemoveFinalizer'), [], 'held until the load balancer is gone');
      const done = e.at(30, [completion(del, success(null))]);
      assert.equal(e.state.ops.has(NAME), false);
      assert.deepEqual(commandsOf(done, 'RemoveFinalizer'), [{ kind: 'RemoveFinalizer', target: WEB_REF, finalizer: SERVICE_FINALIZER }]);
    });
  }

  it('creates a ClusterIP Service flipped to LoadBalancer and syncs its unchanged slice after the create', () => {
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', ['10.0.0.4']) });
    w.apply({ kind: 'Service', fact: service('web', { type: 'ClusterIP' }) });
    w.apply({ kind: 'EndpointSlice', fact: slice('web-abc', UID, [{ ip: '10.244.0.5', node: 'node-a' }]) });
    assert.ok(w.settle());
    assert.equal(w.state.ops.size, 0);
    assert.deepEqual(w.nrp.snapshot(), {});

    w.apply({ kind: 'Service', fact: service('web') });
    const [create] = pendingOperations(w);
    assert.equal(create?.operation, 'create');
    assert.equal(w.pendingSync, null, 'nothing to sync before the service exists');
    w.completeOp(create?.dispatchId ?? '');
    assert.equal(worldOp(w)?.state, 'Created');
    untilSync(w);
    const addresses = pendingSyncOf(w)?.requests.flatMap((r) => r.addressLocations.flatMap((l) => l.addresses)) ?? [];
    assert.deepEqual(addresses, [{ address: '10.244.0.5', services: [NAME] }]);
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { '10.0.0.4': { '10.244.0.5': [NAME] } });
  });
});
