import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { ServiceBusSender } from '@azure/service-bus';
import { POD_FINALIZER, SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import type { KubernetesAction } from '../../../shared/messages/kubernetesActionSchema.ts';
import { kubernetesActionMessageId } from '../../../shared/messages/messageIds.ts';
import { CLUSTER, egressPod, httpGet, lbService, startRig, uidOf, waitFor } from './harness.ts';
import type { Rig } from './harness.ts';

type Obj = Record<string, unknown>;
const meta = (o: Obj | undefined): Obj => (o?.['metadata'] ?? {}) as Obj;
const ingressOf = (o: Obj | undefined): unknown => ((o?.['status'] as Obj | undefined)?.['loadBalancer'] as Obj | undefined)?.['ingress'];
const ref = <K extends 'Service' | 'Pod'>(o: Obj, kind: K) => ({ kind, namespace: meta(o)['namespace'] as string, name: meta(o)['name'] as string, uid: uidOf(o) });

describe('the forwarder, engine to cluster', () => {
  let rig: Rig;
  let sender: ServiceBusSender;
  before(async () => {
    rig = await startRig();
    sender = rig.client.createSender('k8s-actions');
    const f = await rig.start();
    await f.whenReady();
  });
  after(async () => {
    await sender.close();
    await rig.close();
  });
  afterEach(() => rig.kube.faults.clear());

  const send = async (...actions: KubernetesAction[]): Promise<void> => {
    await sender.sendMessages(actions.map((action) => ({
      body: { v: 1, cluster: CLUSTER, action },
      contentType: 'application/json',
      messageId: kubernetesActionMessageId(CLUSTER, action),
      sessionId: CLUSTER,
    })));
  };
  const settled = async (): Promise<void> => {
    await waitFor(() => {
      const s = rig.broker.peekState('k8s-actions');
      return s.active === 0 && s.locked === 0 && s.scheduled === 0;
    }, 'k8s-actions to drain', 10_000);
  };

  it('writes the ingress IP family by family, keeping a hostname someone else wrote', async () => {
    const svc = rig.kube.apply(lbService('status-web', { finalizers: [SERVICE_FINALIZER] }));
    await send({ kind: 'PatchServiceStatus', target: ref(svc, 'Service'), ingressIp: '20.0.0.7', family: 'IPv4' });
    await waitFor(() => ingressOf(rig.kube.get('Service', 'default', 'status-web')) !== undefined, 'the status patch');
    assert.deepEqual(ingressOf(rig.kube.get('Service', 'default', 'status-web')), [{ ip: '20.0.0.7' }]);
    // Another writer adds a hostname; then the IPv6 address arrives and the IPv4 one changes.
    const current = rig.kube.get('Service', 'default', 'status-web')!;
    rig.kube.apply({ ...current, status: { loadBalancer: { ingress: [{ ip: '20.0.0.7' }, { hostname: 'web.example.com' }] } } });
    await send(
      { kind: 'PatchServiceStatus', target: ref(svc, 'Service'), ingressIp: '2001:db8::7', family: 'IPv6' },
      { kind: 'PatchServiceStatus', target: ref(svc, 'Service'), ingressIp: '20.0.0.8', family: 'IPv4' },
    );
    await settled();
    assert.deepEqual(ingressOf(rig.kube.get('Service', 'default', 'status-web')), [{ ip: '20.0.0.8' }, { hostname: 'web.example.com' }, { ip: '2001:db8::7' }]);
  });

  it('adds and removes finalizers, and the delete it held back then completes', async () => {
    const svc = rig.kube.apply(lbService('fin-web'));
    const pod = rig.kube.apply(egressPod('fin-pod', '10.244.9.1'));
    await send(
      { kind: 'AddFinalizer', target: ref(svc, 'Service'), finalizer: SERVICE_FINALIZER },
      { kind: 'AddFinalizer', target: ref(pod, 'Pod'), finalizer: POD_FINALIZER },
    );
    await settled();
    assert.deepEqual(meta(rig.kube.get('Service', 'default', 'fin-web'))['finalizers'], [SERVICE_FINALIZER]);
    assert.deepEqual(meta(rig.kube.get('Pod', 'apps', 'fin-pod'))['finalizers'], [POD_FINALIZER]);
    assert.notEqual(rig.kube.delete('Service', 'default', 'fin-web'), null, 'the finalizer holds the Service');
    await send({ kind: 'RemoveFinalizer', target: ref(svc, 'Service'), finalizer: SERVICE_FINALIZER });
    await settled();
    assert.equal(rig.kube.get('Service', 'default', 'fin-web'), undefined);
  });

  it('leaves a re-created object with the same name alone', async () => {
    const old = rig.kube.apply(lbService('reborn'));
    rig.kube.delete('Service', 'default', 'reborn');
    const fresh = rig.kube.apply(lbService('reborn'));
    assert.notEqual(uidOf(fresh), uidOf(old));
    await send(
      { kind: 'AddFinalizer', target: ref(old, 'Service'), finalizer: SERVICE_FINALIZER },
      { kind: 'PatchServiceStatus', target: ref(old, 'Service'), ingressIp: '20.0.0.9', family: 'IPv4' },
    );
    await settled();
    const now = rig.kube.get('Service', 'default', 'reborn');
    assert.equal(meta(now)['finalizers'], undefined);
    assert.equal(ingressOf(now), undefined);
    const f = rig.forwarder!;
    assert.match((await httpGet(f.httpPort!, '/metrics')).text, /forwarder_actions_total\{action="AddFinalizer",result="gone"\} 1/);
  });

  it('records an Event once and raises its count when it repeats', async () => {
    const svc = rig.kube.apply(lbService('ev-web'));
    const warning: KubernetesAction = { kind: 'RecordKubernetesEvent', target: ref(svc, 'Service'), type: 'Warning', reason: 'UnsupportedProtocol', message: 'port 80: SCTP is not supported' };
    await send(warning);
    await settled();
    // The same content is the same MessageId: a repeat the engine means comes with a new decision
    // later, after duplicate detection; here we send it under another id.
    await sender.sendMessages({ body: { v: 1, cluster: CLUSTER, action: warning }, messageId: 'repeat-1', sessionId: CLUSTER, contentType: 'application/json' });
    await settled();
    const mine = rig.kube.events().filter((e) => ((e['involvedObject'] as Obj)['name']) === 'ev-web');
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!['count'], 2);
    assert.equal(mine[0]!['reason'], 'UnsupportedProtocol');
    assert.equal(mine[0]!['type'], 'Warning');
    assert.deepEqual((mine[0]!['involvedObject'] as Obj)['uid'], uidOf(svc));
  });

  it('retries through write conflicts', async () => {
    const svc = rig.kube.apply(lbService('conflicted'));
    rig.kube.faults.arm({ verb: 'patch', resource: 'services', status: 409, times: 2 });
    await send({ kind: 'AddFinalizer', target: ref(svc, 'Service'), finalizer: SERVICE_FINALIZER });
    await settled();
    assert.deepEqual(meta(rig.kube.get('Service', 'default', 'conflicted'))['finalizers'], [SERVICE_FINALIZER]);
  });

  it('keeps the order of actions across a server error: an add that failed cannot overtake the remove after it', async () => {
    const svc = rig.kube.apply(lbService('ordered'));
    rig.kube.faults.arm({ verb: 'patch', resource: 'services', status: 500, times: 2 });
    await send(
      { kind: 'AddFinalizer', target: ref(svc, 'Service'), finalizer: SERVICE_FINALIZER },
      { kind: 'RemoveFinalizer', target: ref(svc, 'Service'), finalizer: SERVICE_FINALIZER },
    );
    await settled();
    assert.equal(meta(rig.kube.get('Service', 'default', 'ordered'))['finalizers'], undefined);
    const patches = rig.kube.requests().filter((r) => r.method === 'PATCH' && r.path.endsWith('/services/ordered'));
    assert.deepEqual(patches.map((r) => r.status), [500, 500, 200, 200]);
    // The failed attempts are the engine's finalizer-failure metric, exported by the forwarder.
    assert.match((await httpGet(rig.forwarder!.httpPort!, '/metrics')).text, /engine_finalizer_failures_total\{action="add",result="retry"\} 2/);
  });

  it('dead-letters a message it cannot read, with the reason', async () => {
    await sender.sendMessages({ body: { v: 1, cluster: CLUSTER, action: { kind: 'Explode' } }, messageId: 'bad-1', sessionId: CLUSTER, contentType: 'application/json' });
    await waitFor(() => rig.broker.peekState('k8s-actions').deadLettered === 1, 'the dead letter');
    const dl = rig.broker.peekState('k8s-actions').deadLetters[0]!;
    assert.equal(dl.reason, 'InvalidMessage');
    assert.match(dl.description ?? '', /action/);
  });

  it('dead-letters, unapplied, an action whose name would climb out of its namespace in the URL', async () => {
    const victim = rig.kube.apply({ ...lbService('victim'), metadata: { namespace: 'kube-system', name: 'victim' } });
    const action = { kind: 'AddFinalizer', target: { kind: 'Service', namespace: 'default', name: '../../kube-system/services/victim', uid: uidOf(victim) }, finalizer: SERVICE_FINALIZER };
    await sender.sendMessages({ body: { v: 1, cluster: CLUSTER, action }, messageId: 'bad-2', sessionId: CLUSTER, contentType: 'application/json' });
    await waitFor(() => rig.broker.peekState('k8s-actions').deadLettered === 2, 'the dead letter');
    const dl = rig.broker.peekState('k8s-actions').deadLetters[1]!;
    assert.equal(dl.reason, 'InvalidMessage');
    assert.match(dl.description ?? '', /^action\.target\.name: expected a DNS-1123 subdomain/);
    assert.equal(meta(rig.kube.get('Service', 'kube-system', 'victim'))['finalizers'], undefined);
  });
});
