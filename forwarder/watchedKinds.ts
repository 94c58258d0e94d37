// The four kinds the forwarder watches, cluster-wide. Pods only with the egress label, selected by
// the API server so that ordinary pods never cross the wire.
import type { KubeObjectKind } from '../shared/engine/types.ts';
import { EGRESS_LABEL } from '../shared/engine/types.ts';

export interface WatchedKind {
  readonly objectKind: KubeObjectKind;
  /** Cluster-wide list/watch path. */
  readonly path: string;
  readonly labelSelector?: string | undefined;
}

export const WATCHED_KINDS: readonly WatchedKind[] = [
  { objectKind: 'Node', path: '/api/v1/nodes' },
  { objectKind: 'Service', path: '/api/v1/services' },
  { objectKind: 'EndpointSlice', path: '/apis/discovery.k8s.io/v1/endpointslices' },
  { objectKind: 'Pod', path: '/api/v1/pods', labelSelector: EGRESS_LABEL },
];
