// The action consumer loses nothing: a failure on one object holds back only that object's later
// actions, answers that cannot change are final (completed, logged, counted), transient failures
// are retried under the message lock within a budget, and stop() does not wait for a backoff. The
// real consumer and Kubernetes writer against the Kubernetes API simulator and the AMQP test broker.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { ServiceBusSender } from '@azure/service-bus';
import type { ActionConsumer, ActionConsumerOptions } from '../../../forwarder/actions/actionConsumer.ts';
import type { ActionOutcome } from '../../../forwarder/actions/kubeWriter.ts';
import { SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import type { ServiceTarget } from '../../../shared/engine/types.ts';
import type { KubernetesAction } from '../../../shared/messages/kubernetesActionSchema.ts';
import { kubernetesActionMessageId } from '../../../shared/messages/messageIds.ts';
import { finalizerFailureRecorder } from '../../../shared/telemetry/finalizerMetrics.ts';
import { MetricProbe } from '../../unit/telemetry/metricProbe.ts';
import { CLUSTER, lbService, startActionConsumer, startRig, uidOf, waitFor } from './harness.ts';
import type { Rig } from './harness.ts';

type Obj = Record<string, unknown>;
const meta = (o: Obj | undefined): Obj => (o?.['metadata'] ?? {}) as Obj;
const ingressOf = (o: Obj | undefined): unknown => ((o?.['status'] as Obj | undefined)?.['loadBalancer'] as Obj | undefined)?.['ingress'];

interface Outcome {
  readonly action: string;
  readonly result: string;
  readonly at: number;
}
interface Result {
  readonly action: KubernetesAction;
  readonly outcome: ActionOutcome;
}

/** A consumer on the rig's broker and simulator that records what it reports. */
function consumerOn(rig: Rig, probe: MetricProbe, options: Partial<ActionConsumerOptions>): { consumer: ActionConsumer; outcomes: Outcome[]; results: Result[]; refusals: string[] } {
  const outcomes: Outcome[] = [];
  const results: Result[] = [];
  const refusals: string[] = [];
  const countFinalizerFailure = finalizerFailureRecorder(probe.meter);
  const consumer = startActionConsumer(rig, {
    onOutcome: (action, result) => {
      outcomes.push({ action, result, at: Date.now() });
      countFinalizerFailure(action, result);
    },
    onResult: (action, outcome) => results.push({ action, outcome }),
    onRefused: (action, reason) => refusals.push(`${action}:${reason}`),
    ...options,
  });
  return { consumer, outcomes, results, refusals };
}

function actionsOn(rig: Rig): {
  sender: ServiceBusSender;
  send: (...actions: KubernetesAction[]) => Promise<void>;
  service: (name: string, finalizers?: string[]) => ServiceTarget;
} {
  const sender = rig.client.createSender('k8s-actions');
  return {
    sender,
    send: (...actions) => sender.sendMessages(actions.map((action) => ({
      body: { v: 1, cluster: CLUSTER, action },
      contentType: 'application/json',
      messageId: kubernetesActionMessageId(CLUSTER, action),
      sessionId: CLUSTER,
    }))),
    service: (name, finalizers) => ({ kind: 'Service', namespace: 'default', name, uid: uidOf(rig.kube.apply(lbService(name, { finalizers }))) }),
  };
}

const add = (target: ServiceTarget): KubernetesAction => ({ kind: 'AddFinalizer', target, finalizer: SERVICE_FINALIZER });
const remove = (target: ServiceTarget): KubernetesAction => ({ kind: 'RemoveFinalizer', target, finalizer: SERVICE_FINALIZER });
const status = (target: ServiceTarget, ip: string): KubernetesAction => ({ kind: 'PatchServiceStatus', target, ingressIp: ip, family: 'IPv4' });

describe('the action consumer, when actions fail', () => {
  let rig: Rig;
  let sender: ServiceBusSender;
  let send: (...actions: KubernetesAction[]) => Promise<void>;
  let service: (name: string, finalizers?: string[]) => ServiceTarget;
  let consumer: ActionConsumer;
  let outcomes: Outcome[];
  let results: Result[];
  let refusals: string[];
  const probe = new MetricProbe();
  before(async () => {
    rig = await startRig();
    ({ sender, send, service } = actionsOn(rig));
    ({ consumer, outcomes, results, refusals } = consumerOn(rig, probe, { retryBudgetMs: 3_000, backoffMinMs: 20, backoffMaxMs: 200 }));
  });
  after(async () => {
    await consumer.stop();
    await sender.close();
    await rig.close();
  });
  afterEach(() => rig.kube.faults.clear());

  const settled = (): Promise<boolean> =>
    waitFor(() => {
      const s = rig.broker.peekState('k8s-actions');
      return s.active === 0 && s.locked === 0 && s.scheduled === 0;
    }, 'k8s-actions to drain', 15_000);
  const delivered = (): number => rig.broker.counts()['k8s-actions']?.delivered ?? 0;
  const get = (name: string): Obj | undefined => rig.kube.get('Service', 'default', name);
  const resultsFor = (name: string): string[] => results.filter((r) => r.action.target.name === name).map((r) => `${r.action.kind}:${r.outcome.result}`);
  const patchStatuses = (name: string): number[] => rig.kube.requests().filter((r) => r.method === 'PATCH' && r.path.endsWith(`/services/${name}`)).map((r) => r.status);

  it('applies and completes the rest of a batch while one object\'s action keeps failing, and holds back only that object\'s later action', async () => {
    const [a, b, c] = [service('batch-a'), service('batch-b'), service('batch-c', [SERVICE_FINALIZER])];
    rig.kube.faults.arm({ verb: 'patch', resource: 'services', name: 'batch-a', status: 500, times: 1_000_000 });
    await send(add(a), add(b), status(c, '20.0.1.3'), remove(a), status(b, '20.0.1.2'));
    // b and c are done while a still fails.
    await waitFor(() => ingressOf(get('batch-c')) !== undefined && ingressOf(get('batch-b')) !== undefined, 'the other objects\' actions', 10_000);
    assert.deepEqual(ingressOf(get('batch-c')), [{ ip: '20.0.1.3' }]);
    assert.deepEqual(meta(get('batch-b'))['finalizers'], [SERVICE_FINALIZER]);
    assert.deepEqual(resultsFor('batch-a'), [], 'nothing on a was applied, its RemoveFinalizer did not overtake the failing AddFinalizer');
    assert.ok(patchStatuses('batch-a').length >= 1 && patchStatuses('batch-a').every((s) => s === 500));
    rig.kube.faults.clear();
    await settled();
    assert.deepEqual(resultsFor('batch-a'), ['AddFinalizer:applied', 'RemoveFinalizer:applied']);
    assert.equal(meta(get('batch-a'))['finalizers'], undefined);
    // Completed once: a redelivered b or c would have been applied again (as unchanged).
    assert.deepEqual(resultsFor('batch-b'), ['AddFinalizer:applied', 'PatchServiceStatus:applied']);
    assert.deepEqual(resultsFor('batch-c'), ['PatchServiceStatus:applied']);
    assert.equal(rig.broker.peekState('k8s-actions').deadLettered, 0);
  });

  it('completes an action the API server forbids, refuses, or keeps conflicting on: logged, counted, not redelivered', async () => {
    const [forbidden, refused, conflicted, fine] = [service('final-403'), service('final-422', [SERVICE_FINALIZER]), service('final-409'), service('final-ok')];
    rig.kube.faults.arm({ verb: 'patch', resource: 'services', name: 'final-403', status: 403, times: 1 });
    rig.kube.faults.arm({ verb: 'patch', resource: 'services/status', name: 'final-422', status: 422, times: 1 });
    rig.kube.faults.arm({ verb: 'patch', resource: 'services', name: 'final-409', status: 409, times: 1_000 });
    const d0 = delivered();
    await send(add(forbidden), status(refused, '20.0.1.4'), add(conflicted), add(fine));
    await settled();
    assert.equal(delivered() - d0, 4, 'each message was delivered once');
    assert.equal(rig.broker.peekState('k8s-actions').deadLettered, 0);
    assert.equal(meta(get('final-403'))['finalizers'], undefined, 'the forbidden write was not retried into success');
    assert.equal(ingressOf(get('final-422')), undefined);
    assert.equal(meta(get('final-409'))['finalizers'], undefined);
    assert.deepEqual(meta(get('final-ok'))['finalizers'], [SERVICE_FINALIZER]);
    assert.deepEqual(resultsFor('final-403'), ['AddFinalizer:forbidden']);
    assert.deepEqual(resultsFor('final-422'), ['PatchServiceStatus:refused']);
    assert.deepEqual(resultsFor('final-409'), ['AddFinalizer:conflict']);
    assert.equal(patchStatuses('final-409').length, 6, 'the writer\'s own conflict retries, then no more');
    for (const [name, code] of [['final-403', 403], ['final-422', 422], ['final-409', 409]] as const) {
      const line = rig.log.lines.find((l) => l.level === 'warn' && l.fields['target'] === `Service/default/${name}` && l.fields['status'] === code);
      assert.ok(line, `a warning names ${name} and its status ${code}`);
      assert.ok(typeof line.fields['reason'] === 'string' && line.fields['reason'] !== '', `the warning for ${name} gives the reason`);
      assert.ok(typeof line.fields['action'] === 'string');
    }
    await waitFor(async () => (await probe.count('engine_finalizer_failures_total', { action: 'add', result: 'conflict' })) === 1, 'the conflict to be counted');
    assert.equal(await probe.count('engine_finalizer_failures_total', { action: 'add', result: 'forbidden' }), 1);
    assert.ok(outcomes.some((o) => o.action === 'PatchServiceStatus' && o.result === 'refused'));
  });

  it('refuses an action on a Service the engine does not own: nothing written, a warning with the reason, counted, completed once', async () => {
    const applyTarget = (o: Obj): ServiceTarget => ({ kind: 'Service', namespace: 'default', name: String(meta(o)['name']), uid: uidOf(rig.kube.apply(o)) });
    const withSpec = (name: string, spec: Obj, finalizers?: string[]): Obj => {
      const base = lbService(name, { finalizers });
      return { ...base, spec: { ...(base['spec'] as Obj), ...spec } };
    };
    const classed = applyTarget(withSpec('mine-not', { loadBalancerClass: 'example.com/other-lb' }, [SERVICE_FINALIZER]));
    const internal = applyTarget(withSpec('was-lb', { type: 'ClusterIP' }, [SERVICE_FINALIZER]));
    const unclaimed = service('unclaimed');
    const d0 = delivered();
    await send(status(classed, '20.0.2.1'), add(classed), status(internal, '20.0.2.2'), status(unclaimed, '20.0.2.3'), remove(internal));
    await settled();
    assert.equal(delivered() - d0, 5, 'each message was delivered once');
    assert.equal(rig.broker.peekState('k8s-actions').deadLettered, 0);
    assert.deepEqual(resultsFor('mine-not'), ['PatchServiceStatus:notOurs', 'AddFinalizer:notOurs']);
    assert.deepEqual(resultsFor('unclaimed'), ['PatchServiceStatus:notOurs']);
    assert.deepEqual(resultsFor('was-lb'), ['PatchServiceStatus:notOurs', 'RemoveFinalizer:applied'], 'our finalizer still comes off a Service that stopped being a LoadBalancer');
    assert.deepEqual([...refusals].sort(), ['AddFinalizer:ForeignLoadBalancerClass', 'PatchServiceStatus:ForeignLoadBalancerClass', 'PatchServiceStatus:NoServiceFinalizer', 'PatchServiceStatus:NotLoadBalancer']);
    for (const name of ['mine-not', 'unclaimed']) {
      assert.deepEqual(rig.kube.requests().filter((r) => r.method === 'PATCH' && r.path.includes(`/services/${name}`)), [], `nothing was written to ${name}`);
    }
    assert.equal(ingressOf(get('was-lb')), undefined);
    const line = rig.log.lines.find((l) => l.level === 'warn' && l.fields['target'] === 'Service/default/mine-not' && l.fields['action'] === 'PatchServiceStatus');
    assert.equal(line?.msg, 'refused an action on an object the engine does not own; not applying it');
    assert.equal(line?.fields['reason'], 'ForeignLoadBalancerClass');
  });

  it('retries a server error under the lock: applied within the one delivery, never abandoned', async () => {
    const flaky = service('flaky');
    rig.kube.faults.arm({ verb: 'patch', resource: 'services', name: 'flaky', status: 500, times: 2 });
    const [d0, o0] = [delivered(), outcomes.length];
    await send(add(flaky));
    await settled();
    assert.deepEqual(meta(get('flaky'))['finalizers'], [SERVICE_FINALIZER]);
    assert.equal(delivered() - d0, 1, 'deliveryCount stayed 1');
    assert.deepEqual(patchStatuses('flaky'), [500, 500, 200]);
    await waitFor(() => outcomes.length - o0 >= 3, 'the outcomes');
    assert.deepEqual(outcomes.slice(o0).map((o) => o.result), ['retry', 'retry', 'applied']);
  });

  it('waits as long as a 429\'s Retry-After asks, within the same delivery', async () => {
    const throttled = service('throttled');
    rig.kube.faults.arm({ verb: 'patch', resource: 'services', name: 'throttled', status: 429, times: 1, retryAfterSeconds: 1 });
    const [d0, o0] = [delivered(), outcomes.length];
    await send(add(throttled));
    await settled();
    assert.equal(delivered() - d0, 1);
    await waitFor(() => outcomes.length - o0 >= 2, 'the outcomes');
    const [retry, applied] = outcomes.slice(o0);
    assert.deepEqual([retry?.result, applied?.result], ['retry', 'applied']);
    // The backoff alone would be 20-30 ms.
    assert.ok(applied!.at - retry!.at >= 950, `retried after ${applied!.at - retry!.at} ms`);
  });

  it('abandons an action whose failures outlast the budget, with the later action on its object, and applies both in order on a later delivery', async () => {
    const target = service('outlasting');
    rig.kube.faults.arm({ verb: 'patch', resource: 'services', name: 'outlasting', status: 500, times: 1_000_000 });
    const o0 = outcomes.length;
    await send(add(target), remove(target));
    await waitFor(() => outcomes.slice(o0).filter((o) => o.result === 'abandoned').length === 2, 'both messages to be abandoned', 15_000);
    const mine = outcomes.slice(o0);
    const firstAbandon = mine.findIndex((o) => o.result === 'abandoned');
    assert.ok(mine.slice(0, firstAbandon).filter((o) => o.result === 'retry').length >= 2, 'retried within the lock before giving up');
    assert.ok(mine.slice(0, firstAbandon).every((o) => o.action === 'AddFinalizer'), 'the RemoveFinalizer was never tried before the AddFinalizer');
    rig.kube.faults.clear();
    await settled();
    assert.deepEqual(resultsFor('outlasting'), ['AddFinalizer:applied', 'RemoveFinalizer:applied']);
    assert.equal(meta(get('outlasting'))['finalizers'], undefined);
    assert.equal(rig.broker.peekState('k8s-actions').deadLettered, 0);
    assert.ok(rig.log.lines.some((l) => l.level === 'warn' && l.fields['target'] === 'Service/default/outlasting' && typeof l.fields['deliveryCount'] === 'number' && /abandon/.test(l.msg)));
  });

  it('tells the caller what Kubernetes holds after each action: the written object, the object as read, or gone', async () => {
    const told = service('told');
    await send(add(told), status(told, '20.0.1.9'));
    await settled();
    const [added, patched] = results.filter((r) => r.action.target.name === 'told');
    assert.equal(added?.outcome.result, 'applied');
    assert.ok(added?.outcome.result === 'applied' && patched?.outcome.result === 'applied');
    assert.deepEqual(meta(added.outcome.object)['finalizers'], [SERVICE_FINALIZER]);
    assert.deepEqual(ingressOf(patched.outcome.object), [{ ip: '20.0.1.9' }]);
    assert.equal(meta(patched.outcome.object)['resourceVersion'], meta(get('told'))['resourceVersion'], 'the object as the API server returned it');
    // The same finalizer again (a new decision, so a new MessageId): unchanged, with the object as read.
    await sender.sendMessages({ body: { v: 1, cluster: CLUSTER, action: add(told) }, messageId: 'told-again', sessionId: CLUSTER, contentType: 'application/json' });
    await settled();
    const again = results.filter((r) => r.action.target.name === 'told')[2];
    assert.ok(again?.outcome.result === 'unchanged');
    assert.equal(meta(again.outcome.object)['resourceVersion'], meta(get('told'))['resourceVersion']);
    assert.deepEqual(ingressOf(again.outcome.object), [{ ip: '20.0.1.9' }]);
    // Another object under the name: the engine's object is gone.
    await send(add({ ...told, uid: '00000000-0000-4000-8000-000000000000' }));
    await settled();
    const gone = results.filter((r) => r.action.target.name === 'told')[3];
    assert.deepEqual(gone?.outcome, { result: 'gone' });
  });
});

describe('the action consumer, one consumer per test', () => {
  let rig: Rig;
  let on: ReturnType<typeof actionsOn>;
  let consumer: ActionConsumer | null = null;
  before(async () => {
    rig = await startRig();
    on = actionsOn(rig);
  });
  afterEach(async () => {
    await consumer?.stop();
    consumer = null;
    rig.kube.faults.clear();
  });
  after(async () => {
    await on.sender.close();
    await rig.close();
  });

  it('completes an applied action once when its onResult hook throws, and logs the hook\'s error', async () => {
    consumer = startActionConsumer(rig, { onResult: () => { throw new Error('hook broke'); } });
    const target = on.service('hooked');
    await on.send(add(target));
    await waitFor(() => rig.log.lines.some((l) => l.level === 'error' && l.fields['target'] === 'Service/default/hooked' && /hook broke/.test(String(l.fields['error']))), 'the hook\'s error to be logged');
    await waitFor(() => {
      const s = rig.broker.peekState('k8s-actions');
      return s.active === 0 && s.locked === 0;
    }, 'k8s-actions to drain');
    assert.deepEqual(meta(rig.kube.get('Service', 'default', 'hooked'))['finalizers'], [SERVICE_FINALIZER]);
    assert.equal(rig.broker.counts()['k8s-actions']?.delivered, 1, 'not delivered again');
    assert.equal(rig.kube.requests().filter((r) => r.method === 'PATCH').length, 1);
  });

  it('returns promptly from stop() during a backoff: the other objects\' actions are done, the waiting one is abandoned unapplied', async () => {
    const started = consumerOn(rig, new MetricProbe(), { retryBudgetMs: 300_000, backoffMinMs: 60_000, backoffMaxMs: 60_000 });
    consumer = started.consumer;
    const [x, y] = [on.service('stop-x'), on.service('stop-y')];
    rig.kube.faults.arm({ verb: 'patch', resource: 'services', name: 'stop-x', status: 500, times: 1_000_000 });
    await on.send(add(x), add(y));
    await waitFor(() => meta(rig.kube.get('Service', 'default', 'stop-y'))['finalizers'] !== undefined, 'stop-y to be applied', 10_000);
    await waitFor(() => started.outcomes.some((o) => o.result === 'retry'), 'stop-x to fail');
    const t0 = Date.now();
    await consumer.stop();
    assert.ok(Date.now() - t0 < 10_000, `stop() took ${Date.now() - t0} ms during a 60 s backoff`);
    assert.equal(meta(rig.kube.get('Service', 'default', 'stop-x'))['finalizers'], undefined);
    assert.deepEqual(meta(rig.kube.get('Service', 'default', 'stop-y'))['finalizers'], [SERVICE_FINALIZER]);
    const s = rig.broker.peekState('k8s-actions');
    assert.deepEqual([s.active, s.locked, s.deadLettered], [1, 0, 0], 'stop-x\'s message is back in the queue for the next holder');
  });
});
