// A change the benchmark makes to the cluster, and what NRP must show once it has reached it.
import type { KubeObject } from '../../local/sim/kube/server.ts';

export type KubeWrite =
  | { readonly op: 'apply'; readonly object: KubeObject }
  | { readonly op: 'delete'; readonly kind: 'Pod'; readonly namespace: string; readonly name: string };

/** One fact about NRP: an address carries (or no longer carries) a service, or a service is registered. */
export type Expectation =
  | { readonly kind: 'address'; readonly location: string; readonly address: string; readonly service: string; readonly present: boolean }
  | { readonly kind: 'registered'; readonly service: string };

export type ChangeKind = 'endpointNotReady' | 'endpointReplaced' | 'egressPodDeleted' | 'egressPodCreated' | 'serviceCreated' | 'endpointSliceCreated';

export interface PlannedChange {
  /** When, from the start of its workload. */
  readonly atMs: number;
  readonly kind: ChangeKind;
  readonly write: KubeWrite;
  /** All of these hold in NRP once the change has reached it. */
  readonly expect: readonly Expectation[];
  /** The Service this change creates. */
  readonly createsService?: string | undefined;
  /** A Service that NRP must have registered before this change's addresses can go in. */
  readonly needsService?: string | undefined;
}
