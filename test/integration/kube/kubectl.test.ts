// The real kubectl against the simulator: apply (Service, EndpointSlice, Pod), get as JSON and as
// a table, patch, delete and a watch. kubectl sends no credentials to an http:// server, so the
// simulator runs with `anonymous: true` here; a strict one turns kubectl away with 401.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startKubeSimulator } from '../../../local/sim/kube/server.ts';
import type { KubeSimulator } from '../../../local/sim/kube/server.ts';

const KUBECTL = '/usr/bin/kubectl';
const run = promisify(execFile);

const MANIFESTS = `apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {app: web}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: 8080}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-abcde
  labels: {kubernetes.io/service-name: web}
addressType: IPv4
ports:
- {name: http, port: 8080, protocol: TCP}
endpoints:
- addresses: [10.244.0.5]
  conditions: {ready: true}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  labels: {app: web, kubernetes.azure.com/service-egress-gateway: gw}
spec:
  containers:
  - {name: app, image: nginx:1.27}
`;

describe('kube simulator: kubectl', () => {
  const present = existsSync(KUBECTL);
  let dir = '';
  let sim: KubeSimulator | undefined;

  const kubectl = async (target: KubeSimulator, ...args: string[]): Promise<string> => {
    const config = join(dir, `config-${target.port}`);
    if (!existsSync(config)) await target.writeKubeconfig(config);
    const { stdout } = await run(KUBECTL, ['--kubeconfig', config, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 8000 });
    return stdout;
  };
  /** True when kubectl is missing, after checking that it really is; the caller then stops. */
  const absent = async (): Promise<boolean> => {
    if (present) return false;
    await assert.rejects(run('which', ['kubectl']), 'which kubectl fails when there is no kubectl');
    return true;
  };
  const live = (): KubeSimulator => {
    assert.ok(sim, 'simulator started');
    return sim;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kube-sim-kubectl-'));
    if (present) sim = await startKubeSimulator({ anonymous: true });
  });
  after(async () => {
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds kubectl, or confirms that it is really not installed', async () => {
    if (await absent()) return;
    assert.match(await kubectl(live(), 'version', '--client'), /Client Version: v1\./);
  });

  it('applies a Service, an EndpointSlice and a Pod, and re-applies a change as a patch', async () => {
    if (await absent()) return;
    const file = join(dir, 'web.yaml');
    await writeFile(file, MANIFESTS);
    const out = await kubectl(live(), 'apply', '-f', file);
    assert.deepEqual(out.trim().split('\n'), ['service/web created', 'endpointslice.discovery.k8s.io/web-abcde created', 'pod/web-0 created']);
    await writeFile(file, MANIFESTS.replace('port: 80,', 'port: 81,'));
    assert.match(await kubectl(live(), 'apply', '-f', file), /^service\/web configured$/m);
    const svc = live().get('Service', 'default', 'web');
    assert.deepEqual(((svc?.['spec'] as { ports: { port: number }[] }).ports).map((p) => p.port), [81]);
    const openapi = live().requests().filter((r) => r.path.startsWith('/openapi/'));
    assert.ok(openapi.some((r) => r.path === '/openapi/v2' && r.status === 200), 'kubectl read the (empty) OpenAPI v2 document');
  });

  it('gets Services as JSON and as a server-side table', async () => {
    if (await absent()) return;
    const json = JSON.parse(await kubectl(live(), 'get', 'svc', '-o', 'json')) as { items: { metadata: { name: string }; spec: { clusterIP: string } }[] };
    assert.deepEqual(json.items.map((i) => i.metadata.name), ['web']);
    assert.match(json.items[0]?.spec.clusterIP ?? '', /^10\.0\./);
    const table = (await kubectl(live(), 'get', 'svc')).trim().split('\n');
    assert.match(table[0] ?? '', /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    assert.match(table[1] ?? '', /^web\s+LoadBalancer\s+10\.0\.\d+\.\d+\s+<pending>\s+81:3\d{4}\/TCP\s+\d+s$/);
    assert.match(await kubectl(live(), 'get', 'endpointslices'), /web-abcde\s+IPv4\s+8080\s+10\.244\.0\.5/);
  });

  it('patches a Service with a merge patch and deletes it', async () => {
    if (await absent()) return;
    assert.equal((await kubectl(live(), 'patch', 'svc', 'web', '--type', 'merge', '-p', '{"metadata":{"labels":{"tier":"edge"}}}')).trim(), 'service/web patched');
    assert.equal((live().get('Service', 'default', 'web')?.['metadata'] as { labels: Record<string, string> }).labels['tier'], 'edge');
    assert.equal((await kubectl(live(), 'delete', 'svc', 'web')).trim(), 'service "web" deleted');
    assert.equal(live().get('Service', 'default', 'web'), undefined);
  });

  it('watches pods with `get pods --watch`, printing the first rows and then a change', async () => {
    if (await absent()) return;
    const config = join(dir, `config-${live().port}`);
    const child = spawn(KUBECTL, ['--kubeconfig', config, '--cache-dir', join(dir, 'cache'), 'get', 'pods', '--watch'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    const waitFor = async (re: RegExp): Promise<void> => {
      const deadline = Date.now() + 6000;
      while (!re.test(out)) {
        assert.ok(Date.now() < deadline, `kubectl printed: ${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      await waitFor(/^web-0\s+0\/1\s+Pending\s+0\s+\d+s$/m);
      assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
      live().apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } });
      await waitFor(/^web-1\s+0\/1\s+Pending/m);
    } finally {
      child.kill('SIGTERM');
    }
    assert.ok(live().requests().some((r) => r.path === '/api/v1/namespaces/default/pods' && /watch=true/.test(r.query)), 'kubectl opened a watch');
  });

  it('is turned away with 401 by a simulator that requires the token, since kubectl sends none over http', async () => {
    if (await absent()) return;
    const strict = await startKubeSimulator();
    try {
      const e: unknown = await kubectl(strict, 'get', 'svc').then(() => undefined, (err: unknown) => err);
      assert.ok(e instanceof Error);
      assert.match((e as Error & { stderr?: string }).stderr ?? '', /You must be logged in to the server|provide credentials/);
      assert.ok(strict.requests().every((r) => r.status === 401));
    } finally {
      await strict.stop();
    }
  });
});
