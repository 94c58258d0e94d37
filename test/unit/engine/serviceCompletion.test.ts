// OnServiceCreationComplete (reference §2.2) and the retry policy (reference §3): what each
// create, update and delete outcome does to the op, and which completions are ignored.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ASK_AGAIN_MIN_MS } from '../../../shared/engine/kubeActions.ts';
import { OVERLAY_MAPPINGS_ERROR } from '../../../shared/engine/serviceCompletion.ts';
import { SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import type {
  Decision,
  ServiceOperation,
} from '../../../shared/engine/types.ts';
import { node, service, slice, uidOf, upsertService } from '../../support/builders.ts';
import { completion, commandsOf, dispatches, EngineDriver, observationsOf, theDispatch } from '../../support/engineDriver.ts';
import { PUBLIC_IP, success, terminal, transient, WEB_NAME, WEB_UID, web, webConfig } from '../../support/webService.ts';
import type { CommandOf, DriverOptions } from '../../support/engineDriver.ts';
import { World } from '../../support/world.ts';

// --- a small driver over decide() -------------------------------------------------------------

class Engine extends EngineDriver {
  constructor(o: DriverOptions = {}) {
    super({ defaultName: NAME, ...o });
  }
}

function events(d: Decision, reason: string): CommandOf<'RecordKubernetesEvent'>[] {
  return commandsOf(d, 'RecordKubernetesEvent').filter((c) => c.reason === reason);
}

const NAME = WEB_NAME;
const UID = WEB_UID;

/** `web` created: its create dispatched at t=0 and completed at t=10. Returns the create. */
function created(e: Engine, backendPort = 8080, extra: { finalizers?: string[] } = {}): ServiceOperation {
  const create = theDispatch(e.at(0, [upsertService(web(1, backendPort, extra))]));
  e.at(10, [completion(create, success())]);
  assert.equal(e.op().state, 'Created');
  return create;
}

/** `web` created and then changed to `backendPort`: returns the in-flight update. */
function updating(e: Engine, backendPort = 9090): ServiceOperation {
  created(e);
  const update = theDispatch(e.at(20, [upsertService(web(2, backendPort))]));
  assert.equal(update.operation, 'update');
  return update;
}

/** `web` created and then deleted (deletionTimestamp set, finalizer held): returns the in-flight delete. */
function deleting(e: Engine): ServiceOperation {
  created(e, 8080, { finalizers: [SERVICE_FINALIZER] });
  const del = theDispatch(e.at(20, [upsertService(web(3, 8080, { deleting: true, finalizers: [SERVICE_FINALIZER] }))]));
  assert.equal(del.operation, 'delete');
  return del;
}

// --- create ------------------------------------------------------------------------------------

describe('create completion', () => {
  it('moves a successful create to Created with the snapshot as last applied config', () => {
    const e = new Engine();
    created(e);
    const op = e.op();
    assert.equal(op.state, 'Created');
    assert.deepEqual(op.lastApplied, webConfig(8080));
    assert.deepEqual(op.retry, { count: 0, nextAt: null, parkedUntil: null });
    assert.equal(op.inFlight, null);
  });

  it('patches the Service status with the returned public IP', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    const d = e.at(10, [completion(create, success())]);
    assert.deepEqual(commandsOf(d, 'PatchServiceStatus'), [
      { kind: 'PatchServiceStatus', target: { kind: 'Service', namespace: 'default', name: 'web', uid: UID }, ingressIp: PUBLIC_IP, family: 'IPv4' },
    ]);
  });

  it('reports an IPv6 public IP with the IPv6 family', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    const d = e.at(10, [completion(create, success('2001:db8::7'))]);
    const [patch] = commandsOf(d, 'PatchServiceStatus');
    assert.equal(patch?.ingressIp, '2001:db8::7');
    assert.equal(patch?.family, 'IPv6');
  });

  it('does not patch the status when the create returned no public IP', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    const d = e.at(10, [completion(create, success(null))]);
    assert.equal(e.op().state, 'Created');
    assert.deepEqual(commandsOf(d, 'PatchServiceStatus'), []);
  });

  it('records a Normal EnsuredLoadBalancer event on the Service', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    const d = e.at(10, [completion(create, success())]);
    const [event] = events(d, 'EnsuredLoadBalancer');
    assert.equal(event?.type, 'Normal');
    assert.deepEqual(event?.target, { kind: 'Service', namespace: 'default', name: 'web', uid: UID });
  });

  it('records the registration in the NRP mirror so endpoints may reference it', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    assert.equal(e.state.nrp.services.has(NAME), false);
    e.at(10, [completion(create, success())]);
    assert.equal(e.state.nrp.services.get(NAME), 'Inbound');
  });

  it('observes the completion with its duration, attempt and correlation id', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    const d = e.at(250, [completion(create, success())]);
    assert.deepEqual(observationsOf(d, 'OperationCompleted'), [
      {
        kind: 'OperationCompleted',
        serviceName: NAME,
        serviceKind: 'inbound',
        operation: 'create',
        status: 'success',
        durationMs: 250,
        errorCode: null,
        correlationId: create.correlationId,
        attempt: 1,
      },
    ]);
  });

  it('returns a transient failure to NotStarted with a 1 s backoff', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    const d = e.at(100, [completion(create, transient())]);
    const op = e.op();
    assert.equal(op.state, 'NotStarted');
    assert.deepEqual(op.retry, { count: 1, nextAt: 1_100, parkedUntil: null });
    assert.deepEqual(dispatches(d), []);
    assert.deepEqual(observationsOf(d, 'OperationRetryScheduled'), [
      { kind: 'OperationRetryScheduled', serviceName: NAME, operation: 'create', retryCount: 1, retryAt: 1_100 },
    ]);
    assert.deepEqual(commandsOf(d, 'WakeAt'), [{ kind: 'WakeAt', at: 1_100 }]);
  });

  it('records a SyncLoadBalancerFailed Warning on the first failure of a burst only', () => {
    const e = new Engine();
    const first = theDispatch(e.at(0, [upsertService(web(1))]));
    const d1 = e.at(10, [completion(first, transient())]);
    assert.equal(events(d1, 'SyncLoadBalancerFailed').length, 1);
    assert.equal(events(d1, 'SyncLoadBalancerFailed')[0]?.type, 'Warning');
    const second = theDispatch(e.at(1_010));
    const d2 = e.at(1_020, [completion(second, transient())]);
    assert.equal(e.op().retry.count, 2);
    assert.deepEqual(events(d2, 'SyncLoadBalancerFailed'), []);
  });

  const backoffCases = [
    { name: 'backs off 1, 2, 4, 8, 16, 30, 30 s without jitter (random 0)', random: () => 0, delays: [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000] },
    {
      name: 'adds up to 20 % jitter on top of the capped delay (random 0.999)',
      random: () => 0.999,
      delays: [1_200, 2_400, 4_799, 9_598, 19_197, 35_994, 35_994],
    },
  ];
  for (const c of backoffCases) {
    it(c.name, () => {
      const e = new Engine({ random: c.random });
      let op = theDispatch(e.at(0, [upsertService(web(1))]));
      let now = 0;
      const seen: number[] = [];
      for (let i = 0; i < c.delays.length; i++) {
        now += 5;
        e.at(now, [completion(op, transient())]);
        const retryAt = e.op().retry.nextAt;
        assert.ok(retryAt !== null);
        seen.push(retryAt - now);
        assert.deepEqual(dispatches(e.at(retryAt - 1)), [], 'nothing before the retry time');
        now = retryAt;
        op = theDispatch(e.at(now));
      }
      assert.deepEqual(seen, c.delays);
    });
  }

  it('parks a terminal failure (the engine\'s own refusal) without drift in NotStarted with the rejected config', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    const d = e.at(10, [completion(create, terminal('ConfigMismatch'))]);
    const op = e.op();
    assert.equal(op.state, 'NotStarted');
    assert.ok(op.state === 'NotStarted');
    assert.deepEqual(op.terminal, { code: 'ConfigMismatch', message: 'bad spec', rejectedConfig: webConfig(8080) });
    assert.deepEqual(observationsOf(d, 'OperationParked'), [{ kind: 'OperationParked', serviceName: NAME, reason: 'terminal_error', until: null }]);
    const [warning] = events(d, 'ServiceGatewayConfigurationRejected');
    assert.equal(warning?.type, 'Warning');
    assert.match(warning?.message ?? '', /ConfigMismatch/);
    assert.deepEqual(dispatches(d), []);
  });

  it('never re-dispatches a terminal park on ticks and asks for no wake-up', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    e.at(10, [completion(create, terminal())]);
    for (const t of [1_000, 60_000, 600_000, 3_600_000]) {
      const d = e.at(t);
      assert.deepEqual(dispatches(d), [], `no dispatch at ${t}`);
      assert.deepEqual(commandsOf(d, 'WakeAt'), []);
    }
    assert.equal(e.op().state, 'NotStarted');
  });

  it('keeps a terminal park when the same spec is sent again', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    e.at(10, [completion(create, terminal())]);
    const before = e.op();
    const d = e.at(20, [upsertService(web(2))]);
    assert.deepEqual(dispatches(d), []);
    assert.deepEqual(e.op(), before);
  });

  it('re-arms a terminal park when a different spec arrives and creates with it', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    e.at(10, [completion(create, terminal())]);
    const retry = theDispatch(e.at(20, [upsertService(web(2, 9090))]));
    assert.equal(retry.operation, 'create');
    assert.deepEqual(retry.config, webConfig(9090));
    assert.equal(retry.attempt, 1);
    assert.equal(e.op().state, 'CreationInProgress');
  });

  it('re-dispatches a terminal failure whose config drifted during the create, without parking', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    e.at(5, [upsertService(web(2, 9090))]);
    const d = e.at(10, [completion(create, terminal())]);
    const retry = theDispatch(d);
    assert.equal(retry.operation, 'create');
    assert.deepEqual(retry.config, webConfig(9090));
    assert.deepEqual(observationsOf(d, 'OperationParked'), []);
    assert.deepEqual(events(d, 'ServiceGatewayConfigurationRejected'), []);
  });

  it('parks for the 5 minute cooldown after 12 failures', () => {
    const e = new Engine();
    let op = theDispatch(e.at(0, [upsertService(web(1))]));
    let last: Decision | null = null;
    for (let failure = 1; failure <= 12; failure++) {
      last = e.at(e.now + 1, [completion(op, transient())]);
      if (failure < 12) {
        assert.equal(observationsOf(last, 'OperationRetryScheduled')[0]?.retryCount, failure);
        const at = e.op().retry.nextAt;
        assert.ok(at !== null);
        op = theDispatch(e.at(at));
        assert.equal(op.attempt, failure + 1);
      }
    }
    assert.ok(last);
    const until = e.now + 5 * 60_000;
    assert.deepEqual(observationsOf(last, 'OperationParked'), [{ kind: 'OperationParked', serviceName: NAME, reason: 'retries_exceeded', until }]);
    assert.deepEqual(observationsOf(last, 'OperationRetryScheduled'), []);
    const [warning] = events(last, 'SyncLoadBalancerFailed');
    assert.equal(warning?.type, 'Warning');
    assert.match(warning?.message ?? '', /12 times/);
    assert.deepEqual(e.op().retry, { count: 12, nextAt: until, parkedUntil: until });
    assert.deepEqual(commandsOf(last, 'WakeAt'), [{ kind: 'WakeAt', at: until }]);
    assert.deepEqual(dispatches(e.at(until - 1)), []);
  });

  it('re-arms a parked op with a fresh burst once the cooldown has passed', () => {
    const e = new Engine();
    let op = theDispatch(e.at(0, [upsertService(web(1))]));
    for (let failure = 1; failure <= 12; failure++) {
      e.at(e.now + 1, [completion(op, transient())]);
      if (failure < 12) op = theDispatch(e.at(e.op().retry.nextAt ?? Infinity));
    }
    const until = e.op().retry.parkedUntil;
    assert.ok(until !== null);
    const rearmed = theDispatch(e.at(until));
    assert.equal(rearmed.attempt, 1);
    assert.deepEqual(e.op().retry, { count: 0, nextAt: null, parkedUntil: null });
    e.at(until + 10, [completion(rearmed, transient())]);
    assert.deepEqual(e.op().retry, { count: 1, nextAt: until + 10 + 1_000, parkedUntil: null });
  });

  it('re-arms a retries-exhausted park at once when the spec changes', () => {
    const e = new Engine();
    let op = theDispatch(e.at(0, [upsertService(web(1))]));
    for (let failure = 1; failure <= 12; failure++) {
      e.at(e.now + 1, [completion(op, transient())]);
      if (failure < 12) op = theDispatch(e.at(e.op().retry.nextAt ?? Infinity));
    }
    assert.notEqual(e.op().retry.parkedUntil, null);
    const retry = theDispatch(e.at(e.now + 1_000, [upsertService(web(2, 9090))]));
    assert.equal(retry.attempt, 1);
    assert.deepEqual(retry.config, webConfig(9090));
  });
});

// --- update ------------------------------------------------------------------------------------

describe('update completion', () => {
  it('moves a successful update to Created with the new config as last applied', () => {
    const e = new Engine();
    const update = updating(e);
    const d = e.at(30, [completion(update, success())]);
    const op = e.op();
    assert.equal(op.state, 'Created');
    assert.deepEqual(op.lastApplied, webConfig(9090));
    assert.deepEqual(dispatches(d), []);
  });

  it('records EnsuredLoadBalancer for an update but does not patch the status again', () => {
    const e = new Engine();
    const update = updating(e);
    const d = e.at(30, [completion(update, success())]);
    assert.equal(events(d, 'EnsuredLoadBalancer')[0]?.type, 'Normal');
    assert.deepEqual(commandsOf(d, 'PatchServiceStatus'), []);
  });

  it('keeps a transiently failed update in UpdateInProgress and retries it after the backoff', () => {
    const e = new Engine();
    const update = updating(e);
    const d = e.at(30, [completion(update, transient())]);
    assert.equal(e.op().state, 'UpdateInProgress');
    assert.deepEqual(e.op().retry, { count: 1, nextAt: 1_030, parkedUntil: null });
    assert.deepEqual(dispatches(d), []);
    assert.deepEqual(dispatches(e.at(1_029)), []);
    const retry = theDispatch(e.at(1_030));
    assert.equal(retry.operation, 'update');
    assert.equal(retry.attempt, 2);
    assert.deepEqual(retry.config, webConfig(9090));
  });

  it('parks a terminally rejected update in NotStarted and keeps the old config as last applied', () => {
    const e = new Engine();
    const update = updating(e);
    const d = e.at(30, [completion(update, terminal())]);
    const op = e.op();
    assert.ok(op.state === 'NotStarted');
    assert.deepEqual(op.terminal?.rejectedConfig, webConfig(9090));
    assert.deepEqual(op.lastApplied, webConfig(8080), 'the live LB keeps its old config');
    assert.equal(events(d, 'ServiceGatewayConfigurationRejected').length, 1);
    assert.deepEqual(dispatches(e.at(600_000)), []);
  });

  it('re-dispatches a terminally rejected update whose config drifted meanwhile', () => {
    const e = new Engine();
    const update = updating(e);
    e.at(25, [upsertService(web(3, 7070))]);
    const d = e.at(30, [completion(update, terminal())]);
    const retry = theDispatch(d);
    assert.deepEqual(retry.config, webConfig(7070));
    assert.deepEqual(observationsOf(d, 'OperationParked'), []);
  });

  it('re-dispatches an update whose config drifted while it ran, after it succeeds', () => {
    const e = new Engine();
    const update = updating(e);
    assert.deepEqual(dispatches(e.at(25, [upsertService(web(3, 7070))])), [], 'one update at a time');
    const d = e.at(30, [completion(update, success())]);
    assert.equal(e.op().state, 'UpdateInProgress');
    assert.deepEqual(e.op().lastApplied, webConfig(9090));
    const next = theDispatch(d);
    assert.equal(next.operation, 'update');
    assert.deepEqual(next.config, webConfig(7070));
  });
});

// --- delete ------------------------------------------------------------------------------------

describe('delete completion', () => {
  it('stops tracking a successfully deleted service and removes it from the mirror', () => {
    const e = new Engine();
    const del = deleting(e);
    const d = e.at(30, [completion(del, success(null))]);
    assert.equal(e.state.ops.has(NAME), false);
    assert.equal(e.state.nrp.services.has(NAME), false);
    assert.deepEqual(observationsOf(d, 'StateChanged'), [{ kind: 'StateChanged', serviceName: NAME, from: 'DeletionInProgress', to: 'Untracked' }]);
  });

  it('releases the Service finalizer once the delete succeeded, and only once', () => {
    const e = new Engine();
    const del = deleting(e);
    const d = e.at(30, [completion(del, success(null))]);
    assert.deepEqual(commandsOf(d, 'RemoveFinalizer'), [
      { kind: 'RemoveFinalizer', target: { kind: 'Service', namespace: 'default', name: 'web', uid: UID }, finalizer: SERVICE_FINALIZER },
    ]);
    assert.deepEqual(commandsOf(e.at(40), 'RemoveFinalizer'), []);
  });

  it('holds the finalizer while the delete is still running', () => {
    const e = new Engine();
    deleting(e);
    const d = e.at(25);
    assert.equal(e.op().state, 'DeletionInProgress');
    assert.deepEqual(commandsOf(d, 'RemoveFinalizer'), []);
  });

  it('sends an overlay-mappings refusal back to DeletionPending and asks to read NRP again', () => {
    const e = new Engine();
    const del = deleting(e);
    const d = e.at(30, [completion(del, transient(OVERLAY_MAPPINGS_ERROR))]);
    assert.deepEqual(observationsOf(d, 'StateChanged')[0], { kind: 'StateChanged', serviceName: NAME, from: 'DeletionInProgress', to: 'DeletionPending' });
    const [observe] = commandsOf(d, 'ObserveNrp');
    assert.match(observe?.reason ?? '', new RegExp(OVERLAY_MAPPINGS_ERROR));
    assert.equal(e.op().state, 'DeletionPending');
    assert.deepEqual(e.op().retry, { count: 1, nextAt: 1_030, parkedUntil: null });
    assert.deepEqual(dispatches(d), [], 'the retry waits for its backoff');
  });

  it('retries an overlay-refused delete after its backoff once nothing references the service', () => {
    const e = new Engine();
    const del = deleting(e);
    e.at(30, [completion(del, transient(OVERLAY_MAPPINGS_ERROR))]);
    assert.deepEqual(dispatches(e.at(1_029)), []);
    assert.equal(e.op().state, 'DeletionPending');
    const retry = theDispatch(e.at(1_030));
    assert.equal(retry.operation, 'delete');
    assert.equal(retry.attempt, 2);
    assert.equal(e.op().state, 'DeletionInProgress');
  });

  it('waits in DeletionPending after an overlay refusal while the re-read mirror still maps addresses to it', () => {
    const e = new Engine();
    const del = deleting(e);
    e.at(25, [
      {
        kind: 'NrpObserved',
        nrpEpoch: e.state.nrpEpoch,
        services: [{ name: NAME, type: 'Inbound' }],
        locations: [{ location: '10.0.0.4', addresses: [{ address: '10.244.0.9', services: [NAME] }] }],
      },
    ]);
    e.at(30, [completion(del, transient(OVERLAY_MAPPINGS_ERROR))]);
    assert.equal(e.op().state, 'DeletionPending');
    assert.deepEqual(dispatches(e.at(60_000)), [], 'no delete while an address still references it');
    assert.equal(e.op().state, 'DeletionPending');
  });

  it('re-drains what the re-read of NRP reveals after an overlay refusal, then deletes', () => {
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', ['10.0.0.4']) });
    w.apply({ kind: 'Service', fact: service('web') });
    w.apply({ kind: 'EndpointSlice', fact: slice('web-abc', UID, [{ ip: '10.244.0.5', node: 'node-a' }]) });
    assert.ok(w.settle());
    // A mapping NRP holds that the mirror does not know of (a write whose outcome was lost), under
    // a location the mirror does not know either (the drain deletes 10.0.0.4 with all it holds).
    w.nrp.locations.set('10.0.0.6', new Map([['10.244.2.99', [NAME]]]));
    w.remove('Service', 'web');
    assert.ok(w.settle());
    assert.ok(w.nrp.overlayRefusals >= 1, 'NRP refused the first delete');
    assert.ok(w.commands.some((c) => c.kind === 'ObserveNrp'));
    assert.equal(w.state.ops.has(NAME), false);
    assert.deepEqual(w.nrp.snapshot(), {});
    assert.equal(w.nrp.services.has(NAME), false);
    assert.equal(w.get('Service', 'web'), undefined, 'the finalizer was released at the end');
  });

  it('keeps any other delete failure in DeletionInProgress and retries after the backoff', () => {
    const e = new Engine();
    const del = deleting(e);
    const d = e.at(30, [completion(del, transient('Conflict'))]);
    assert.equal(e.op().state, 'DeletionInProgress');
    assert.deepEqual(e.op().retry, { count: 1, nextAt: 1_030, parkedUntil: null });
    assert.deepEqual(commandsOf(d, 'ObserveNrp'), []);
    assert.deepEqual(dispatches(e.at(1_029)), []);
    const retry = theDispatch(e.at(1_030));
    assert.equal(retry.operation, 'delete');
    assert.equal(retry.attempt, 2);
  });

  it('does not release the finalizer after a failed delete', () => {
    const e = new Engine();
    const del = deleting(e);
    const d = e.at(30, [completion(del, transient('Conflict'))]);
    assert.deepEqual(commandsOf(d, 'RemoveFinalizer'), []);
    assert.equal(e.state.nrp.services.get(NAME), 'Inbound');
  });

  it('leaves the outbound half of an InboundOutbound registration after deleting the inbound service', () => {
    const e = new Engine();
    const del = deleting(e);
    e.at(25, [{ kind: 'NrpObserved', nrpEpoch: e.state.nrpEpoch, services: [{ name: NAME, type: 'InboundOutbound' }], locations: [] }]);
    e.at(30, [completion(del, success(null))]);
    assert.equal(e.state.nrp.services.get(NAME), 'Outbound');
  });
});

// --- ignored completions -----------------------------------------------------------------------

describe('ignored completions', () => {
  it('ignores a completion for a service it does not track and changes nothing', () => {
    const e = new Engine();
    created(e);
    const before = e.state;
    const d = e.at(10, [{ kind: 'ServiceOperationCompleted', serviceName: uidOf('ghost'), dispatchId: 'x:op:ghost:1', outcome: success() }]);
    assert.deepEqual(observationsOf(d, 'CompletionIgnored'), [{ kind: 'CompletionIgnored', id: 'x:op:ghost:1', reason: 'unknownOperation' }]);
    assert.deepEqual(d.state, before);
    // Only the wake-up for the ingress IP still unconfirmed, which was pending before.
    assert.deepEqual(d.commands, [{ kind: 'WakeAt', at: 10 + ASK_AGAIN_MIN_MS }]);
  });

  it('ignores a completion with an unknown dispatch id for an in-flight service and changes nothing', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    const before = e.state;
    const d = e.at(10, [{ kind: 'ServiceOperationCompleted', serviceName: NAME, dispatchId: `${create.dispatchId}-other`, outcome: success() }]);
    assert.deepEqual(observationsOf(d, 'CompletionIgnored'), [{ kind: 'CompletionIgnored', id: `${create.dispatchId}-other`, reason: 'staleDispatch' }]);
    assert.deepEqual(d.state, before);
    assert.equal(e.op().state, 'CreationInProgress');
    assert.deepEqual(dispatches(d), []);
    assert.deepEqual(observationsOf(d, 'OperationCompleted'), []);
  });

  it('ignores a duplicate completion of an operation that already completed', () => {
    const e = new Engine();
    const create = theDispatch(e.at(0, [upsertService(web(1))]));
    e.at(10, [completion(create, success())]);
    const before = e.state;
    const d = e.at(20, [completion(create, transient())]);
    assert.deepEqual(observationsOf(d, 'CompletionIgnored'), [{ kind: 'CompletionIgnored', id: create.dispatchId, reason: 'staleDispatch' }]);
    assert.deepEqual(d.state, before);
    assert.equal(e.op().state, 'Created');
    assert.deepEqual(d.commands, [{ kind: 'WakeAt', at: 10 + ASK_AGAIN_MIN_MS }]);
  });

  it('ignores a stale failure of an earlier attempt once a retry is in flight', () => {
    const e = new Engine();
    const first = theDispatch(e.at(0, [upsertService(web(1))]));
    e.at(10, [completion(first, transient())]);
    const second = theDispatch(e.at(1_010));
    const before = e.state;
    const d = e.at(1_020, [completion(first, terminal())]);
    assert.deepEqual(d.state, before);
    assert.equal(e.op().inFlight?.dispatchId, second.dispatchId);
    assert.equal(observationsOf(d, 'CompletionIgnored')[0]?.reason, 'staleDispatch');
  });
});
