// LIST through client-node: limit/continue paging (consistent across writes, expiring once
// compacted), label selectors as the engine uses them, field selectors, all-namespaces lists.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeSimulator } from '../../../local/sim/kube/server.ts';
import { failureOf, pod, raw, startSim } from './harness.ts';
import type { Clients } from './harness.ts';

const EGRESS = 'kubernetes.azure.com/service-egress-gateway';

describe('kube simulator: lists with client-node', () => {
  let sim: KubeSimulator & Clients;

  before(async () => {
    sim = await startSim();
    sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
    for (let i = 0; i < 7; i += 1) sim.apply(pod(`p${i}`, { app: i % 2 === 0 ? 'even' : 'odd', ...(i < 3 ? { [EGRESS]: `gw${i}` } : {}) }));
    sim.apply(pod('q0', { app: 'even', [EGRESS]: 'gw9' }, 'apps'));
  });
  after(() => sim.stop());

  it('pages with limit and continue, each page at the first page\'s resourceVersion', async () => {
    const first = await sim.core.listNamespacedPod({ namespace: 'default', limit: 3 });
    assert.deepEqual(first.items.map((p) => p.metadata?.name), ['p0', 'p1', 'p2']);
    assert.ok(first.metadata?._continue, 'a continue token');
    assert.equal(first.metadata?.remainingItemCount, 4);
    const rv = first.metadata?.resourceVersion;
    sim.apply(pod('p3', { app: 'changed' }));
    sim.apply(pod('p35', { app: 'new' }));
    const second = await sim.core.listNamespacedPod({ namespace: 'default', limit: 3, _continue: first.metadata?._continue });
    assert.deepEqual(second.items.map((p) => p.metadata?.name), ['p3', 'p4', 'p5']);
    assert.equal(second.items[0]?.metadata?.labels?.['app'], 'odd', 'the page shows p3 as it was at the first page');
    assert.equal(second.metadata?.resourceVersion, rv);
    const third = await sim.core.listNamespacedPod({ namespace: 'default', limit: 3, _continue: second.metadata?._continue });
    assert.deepEqual(third.items.map((p) => p.metadata?.name), ['p6']);
    assert.equal(third.metadata?._continue, undefined, 'the last page has no continue token');
    const fresh = await sim.core.listNamespacedPod({ namespace: 'default' });
    assert.ok(fresh.items.some((p) => p.metadata?.name === 'p35'), 'a new list sees the new pod');
  });

  it('expires a continue token with 410 once its resourceVersion is compacted', async () => {
    const first = await sim.core.listNamespacedPod({ namespace: 'default', limit: 2 });
    sim.apply(pod('p7'));
    sim.compact();
    const f = await failureOf(sim.core.listNamespacedPod({ namespace: 'default', limit: 2, _continue: first.metadata?._continue }));
    assert.equal(f.code, 410);
    assert.equal(f.reason, 'Expired');
    assert.match(f.message, /^The provided continue parameter is too old/);
  });

  it('selects the pods that carry the egress label with an exists selector', async () => {
    const list = await sim.core.listNamespacedPod({ namespace: 'default', labelSelector: EGRESS });
    assert.deepEqual(list.items.map((p) => p.metadata?.name), ['p0', 'p1', 'p2']);
    const all = await sim.core.listPodForAllNamespaces({ labelSelector: EGRESS });
    assert.deepEqual(all.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`), ['apps/q0', 'default/p0', 'default/p1', 'default/p2']);
    const without = await sim.core.listNamespacedPod({ namespace: 'default', labelSelector: `!${EGRESS}` });
    assert.ok(without.items.every((p) => p.metadata?.labels?.[EGRESS] === undefined));
    assert.ok(without.items.length >= 4);
  });

  it('supports equality and set-based label selectors', async () => {
    const names = async (labelSelector: string): Promise<(string | undefined)[]> =>
      (await sim.core.listNamespacedPod({ namespace: 'default', labelSelector })).items.map((p) => p.metadata?.name);
    assert.deepEqual(await names('app=even'), ['p0', 'p2', 'p4', 'p6']);
    assert.deepEqual(await names('app==odd'), ['p1', 'p5']);
    assert.deepEqual(await names(`app!=even,${EGRESS}`), ['p1']);
    assert.deepEqual(await names(`${EGRESS} in (gw0,gw2)`), ['p0', 'p2']);
    assert.deepEqual(await names(`app notin (even,odd),app`), ['p3', 'p35']);
  });

  it('rejects a malformed label selector with 400', async () => {
    const f = await failureOf(sim.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app in (' }));
    assert.equal(f.code, 400);
    assert.match(f.message, /^unable to parse requirement/);
  });

  it('selects by metadata.name and metadata.namespace and rejects other fields of a Service', async () => {
    const byName = await sim.core.listPodForAllNamespaces({ fieldSelector: 'metadata.name=p1' });
    assert.deepEqual(byName.items.map((p) => p.metadata?.name), ['p1']);
    const notDefault = await sim.core.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace!=default' });
    assert.deepEqual(notDefault.items.map((p) => p.metadata?.name), ['q0']);
    const f = await failureOf(sim.core.listNamespacedService({ namespace: 'default', fieldSelector: 'spec.foo=bar' }));
    assert.equal(f.code, 400);
    assert.equal(f.message, 'field label not supported: spec.foo');
  });

  it('lists nothing, not 404, in a namespace that does not exist', async () => {
    const r = await raw(sim, 'GET', '/api/v1/namespaces/ghost/pods');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json()['items'], []);
  });
});
