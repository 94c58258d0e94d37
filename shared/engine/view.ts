import type {
  Cached,
  CachedPod,
  ClusterState,
  EndpointSliceFact,
  KubeObjectKind,
  NodeFact,
  NrpLocation,
  NrpServiceType,
  ServiceFact,
  ServiceKind,
  ServiceOp,
} from './types.ts';
import { podIndexOf } from './podIndex.ts';
import type { PodIndex } from './podIndex.ts';
import { serviceNamesOf } from './serviceNames.ts';
import type { ServiceNames } from './serviceNames.ts';

/** The read side of engine state, shared by a Draft and a persisted ClusterState. */
export interface EngineView {
  readonly kubeServices: ReadonlyMap<string, Cached<ServiceFact>>;
  /** The same Services by namespace/name, as slices name them. */
  readonly kubeServiceNames: ServiceNames;
  readonly kubeSlices: ReadonlyMap<string, Cached<EndpointSliceFact>>;
  readonly kubeNodes: ReadonlyMap<string, Cached<NodeFact>>;
  readonly kubePods: ReadonlyMap<string, CachedPod>;
  /** The same pods by identity and finalizer (podIndex.ts). */
  readonly kubePodIndex: PodIndex;
  readonly kubeSynced: ReadonlyMap<KubeObjectKind, string>;
  readonly ops: ReadonlyMap<string, ServiceOp>;
  readonly mirrorServices: ReadonlyMap<string, NrpServiceType>;
  readonly mirrorLocations: ReadonlyMap<string, NrpLocation>;
}

export function viewOf(state: ClusterState): EngineView {
  return {
    kubeServices: state.kube.services,
    get kubeServiceNames() {
      return serviceNamesOf(state.kube.services);
    },
    kubeSlices: state.kube.slices,
    kubeNodes: state.kube.nodes,
    kubePods: state.kube.pods,
    get kubePodIndex() {
      return podIndexOf(state.kube.pods);
    },
    kubeSynced: state.kube.synced,
    ops: state.ops,
    mirrorServices: state.nrp.services,
    mirrorLocations: state.nrp.locations,
  };
}

export function nrpHas(services: ReadonlyMap<string, NrpServiceType>, name: string, kind: ServiceKind): boolean {
  const t = services.get(name);
  if (t === undefined) return false;
  return t === 'InboundOutbound' || (kind === 'inbound' ? t === 'Inbound' : t === 'Outbound');
}

export function nrpTypeOf(kind: ServiceKind): NrpServiceType {
  return kind === 'inbound' ? 'Inbound' : 'Outbound';
}

/**
 * Whether addresses may reference this service in NRP (reference §4, isServiceReadyToSync):
 * registered and not being deleted. A service in a deletion state is never ready, so its
 * addresses drain before it is unregistered.
 */
export function isReadyToSync(view: EngineView, name: string, kind: ServiceKind): boolean {
  const op = view.ops.get(name);
  const registered = nrpHas(view.mirrorServices, name, kind);
  if (!op || op.kind !== kind) return registered;
  switch (op.state) {
    case 'Created':
    case 'UpdateInProgress':
      return true;
    case 'NotStarted':
    case 'CreationInProgress':
      return registered;
    case 'DeletionPending':
    case 'DeletionInProgress':
      return false;
  }
}
