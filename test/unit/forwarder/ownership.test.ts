// The writer acts only on objects the engine owns, judged on the object as just read: a Service of
// type LoadBalancer without a loadBalancerClass (and, for the status, carrying our finalizer), an
// egress pod for the pod finalizer. Anything else is refused before any write, as `notOurs`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeWriter } from '../../../forwarder/actions/kubeWriter.ts';
import type { Json, KubeApi } from '../../../forwarder/kubeApi.ts';
import { EGRESS_LABEL, POD_FINALIZER, SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import type { KubernetesAction } from '../../../shared/messages/kubernetesActionSchema.ts';

const svcRef = { kind: 'Service', namespace: 'default', name: 'web', uid: 'uid-web' } as const;
const podRef = { kind: 'Pod', namespace: 'team-a', name: 'egress-1', uid: 'uid-pod' } as const;
const status: KubernetesAction = { kind: 'PatchServiceStatus', target: svcRef, ingressIp: '20.1.2.3', family: 'IPv4' };
const addSvc: KubernetesAction = { kind: 'AddFinalizer', target: svcRef, finalizer: SERVICE_FINALIZER };
const removeSvc: KubernetesAction = { kind: 'RemoveFinalizer', target: svcRef, finalizer: SERVICE_FINALIZER };
const addPod: KubernetesAction = { kind: 'AddFinalizer', target: podRef, finalizer: POD_FINALIZER };

function serviceObject(spec: Json, finalizers: string[] = [SERVICE_FINALIZER]): Json {
  return { metadata: { name: 'web', namespace: 'default', uid: 'uid-web', resourceVersion: '7', finalizers }, spec };
}

/** A writer on an API that holds `object` and answers every PATCH with it; `writes` counts the PATCHes. */
function writerHolding(object: Json): { writer: KubeWriter; writes: () => string[] } {
  const writes: string[] = [];
  const api: Pick<KubeApi, 'request'> = {
    request: (method, path) => {
      if (method !== 'GET') writes.push(`${method} ${path}`);
      return Promise.resolve(object);
    },
  };
  return { writer: new KubeWriter({ api, instance: 'test' }), writes: () => writes };
}

async function refused(action: KubernetesAction, object: Json): Promise<unknown> {
  const { writer, writes } = writerHolding(object);
  const outcome = await writer.apply(action);
  assert.deepEqual(writes(), [], 'nothing is written');
  return outcome;
}

describe('the writer refuses objects the engine does not own', () => {
  const lb = { type: 'LoadBalancer' };
  const foreign = { type: 'LoadBalancer', loadBalancerClass: 'example.com/other-lb' };

  it('a status patch or our finalizer on a Service with a foreign loadBalancerClass', async () => {
    assert.deepEqual(await refused(status, serviceObject(foreign)), { result: 'notOurs', reason: 'ForeignLoadBalancerClass' });
    assert.deepEqual(await refused(addSvc, serviceObject(foreign, [])), { result: 'notOurs', reason: 'ForeignLoadBalancerClass' });
  });

  it('a status patch or our finalizer on a Service that is not a LoadBalancer', async () => {
    assert.deepEqual(await refused(status, serviceObject({ type: 'ClusterIP' })), { result: 'notOurs', reason: 'NotLoadBalancer' });
    assert.deepEqual(await refused(addSvc, serviceObject({ type: 'NodePort' }, [])), { result: 'notOurs', reason: 'NotLoadBalancer' });
  });

  it('a status patch of a Service without our finalizer, though it is a LoadBalancer', async () => {
    assert.deepEqual(await refused(status, serviceObject(lb, ['example.com/other'])), { result: 'notOurs', reason: 'NoServiceFinalizer' });
  });

  it('the pod finalizer on a pod without the egress label', async () => {
    const pod: Json = { metadata: { name: 'egress-1', namespace: 'team-a', uid: 'uid-pod', resourceVersion: '3', labels: { app: 'x' } } };
    assert.deepEqual(await refused(addPod, pod), { result: 'notOurs', reason: 'NotEgressPod' });
  });
});

describe('the writer acts on the engine\'s objects', () => {
  it('patches the status, through the status subresource, of a LoadBalancer carrying our finalizer', async () => {
    const { writer, writes } = writerHolding(serviceObject({ type: 'LoadBalancer' }));
    assert.equal((await writer.apply(status)).result, 'applied');
    assert.deepEqual(writes(), ['PATCH /api/v1/namespaces/default/services/web/status']);
  });

  it('adds our finalizer to a LoadBalancer without one, and the pod finalizer to an egress pod', async () => {
    const svc = writerHolding(serviceObject({ type: 'LoadBalancer' }, []));
    assert.equal((await svc.writer.apply(addSvc)).result, 'applied');
    const pod = writerHolding({ metadata: { name: 'egress-1', namespace: 'team-a', uid: 'uid-pod', resourceVersion: '3', labels: { [EGRESS_LABEL]: 'team-a' } } });
    assert.equal((await pod.writer.apply(addPod)).result, 'applied');
  });

  it('removes our finalizer from a Service that is no longer a LoadBalancer: the engine lets go once it has cleaned up', async () => {
    const { writer, writes } = writerHolding(serviceObject({ type: 'ClusterIP' }));
    assert.equal((await writer.apply(removeSvc)).result, 'applied');
    assert.deepEqual(writes(), ['PATCH /api/v1/namespaces/default/services/web']);
  });
});
