// The figures of one workload: this project's as measured, the two baselines as modelled on the
// same change stream, and the ratios between them.
import { WRITE_OPERATIONS } from '../../local/sim/nrp/server.ts';
import { modelBaseline } from '../baselines/baselineModel.ts';
import type { BaselineName, ModelChange, ModelParameters } from '../baselines/baselineModel.ts';
import type { WorkloadMeasurement } from '../measure/runWorkload.ts';
import { latencyFigures } from './latencyFigures.ts';
import type { LatencyFigures } from './latencyFigures.ts';

export interface WriteFigures {
  /** Write calls by operation (every NRP write operation, 0 included) and `total`. */
  readonly calls: Readonly<Record<string, number>>;
  readonly per1000Changes: Readonly<Record<string, number>>;
  /** Calls NRP answered with 429. */
  readonly throttled: number;
}

export interface BaselineFigures {
  readonly nrpWrites: WriteFigures;
  readonly latencyMs: LatencyFigures;
  readonly convergedMs: number;
}

export interface WorkloadFigures {
  readonly changes: number;
  readonly appliedOverMs: number;
  readonly convergedMs: number;
  readonly lastReflectedMs: number;
  readonly latencyMs: LatencyFigures;
  readonly nrpWrites: WriteFigures;
  readonly tableTransactions: { readonly total: number; readonly perChange: number; readonly byKind: Readonly<Record<string, number>> };
  readonly serviceBus: {
    readonly messages: number;
    readonly messagesPerChange: number;
    /** Sends (per message), deliveries, settlements and management calls: what the operations meter counts. */
    readonly operations: number;
    readonly operationsPerChange: number;
    /** Operations per change by queue (dead-letter sub-queue included with its queue). */
    readonly operationsPerChangeByQueue: Readonly<Record<string, number>>;
    readonly forwarderMessages: number;
  };
  readonly functions: {
    readonly executions: number;
    readonly executionsPerChange: number;
    /** Time at least one function ran, and its share of the time to convergence. */
    readonly busySeconds: number;
    readonly busyShare: number;
    readonly byFunction: Readonly<Record<string, number>>;
    /** Engine-events messages per engine invocation: how many events share one state load. */
    readonly engineEventsPerInvocation: number;
    /** Invocations that threw (their messages were delivered again). */
    readonly failedInvocations: number;
    /** Batches delivered to a session receiver the SDK had closed: delivered again, not worked on twice. */
    readonly closedBeforeInvocation: number;
  };
  readonly baselines: Readonly<Record<BaselineName, BaselineFigures>>;
  /** This project's figure divided by the baseline's. */
  readonly ratios: {
    readonly nrpWritesToNaive: number;
    readonly nrpWritesToUpstreamShaped: number;
    readonly p99ToNaive: number;
    readonly p99ToUpstreamShaped: number;
  };
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function writeFigures(byOperation: Readonly<Record<string, number>>, throttled: number, changes: number): WriteFigures {
  const calls: Record<string, number> = {};
  for (const op of WRITE_OPERATIONS) calls[op] = byOperation[op] ?? 0;
  calls['total'] = WRITE_OPERATIONS.reduce((n, op) => n + (calls[op] ?? 0), 0);
  const per1000Changes = Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, round((v * 1_000) / changes, 1)]));
  return { calls, per1000Changes, throttled };
}

function modelChanges(m: WorkloadMeasurement): ModelChange[] {
  return m.applied.map((a) => ({ atMs: a.atMs, kind: a.change.kind, service: a.change.createsService ?? a.change.needsService }));
}

function baselineFigures(name: BaselineName, m: WorkloadMeasurement, p: ModelParameters): BaselineFigures {
  const o = modelBaseline(name, modelChanges(m), p);
  return { nrpWrites: writeFigures(o.writes, o.throttled, m.applied.length), latencyMs: latencyFigures(o.latenciesMs), convergedMs: Math.round(o.convergedMs) };
}

export function workloadFigures(m: WorkloadMeasurement, p: ModelParameters): WorkloadFigures {
  const changes = m.applied.length;
  const c = m.counters;
  const nrpWrites = writeFigures(c.nrpWrites, c.nrpWrites['throttled'] ?? 0, changes);
  const tables = Object.values(c.tableRequests).reduce((a, b) => a + b, 0);
  const queues = Object.values(c.busByQueue);
  const messages = queues.reduce((n, q) => n + q.sent, 0);
  const operationsOf = (q: (typeof queues)[number]): number => q.sent + q.delivered + q.settled + q.management;
  const operations = queues.reduce((n, q) => n + operationsOf(q), 0);
  const operationsPerChangeByQueue = Object.fromEntries(Object.entries(c.busByQueue).map(([name, q]) => [name, round(operationsOf(q) / changes)]));
  const executions = Object.values(c.executions).reduce((a, b) => a + b, 0);
  const latencyMs = latencyFigures(m.reflected.map((r) => r.latencyMs));
  const naive = baselineFigures('naive', m, p);
  const upstreamShaped = baselineFigures('upstreamShaped', m, p);
  const total = (w: WriteFigures): number => w.calls['total'] ?? 0;
  return {
    changes,
    appliedOverMs: m.appliedOverMs,
    convergedMs: m.convergedMs,
    lastReflectedMs: m.lastReflectedMs,
    latencyMs,
    nrpWrites,
    tableTransactions: { total: tables, perChange: round(tables / changes), byKind: c.tableRequests },
    serviceBus: { messages, messagesPerChange: round(messages / changes), operations, operationsPerChange: round(operations / changes), operationsPerChangeByQueue, forwarderMessages: c.forwarderMessages },
    functions: {
      executions,
      executionsPerChange: round(executions / changes),
      busySeconds: round(c.busyMs / 1_000),
      busyShare: round(c.busyMs / m.convergedMs),
      byFunction: c.executions,
      engineEventsPerInvocation: round((c.busByQueue['engine-events']?.delivered ?? 0) / Math.max(1, c.executions['engine'] ?? 0), 1),
      failedInvocations: c.failedInvocations,
      closedBeforeInvocation: c.closedBeforeInvocation,
    },
    baselines: { naive, upstreamShaped },
    ratios: {
      nrpWritesToNaive: round(total(nrpWrites) / total(naive.nrpWrites)),
      nrpWritesToUpstreamShaped: round(total(nrpWrites) / total(upstreamShaped.nrpWrites)),
      p99ToNaive: round(latencyMs.p99 / naive.latencyMs.p99),
      p99ToUpstreamShaped: round(latencyMs.p99 / upstreamShaped.latencyMs.p99),
    },
  };
}
