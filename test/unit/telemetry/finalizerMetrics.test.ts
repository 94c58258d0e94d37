// Finalizer failures, counted where the engine's actions are applied: the forwarder's real action
// consumer and Kubernetes writer, against the Kubernetes API simulator and the AMQP test broker.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { ServiceBusSender } from '@azure/service-bus';
import type { ActionConsumer } from '../../../forwarder/actions/actionConsumer.ts';
import { SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import type { KubernetesAction } from '../../../shared/messages/kubernetesActionSchema.ts';
import { kubernetesActionMessageId } from '../../../shared/messages/messageIds.ts';
import { finalizerFailureRecorder } from '../../../shared/telemetry/finalizerMetrics.ts';
import { CLUSTER, lbService, startActionConsumer, startRig, uidOf, waitFor } from '../../integration/forwarder/harness.ts';
import type { Rig } from '../../integration/forwarder/harness.ts';
import { MetricProbe } from './metricProbe.ts';

describe('finalizer metrics', () => {
  let rig: Rig;
  let sender: ServiceBusSender;
  let consumer: ActionConsumer;
  const probe = new MetricProbe();
  before(async () => {
    rig = await startRig();
    sender = rig.client.createSender('k8s-actions');
    consumer = startActionConsumer(rig, { onOutcome: finalizerFailureRecorder(probe.meter) });
  });
  after(async () => {
    await consumer.stop();
    await sender.close();
    await rig.close();
  });
  afterEach(() => rig.kube.faults.clear());

  const send = (action: KubernetesAction): Promise<void> =>
    sender.sendMessages({ body: { v: 1, cluster: CLUSTER, action }, contentType: 'application/json', messageId: kubernetesActionMessageId(CLUSTER, action), sessionId: CLUSTER });
  const settled = (): Promise<boolean> =>
    waitFor(() => {
      const s = rig.broker.peekState('k8s-actions');
      return s.active === 0 && s.locked === 0 && s.scheduled === 0;
    }, 'k8s-actions to drain', 10_000);

  /** The consumer records an outcome just after it settles the message: the drained queue can be seen first. */
  const countOnceRecorded = async (labels: Record<string, string>, want: number): Promise<number> => {
    const deadline = Date.now() + 5_000;
    let n = await probe.count('engine_finalizer_failures_total', labels);
    while (n < want && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      n = await probe.count('engine_finalizer_failures_total', labels);
    }
    return n;
  };

  it('counts a finalizer change Kubernetes refused in engine_finalizer_failures_total{action,result=refused}', async () => {
    const svc = rig.kube.apply(lbService('fin-refused'));
    rig.kube.faults.arm({ verb: 'patch', resource: 'services', status: 422, times: 1 });
    await send({ kind: 'AddFinalizer', target: { kind: 'Service', namespace: 'default', name: 'fin-refused', uid: uidOf(svc) }, finalizer: SERVICE_FINALIZER });
    await settled();
    assert.equal(await countOnceRecorded({ action: 'add', result: 'refused' }, 1), 1);
    assert.equal(await probe.count('engine_finalizer_failures_total', { action: 'remove', result: 'refused' }), 0);
  });

  it('counts a finalizer change that failed and is retried in engine_finalizer_failures_total{action,result=retry}', async () => {
    const svc = rig.kube.apply(lbService('fin-retry'));
    const ref = { kind: 'Service', namespace: 'default', name: 'fin-retry', uid: uidOf(svc) } as const;
    await send({ kind: 'AddFinalizer', target: ref, finalizer: SERVICE_FINALIZER });
    await settled();
    rig.kube.faults.arm({ verb: 'patch', resource: 'services', status: 500, times: 1 });
    await send({ kind: 'RemoveFinalizer', target: ref, finalizer: SERVICE_FINALIZER });
    await settled();
    assert.equal(await probe.count('engine_finalizer_failures_total', { action: 'remove', result: 'retry' }), 1);
    assert.equal(await probe.count('engine_finalizer_failures_total', { action: 'add', result: 'retry' }), 0);
  });
});
