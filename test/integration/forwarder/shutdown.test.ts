// The real forwarder process (forwarder/main.ts) under SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createInterface } from 'node:readline';
import { CLUSTER, egressPod, events, httpGet, startRig, waitFor } from './harness.ts';
import type { Rig } from './harness.ts';

interface Proc {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

describe('the forwarder process on SIGTERM', () => {
  let rig: Rig;
  let dir: string;
  let kubeconfigPath: string;
  before(async () => {
    rig = await startRig();
    dir = await mkdtemp(join(tmpdir(), 'forwarder-'));
    kubeconfigPath = join(dir, 'kubeconfig');
    await rig.kube.writeKubeconfig(kubeconfigPath);
  });
  after(async () => {
    await rig.close();
    await rm(dir, { recursive: true, force: true });
  });

  const launch = (graceMs: number): Proc => {
    const child = spawn(process.execPath, ['forwarder/main.ts'], {
      cwd: new URL('../../../', import.meta.url).pathname,
      env: {
        PATH: process.env['PATH'],
        CLUSTER_NAME: CLUSTER,
        SERVICEBUS_CONNECTION_STRING: rig.broker.connectionString,
        KUBECONFIG: kubeconfigPath,
        FORWARDER_HTTP_PORT: '0',
        FORWARDER_SHUTDOWN_GRACE_MS: String(graceMs),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => {
      try {
        lines.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        lines.push({ msg: l });
      }
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, lines, exited };
  };

  const readyPort = async (p: Proc): Promise<number> => {
    const started = await waitFor(() => p.lines.find((l) => l['msg'] === 'forwarder started'), 'the start line', 15_000);
    const port = started['httpPort'] as number;
    await waitFor(async () => (await httpGet(port, '/readyz')).status === 200, 'readiness', 15_000);
    return port;
  };

  it('sends everything queued within the grace period and exits 0', async () => {
    for (let p = 0; p < 20; p++) rig.kube.apply(egressPod(`drain-${p}`, `10.247.0.${p + 1}`));
    const proc = launch(10_000);
    const port = await readyPort(proc);
    await rig.take(24);
    await rig.goOffline();
    for (let round = 2; round <= 5; round++) for (let p = 0; p < 20; p++) rig.kube.apply(egressPod(`drain-${p}`, `10.247.${round}.${p + 1}`));
    await waitFor(async () => /forwarder_outbox_changes 20\b/.test((await httpGet(port, '/metrics')).text) || undefined, 'the changes to be queued');
    await rig.broker.comeOnline();
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0);
    const stopped = proc.lines.find((l) => l['msg'] === 'forwarder stopped');
    assert.equal(stopped?.['flushed'], true);
    assert.equal(stopped?.['unsent'], 0);
    const got = events(await rig.take(20, 10_000));
    for (let p = 0; p < 20; p++) {
      const last = got.filter((e) => e.kind === 'PodUpserted' && e.pod.name === `drain-${p}`).at(-1);
      assert.ok(last?.kind === 'PodUpserted' && last.pod.podIPs[0] === `10.247.5.${p + 1}`, `drain-${p} must arrive in its last state`);
    }
  });

  it('gives up after the grace period when Service Bus is away, exits 0, and the next start recovers it', async () => {
    const proc = launch(500);
    const port = await readyPort(proc);
    await rig.take(24);
    await rig.goOffline();
    rig.kube.apply(egressPod('late', '10.247.9.9'));
    await waitFor(async () => /forwarder_outbox_changes 1\b/.test((await httpGet(port, '/metrics')).text) || undefined, 'the change to be queued');
    const signalled = Date.now();
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0);
    assert.ok(Date.now() - signalled < 8_000, 'the grace period bounds the shutdown');
    assert.equal(proc.lines.find((l) => l['msg'] === 'forwarder stopped')?.['unsent'], 1);
    await rig.broker.comeOnline();
    const next = launch(2_000);
    await readyPort(next);
    const got = events(await rig.take(5, 10_000));
    assert.ok(got.some((e) => e.kind === 'PodUpserted' && e.pod.name === 'late' && e.snapshot !== undefined));
    next.child.kill('SIGTERM');
    assert.equal(await next.exited, 0);
  });
});
