// What surrounds the resources: discovery, Table output, bearer-token auth, fault injection, the
// request log, the kubeconfig, and the admin API's write semantics.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from '../../../local/sim/kube/server.ts';
import type { KubeSimulator } from '../../../local/sim/kube/server.ts';
import { failureOf, metadataOf, pod, raw, service, startSim } from './harness.ts';
import type { Clients } from './harness.ts';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

describe('kube simulator: protocol', () => {
  let sim: KubeSimulator & Clients;
  let now = Date.parse('2026-01-01T00:00:00Z');

  before(async () => {
    sim = await startSim({ clock: { now: () => now } });
  });
  afterEach(() => sim.faults.clear());
  after(() => sim.stop());

  it('serves discovery documents with names, kinds, verbs and short names', async () => {
    const v1 = (await raw(sim, 'GET', '/api/v1')).json();
    const resources = v1['resources'] as { name: string; kind: string; namespaced: boolean; shortNames?: string[]; verbs: string[] }[];
    const svc = resources.find((r) => r.name === 'services');
    assert.deepEqual(svc?.shortNames, ['svc']);
    assert.equal(svc?.namespaced, true);
    assert.ok(svc?.verbs.includes('watch'));
    assert.deepEqual(resources.find((r) => r.name === 'nodes')?.shortNames, ['no']);
    assert.equal(resources.find((r) => r.name === 'namespaces')?.namespaced, false);
    assert.deepEqual(resources.find((r) => r.name === 'pods/status')?.verbs, ['get', 'patch', 'update']);
    const groups = (await raw(sim, 'GET', '/apis')).json();
    assert.deepEqual((groups['groups'] as { name: string }[]).map((g) => g.name), ['discovery.k8s.io']);
    const slices = (await raw(sim, 'GET', '/apis/discovery.k8s.io/v1')).json();
    assert.equal((slices['resources'] as { kind: string }[])[0]?.kind, 'EndpointSlice');
    assert.equal((await raw(sim, 'GET', '/version')).json()['major'], '1');
    assert.equal((await raw(sim, 'GET', '/healthz', { token: null })).text, 'ok');
    assert.equal((await raw(sim, 'GET', '/apis/apps/v1')).status, 404);
  });

  it('answers Accept as=Table with columns, cells and PartialObjectMetadata rows for get and list', async () => {
    sim.apply(service('tbl'));
    sim.apply({ ...service('tbl'), status: { loadBalancer: { ingress: [{ ip: '20.0.0.9' }] } } });
    now += 5 * 60_000;
    const list = (await raw(sim, 'GET', '/api/v1/namespaces/default/services', { headers: { Accept: TABLE } })).json();
    assert.equal(list['kind'], 'Table');
    assert.equal(list['apiVersion'], 'meta.k8s.io/v1');
    assert.equal(metadataOf(list)['resourceVersion'], sim.resourceVersion());
    const names = (list['columnDefinitions'] as { name: string }[]).map((c) => c.name);
    assert.deepEqual(names, ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector']);
    const row = (list['rows'] as { cells: unknown[]; object: Record<string, unknown> }[])[0];
    assert.deepEqual(row?.cells.slice(0, 2), ['tbl', 'LoadBalancer']);
    assert.equal(row?.cells[3], '20.0.0.9');
    assert.match(String(row?.cells[4]), /^80:3\d{4}\/TCP$/);
    assert.equal(row?.cells[5], '5m');
    assert.equal(row?.object['kind'], 'PartialObjectMetadata');
    assert.equal(metadataOf(row?.object)['name'], 'tbl');
    const one = (await raw(sim, 'GET', '/api/v1/namespaces/default/services/tbl?includeObject=Object', { headers: { Accept: TABLE } })).json();
    const full = (one['rows'] as { object: Record<string, unknown> }[])[0]?.object;
    assert.equal(full?.['kind'], 'Service');
    assert.ok(full?.['spec'], 'includeObject=Object embeds the whole object');
  });

  it('sends watch events as one-row Tables when the watch asks for a Table', async () => {
    const rv = sim.resourceVersion();
    const controller = new AbortController();
    const res = await fetch(`${sim.url}/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}`, {
      headers: { Authorization: `Bearer ${sim.kubeconfig().users[0]?.user.token ?? ''}`, Accept: TABLE }, signal: controller.signal,
    });
    assert.equal(res.status, 200);
    sim.apply(pod('tw'));
    const reader = res.body?.getReader();
    const chunk = await reader?.read();
    const bytes: unknown = chunk?.value;
    controller.abort();
    assert.ok(bytes instanceof Uint8Array, 'a first chunk');
    const event = JSON.parse(new TextDecoder().decode(bytes).split('\n')[0] ?? '{}') as { type: string; object: Record<string, unknown> };
    assert.equal(event.type, 'ADDED');
    assert.equal(event.object['kind'], 'Table');
    assert.deepEqual((event.object['rows'] as { cells: unknown[] }[])[0]?.cells.slice(0, 3), ['tw', '0/1', 'Pending']);
  });

  it('answers 401 Unauthorized without the bearer token or with a wrong one', async () => {
    for (const token of [null, 'wrong']) {
      const r = await raw(sim, 'GET', '/api/v1/namespaces/default/services', { token });
      assert.equal(r.status, 401);
      assert.deepEqual(r.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    }
    const kc = new KubeConfig();
    const doc = sim.kubeconfig();
    doc.users = [{ name: doc.users[0]?.name ?? 'u', user: { token: 'wrong' } }];
    kc.loadFromString(JSON.stringify(doc));
    const e: unknown = await kc.makeApiClient(CoreV1Api).listNamespacedService({ namespace: 'default' }).then(() => undefined, (err: unknown) => err);
    assert.ok(e instanceof ApiException, 'client-node surfaces the 401 as an ApiException');
    assert.equal(e.code, 401);
  });

  it('answers an armed fault `times` times with a Status, and Retry-After on a 429', async () => {
    sim.faults.arm({ verb: 'list', resource: 'services', status: 429, times: 2, retryAfterSeconds: 3 });
    for (let i = 0; i < 2; i += 1) {
      const r = await raw(sim, 'GET', '/api/v1/namespaces/default/services');
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '3');
      assert.equal(r.json()['reason'], 'TooManyRequests');
      assert.deepEqual(r.json()['details'], { retryAfterSeconds: 3 });
    }
    assert.equal((await raw(sim, 'GET', '/api/v1/namespaces/default/services')).status, 200);
    sim.faults.arm({ verb: 'patch', resource: 'services/status', status: 500, times: 1 });
    const other = await sim.core.patchNamespacedService({ namespace: 'default', name: 'tbl', body: [] });
    assert.equal(other.metadata?.name, 'tbl', 'the main resource is not the status subresource');
    const f = await failureOf(sim.core.patchNamespacedServiceStatus({ namespace: 'default', name: 'tbl', body: [] }));
    assert.equal(f.code, 500);
    assert.equal(f.reason, 'InternalError');
    sim.faults.arm({ status: 503, times: 1 });
    assert.equal((await failureOf(sim.core.readNamespacedService({ namespace: 'default', name: 'tbl' }))).code, 503);
  });

  it('answers a fault armed for one object name only for that object', async () => {
    sim.apply(service('faulty'));
    sim.apply(service('healthy'));
    sim.faults.arm({ verb: 'get', resource: 'services', name: 'faulty', status: 403, times: 1 });
    assert.equal((await raw(sim, 'GET', '/api/v1/namespaces/default/services')).status, 200, 'a list names no object');
    assert.equal((await raw(sim, 'GET', '/api/v1/namespaces/default/services/healthy')).status, 200);
    const r = await raw(sim, 'GET', '/api/v1/namespaces/default/services/faulty');
    assert.equal(r.status, 403);
    assert.equal(r.json()['reason'], 'Forbidden');
    assert.equal((await raw(sim, 'GET', '/api/v1/namespaces/default/services/faulty')).status, 200);
    assert.throws(() => sim.faults.arm({ name: '', status: 500, times: 1 }), /name/);
  });

  it('logs every request with method, path, query and status', async () => {
    const before = sim.requests().length;
    await raw(sim, 'GET', '/api/v1/namespaces/default/pods?limit=1&labelSelector=a%3Db');
    await raw(sim, 'GET', '/api/v1/namespaces/default/pods/nope');
    assert.deepEqual(sim.requests().slice(before), [
      { method: 'GET', path: '/api/v1/namespaces/default/pods', query: 'limit=1&labelSelector=a%3Db', status: 200 },
      { method: 'GET', path: '/api/v1/namespaces/default/pods/nope', query: '', status: 404 },
    ]);
  });

  it('writes a YAML kubeconfig with the token and insecure-skip-tls-verify', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kube-sim-'));
    try {
      await sim.writeKubeconfig(join(dir, 'nested', 'config'));
      const text = await readFile(join(dir, 'nested', 'config'), 'utf8');
      assert.match(text, /^apiVersion: v1$/m);
      assert.match(text, new RegExp(`server: ${sim.url}`));
      assert.match(text, /insecure-skip-tls-verify: true/);
      assert.match(text, /token: kube-sim-token/);
      const kc = new KubeConfig();
      kc.loadFromString(text);
      const list = await kc.makeApiClient(CoreV1Api).listNamespace();
      assert.deepEqual(list.items.map((n) => n.metadata?.name), ['default', 'kube-system']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lets the admin API replace what a user owns while keeping uid and finalizers, and set status', () => {
    const first = sim.apply({ ...service('adm'), metadata: { name: 'adm', namespace: 'default', finalizers: ['example.com/keep'], labels: { a: '1' } } });
    const second = sim.apply({ ...service('adm', { port: 90 }), status: { loadBalancer: { ingress: [{ ip: '20.0.0.1' }] } } });
    const m1 = metadataOf(first);
    const m2 = metadataOf(second);
    assert.equal(m2['uid'], m1['uid']);
    assert.deepEqual(m2['finalizers'], ['example.com/keep']);
    assert.equal(m2['labels'], undefined, 'labels are replaced, here by none');
    assert.equal(m2['generation'], 2);
    assert.deepEqual((second['status'] as Record<string, unknown>)['loadBalancer'], { ingress: [{ ip: '20.0.0.1' }] });
    const third = sim.apply({ ...service('adm', { port: 90 }), metadata: { name: 'adm', namespace: 'default', uid: 'fixed-uid' } });
    assert.equal(metadataOf(third)['uid'], 'fixed-uid');
    assert.deepEqual(third['status'], second['status'], 'status stays when not given');
    const terminating = sim.delete('Service', 'default', 'adm');
    assert.ok(terminating && metadataOf(terminating)['deletionTimestamp']);
  });

  it('throws KubeApiError from the admin API on invalid input', () => {
    assert.throws(() => sim.apply({ ...service('x'), spec: { type: 'ClusterIP', ports: [{ port: 0 }] } }), (e: unknown) => {
      assert.ok(e instanceof KubeApiError);
      assert.equal(e.status, 422);
      assert.equal(e.reason, 'Invalid');
      return true;
    });
    assert.throws(() => sim.delete('Pod', 'default', 'missing'), (e: unknown) => e instanceof KubeApiError && e.status === 404);
    assert.throws(() => sim.apply({ ...service('y', { namespace: 'nowhere' }) }), (e: unknown) => e instanceof KubeApiError && e.status === 404);
  });

  it('returns copies that cannot change the store', async () => {
    const got = sim.get('Service', 'default', 'tbl');
    assert.ok(got);
    (got['spec'] as Record<string, unknown>)['type'] = 'NodePort';
    sim.list('Service', 'default').forEach((s) => { (s['metadata'] as Record<string, unknown>)['name'] = 'mutated'; });
    const fresh = await sim.core.readNamespacedService({ namespace: 'default', name: 'tbl' });
    assert.equal((fresh).spec?.type, 'LoadBalancer');
  });
});
