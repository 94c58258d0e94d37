// The real forwarder (forwarder/main.ts) as a process of its own, as it runs in a cluster: against
// the Kubernetes API simulator and the broker, with its own /metrics (where its memory, outbox and
// message counts are read) and its peak RSS from the kernel.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './freePort.ts';
import { peakRssBytes } from './peakRss.ts';

export interface ForwarderProcessOptions {
  readonly cluster: string;
  readonly brokerConnectionString: string;
  readonly kubeconfigPath: string;
  /** Longest wait for /readyz (its first list of every kind). Default 5 min. */
  readonly readyTimeoutMs?: number | undefined;
}

export interface ForwarderProcess {
  readonly pid: number;
  /** The forwarder_* samples of its /metrics, label sets kept in the key. */
  metrics(): Promise<Record<string, number>>;
  /** Changes waiting to be sent. */
  outbox(): Promise<number>;
  stop(): Promise<{ readonly peakRssBytes: number }>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Sums of the forwarder_* series of a Prometheus text page, keyed by name and labels. */
export function forwarderSamples(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(forwarder_[a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (m) out[`${m[1]}${m[2] ?? ''}`] = (out[`${m[1]}${m[2] ?? ''}`] ?? 0) + Number(m[3]);
  }
  return out;
}

/** The sum of every series whose key starts with `prefix`. */
export function sumOf(samples: Record<string, number>, prefix: string): number {
  return Object.entries(samples).filter(([k]) => k.startsWith(prefix)).reduce((a, [, v]) => a + v, 0);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Forwarder implements ForwarderProcess {
  readonly pid: number;
  private readonly child: ChildProcess;
  private readonly port: number;
  private maxRss = 0;

  constructor(child: ChildProcess, port: number) {
    this.child = child;
    this.pid = child.pid ?? 0;
    this.port = port;
  }

  async metrics(): Promise<Record<string, number>> {
    const samples = forwarderSamples(await (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text());
    this.maxRss = Math.max(this.maxRss, samples['forwarder_process_resident_memory_bytes'] ?? 0);
    return samples;
  }

  async outbox(): Promise<number> {
    return (await this.metrics())['forwarder_outbox_changes'] ?? 0;
  }

  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`the forwarder exited (${this.child.exitCode})`);
      try {
        if ((await fetch(`http://127.0.0.1:${this.port}/readyz`)).status === 200) return;
      } catch {
        // still starting
      }
      if (Date.now() > deadline) throw new Error('the forwarder did not become ready');
      await sleep(100);
    }
  }

  async stop(): Promise<{ peakRssBytes: number }> {
    const peak = peakRssBytes(this.pid);
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await exited;
    return { peakRssBytes: peak ?? this.maxRss };
  }
}

export async function startForwarderProcess(o: ForwarderProcessOptions): Promise<ForwarderProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['forwarder/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'],
      CLUSTER_NAME: o.cluster,
      SERVICEBUS_CONNECTION_STRING: o.brokerConnectionString,
      KUBECONFIG: o.kubeconfigPath,
      FORWARDER_HTTP_PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // The forwarder has no channel to its parent: should the benchmark exit early, it goes too.
  const orphaned = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', orphaned);
  child.once('exit', () => process.removeListener('exit', orphaned));
  const f = new Forwarder(child, port);
  await f.ready(o.readyTimeoutMs ?? 5 * 60_000);
  return f;
}
