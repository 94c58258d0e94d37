// `npm start`: the default scenario through the whole local pipeline, ending with the convergence
// report; and `--watch`, which keeps the pipeline up with kubectl access and the debug views.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Report } from '../../../local/scenario/reportTypes.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'npm-start-'));

function start(args: readonly string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--disable-warning=DEP0040', join(ROOT, 'local/start.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function until(what: string, check: () => boolean, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start', () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  it('plays the default scenario to convergence, shows progress, and ends with the report', async () => {
    const report = join(work, 'report.json');
    const run = start(['--report', report, '--kubeconfig', join(work, 'kubeconfig')]);
    const code = await run.exited;
    const out = run.output();
    assert.equal(code, 0, out);
    assert.match(out, /12\/18 settle/);
    assert.match(out, /· (pending: .*|idle) \| NRP writes so far: \d+/);
    assert.match(out, /Convergence report\nscenario default: converged in/);
    const r = JSON.parse(readFileSync(report, 'utf8')) as Report;
    assert.equal(r.converged, true);
    assert.equal(r.nrp.services.length, 2);
  });

  it('with --watch keeps running: kubectl reaches the local cluster and the debug views follow it', async () => {
    const kubeconfig = join(work, 'kubeconfig-watch');
    const run = start(['--watch', '--http-port', '0', '--report', join(work, 'watch.json'), '--kubeconfig', kubeconfig]);
    try {
      await until('the watch banner', () => run.output().includes('Watching'), run.output);
      const base = /curl (http:\/\/127\.0\.0\.1:\d+)\/api\/debug\/difftracker\/services\?cluster=demo/.exec(run.output())?.[1];
      assert.ok(base, run.output());
      const services = async (): Promise<{ name: string; state: string }[]> => {
        const res = await fetch(`${base}/api/debug/difftracker/services?cluster=demo`);
        assert.equal(res.status, 200);
        return ((await res.json()) as { services: { name: string; state: string }[] }).services;
      };
      assert.ok((await services()).some((s) => s.name === 'team-a' && s.state === 'Created'));
      assert.equal((await fetch(`${base}/api/debug/difftracker/nope?cluster=demo`)).status, 404);

      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      const core = kc.makeApiClient(CoreV1Api);
      const listed = await core.listServiceForAllNamespaces();
      assert.ok(listed.items.some((s) => s.metadata?.name === 'web'));
      const created = await core.createNamespacedService({
        namespace: 'default',
        body: { metadata: { name: 'late' }, spec: { type: 'LoadBalancer', selector: { app: 'late' }, ports: [{ protocol: 'TCP', port: 80 }] } },
      });
      const uid = created.metadata?.uid ?? '';
      const deadline = Date.now() + 30_000;
      for (;;) {
        const s = (await services()).find((x) => x.name === uid);
        if (s?.state === 'Created') break;
        if (Date.now() > deadline) assert.fail(`the new Service did not reach Created: ${JSON.stringify(s)}\n${run.output()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      // The IP comes back through k8s-actions and the forwarder, a moment after the operation.
      for (;;) {
        const late = await core.readNamespacedService({ namespace: 'default', name: 'late' });
        if (late.status?.loadBalancer?.ingress?.length === 1) break;
        if (Date.now() > deadline) assert.fail(`the new Service got no IP written back: ${JSON.stringify(late.status)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      run.child.kill('SIGINT');
    }
    assert.equal(await run.exited, 130, run.output());
  });
});
