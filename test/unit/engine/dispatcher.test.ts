// The ServiceUpdater's dispatcher (reference §3) as decide() runs it: the concurrency bound, the
// retry gate, operation timeouts, the outbound update no-op and what a dispatch carries.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_REFUSAL } from '../../../shared/engine/configRefusal.ts';
import type {
  ClusterState,
  Decision,
  OperationOutcome,
  OutboundConfig,
  ServiceFact,
  ServiceOp,
  } from '../../../shared/engine/types.ts';
import { CLUSTER, node, service, slice, syncedState, uidOf, upsertNode, upsertService, upsertSlice } from '../../support/builders.ts';
import { completion, commandsOf, dispatches, EngineDriver, observationsOf, theDispatch } from '../../support/engineDriver.ts';

// --- a small driver over decide() -------------------------------------------------------------

const Engine = EngineDriver;






function wakeAt(d: Decision): number | null {
  const wakes = commandsOf(d, 'WakeAt');
  assert.ok(wakes.length <= 1, 'at most one WakeAt per decision');
  return wakes[0]?.at ?? null;
}

const success = (publicIp: string | null = '20.1.2.3'): OperationOutcome => ({ result: 'success', publicIp });
const transient = (code = 'InternalServerError'): OperationOutcome => ({ result: 'failure', terminal: false, code, message: 'injected' });
const terminal = (): OperationOutcome => ({ result: 'failure', terminal: true, code: CONFIG_REFUSAL.configMismatch, message: 'bad spec' });


function svc(name: string, resourceVersion = 1, backendPort = 8080): ServiceFact {
  return service(name, { resourceVersion: String(resourceVersion), ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: backendPort }] });
}

const TEN_MINUTES = 10 * 60_000;

// --- concurrency --------------------------------------------------------------------------------

describe('dispatchDue: concurrency bound', () => {
  const names = Array.from({ length: 12 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);

  it('dispatches only maxConcurrentOperations of 12 new services at once', () => {
    const e = new Engine({ config: { maxConcurrentOperations: 10 } });
    const d = e.at(0, names.map((n) => upsertService(svc(n))));
    assert.equal(dispatches(d).length, 10);
    const states = [...e.state.ops.values()].map((op) => op.state);
    assert.equal(states.filter((s) => s === 'CreationInProgress').length, 10);
    assert.equal(states.filter((s) => s === 'NotStarted').length, 2);
    const waiting = [...e.state.ops.values()].filter((op) => op.state === 'NotStarted');
    assert.ok(waiting.every((op) => op.dispatches === 0));
  });

  it('dispatches the waiting services as completions free slots', () => {
    const e = new Engine({ config: { maxConcurrentOperations: 10 } });
    const first = dispatches(e.at(0, names.map((n) => upsertService(svc(n)))));
    const [a, b] = first;
    assert.ok(a && b);
    const next1 = theDispatch(e.at(10, [completion(a, success())]));
    const next2 = theDispatch(e.at(20, [completion(b, success())]));
    const started = new Set([...first, next1, next2].map((op) => op.serviceName));
    assert.equal(started.size, 12, 'every service got its create');
    assert.equal([...e.state.ops.values()].filter((op) => op.inFlight !== null).length, 10);
  });

  it('starts the longest-waiting op first when a slot frees', () => {
    const e = new Engine({ config: { maxConcurrentOperations: 1 } });
    const running = theDispatch(e.at(0, [upsertService(svc('first'))]));
    e.at(1, [upsertService(svc('second'))]);
    e.at(2, [upsertService(svc('third'))]);
    assert.equal(e.op(uidOf('second')).state, 'NotStarted');
    assert.equal(e.op(uidOf('third')).state, 'NotStarted');
    const next = theDispatch(e.at(3, [completion(running, success())]));
    assert.equal(next.serviceName, uidOf('second'));
  });

  it('counts in-flight deletes against the bound', () => {
    const e = new Engine({ config: { maxConcurrentOperations: 1 } });
    const create = theDispatch(e.at(0, [upsertService(svc('web'))]));
    e.at(10, [completion(create, success())]);
    const del = theDispatch(e.at(20, [{ kind: 'ObjectDeleted', objectKind: 'Service', namespace: 'default', name: 'web', uid: uidOf('web'), resourceVersion: '5' }]));
    assert.equal(del.operation, 'delete');
    assert.deepEqual(dispatches(e.at(30, [upsertService(svc('api'))])), []);
    assert.equal(e.op(uidOf('api')).state, 'NotStarted');
    const next = theDispatch(e.at(40, [completion(del, success(null))]));
    assert.equal(next.serviceName, uidOf('api'));
    assert.equal(next.operation, 'create');
  });

  it('does not let an op waiting in backoff hold a slot', () => {
    const e = new Engine({ config: { maxConcurrentOperations: 1 } });
    const create = theDispatch(e.at(0, [upsertService(svc('web'))]));
    e.at(10, [completion(create, transient())]);
    const other = theDispatch(e.at(20, [upsertService(svc('api'))]));
    assert.equal(other.serviceName, uidOf('api'));
  });

  it('holds an op whose retry is due until a slot frees', () => {
    const e = new Engine({ config: { maxConcurrentOperations: 1 } });
    const web = theDispatch(e.at(0, [upsertService(svc('web'))]));
    e.at(10, [completion(web, transient())]);
    const api = theDispatch(e.at(20, [upsertService(svc('api'))]));
    assert.deepEqual(dispatches(e.at(1_010)), [], 'web is due but api holds the only slot');
    const retry = theDispatch(e.at(1_500, [completion(api, success())]));
    assert.equal(retry.serviceName, uidOf('web'));
    assert.equal(retry.attempt, 2);
  });
});

// --- retry gate ---------------------------------------------------------------------------------

describe('dispatchDue: retry gate', () => {
  it('does not dispatch before nextAt and asks to be woken exactly then', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(svc('web'))]));
    const failed = e.at(100, [completion(create, transient())]);
    const gate = e.op(uidOf('web')).retry.nextAt;
    assert.equal(gate, 1_100);
    assert.equal(wakeAt(failed), gate);
    const early = e.at(1_099);
    assert.deepEqual(dispatches(early), []);
    assert.equal(wakeAt(early), gate);
    const retry = theDispatch(e.at(1_100));
    assert.equal(retry.attempt, 2);
  });

  it('wakes at the earliest of several retry gates', () => {
    const e = new Engine();
    const [a, b] = dispatches(e.at(0, [upsertService(svc('web')), upsertService(svc('api'))]));
    assert.ok(a && b);
    e.at(100, [completion(a, transient())]);
    const d = e.at(500, [completion(b, transient())]);
    assert.equal(wakeAt(d), 1_100);
  });

  it('wakes at the park cooldown of a retries-exhausted op', () => {
    const e = new Engine({ config: { maxServiceRetries: 2, parkCooldownMs: 60_000 } });
    const first = theDispatch(e.at(0, [upsertService(svc('web'))]));
    e.at(10, [completion(first, transient())]);
    const second = theDispatch(e.at(1_010));
    const parked = e.at(1_020, [completion(second, transient())]);
    assert.equal(e.op(uidOf('web')).retry.parkedUntil, 61_020);
    assert.equal(wakeAt(parked), 61_020);
    assert.deepEqual(dispatches(e.at(61_019)), []);
    assert.equal(theDispatch(e.at(61_020)).attempt, 1);
  });

  it('asks for no wake-up when nothing waits', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(svc('web'))]));
    e.at(10, [completion(create, success())]);
    // The Service shows the IP (the forwarder applied the status): nothing is left to confirm.
    const d = e.at(20, [upsertService({ ...svc('web', 2), ingressIPs: ['20.1.2.3'] })]);
    assert.equal(wakeAt(d), null);
  });
});

// --- timeouts -----------------------------------------------------------------------------------

describe('expireOperations: operation timeout', () => {
  it('asks to be woken when an in-flight operation would time out', () => {
    const e = new Engine();
    const d = e.at(0, [upsertService(svc('web'))]);
    assert.equal(wakeAt(d), TEN_MINUTES);
    const before = e.at(TEN_MINUTES - 1);
    assert.equal(e.op(uidOf('web')).state, 'CreationInProgress');
    assert.deepEqual(observationsOf(before, 'OperationCompleted'), []);
  });

  it('treats an operation with no completion after operationTimeoutMs as a transient timeout', () => {
    const e = new Engine({ config: { operationTimeoutMs: 5 * 60_000 } });
    const create = theDispatch(e.at(0, [upsertService(svc('web'))]));
    const d = e.at(5 * 60_000);
    const [completed] = observationsOf(d, 'OperationCompleted');
    assert.equal(completed?.status, 'failure');
    assert.equal(completed?.errorCode, 'timeout');
    assert.equal(completed?.durationMs, 5 * 60_000);
    const op = e.op(uidOf('web'));
    assert.equal(op.state, 'NotStarted');
    assert.deepEqual(op.retry, { count: 1, nextAt: 5 * 60_000 + 1_000, parkedUntil: null });
    assert.equal(op.inFlight, null, `${create.dispatchId} is no longer in flight`);
  });

  it('re-dispatches a timed-out operation with a new dispatch id after the backoff', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(svc('web'))]));
    e.at(TEN_MINUTES);
    const retry = theDispatch(e.at(TEN_MINUTES + 1_000));
    assert.equal(retry.operation, 'create');
    assert.equal(retry.attempt, 2);
    assert.notEqual(retry.dispatchId, create.dispatchId);
    assert.equal(retry.correlationId, create.correlationId);
  });

  it('ignores a late completion of the timed-out dispatch', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(svc('web'))]));
    e.at(TEN_MINUTES);
    const retry = theDispatch(e.at(TEN_MINUTES + 1_000));
    const before = e.state;
    const d = e.at(TEN_MINUTES + 2_000, [completion(create, success())]);
    assert.deepEqual(observationsOf(d, 'CompletionIgnored'), [{ kind: 'CompletionIgnored', id: create.dispatchId, reason: 'staleDispatch' }]);
    assert.deepEqual(d.state, before);
    assert.equal(e.op(uidOf('web')).inFlight?.dispatchId, retry.dispatchId);
  });

  it('times out a delete and retries it from DeletionInProgress', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(svc('web'))]));
    e.at(10, [completion(create, success())]);
    const del = theDispatch(e.at(20, [upsertService(service('web', { resourceVersion: '3', deleting: true }))]));
    e.at(20 + TEN_MINUTES);
    assert.equal(e.op(uidOf('web')).state, 'DeletionInProgress');
    const retry = theDispatch(e.at(20 + TEN_MINUTES + 1_000));
    assert.equal(retry.operation, 'delete');
    assert.notEqual(retry.dispatchId, del.dispatchId);
  });
});

// --- outbound updates ---------------------------------------------------------------------------

describe('dispatchDue: outbound updates', () => {
  const identity = 'egress-a';
  const v4: OutboundConfig = { kind: 'outbound', name: identity, ipFamilies: ['IPv4'] };
  const dual: OutboundConfig = { kind: 'outbound', name: identity, ipFamilies: ['IPv4', 'IPv6'] };
  /** A persisted outbound op waiting for an update from `lastApplied` to `config`. */
  function withOutboundUpdate(config: OutboundConfig, lastApplied: OutboundConfig | null): ClusterState {
    const base = syncedState();
    const op: ServiceOp = {
      name: identity,
      kind: 'outbound',
      config,
      lastApplied,
      retry: { count: 0, nextAt: null, parkedUntil: null },
      recreateAfterDeletion: false,
      orphan: false,
      correlationId: `${CLUSTER}:corr:${identity}:1`,
      createdAt: 0,
      dispatches: 1,
      publicIp: null,
      state: 'UpdateInProgress',
      inFlight: null,
    };
    return { ...base, ops: new Map([[identity, op]]) };
  }

  it('dispatches an outbound update that adds the families the gateway lacks', () => {
    const e = new Engine({ state: withOutboundUpdate(dual, v4) });
    const d = e.at(10);
    assert.deepEqual(observationsOf(d, 'OutboundUpdateSkipped'), []);
    assert.deepEqual(dispatches(d).map((o) => [o.operation, o.serviceKind, o.config]), [['update', 'outbound', dual]]);
    assert.equal(e.op(identity).state, 'UpdateInProgress');
  });

  it('skips an outbound update whose families are applied already, and marks the service Created', () => {
    const e = new Engine({ state: withOutboundUpdate(v4, v4) });
    const d = e.at(10);
    assert.deepEqual(observationsOf(d, 'OutboundUpdateSkipped'), [{ kind: 'OutboundUpdateSkipped', serviceName: identity }]);
    assert.deepEqual(dispatches(d), []);
    const op = e.op(identity);
    assert.equal(op.state, 'Created');
    assert.deepEqual(op.lastApplied, v4);
  });

  it('skips such an update even when every slot is taken', () => {
    const e = new Engine({ state: withOutboundUpdate(v4, v4), config: { maxConcurrentOperations: 0 } });
    const d = e.at(10);
    assert.equal(observationsOf(d, 'OutboundUpdateSkipped').length, 1);
    assert.equal(e.op(identity).state, 'Created');
  });
});

// --- what a dispatch carries --------------------------------------------------------------------

describe('dispatched operations', () => {
  it('carry the cluster, correlation id, attempt, kind and config snapshot', () => {
    const e = new Engine();
    const d = e.at(0, [upsertService(svc('web'))]);
    const op = e.op(uidOf('web'));
    assert.ok(op.inFlight);
    assert.deepEqual(theDispatch(d), {
      cluster: CLUSTER,
      dispatchId: op.inFlight.dispatchId,
      correlationId: op.correlationId,
      serviceName: uidOf('web'),
      serviceKind: 'inbound',
      operation: 'create',
      config: {
        kind: 'inbound',
        name: uidOf('web'),
        service: { namespace: 'default', name: 'web', uid: uidOf('web') },
        ipFamily: 'IPv4',
        ports: [{ protocol: 'TCP', port: 80, backendPort: 8080 }],
        idleTimeoutMinutes: 4,
      },
      orphan: false,
      attempt: 1,
    });
    assert.deepEqual(op.inFlight.config, theDispatch(d).config);
    assert.equal(op.dispatches, 1);
  });

  it('are observed as OperationDispatched with the same operation', () => {
    const e = new Engine();
    const d = e.at(0, [upsertService(svc('web'))]);
    assert.deepEqual(observationsOf(d, 'OperationDispatched'), [{ kind: 'OperationDispatched', operation: theDispatch(d) }]);
  });

  it('keep one correlation id across retries, updates and the delete of one service', () => {
    const e = new Engine();
    const c1 = theDispatch(e.at(0, [upsertService(svc('web'))]));
    e.at(10, [completion(c1, transient())]);
    const c2 = theDispatch(e.at(1_010));
    e.at(1_020, [completion(c2, success())]);
    const u = theDispatch(e.at(1_030, [upsertService(svc('web', 2, 9090))]));
    e.at(1_040, [completion(u, success())]);
    const del = theDispatch(e.at(1_050, [upsertService(service('web', { resourceVersion: '3', deleting: true }))]));
    assert.deepEqual([c1, c2, u, del].map((o) => o.operation), ['create', 'create', 'update', 'delete']);
    assert.deepEqual([c1, c2, u, del].map((o) => o.attempt), [1, 2, 1, 1]);
    assert.equal(new Set([c1, c2, u, del].map((o) => o.correlationId)).size, 1);
  });

  it('snapshot the config at dispatch: a later spec change does not alter the in-flight one', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(svc('web'))]));
    e.at(5, [upsertService(svc('web', 2, 9090))]);
    const op = e.op(uidOf('web'));
    assert.deepEqual(op.inFlight?.config, create.config);
    assert.notDeepEqual(op.config, create.config);
  });

  it('delete what was last applied, not a config that was rejected', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(svc('web'))]));
    e.at(10, [completion(create, success())]);
    const update = theDispatch(e.at(20, [upsertService(svc('web', 2, 9090))]));
    e.at(30, [completion(update, terminal())]);
    const del = theDispatch(e.at(40, [upsertService(service('web', { resourceVersion: '3', deleting: true }))]));
    assert.equal(del.operation, 'delete');
    assert.deepEqual(del.config, create.config);
  });

  it('mark an orphan delete of a registered service nobody wants, with no config', () => {
    const e = new Engine();
    const orphan = uidOf('gone');
    const d = e.at(0, [{ kind: 'NrpObserved', nrpEpoch: e.state.nrpEpoch, services: [{ name: orphan, type: 'Inbound' }], locations: [] }]);
    const del = theDispatch(d);
    assert.equal(del.serviceName, orphan);
    assert.equal(del.operation, 'delete');
    assert.equal(del.orphan, true);
    assert.equal(del.config, null);
  });

  it('get unique dispatch ids that name the cluster', () => {
    const e = new Engine();
    const names = ['a', 'b', 'c', 'd', 'e'];
    const ids: string[] = [];
    const creates = dispatches(e.at(0, names.map((n) => upsertService(svc(n)))));
    ids.push(...creates.map((o) => o.dispatchId));
    for (const c of creates) e.at(10, [completion(c, transient())]);
    const retries = dispatches(e.at(1_010));
    ids.push(...retries.map((o) => o.dispatchId));
    for (const r of retries) e.at(1_020, [completion(r, success())]);
    const updates = dispatches(e.at(1_030, names.map((n) => upsertService(svc(n, 2, 9090)))));
    ids.push(...updates.map((o) => o.dispatchId));
    assert.equal(ids.length, 15);
    assert.equal(new Set(ids).size, 15);
    for (const id of ids) assert.ok(id.includes(CLUSTER), `${id} names the cluster`);
  });

  it('never share dispatch, correlation or sync ids between two clusters fed the same events', () => {
    const idsOf = (cluster: string): string[] => {
      const e = new Engine({ cluster });
      const ids: string[] = [];
      const setup = e.at(0, [
        upsertNode(node('node-a', ['10.0.0.4'])),
        upsertService(svc('web')),
        upsertSlice(slice('web-1', uidOf('web'), [{ ip: '10.244.0.5', node: 'node-a' }])),
      ]);
      const create = theDispatch(setup);
      ids.push(create.dispatchId, create.correlationId);
      const done = e.at(10_000, [completion(create, success())]);
      const syncs = commandsOf(done, 'SyncLocations');
      assert.equal(syncs.length, 1, 'the endpoint is synced once the service exists');
      for (const s of syncs) {
        assert.equal(s.sync.cluster, cluster);
        ids.push(s.sync.syncId);
      }
      return ids;
    };
    const east = idsOf('east');
    const west = idsOf('west');
    assert.equal(east.length, 3);
    for (const id of east) assert.equal(west.includes(id), false, `${id} is not used by west`);
  });
});
