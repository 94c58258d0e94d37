// `npm start -- --watch` switched by configuration to other services than its embedded ones: a
// cluster (LOCAL_KUBECONFIG), a Service Bus namespace and a storage account (connection strings).
// Here those are a second Kubernetes API simulator, broker and Azurite, started by the test, so
// it can see that the product really used them: the Service gets its IP written back in *that*
// cluster, the engine's state lands in *that* account, and the messages went through *that* broker.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startAzuriteTables } from '../../../local/host/azurite.ts';
import type { AzuriteTables } from '../../../local/host/azurite.ts';
import { queueConfig } from '../../../local/host/pipeline.ts';
import { startBroker } from '../../../local/sim/bus/broker.ts';
import type { BrokerHandle } from '../../../local/sim/bus/broker.ts';
import { startKubeSimulator } from '../../../local/sim/kube/server.ts';
import type { KubeSimulator } from '../../../local/sim/kube/server.ts';
import { tableStateStoreFromConnectionString } from '../../../shared/state/tableStateStore.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('npm start against configured services', () => {
  const work = mkdtempSync(join(tmpdir(), 'real-adapters-'));
  let kube: KubeSimulator;
  let broker: BrokerHandle;
  let tables: AzuriteTables;
  before(async () => {
    [kube, broker, tables] = await Promise.all([startKubeSimulator(), startBroker({ queues: queueConfig() }), startAzuriteTables()]);
    await kube.writeKubeconfig(join(work, 'kubeconfig'));
  });
  after(async () => {
    await Promise.all([kube.stop(), broker.stop(), tables.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  it('runs the product against them: the IP is written back in that cluster, the state kept in that account', async () => {
    const env = {
      ...process.env,
      LOCAL_KUBECONFIG: join(work, 'kubeconfig'),
      LOCAL_SERVICEBUS_CONNECTION_STRING: broker.connectionString,
      LOCAL_STORAGE_CONNECTION_STRING: tables.connectionString,
      LOCAL_CLUSTER_NAME: 'elsewhere',
    };
    const child = spawn(process.execPath, ['--disable-warning=DEP0040', join(ROOT, 'local/start.ts'), '--watch', '--http-port', '0', '--kubeconfig', join(work, 'local-kubeconfig')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 60_000;
      const until = async (what: string, check: () => boolean | Promise<boolean>): Promise<void> => {
        while (!(await check())) {
          if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}:\n${output}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      await until('the watch banner', () => output.includes('Watching'));
      assert.match(output, /local host against real services/);
      assert.doesNotMatch(output, /scenario "default"/, 'no scenario is played against real services');

      kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
      kube.apply({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.4' }] } });
      kube.apply({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'web' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ protocol: 'TCP', port: 80 }] } });
      await until('the IP written back in the configured cluster', () => {
        const status = kube.get('Service', 'default', 'web')?.['status'] as { loadBalancer?: { ingress?: unknown[] } } | undefined;
        return (status?.loadBalancer?.ingress?.length ?? 0) === 1;
      });
      const { state } = await tableStateStoreFromConnectionString(tables.connectionString, { clientOptions: { allowInsecureConnection: true } }).load('elsewhere');
      assert.deepEqual([...state.ops.values()].map((o) => o.state), ['Created'], 'the engine state is in the configured account');
      // The Service's status update is reported back too (it confirms the IP): then nothing is left.
      await until('the engine queue drained', () => broker.peekState('engine-events').active + broker.peekState('engine-events').locked === 0);
      // The forwarder holds the cluster's k8s-actions session on the configured broker.
      assert.deepEqual(broker.peekState('k8s-actions').lockedSessions, ['elsewhere'], 'the configured broker is the one in use');
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 130, output);
  });

  it('refuses to play a scenario against real services, saying why', async () => {
    const child = spawn(process.execPath, ['--disable-warning=DEP0040', join(ROOT, 'local/start.ts')], { cwd: ROOT, env: { ...process.env, LOCAL_KUBECONFIG: join(work, 'kubeconfig') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 2);
    assert.match(err, /scenarios run on the local stand-ins only; use --watch/);
  });
});
