// The report's shape (shared/scenarios/README.md, "Report"). Other tools read it: the field names,
// their order and the sorting of every array are part of the format.
import type { NrpSnapshot } from '../sim/nrp/types.ts';

export type { NrpSnapshot } from '../sim/nrp/types.ts';

export interface KubeServiceEntry {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly ingressIPs: readonly string[];
  readonly finalizers: readonly string[];
}

export interface KubePodEntry {
  readonly namespace: string;
  readonly name: string;
  readonly finalizers: readonly string[];
}

export interface KubeEventEntry {
  /** `Kind/namespace/name` (`Kind/name` for a cluster-scoped object). */
  readonly object: string;
  readonly type: string;
  readonly reason: string;
}

export interface KubernetesSection {
  readonly services: readonly KubeServiceEntry[];
  readonly pods: readonly KubePodEntry[];
  readonly events: readonly KubeEventEntry[];
}

export interface StateSnapshot {
  readonly nrp: NrpSnapshot;
  readonly kubernetes: KubernetesSection;
}

export interface DeadLetterEntry {
  readonly queue: string;
  readonly reason: string;
}

export interface Report {
  readonly scenario: string;
  readonly converged: boolean;
  readonly durationMs: number;
  readonly nrp: NrpSnapshot;
  readonly kubernetes: KubernetesSection;
  readonly calls: Readonly<Record<string, number>>;
  readonly deadLetters: readonly DeadLetterEntry[];
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly snapshots: Readonly<Record<string, StateSnapshot>>;
}
