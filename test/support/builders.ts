// Builders for engine inputs: facts with sensible defaults, so a test states only what matters.
import { defaultEngineConfig } from '../../shared/engine/config.ts';
import { decide } from '../../shared/engine/decide.ts';
import { initialState } from '../../shared/engine/state.ts';
import type {
  ClusterState,
  DecideContext,
  EndpointSliceFact,
  EngineConfig,
  EngineEvent,
  KubeObjectKind,
  NodeFact,
  PodFact,
  ServiceFact,
  ServicePortFact,
} from '../../shared/engine/types.ts';
import { EGRESS_LABEL } from '../../shared/engine/types.ts';

export const CLUSTER = 'test-cluster';

/** A deterministic UUID-shaped UID for a short name. */
export function uidOf(name: string): string {
  let h = 0;
  for (const c of name) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  const hex = (h.toString(16) + '00000000').slice(0, 8);
  return `${hex}-0000-4000-8000-${(hex + hex).slice(0, 12)}`;
}

/** A seeded PRNG (mulberry32) for the one source of randomness the engine takes. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function ctxAt(now: number, config: Partial<EngineConfig> = {}, random: () => number = () => 0): DecideContext {
  return { now, random, config: { ...defaultEngineConfig, ...config } };
}

export interface ServiceOptions {
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  type?: string;
  loadBalancerClass?: string | null;
  deleting?: boolean;
  finalizers?: string[];
  annotations?: Record<string, string>;
  ipFamilies?: string[];
  sessionAffinity?: string | null;
  loadBalancerIP?: string | null;
  ports?: ServicePortFact[];
  ingressIPs?: string[];
}

/** Every Service built here, by UID, so `slice(name, uid)` can label a slice as its controller would. */
const builtServices = new Map<string, { readonly namespace: string; readonly name: string }>();

export function service(name: string, o: ServiceOptions = {}): ServiceFact {
  const namespace = o.namespace ?? 'default';
  const uid = o.uid ?? uidOf(name);
  builtServices.set(uid.toLowerCase(), { namespace, name });
  return {
    namespace,
    name,
    uid,
    resourceVersion: o.resourceVersion ?? '1',
    type: o.type ?? 'LoadBalancer',
    loadBalancerClass: o.loadBalancerClass ?? null,
    deleting: o.deleting ?? false,
    finalizers: o.finalizers ?? [],
    annotations: o.annotations ?? {},
    ipFamilies: o.ipFamilies ?? ['IPv4'],
    sessionAffinity: o.sessionAffinity ?? null,
    loadBalancerIP: o.loadBalancerIP ?? null,
    ports: o.ports ?? [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
    ingressIPs: o.ingressIPs ?? [],
  };
}

export interface EndpointSpec {
  ip: string | string[];
  node: string | null;
  ready?: boolean | null;
}

export interface SliceOptions {
  namespace?: string;
  resourceVersion?: string;
  addressType?: string;
  uid?: string;
  /** The `kubernetes.io/service-name` label; by default the name of the Service `serviceUid` was built with. */
  serviceName?: string | null;
  /** Service ownerReference UIDs; by default `serviceUid` alone. */
  owners?: string[];
}

/**
 * A slice of the Service built with `serviceUid`, as the EndpointSlice controller writes it: in the
 * Service's namespace, labelled with its name, owned by it. Options override each part.
 */
export function slice(name: string, serviceUid: string | null, endpoints: EndpointSpec[], o: SliceOptions = {}): EndpointSliceFact {
  const built = serviceUid === null ? undefined : builtServices.get(serviceUid.toLowerCase());
  return {
    namespace: o.namespace ?? built?.namespace ?? 'default',
    name,
    uid: o.uid ?? uidOf(`slice/${name}`),
    resourceVersion: o.resourceVersion ?? '1',
    serviceName: o.serviceName !== undefined ? o.serviceName : (built?.name ?? null),
    ownerServiceUids: o.owners ?? (serviceUid === null ? [] : [serviceUid]),
    addressType: o.addressType ?? 'IPv4',
    endpoints: endpoints.map((e) => ({ addresses: Array.isArray(e.ip) ? e.ip : [e.ip], nodeName: e.node, ready: e.ready === undefined ? true : e.ready })),
  };
}

export function node(name: string, internalIPs: string[], o: { resourceVersion?: string; uid?: string } = {}): NodeFact {
  return { name, uid: o.uid ?? uidOf(`node/${name}`), resourceVersion: o.resourceVersion ?? '1', internalIPs };
}

export interface PodOptions {
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  phase?: string;
  nodeName?: string | null;
  hostIPs?: string[];
  podIPs?: string[];
  deleting?: boolean;
  finalizers?: string[];
}

export function pod(name: string, egressLabel: string | null, o: PodOptions = {}): PodFact {
  return {
    namespace: o.namespace ?? 'default',
    name,
    uid: o.uid ?? uidOf(`pod/${name}`),
    resourceVersion: o.resourceVersion ?? '1',
    egressLabel,
    phase: o.phase ?? 'Running',
    nodeName: o.nodeName ?? 'node-a',
    hostIPs: o.hostIPs ?? ['10.0.0.4'],
    podIPs: o.podIPs ?? ['10.244.0.10'],
    deleting: o.deleting ?? false,
    finalizers: o.finalizers ?? [],
  };
}

export { EGRESS_LABEL };

export const ALL_KINDS: readonly KubeObjectKind[] = ['Service', 'EndpointSlice', 'Node', 'Pod'];

/** Events that mark every kind as listed, so absence is trusted and syncs may run. */
/**
 * Every kind listed once, a read of NRP that found nothing the mirror does not hold (no sync runs
 * before NRP was read once; on a fresh state, that read says NRP is empty), and a listing of Azure
 * that found none of the engine's resources (no Service finalizer comes off before one).
 */
export function syncedEvents(snapshot = 'initial'): EngineEvent[] {
  return [
    ...ALL_KINDS.map((objectKind): EngineEvent => ({ kind: 'KubernetesSynced', objectKind, snapshot })),
    { kind: 'NrpDriftObserved', nrpEpoch: 0, services: [], locations: [] },
    { kind: 'AzureResourcesObserved', nrpEpoch: 0, resources: [] },
  ];
}

/** A synced cluster of one node and one Service `web` with one ready endpoint on it, as the forwarder sends it. */
export function webCluster(): EngineEvent[] {
  return [
    ...syncedEvents(),
    { kind: 'NodeUpserted', node: node('node-a', ['10.0.0.4']) },
    { kind: 'ServiceUpserted', service: service('web', { resourceVersion: '10' }) },
    { kind: 'EndpointSliceUpserted', slice: slice('web-1', uidOf('web'), [{ ip: '10.244.0.7', node: 'node-a' }], { resourceVersion: '11' }) },
  ];
}

/** An empty cluster whose initial snapshot has completed. */
export function syncedState(now = 0, cluster = CLUSTER): ClusterState {
  return decide(initialState(cluster), syncedEvents(), ctxAt(now)).state;
}

export const upsertService = (s: ServiceFact): EngineEvent => ({ kind: 'ServiceUpserted', service: s });
export const upsertSlice = (s: EndpointSliceFact): EngineEvent => ({ kind: 'EndpointSliceUpserted', slice: s });
export const upsertNode = (n: NodeFact): EngineEvent => ({ kind: 'NodeUpserted', node: n });
export const upsertPod = (p: PodFact): EngineEvent => ({ kind: 'PodUpserted', pod: p });

export function deleted(objectKind: KubeObjectKind, o: { namespace?: string | null; name: string; uid: string; resourceVersion?: string }): EngineEvent {
  return {
    kind: 'ObjectDeleted',
    objectKind,
    namespace: objectKind === 'Node' ? null : (o.namespace ?? 'default'),
    name: o.name,
    uid: o.uid,
    resourceVersion: o.resourceVersion ?? '999',
  };
}
