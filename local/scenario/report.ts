// The scenario report (shared/scenarios/README.md, "Report"), read from the simulators: `nrp` from
// the NRP simulator (what Azure holds), `kubernetes` from the Kubernetes API simulator (what the
// cluster holds), never from the engine's own mirror.
import { QUEUES } from '../../shared/messages/outgoing.ts';
import type { Pipeline } from '../host/pipeline.types.ts';
import { byText, kubernetesState } from './kubernetesState.ts';
import { percentile } from './latency.ts';
import type { DeadLetterEntry, Report, StateSnapshot } from './reportTypes.ts';
import type { Scenario } from './schema.ts';
import { sortNrp } from './sortNrp.ts';

export interface ReportMeta {
  readonly durationMs: number;
  readonly converged: boolean;
  readonly latencies: readonly number[];
  readonly snapshots: Readonly<Record<string, StateSnapshot>>;
}

/** NRP and Kubernetes as they are now (a `snapshot` step, and the report's own sections). */
export function stateSnapshot(pipeline: Pick<Pipeline, 'nrp' | 'kube'>): StateSnapshot {
  return { nrp: sortNrp(pipeline.nrp.snapshot()), kubernetes: kubernetesState(pipeline.kube) };
}

/**
 * Dead letters of every queue. A message in `rejected-messages` is a message the functions refused
 * and parked on purpose: it counts as pending work (the convergence check sees it), not as dead.
 */
export function deadLetters(broker: Pipeline['broker']): DeadLetterEntry[] {
  const out: DeadLetterEntry[] = [];
  for (const queue of QUEUES) {
    let state: ReturnType<Pipeline['broker']['peekState']>;
    try {
      state = broker.peekState(queue);
    } catch {
      continue; // a queue the broker does not have holds no dead letters
    }
    for (const d of state.deadLetters) out.push({ queue, reason: d.reason ?? d.description ?? 'unknown' });
  }
  return out.sort((a, b) => byText(a.queue, b.queue) || byText(a.reason, b.reason));
}

export function buildReport(pipeline: Pick<Pipeline, 'nrp' | 'kube' | 'broker'>, scenario: Pick<Scenario, 'name'>, meta: ReportMeta): Report {
  const now = stateSnapshot(pipeline);
  // Keys in the README's order, so that the JSON reads like the documented example.
  return {
    scenario: scenario.name,
    converged: meta.converged,
    durationMs: Math.round(meta.durationMs),
    nrp: now.nrp,
    kubernetes: now.kubernetes,
    calls: pipeline.nrp.calls(),
    deadLetters: deadLetters(pipeline.broker),
    latencyMs: { p50: percentile(meta.latencies, 50), p99: percentile(meta.latencies, 99) },
    snapshots: meta.snapshots,
  };
}
