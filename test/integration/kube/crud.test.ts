// Create, read, replace, patch and delete through the real client-node CoreV1Api and
// DiscoveryV1Api, and the status codes a client sees when it gets them wrong.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeSimulator } from '../../../local/sim/kube/server.ts';
import {
  JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, endpointSlice, failureOf, metadataOf, pod, raw, service, startSim,
} from './harness.ts';
import type { Clients } from './harness.ts';

describe('kube simulator: CRUD with client-node', () => {
  let sim: KubeSimulator & Clients;

  before(async () => {
    sim = await startSim();
  });
  after(() => sim.stop());

  it('creates a Service with a uid, a creation time, generation 1 and the next global resourceVersion', async () => {
    const before = Number(sim.resourceVersion());
    const created = await sim.core.createNamespacedService({ namespace: 'default', body: service('crud-a') });
    assert.match(created.metadata?.uid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(created.metadata?.creationTimestamp instanceof Date);
    assert.equal(created.metadata?.generation, 1);
    assert.equal(created.metadata?.resourceVersion, String(before + 1));
    assert.equal(sim.resourceVersion(), String(before + 1));
    assert.match(created.spec?.clusterIP ?? '', /^10\.0\.\d+\.\d+$/, 'a cluster IP is allocated');
    assert.equal(created.spec?.ports?.[0]?.nodePort !== undefined, true, 'a LoadBalancer gets node ports');
    assert.equal(created.status?.loadBalancer?.ingress, undefined, 'no load balancer yet: nothing provisions one');
    const read = await sim.core.readNamespacedService({ namespace: 'default', name: 'crud-a' });
    assert.equal(read.metadata?.uid, created.metadata?.uid);
  });

  it('names an object from generateName with a five-character suffix', async () => {
    const body = { ...pod(''), metadata: { generateName: 'worker-', namespace: 'default' } };
    const created = await sim.core.createNamespacedPod({ namespace: 'default', body });
    assert.match(created.metadata?.name ?? '', /^worker-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(created.status?.phase, 'Pending');
  });

  it('answers 409 AlreadyExists for a second create with the same name', async () => {
    const f = await failureOf(sim.core.createNamespacedService({ namespace: 'default', body: service('crud-a') }));
    assert.equal(f.code, 409);
    assert.equal(f.reason, 'AlreadyExists');
    assert.equal(f.message, 'services "crud-a" already exists');
    assert.deepEqual(f.details, { name: 'crud-a', kind: 'services' });
  });

  it('answers 404 NotFound for a read, replace, patch or delete of a missing object', async () => {
    const read = await failureOf(sim.core.readNamespacedService({ namespace: 'default', name: 'nope' }));
    assert.equal(read.code, 404);
    assert.equal(read.message, 'services "nope" not found');
    assert.equal((await failureOf(sim.core.replaceNamespacedService({ namespace: 'default', name: 'nope', body: service('nope') }))).code, 404);
    assert.equal((await failureOf(sim.core.patchNamespacedService({ namespace: 'default', name: 'nope', body: {} }, MERGE_PATCH))).code, 404);
    assert.equal((await failureOf(sim.core.deleteNamespacedService({ namespace: 'default', name: 'nope' }))).code, 404);
  });

  it('answers 404 for the namespace when creating into one that does not exist', async () => {
    const f = await failureOf(sim.core.createNamespacedService({ namespace: 'ghost', body: service('x', { namespace: 'ghost' }) }));
    assert.equal(f.code, 404);
    assert.equal(f.message, 'namespaces "ghost" not found');
    assert.deepEqual(f.details, { name: 'ghost', kind: 'namespaces' });
  });

  it('answers 422 Invalid naming each bad field of a Service', async () => {
    const body = service('Bad_Name');
    const spec = body['spec'] as { type: string; ports: Record<string, unknown>[] };
    spec.type = 'Weird';
    spec.ports = [{ name: 'a', port: 70000, targetPort: 8080, protocol: 'ICMP' }];
    const f = await failureOf(sim.core.createNamespacedService({ namespace: 'default', body: body }));
    assert.equal(f.code, 422);
    assert.equal(f.reason, 'Invalid');
    const fields = ((f.details?.['causes'] ?? []) as { field: string }[]).map((c) => c.field).sort();
    assert.deepEqual(fields, ['metadata.name', 'spec.ports[0].port', 'spec.ports[0].protocol', 'spec.type']);
    assert.match(f.message, /^Service "Bad_Name" is invalid: \[/);
    assert.match(f.message, /spec\.ports\[0\]\.port: Invalid value: 70000: must be between 1 and 65535, inclusive/);
    assert.match(f.message, /spec\.type: Unsupported value: "Weird": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"/);
  });

  it('answers 422 for an EndpointSlice with an unknown addressType', async () => {
    const body = { ...endpointSlice('bad-slice', 'crud-a', ['10.1.0.1']), addressType: 'IPv5' };
    const f = await failureOf(sim.discovery.createNamespacedEndpointSlice({ namespace: 'default', body: body }));
    assert.equal(f.code, 422);
    assert.match(f.message, /^EndpointSlice\.discovery\.k8s\.io "bad-slice" is invalid: addressType: Unsupported value: "IPv5"/);
  });

  it('replaces a Service with PUT, bumping generation on a spec change and keeping uid and creation time', async () => {
    const current = await sim.core.readNamespacedService({ namespace: 'default', name: 'crud-a' });
    const body = { ...current, spec: { ...current.spec, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] } };
    const replaced = await sim.core.replaceNamespacedService({ namespace: 'default', name: 'crud-a', body });
    assert.equal(replaced.metadata?.generation, 2);
    assert.equal(replaced.metadata?.uid, current.metadata?.uid);
    assert.deepEqual(replaced.metadata?.creationTimestamp, current.metadata?.creationTimestamp);
    assert.equal(replaced.spec?.clusterIP, current.spec?.clusterIP, 'the allocated cluster IP is kept');
    assert.ok(Number(replaced.metadata?.resourceVersion) > Number(current.metadata?.resourceVersion));
  });

  it('applies merge, json and strategic merge patches', async () => {
    const merged = await sim.core.patchNamespacedService({ namespace: 'default', name: 'crud-a', body: { metadata: { labels: { tier: 'web' } } } }, MERGE_PATCH);
    assert.equal(merged.metadata?.labels?.['tier'], 'web');
    assert.equal(merged.metadata?.generation, 2, 'a label change is not a spec change');
    const jsoned = await sim.core.patchNamespacedService({
      namespace: 'default', name: 'crud-a', body: [{ op: 'replace', path: '/metadata/labels/tier', value: 'api' }],
    }, JSON_PATCH);
    assert.equal(jsoned.metadata?.labels?.['tier'], 'api');
    const strategic = await sim.core.patchNamespacedService({
      namespace: 'default', name: 'crud-a', body: { spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } },
    }, STRATEGIC_PATCH);
    assert.deepEqual(strategic.spec?.ports?.map((p) => p.port).sort(), [443, 8080], 'ports merge by their port key');
    assert.equal(strategic.metadata?.generation, 3);
  });

  it('creates and then updates an object with a server-side apply patch, which needs a fieldManager', async () => {
    const path = '/api/v1/namespaces/default/services/applied';
    const yaml = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: applied\nspec:\n  ports:\n  - port: 80\n';
    const headers = { 'Content-Type': 'application/apply-patch+yaml' };
    assert.equal((await raw(sim, 'PATCH', path, { body: yaml, headers })).status, 400, 'no fieldManager');
    const created = await raw(sim, 'PATCH', `${path}?fieldManager=test`, { body: yaml, headers });
    assert.equal(created.status, 201);
    assert.equal((created.json()['spec'] as Record<string, unknown>)['type'], 'ClusterIP');
    const updated = await raw(sim, 'PATCH', `${path}?fieldManager=test`, { body: `${yaml}  type: NodePort\n`, headers });
    assert.equal(updated.status, 200);
    assert.equal((updated.json()['spec'] as Record<string, unknown>)['type'], 'NodePort');
  });

  it('drops node ports when a LoadBalancer becomes a ClusterIP Service', async () => {
    await sim.core.createNamespacedService({ namespace: 'default', body: service('retype') });
    const patched = await sim.core.patchNamespacedService({ namespace: 'default', name: 'retype', body: { spec: { type: 'ClusterIP' } } }, MERGE_PATCH);
    assert.equal(patched.spec?.type, 'ClusterIP');
    assert.equal(patched.spec?.ports?.[0]?.nodePort, undefined);
    assert.equal(patched.spec?.externalTrafficPolicy, undefined);
  });

  it('answers 415 for a patch with an unsupported content type', async () => {
    const r = await raw(sim, 'PATCH', '/api/v1/namespaces/default/services/crud-a', { body: { metadata: {} }, headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 415);
    assert.equal(r.json()['reason'], 'UnsupportedMediaType');
  });

  it('answers 400 for an undecodable body and for a body naming another object than the URL', async () => {
    const garbled = await raw(sim, 'POST', '/api/v1/namespaces/default/services', { body: '{"metadata": ' });
    assert.equal(garbled.status, 400);
    assert.equal(garbled.json()['reason'], 'BadRequest');
    const current = await sim.core.readNamespacedService({ namespace: 'default', name: 'crud-a' });
    const renamed = { ...current, metadata: { ...current.metadata, name: 'other' } };
    const f = await failureOf(sim.core.replaceNamespacedService({ namespace: 'default', name: 'crud-a', body: renamed }));
    assert.equal(f.code, 400);
    assert.equal(f.message, 'the name of the object (other) does not match the name on the URL (crud-a)');
    const wrongNs = await raw(sim, 'POST', '/api/v1/namespaces/default/services', { body: service('crud-b', { namespace: 'kube-system' }) });
    assert.equal(wrongNs.status, 400);
    assert.equal(wrongNs.json()['message'], 'the namespace of the provided object does not match the namespace sent on the request');
  });

  it('answers 405 for verbs a path does not serve', async () => {
    assert.equal((await raw(sim, 'DELETE', '/api/v1/namespaces/default/services')).status, 405, 'deletecollection is not served');
    assert.equal((await raw(sim, 'POST', '/api/v1/namespaces/default/services/crud-a', { body: service('crud-a') })).status, 405);
    const r = await raw(sim, 'POST', '/api/v1/pods', { body: pod('p') });
    assert.equal(r.status, 405);
    assert.equal(r.json()['reason'], 'MethodNotAllowed');
  });

  it('deletes a Service (answering with the object) and a Node (answering with a Success Status)', async () => {
    const deleted = await sim.core.deleteNamespacedService({ namespace: 'default', name: 'crud-a' });
    assert.equal(deleted.metadata?.name, 'crud-a');
    assert.equal(sim.get('Service', 'default', 'crud-a'), undefined);
    await sim.core.createNode({ body: { metadata: { name: 'node-a' } } });
    const status = await sim.core.deleteNode({ name: 'node-a' });
    assert.equal(status.status, 'Success');
    assert.equal(status.details?.kind, 'nodes');
  });

  it('creates and lists EndpointSlices through DiscoveryV1Api', async () => {
    await sim.discovery.createNamespacedEndpointSlice({ namespace: 'default', body: endpointSlice('web-1', 'web', ['10.244.0.5', '10.244.0.6']) as never });
    const list = await sim.discovery.listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=web' });
    assert.deepEqual(list.items.map((s) => (s.endpoints ?? []).map((e) => e.addresses[0])), [['10.244.0.5', '10.244.0.6']]);
    assert.equal(list.items[0]?.ports?.[0]?.protocol, 'TCP');
  });

  it('creates core/v1 Events and lists them through the admin API in creation order', async () => {
    for (const reason of ['Syncing', 'Synced']) {
      await sim.core.createNamespacedEvent({
        namespace: 'default',
        body: {
          metadata: { generateName: 'web.' },
          involvedObject: { kind: 'Service', name: 'web', namespace: 'default', apiVersion: 'v1' },
          reason, message: `${reason} the gateway`, type: 'Normal', source: { component: 'engine' },
        },
      });
    }
    assert.deepEqual(sim.events().map((e) => e['reason']), ['Syncing', 'Synced']);
    const bad = await failureOf(sim.core.createNamespacedEvent({
      namespace: 'default',
      body: { metadata: { name: 'wrong-ns' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'kube-system' }, reason: 'X', type: 'Normal' },
    }));
    assert.equal(bad.code, 422);
    assert.match(bad.message, /involvedObject\.namespace: Invalid value: "kube-system": does not match event\.namespace/);
  });

  it('sets list metadata.resourceVersion to the current global resourceVersion and omits kind on items', async () => {
    const r = await raw(sim, 'GET', '/api/v1/pods');
    const body = r.json();
    assert.equal(body['kind'], 'PodList');
    assert.equal(metadataOf(body)['resourceVersion'], sim.resourceVersion());
    const items = body['items'] as Record<string, unknown>[];
    assert.ok(items.length > 0);
    assert.ok(items.every((i) => i['kind'] === undefined && i['apiVersion'] === undefined));
  });
});
