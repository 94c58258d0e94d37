// Starts bench/host/functionHost.ts as a child process and talks to it: its statistics on demand,
// and at the end its peak memory (read before it exits) and final statistics.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HOST_CONFIG_ENV, isChildMessage } from './functionHostProtocol.ts';
import type { FunctionHostConfig, FunctionHostStats } from './functionHostProtocol.ts';
import { peakRssBytes } from './peakRss.ts';

export interface FunctionHostProcess {
  readonly pid: number;
  stats(): Promise<FunctionHostStats>;
  /** Stops it (only when idle: a stop is a crash for whatever runs). */
  stop(): Promise<{ readonly stats: FunctionHostStats; readonly peakRssBytes: number }>;
}

const ENTRY = fileURLToPath(new URL('./functionHost.ts', import.meta.url));

class Host implements FunctionHostProcess {
  readonly pid: number;
  private readonly child: ChildProcess;
  private readonly waiting: ((s: FunctionHostStats) => void)[] = [];
  private maxRss = 0;
  private ready: Promise<void>;

  constructor(config: FunctionHostConfig) {
    this.child = spawn(process.execPath, ['--disable-warning=DEP0040', ENTRY], {
      env: { ...process.env, [HOST_CONFIG_ENV]: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.pid = this.child.pid ?? 0;
    this.ready = new Promise((resolve, reject) => {
      this.child.once('exit', (code) => reject(new Error(`the function host exited (${String(code)}) before it was ready`)));
      this.child.on('message', (m: unknown) => {
        if (!isChildMessage(m)) return;
        if (m.kind === 'ready') resolve();
        else {
          this.maxRss = Math.max(this.maxRss, m.stats.rssBytes);
          this.waiting.shift()?.(m.stats);
        }
      });
    });
  }

  started(): Promise<void> {
    return this.ready;
  }

  stats(): Promise<FunctionHostStats> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.send({ kind: 'stats' });
    });
  }

  async stop(): Promise<{ stats: FunctionHostStats; peakRssBytes: number }> {
    const peak = peakRssBytes(this.pid);
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const final = new Promise<FunctionHostStats>((resolve) => {
      this.waiting.push(resolve);
      this.child.send({ kind: 'stop' });
    });
    const stats = await final;
    await exited;
    return { stats, peakRssBytes: peak ?? this.maxRss };
  }
}

export async function startFunctionHost(config: FunctionHostConfig): Promise<FunctionHostProcess> {
  const host = new Host(config);
  await host.started();
  return host;
}
