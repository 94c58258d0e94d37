// Object lifecycle through client-node: finalizers, the status subresource, resourceVersion and
// uid preconditions on PUT, PATCH and DELETE, and no-op writes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeSimulator } from '../../../local/sim/kube/server.ts';
import { JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, WatchRecorder, failureOf, raw, service, startSim } from './harness.ts';
import type { Clients } from './harness.ts';

const FINALIZER = 'servicegateway.azure.com/cleanup';

describe('kube simulator: object lifecycle with client-node', () => {
  let sim: KubeSimulator & Clients;

  before(async () => {
    sim = await startSim();
  });
  after(() => sim.stop());

  it('keeps an object with finalizers terminating on DELETE, and removes it when the last finalizer goes', async () => {
    const withFinalizer = service('fin');
    (withFinalizer['metadata'] as Record<string, unknown>)['finalizers'] = [FINALIZER];
    await sim.core.createNamespacedService({ namespace: 'default', body: withFinalizer });
    const w = await WatchRecorder.start(sim.kc, '/api/v1/namespaces/default/services', { resourceVersion: sim.resourceVersion(), fieldSelector: 'metadata.name=fin' });
    try {
      const terminating = await sim.core.deleteNamespacedService({ namespace: 'default', name: 'fin' });
      assert.ok(terminating.metadata?.deletionTimestamp instanceof Date);
      assert.equal(terminating.metadata?.deletionGracePeriodSeconds, 0);
      assert.ok(sim.get('Service', 'default', 'fin'), 'it stays while terminating');
      const again = await sim.core.deleteNamespacedService({ namespace: 'default', name: 'fin' });
      assert.equal(again.metadata?.resourceVersion, terminating.metadata?.resourceVersion, 'a second DELETE changes nothing');

      const adding = await failureOf(sim.core.patchNamespacedService({
        namespace: 'default', name: 'fin', body: { metadata: { finalizers: [FINALIZER, 'example.com/another'] } },
      }, MERGE_PATCH));
      assert.equal(adding.code, 422);
      assert.match(adding.message, /metadata\.finalizers: Forbidden: no new finalizers can be added if the object is being deleted/);

      await sim.core.patchNamespacedService({ namespace: 'default', name: 'fin', body: { metadata: { finalizers: null } } }, MERGE_PATCH);
      assert.equal(sim.get('Service', 'default', 'fin'), undefined);
      await w.until((x) => x.events.some((e) => e.type === 'DELETED'), 'the DELETED event');
      assert.deepEqual(w.summary(), ['MODIFIED fin', 'DELETED fin']);
    } finally {
      w.stop();
    }
  });

  it('deletes an object without finalizers at once (Pods too: there is no kubelet)', async () => {
    await sim.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'gone' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    await sim.core.deleteNamespacedPod({ namespace: 'default', name: 'gone' });
    assert.equal(sim.get('Pod', 'default', 'gone'), undefined);
  });

  it('changes only status through /status, and ignores status on the main resource', async () => {
    const created = await sim.core.createNamespacedService({ namespace: 'default', body: service('lb') });
    const ingress = { loadBalancer: { ingress: [{ ip: '20.1.2.3' }] } };
    const viaStatus = await sim.core.patchNamespacedServiceStatus({
      namespace: 'default', name: 'lb', body: { status: ingress, metadata: { labels: { sneaky: 'yes' } }, spec: { type: 'ClusterIP' } },
    }, MERGE_PATCH);
    assert.equal(viaStatus.status?.loadBalancer?.ingress?.[0]?.ip, '20.1.2.3');
    assert.equal(viaStatus.metadata?.labels?.['sneaky'], undefined, 'metadata is not changed through /status');
    assert.equal(viaStatus.spec?.type, 'LoadBalancer', 'spec is not changed through /status');
    assert.equal(viaStatus.metadata?.generation, created.metadata?.generation);

    const viaMain = await sim.core.patchNamespacedService({
      namespace: 'default', name: 'lb', body: { status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } }, metadata: { labels: { seen: 'yes' } } },
    }, MERGE_PATCH);
    assert.equal(viaMain.status?.loadBalancer?.ingress?.[0]?.ip, '20.1.2.3', 'status is kept on the main resource');
    assert.equal(viaMain.metadata?.labels?.['seen'], 'yes');

    const current = await sim.core.readNamespacedServiceStatus({ namespace: 'default', name: 'lb' });
    const replaced = await sim.core.replaceNamespacedServiceStatus({
      namespace: 'default', name: 'lb', body: { ...current, status: { loadBalancer: {} } },
    });
    assert.equal(replaced.status?.loadBalancer?.ingress, undefined);
  });

  it('answers 409 Conflict to a PUT carrying a stale resourceVersion, and accepts one carrying none', async () => {
    const stale = await sim.core.readNamespacedService({ namespace: 'default', name: 'lb' });
    await sim.core.patchNamespacedService({ namespace: 'default', name: 'lb', body: { metadata: { labels: { bump: '1' } } } }, MERGE_PATCH);
    const f = await failureOf(sim.core.replaceNamespacedService({ namespace: 'default', name: 'lb', body: stale }));
    assert.equal(f.code, 409);
    assert.equal(f.reason, 'Conflict');
    assert.equal(f.message, 'Operation cannot be fulfilled on services "lb": the object has been modified; please apply your changes to the latest version and try again');
    assert.deepEqual(f.details, { name: 'lb', kind: 'services' });
    const unconditional = { ...stale, metadata: { ...stale.metadata, resourceVersion: undefined } };
    const ok = await sim.core.replaceNamespacedService({ namespace: 'default', name: 'lb', body: unconditional });
    assert.equal(ok.metadata?.labels?.['bump'], undefined, 'the PUT replaced the labels');
  });

  it('answers 409 Conflict to a patch whose result carries another resourceVersion or uid', async () => {
    const current = await sim.core.readNamespacedService({ namespace: 'default', name: 'lb' });
    const rv = await failureOf(sim.core.patchNamespacedService({ namespace: 'default', name: 'lb', body: { metadata: { resourceVersion: '1', labels: { a: 'b' } } } }, MERGE_PATCH));
    assert.equal(rv.code, 409);
    assert.match(rv.message, /the object has been modified/);
    const uid = await failureOf(sim.core.patchNamespacedService({
      namespace: 'default', name: 'lb', body: [{ op: 'replace', path: '/metadata/uid', value: '00000000-0000-4000-8000-000000000000' }],
    }, JSON_PATCH));
    assert.equal(uid.code, 409);
    assert.match(uid.message, new RegExp(`Precondition failed: UID in precondition: 00000000-0000-4000-8000-000000000000, UID in object meta: ${current.metadata?.uid ?? '?'}`));
    const ok = await sim.core.patchNamespacedService({
      namespace: 'default', name: 'lb', body: { metadata: { resourceVersion: current.metadata?.resourceVersion, labels: { a: 'b' } } },
    }, MERGE_PATCH);
    assert.equal(ok.metadata?.labels?.['a'], 'b', 'a matching resourceVersion is a passing precondition');
  });

  it('checks DELETE preconditions on uid and resourceVersion', async () => {
    const current = await sim.core.readNamespacedService({ namespace: 'default', name: 'lb' });
    const byUid = await failureOf(sim.core.deleteNamespacedService({ namespace: 'default', name: 'lb', body: { preconditions: { uid: 'not-the-uid' } } }));
    assert.equal(byUid.code, 409);
    assert.match(byUid.message, /Precondition failed: UID in precondition: not-the-uid/);
    const byRv = await failureOf(sim.core.deleteNamespacedService({ namespace: 'default', name: 'lb', body: { preconditions: { resourceVersion: '1' } } }));
    assert.equal(byRv.code, 409);
    assert.match(byRv.message, /Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: \d+/);
    assert.ok(sim.get('Service', 'default', 'lb'), 'still there');
    await sim.core.deleteNamespacedService({
      namespace: 'default', name: 'lb', body: { preconditions: { uid: current.metadata?.uid, resourceVersion: current.metadata?.resourceVersion } },
    });
    assert.equal(sim.get('Service', 'default', 'lb'), undefined);
  });

  it('leaves resourceVersion alone for a write that changes nothing', async () => {
    const created = await sim.core.createNamespacedService({ namespace: 'default', body: service('same') });
    const before = sim.resourceVersion();
    const again = await sim.core.replaceNamespacedService({ namespace: 'default', name: 'same', body: created });
    assert.equal(again.metadata?.resourceVersion, created.metadata?.resourceVersion);
    assert.equal(sim.resourceVersion(), before);
  });

  it('rejects a change to a Pod spec other than images with 422 Forbidden', async () => {
    await sim.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'fixed' }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } } });
    const f = await failureOf(sim.core.patchNamespacedPod({ namespace: 'default', name: 'fixed', body: { spec: { nodeName: 'node-a' } } }, MERGE_PATCH));
    assert.equal(f.code, 422);
    assert.match(f.message, /spec: Forbidden: pod updates may not change fields other than/);
    const image = await sim.core.patchNamespacedPod({ namespace: 'default', name: 'fixed', body: { spec: { containers: [{ name: 'c', image: 'busybox:2' }] } } }, STRATEGIC_PATCH);
    assert.equal(image.spec?.containers[0]?.image, 'busybox:2');
  });

  it('forbids deleting the default namespace and removes a deleted namespace with its content', async () => {
    const f = await raw(sim, 'DELETE', '/api/v1/namespaces/default');
    assert.equal(f.status, 403);
    assert.equal(f.json()['message'], 'namespaces "default" is forbidden: this namespace may not be deleted');
    sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tmp' } });
    sim.apply(service('inside', { namespace: 'tmp' }));
    const terminating = await raw(sim, 'DELETE', '/api/v1/namespaces/tmp');
    assert.equal(terminating.status, 200);
    assert.equal(terminating.json()['kind'], 'Namespace');
    assert.deepEqual(terminating.json()['status'], { phase: 'Terminating' });
    assert.equal(sim.get('Service', 'tmp', 'inside'), undefined);
    assert.equal(sim.get('Namespace', null, 'tmp'), undefined);
  });
});
