// Plays one workload's changes against the running pipeline on their schedule, follows each change
// into NRP, waits for full convergence, and returns what it took. The pipeline is converged before
// and after, so the counters' difference is this workload's alone.
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { LocalPipeline } from '../../local/host/pipeline.ts';
import type { ForwarderProcess } from '../host/forwarderProcess.ts';
import type { FunctionHostProcess } from '../host/functionHostProcess.ts';
import type { PlannedChange } from '../workload/plannedChange.ts';
import { ChangeLatencies } from './changeLatency.ts';
import type { ReflectedChange } from './changeLatency.ts';
import { waitConverged } from './convergence.ts';
import { counterDelta, snapshotCounters } from './counters.ts';
import type { CounterDelta } from './counters.ts';

export interface WorkloadRun {
  readonly pipeline: LocalPipeline;
  readonly functions: FunctionHostProcess;
  readonly forwarder: ForwarderProcess;
  readonly pollMs: number;
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
}

export interface AppliedChange {
  readonly change: PlannedChange;
  /** ms since the workload started. */
  readonly atMs: number;
}

export interface WorkloadMeasurement {
  readonly applied: readonly AppliedChange[];
  readonly reflected: readonly ReflectedChange[];
  /** ms from the start to the last change applied. */
  readonly appliedOverMs: number;
  readonly lastReflectedMs: number;
  readonly convergedMs: number;
  readonly counters: CounterDelta;
  /** Every NRP write carried out, ms since the start. */
  readonly writes: readonly { readonly operation: string; readonly atMs: number }[];
  /** The forwarder's largest RSS seen while it ran. */
  readonly forwarderRssBytes: number;
  /**
   * Event-loop delay of this process, which serves Azurite, the broker and the simulators: when it
   * is high, every Table, Service Bus and NRP call of the product waits on the harness.
   */
  readonly harnessDelayMs: { readonly p99: number; readonly max: number };
  /** The machine's 1-minute load average when it converged (other work on the shared cores shows here). */
  readonly loadAverage: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Changes applied back to back before letting the simulators in this process answer requests. */
const YIELD_EVERY = 100;

function applyTo(p: LocalPipeline, c: PlannedChange): void {
  if (c.write.op === 'apply') p.kube.apply(c.write.object);
  else p.kube.delete(c.write.kind, c.write.namespace, c.write.name);
}

export async function runWorkload(name: string, changes: readonly PlannedChange[], run: WorkloadRun): Promise<WorkloadMeasurement> {
  const { pipeline, functions, forwarder } = run;
  const before = await snapshotCounters(pipeline, functions, forwarder);
  const start = Date.now();
  const latencies = new ChangeLatencies(pipeline.nrp, start);
  const writes: { operation: string; atMs: number }[] = [];
  const stop = pipeline.nrp.onWrite((operation) => {
    const at = Date.now();
    writes.push({ operation, atMs: at - start });
    latencies.wrote(at);
  });
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  let forwarderRssBytes = 0;
  const sampler = setInterval(() => {
    forwarder.metrics().then((m) => {
      forwarderRssBytes = Math.max(forwarderRssBytes, m['forwarder_process_resident_memory_bytes'] ?? 0);
    }, () => undefined);
  }, 1_000);
  try {
    const applied: AppliedChange[] = [];
    for (const [i, c] of changes.entries()) {
      const due = start + c.atMs - Date.now();
      if (due > 0) await sleep(due);
      else if (i % YIELD_EVERY === 0) await sleep(0);
      applyTo(pipeline, c);
      const at = Date.now();
      latencies.applied(c, at);
      applied.push({ change: c, atMs: at - start });
    }
    const appliedOverMs = Date.now() - start;
    run.log(`${name}: ${changes.length} changes applied in ${(appliedOverMs / 1000).toFixed(1)} s; waiting for convergence`);
    const done = await waitConverged({ pipeline, functions, forwarder, unresolved: () => latencies.pending }, run.pollMs, start + run.timeoutMs);
    const after = await snapshotCounters(pipeline, functions, forwarder);
    return {
      applied,
      reflected: latencies.reflected(),
      appliedOverMs,
      lastReflectedMs: latencies.lastReflectedMs(),
      convergedMs: done.at - start,
      counters: counterDelta(before, after),
      writes,
      forwarderRssBytes,
      harnessDelayMs: { p99: Math.round(delay.percentile(99) / 1e6), max: Math.round(delay.max / 1e6) },
      loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    };
  } finally {
    delay.disable();
    clearInterval(sampler);
    stop();
  }
}
