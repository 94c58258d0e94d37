// The product's counters at one moment, and what changed between two moments: NRP calls (from the
// simulator), Service Bus traffic (from the broker), Table Storage requests, executions and busy
// time (from the function host), messages the forwarder sent.
import type { LocalPipeline } from '../../local/host/pipeline.ts';
import type { QueueCounts } from '../../local/sim/bus/broker.ts';
import type { ForwarderProcess } from '../host/forwarderProcess.ts';
import { sumOf } from '../host/forwarderProcess.ts';
import type { FunctionHostProcess } from '../host/functionHostProcess.ts';

export interface CounterSnapshot {
  readonly nrp: Readonly<Record<string, number>>;
  readonly bus: Readonly<Record<string, QueueCounts>>;
  readonly tables: Readonly<Record<string, number>>;
  readonly executions: Readonly<Record<string, number>>;
  readonly failedInvocations: number;
  readonly closedBeforeInvocation: number;
  readonly busyMs: number;
  readonly forwarderMessages: number;
}

export interface CounterDelta {
  /** NRP write calls by operation (failed ones included), and `throttled` (429 answers). */
  readonly nrpWrites: Record<string, number>;
  readonly tableRequests: Record<string, number>;
  readonly busByQueue: Record<string, QueueCounts>;
  readonly executions: Record<string, number>;
  readonly failedInvocations: number;
  readonly closedBeforeInvocation: number;
  readonly busyMs: number;
  readonly forwarderMessages: number;
}

export async function snapshotCounters(p: LocalPipeline, functions: FunctionHostProcess, forwarder: ForwarderProcess): Promise<CounterSnapshot> {
  const [stats, metrics] = await Promise.all([functions.stats(), forwarder.metrics()]);
  return {
    nrp: p.nrp.calls(),
    bus: p.broker.counts(),
    tables: stats.tableRequests,
    executions: stats.executions,
    failedInvocations: stats.failedInvocations,
    closedBeforeInvocation: stats.closedBeforeInvocation,
    busyMs: stats.busyMs,
    forwarderMessages: sumOf(metrics, 'forwarder_messages_sent_total'),
  };
}

function minus(after: Readonly<Record<string, number>>, before: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(after), ...Object.keys(before)])) out[k] = (after[k] ?? 0) - (before[k] ?? 0);
  return out;
}

const NO_QUEUE: QueueCounts = { sent: 0, duplicates: 0, sendCalls: 0, delivered: 0, settled: 0, management: 0 };

export function counterDelta(before: CounterSnapshot, after: CounterSnapshot): CounterDelta {
  const busByQueue: Record<string, QueueCounts> = {};
  for (const q of new Set([...Object.keys(after.bus), ...Object.keys(before.bus)])) {
    const a = after.bus[q] ?? NO_QUEUE;
    const b = before.bus[q] ?? NO_QUEUE;
    busByQueue[q] = {
      sent: a.sent - b.sent,
      duplicates: a.duplicates - b.duplicates,
      sendCalls: a.sendCalls - b.sendCalls,
      delivered: a.delivered - b.delivered,
      settled: a.settled - b.settled,
      management: a.management - b.management,
    };
  }
  return {
    nrpWrites: minus(after.nrp, before.nrp),
    tableRequests: minus(after.tables, before.tables),
    busByQueue,
    executions: minus(after.executions, before.executions),
    failedInvocations: after.failedInvocations - before.failedInvocations,
    closedBeforeInvocation: after.closedBeforeInvocation - before.closedBeforeInvocation,
    busyMs: after.busyMs - before.busyMs,
    forwarderMessages: after.forwarderMessages - before.forwarderMessages,
  };
}
