// ARM errors of service operations (issue 13 item 6, reference §3 retry policy): only a config the
// engine itself finds invalid is terminal. Whatever ARM answers, a 4xx such as
// InvalidResourceReference (eventual consistency) or a feature-registration error included, is
// retried with backoff, parked after maxServiceRetries for the cooldown and re-armed forever, for
// inbound Services and egress identities alike; each park records a Warning Event with the code.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Decision, EngineEvent, OperationOutcome, ServiceOp, ServiceOperation } from '../../../shared/engine/types.ts';
import { node, pod, upsertNode, upsertPod, upsertService } from '../../support/builders.ts';
import { completion, commandsOf, dispatches, EngineDriver, observationsOf, theDispatch } from '../../support/engineDriver.ts';
import type { CommandOf } from '../../support/engineDriver.ts';
import { PUBLIC_IP, success, WEB_NAME, web, webConfig } from '../../support/webService.ts';

const RETRIES = 12;
const COOLDOWN_MS = 5 * 60_000;
/** The backoff without jitter (random 0): 1, 2, 4, 8, 16, then 30 s. */
const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000, 30_000, 30_000];

/** A 400 as the ARM adapter reported it before this change: flagged terminal, with the ARM code. */
const arm400 = (code = 'InvalidResourceReference'): OperationOutcome => ({
  result: 'failure',
  terminal: true,
  code,
  message: `Resource /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/x-pip referenced by resource x was not found (${code}).`,
});

/** The engine's own refusal of an operation whose config it cannot build (the adapter's checkedConfig). */
const refusal = (): OperationOutcome => ({ result: 'failure', terminal: true, code: 'ConfigMismatch', message: 'create of inbound x carries the config of outbound y' });

const IDENTITY = 'team-a';

function events(d: Decision, reason: string): CommandOf<'RecordKubernetesEvent'>[] {
  return commandsOf(d, 'RecordKubernetesEvent').filter((c) => c.reason === reason);
}

/**
 * Fails every attempt of one burst from `first` on with `outcome`, each retry dispatched exactly
 * when its backoff ends; returns the decision of the 12th failure (the park).
 */
function failBurst(e: EngineDriver, first: ServiceOperation, outcome: OperationOutcome): Decision {
  let op = first;
  for (let failure = first.attempt; ; failure++) {
    assert.equal(op.attempt, failure, `attempt ${failure} of the burst`);
    const d = e.at(e.now + 10, [completion(op, outcome)]);
    assert.deepEqual(observationsOf(d, 'OperationParked').map((p) => p.reason), failure < RETRIES ? [] : ['retries_exceeded'], `failure ${failure}`);
    if (failure === RETRIES) return d;
    const [scheduled] = observationsOf(d, 'OperationRetryScheduled');
    assert.equal(scheduled?.retryCount, failure);
    assert.equal(scheduled.retryAt - e.now, BACKOFF_MS[failure - 1], `backoff after failure ${failure}`);
    assert.deepEqual(dispatches(e.at(scheduled.retryAt - 1)), [], 'nothing before the backoff ends');
    op = theDispatch(e.at(scheduled.retryAt));
    assert.equal(op.operation, first.operation);
  }
}

/** Three bursts of 12 failures, each parked for the cooldown and re-armed after it: it never gives up. */
function assertRetriedForever(e: EngineDriver, name: string, first: ServiceOperation, outcome: OperationOutcome): void {
  let op = first;
  for (let burst = 1; burst <= 3; burst++) {
    const park = failBurst(e, op, outcome);
    const until = e.now + COOLDOWN_MS;
    assert.deepEqual(observationsOf(park, 'OperationParked'), [{ kind: 'OperationParked', serviceName: name, reason: 'retries_exceeded', until }]);
    assert.deepEqual(e.op(name).retry, { count: RETRIES, nextAt: until, parkedUntil: until });
    assert.deepEqual(commandsOf(park, 'WakeAt'), [{ kind: 'WakeAt', at: until }], 'asks to be woken when the park ends');
    assert.deepEqual(dispatches(e.at(until - 1)), [], `burst ${burst}: parked until the cooldown ends`);
    op = theDispatch(e.at(until));
    assert.equal(op.operation, first.operation, `burst ${burst}: re-armed`);
    assert.equal(op.attempt, 1, 'with a fresh burst');
  }
}

/** `web` admitted: its create is dispatched at t=0. */
function inboundCreate(e: EngineDriver): ServiceOperation {
  return theDispatch(e.at(0, [upsertService(web(1))]));
}

function egressPod(name: string, ip: string, namespace = 'apps'): EngineEvent {
  return upsertPod(pod(name, IDENTITY, { namespace, podIPs: [ip] }));
}

/** node-a and two pods of `team-a` (given out of order): the NAT gateway's create is dispatched. */
function outboundCreate(e: EngineDriver): ServiceOperation {
  const create = theDispatch(e.at(0, [upsertNode(node('node-a', ['10.0.0.4'])), egressPod('worker-2', '10.244.0.12'), egressPod('worker-1', '10.244.0.11')]));
  assert.equal(create.serviceKind, 'outbound');
  assert.equal(create.operation, 'create');
  return create;
}

/** The first attempt of `create` fails with `outcome` at t=10: that decision, and the op after it. */
function failFirst(e: EngineDriver, create: ServiceOperation, outcome: OperationOutcome): { d: Decision; op: ServiceOp } {
  const d = e.at(10, [completion(create, outcome)]);
  return { d, op: e.op(create.serviceName) };
}

/** Asserts the op is back in NotStarted after one failure, waiting out a 1 s backoff and not terminally parked. */
function assertBackingOff(op: ServiceOp, why: string): void {
  assert.ok(op.state === 'NotStarted');
  assert.equal(op.terminal, null, why);
  assert.deepEqual(op.retry, { count: 1, nextAt: 1_010, parkedUntil: null });
}

describe('ARM 4xx on an inbound operation', () => {
  it('retries a 400 InvalidResourceReference on a create with backoff, parks it after 12 tries for 5 min, and re-arms it forever', () => {
    const e = new EngineDriver();
    const { d, op } = failFirst(e, inboundCreate(e), arm400());
    assertBackingOff(op, 'not a terminal park');
    assert.deepEqual(events(d, 'ServiceGatewayConfigurationRejected'), []);
    assertRetriedForever(e, WEB_NAME, theDispatch(e.at(1_010)), arm400());
  });

  it('converges once the reference becomes visible: the next attempt succeeds and the IP is patched', () => {
    const e = new EngineDriver();
    failFirst(e, inboundCreate(e), arm400());
    const retry = theDispatch(e.at(1_010));
    const d = e.at(1_020, [completion(retry, success())]);
    assert.equal(e.op(WEB_NAME).state, 'Created');
    assert.equal(commandsOf(d, 'PatchServiceStatus').length, 1);
  });

  it('retries a feature-registration 400 on an update and keeps the live load balancer', () => {
    const e = new EngineDriver();
    e.at(10, [completion(inboundCreate(e), success())]);
    // The Service shows its IP, so no status patch is pending beside the update.
    const update = theDispatch(e.at(20, [upsertService(web(2, 9090, { ingressIPs: [PUBLIC_IP] }))]));
    assert.equal(update.operation, 'update');
    e.at(30, [completion(update, arm400('SubscriptionNotRegisteredForFeature'))]);
    const op = e.op(WEB_NAME);
    assert.equal(op.state, 'UpdateInProgress');
    assert.deepEqual(op.lastApplied, webConfig(8080), 'the live load balancer keeps its old config');
    assertRetriedForever(e, WEB_NAME, theDispatch(e.at(1_030)), arm400('SubscriptionNotRegisteredForFeature'));
  });
});

describe('ARM 4xx on an egress identity', () => {
  it('retries a 400 on the NAT gateway create with backoff, parks it after 12 tries for 5 min, and re-arms it forever', () => {
    const e = new EngineDriver();
    assertBackingOff(failFirst(e, outboundCreate(e), arm400()).op, 'not a terminal park: an identity has no spec that could change');
    assertRetriedForever(e, IDENTITY, theDispatch(e.at(1_010)), arm400());
  });

  it('re-arms even the engine\'s own refusal, after the cooldown: there is no spec to change', () => {
    const e = new EngineDriver();
    assertBackingOff(failFirst(e, outboundCreate(e), refusal()).op, 'not a terminal park');
    assertRetriedForever(e, IDENTITY, theDispatch(e.at(1_010)), refusal());
  });
});

describe('the Warning Event of a park', () => {
  /** The one Warning a park records, with the ARM code and the cooldown in its message. */
  function parkWarning(park: Decision, reason: string): CommandOf<'RecordKubernetesEvent'> {
    const [warning, ...more] = events(park, reason);
    assert.deepEqual(more, []);
    assert.equal(warning?.type, 'Warning');
    assert.match(warning.message, /create failed 12 times \(last: InvalidResourceReference\); retrying after 300 s/);
    return warning;
  }

  it('names the ARM code on the Service (SyncLoadBalancerFailed)', () => {
    const e = new EngineDriver();
    const warning = parkWarning(failBurst(e, inboundCreate(e), arm400()), 'SyncLoadBalancerFailed');
    assert.deepEqual(warning.target, { kind: 'Service', namespace: 'default', name: 'web', uid: webConfig(8080).service.uid });
  });

  it('names the ARM code on the first live pod of the identity by namespace/name (ServiceGatewayEgressSyncFailed)', () => {
    const e = new EngineDriver();
    const warning = parkWarning(failBurst(e, outboundCreate(e), arm400()), 'ServiceGatewayEgressSyncFailed');
    assert.equal(warning.target.kind, 'Pod');
    assert.equal(`${warning.target.namespace ?? ''}/${warning.target.name}`, 'apps/worker-1');
    assert.match(warning.message, /team-a/);
  });

  it('is recorded at every park, once per burst', () => {
    const e = new EngineDriver();
    let op = outboundCreate(e);
    for (let burst = 1; burst <= 2; burst++) {
      const park = failBurst(e, op, arm400('InvalidResourceReference'));
      assert.equal(events(park, 'ServiceGatewayEgressSyncFailed').length, 1, `burst ${burst}`);
      op = theDispatch(e.at(e.now + COOLDOWN_MS));
    }
  });

  it('skips a pod that is not live when it picks the pod of an identity', () => {
    const e = new EngineDriver();
    const create = outboundCreate(e);
    // worker-1 completes: it no longer registers, so worker-2 carries the Event.
    e.at(5, [upsertPod(pod('worker-1', IDENTITY, { namespace: 'apps', podIPs: ['10.244.0.11'], phase: 'Succeeded', resourceVersion: '2' }))]);
    const [warning] = events(failBurst(e, create, arm400()), 'ServiceGatewayEgressSyncFailed');
    assert.equal(warning?.target.name, 'worker-2');
  });
});

describe('what stays terminal', () => {
  it('parks the engine\'s own refusal of an inbound config until the spec changes', () => {
    const e = new EngineDriver();
    const { d, op } = failFirst(e, inboundCreate(e), refusal());
    assert.ok(op.state === 'NotStarted');
    assert.equal(op.terminal?.code, 'ConfigMismatch');
    assert.deepEqual(observationsOf(d, 'OperationParked'), [{ kind: 'OperationParked', serviceName: WEB_NAME, reason: 'terminal_error', until: null }]);
    assert.match(events(d, 'ServiceGatewayConfigurationRejected')[0]?.message ?? '', /ConfigMismatch/);
    for (const t of [1_000, COOLDOWN_MS, 10 * COOLDOWN_MS]) assert.deepEqual(dispatches(e.at(t)), [], `no dispatch at ${t}`);
    const retry = theDispatch(e.at(10 * COOLDOWN_MS + 1, [upsertService(web(2, 9090))]));
    assert.deepEqual(retry.config, webConfig(9090), 'a new spec re-arms it');
  });

  it('re-arms a park an earlier version stored for an ARM code, on the next pass', () => {
    const e = new EngineDriver();
    const parked = failFirst(e, inboundCreate(e), refusal()).op;
    assert.ok(parked.state === 'NotStarted' && parked.terminal !== null);
    // What the previous version stored for a 400: a terminal park on the ARM code.
    const ops = new Map(e.state.ops);
    ops.set(WEB_NAME, { ...parked, terminal: { ...parked.terminal, code: 'InvalidResourceReference' } });
    e.state = { ...e.state, ops };
    const retry = theDispatch(e.at(20));
    assert.equal(retry.operation, 'create');
    assert.deepEqual(retry.config, webConfig(8080));
  });
});
