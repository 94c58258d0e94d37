// Plays a scenario's steps, in order, against a running pipeline and reports the outcome
// (shared/scenarios/README.md). Each step starts as soon as the previous one is done; the run ends
// with an implicit settle, then the report is read from the simulators.
import type { Pipeline } from '../host/pipeline.types.ts';
import { AdmissionMemory } from './admissionMemory.ts';
import { isConverged, nrpDifferences } from './converged.ts';
import type { Convergence } from './converged.ts';
import { describeStep } from './describeStep.ts';
import { LatencyTracker } from './latency.ts';
import { buildReport, stateSnapshot } from './report.ts';
import type { Report, StateSnapshot } from './reportTypes.ts';
import { CLUSTER_SCOPED_KINDS } from './schema.ts';
import type { Scenario, Step } from './schema.ts';
import { settle, sleep } from './settle.ts';
import type { SettleResult } from './settle.ts';

export interface RunOptions {
  /** Progress lines, one per step and per settle outcome. */
  readonly onProgress?: ((line: string) => void) | undefined;
  /** The shortfalls of the final settle when the run did not converge. */
  readonly onNotConverged?: ((why: readonly string[]) => void) | undefined;
}

/** A step the pipeline refused (an object the API server rejects, a fault it cannot arm). */
export class StepError extends Error {
  readonly step: number;
  constructor(step: number, what: string, cause: unknown) {
    super(`steps[${step}] (${what}): ${cause instanceof Error ? cause.message : String(cause)}`);
    this.step = step;
  }
}

/** Changes NRP reflects are seen by polling it in between steps too (sleeps, restarts), so a
 * latency does not wait for the next settle; its resolution is this interval. */
const LATENCY_POLL_MS = 50;

class Run {
  private readonly pipeline: Pipeline;
  private readonly scenario: Scenario;
  private readonly options: RunOptions;
  private readonly start = Date.now();
  private readonly deadline: number;
  private readonly memory = new AdmissionMemory();
  private readonly latency = new LatencyTracker();
  readonly snapshots: Record<string, StateSnapshot> = {};

  constructor(pipeline: Pipeline, scenario: Scenario, options: RunOptions) {
    this.pipeline = pipeline;
    this.scenario = scenario;
    this.options = options;
    this.deadline = this.start + scenario.timeoutMs;
  }

  progress(line: string): void {
    this.options.onProgress?.(`[${((Date.now() - this.start) / 1000).toFixed(2).padStart(7)}s] ${line}`);
  }

  elapsed(): number {
    return Date.now() - this.start;
  }

  latencies(): number[] {
    return this.latency.latencies();
  }

  /** Resolves the waiting changes when NRP equals what the cluster asks for now. */
  pollLatency(): void {
    if (!this.latency.pending) return;
    const at = Date.now();
    if (nrpDifferences(this.pipeline, { admitted: this.memory.admitted }).length === 0) this.latency.reflected(at);
  }

  private async check(): Promise<Convergence> {
    this.pollLatency();
    return isConverged(this.pipeline, { admitted: this.memory.admitted });
  }

  async settle(label: string): Promise<SettleResult> {
    const r = await settle(() => this.check(), this.deadline);
    if (r.converged) this.progress(`${label}: converged`);
    else {
      this.progress(`${label}: not converged${r.timedOut ? ` (timeout ${this.scenario.timeoutMs} ms)` : ''}`);
      for (const w of r.why) this.progress(`  - ${w}`);
    }
    return r;
  }

  private ensureNamespace(namespace: string): void {
    const kube = this.pipeline.kube;
    if (kube.get('Namespace', null, namespace) === undefined) kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  }

  async step(s: Step): Promise<void> {
    const p = this.pipeline;
    switch (s.op) {
      case 'apply': {
        const { kind, metadata } = s.object;
        const scoped = !CLUSTER_SCOPED_KINDS.has(kind);
        const namespace = scoped ? (metadata.namespace ?? 'default') : null;
        if (namespace !== null) this.ensureNamespace(namespace);
        const before = p.kube.get(kind, namespace, metadata.name);
        const wasTerminating = before !== undefined && (before['metadata'] as Record<string, unknown> | undefined)?.['deletionTimestamp'] != null;
        const stored = p.kube.apply(s.object);
        if (kind === 'Service') this.memory.applied(stored, wasTerminating);
        this.latency.changed(Date.now());
        return;
      }
      case 'delete': {
        const { kind, metadata } = s.object;
        const namespace = CLUSTER_SCOPED_KINDS.has(kind) ? null : (metadata.namespace ?? 'default');
        const existing = p.kube.get(kind, namespace, metadata.name);
        // Deleting what is not there changes nothing (it may have been garbage-collected already).
        if (existing === undefined) {
          this.progress(`  ${kind} ${metadata.name} is not there; nothing to delete`);
          return;
        }
        p.kube.delete(kind, namespace, metadata.name);
        const uid = (existing['metadata'] as Record<string, unknown> | undefined)?.['uid'];
        if (kind === 'Service' && typeof uid === 'string') this.memory.deleted(uid);
        this.latency.changed(Date.now());
        return;
      }
      case 'fault':
        this.arm(s.fault);
        return;
      case 'restart':
        await p.restart(s.component);
        return;
      case 'settle':
        await this.settle('settle');
        return;
      case 'snapshot':
        this.snapshots[s.name] = stateSnapshot(p);
        return;
      case 'sleep':
        await sleep(s.ms);
        return;
    }
  }

  private arm(f: Extract<Step, { op: 'fault' }>['fault']): void {
    const p = this.pipeline;
    const status = f.status;
    switch (f.target) {
      case 'nrp':
        // No operation named: every write, the NRP simulator's `*`.
        p.nrp.faults.arm({ target: 'nrp', operation: f.operation ?? '*', status, times: f.times, retryAfterSeconds: f.retryAfterSeconds, latencyMs: f.latencyMs, code: f.code });
        return;
      case 'kube':
        if (typeof status !== 'number') throw new Error('target kube needs a numeric status');
        p.kube.faults.arm({ verb: f.verb, resource: f.resource, status, times: f.times, retryAfterSeconds: f.retryAfterSeconds });
        return;
      case 'tables':
        if (status === undefined) throw new Error('target tables needs a status');
        p.armTablesFault(status, f.times);
        return;
      case 'bus':
        p.armBusFault(f.times);
        return;
    }
  }
}

export async function runScenario(pipeline: Pipeline, scenario: Scenario, options: RunOptions = {}): Promise<Report> {
  const run = new Run(pipeline, scenario, options);
  const poller = setInterval(() => {
    try {
      run.pollLatency();
    } catch {
      // A poll that fails (a simulator mid-restart) is just a missed sample; the next one counts.
    }
  }, LATENCY_POLL_MS);
  try {
    const n = scenario.steps.length;
    for (const [i, s] of scenario.steps.entries()) {
      const what = describeStep(s);
      run.progress(`${i + 1}/${n} ${what}`);
      try {
        await run.step(s);
      } catch (e) {
        throw new StepError(i, what, e);
      }
    }
    const final = await run.settle('final settle');
    if (!final.converged) options.onNotConverged?.(final.why);
    return buildReport(pipeline, scenario, { durationMs: run.elapsed(), converged: final.converged, latencies: run.latencies(), snapshots: run.snapshots });
  } finally {
    clearInterval(poller);
  }
}
