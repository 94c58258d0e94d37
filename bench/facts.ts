// Small fact builders for the benchmarks: a synthetic cluster of nodes, LoadBalancer Services with
// one EndpointSlice each, and egress pods, plus the churn that replaces pods in it. Kept apart from
// test/support so that the benchmark does not depend on test code.
import { defaultEngineConfig } from '../shared/engine/config.ts';
import type { DesiredLocations } from '../shared/engine/desired.ts';
import { podRegistration } from '../shared/engine/placement.ts';
import { podIndexOf } from '../shared/engine/podIndex.ts';
import { serviceNamesOf } from '../shared/engine/serviceNames.ts';
import type {
  Cached,
  CachedPod,
  DecideContext,
  EndpointFact,
  EndpointSliceFact,
  EngineConfig,
  EngineEvent,
  KubeObjectKind,
  NodeFact,
  NrpLocation,
  NrpServiceType,
  PodFact,
  ServiceFact,
} from '../shared/engine/types.ts';
import { POD_FINALIZER, SERVICE_FINALIZER } from '../shared/engine/types.ts';
import type { EngineView } from '../shared/engine/view.ts';
import { seededRandom } from '../test/support/builders.ts';

export { seededRandom };

export const ALL_KINDS: readonly KubeObjectKind[] = ['Service', 'EndpointSlice', 'Node', 'Pod'];

export function contextAt(now: number, config: Partial<EngineConfig> = {}): DecideContext {
  return { now, random: () => 0.5, config: { ...defaultEngineConfig, ...config } };
}

/** Every kind listed (as of resourceVersion `snapshot`), so absence is trusted and syncs may run. */
export function syncedEvents(snapshot = '1'): EngineEvent[] {
  return ALL_KINDS.map((objectKind) => ({ kind: 'KubernetesSynced', objectKind, snapshot }));
}

/** Node IPs: 10.1.0.4 upwards, 250 to a /24. */
export function nodeIp(i: number): string {
  return `10.1.${Math.floor(i / 250)}.${(i % 250) + 4}`;
}

/** Pod IPs: the n-th address of 10.128.0.0/9, never reused within a run. */
export function podIp(n: number): string {
  return `10.${128 + (n >>> 16)}.${(n >>> 8) & 255}.${n & 255}`;
}

/** A UUID-shaped UID that is unique per (prefix, index). */
export function uid(prefix: number, i: number): string {
  return `${prefix.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

export function nodeFact(i: number, resourceVersion: string): NodeFact {
  return { name: `node-${i}`, uid: uid(1, i), resourceVersion, internalIPs: [nodeIp(i)] };
}

export function serviceFact(i: number, resourceVersion: string): ServiceFact {
  return {
    namespace: 'bench',
    name: `svc-${i}`,
    uid: uid(2, i),
    resourceVersion,
    type: 'LoadBalancer',
    loadBalancerClass: null,
    deleting: false,
    // Steady state: the engine's finalizer is already on.
    finalizers: [SERVICE_FINALIZER],
    annotations: {},
    ipFamilies: ['IPv4'],
    sessionAffinity: null,
    loadBalancerIP: null,
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
    ingressIPs: [],
  };
}

export interface Endpoint {
  readonly ip: string;
  readonly node: number;
}

export function sliceFact(i: number, endpoints: readonly Endpoint[], resourceVersion: string): EndpointSliceFact {
  return {
    namespace: 'bench',
    name: `svc-${i}-x1`,
    uid: uid(3, i),
    resourceVersion,
    serviceName: `svc-${i}`,
    ownerServiceUids: [uid(2, i)],
    addressType: 'IPv4',
    endpoints: endpoints.map((e): EndpointFact => ({ addresses: [e.ip], nodeName: `node-${e.node}`, ready: true })),
  };
}

export interface EgressPod {
  readonly identity: number;
  readonly index: number;
  readonly ip: string;
  readonly node: number;
}

export function egressIdentity(i: number): string {
  return `egress-${i}`;
}

export function podFact(p: EgressPod, resourceVersion: string): PodFact {
  return {
    namespace: 'egress',
    name: `egress-${p.identity}-pod-${p.index}`,
    uid: uid(4, p.identity * 100_000 + p.index),
    resourceVersion,
    egressLabel: egressIdentity(p.identity),
    phase: 'Running',
    nodeName: `node-${p.node}`,
    hostIPs: [nodeIp(p.node)],
    podIPs: [p.ip],
    deleting: false,
    finalizers: [POD_FINALIZER],
  };
}

export interface ClusterShape {
  readonly nodes: number;
  readonly services: number;
  readonly endpointsPerService: number;
  readonly identities: number;
  readonly podsPerIdentity: number;
}

/**
 * A synthetic cluster that remembers what it last told the engine, so that churn events carry
 * increasing resourceVersions and replace what is really there.
 */
export class SyntheticCluster {
  readonly shape: ClusterShape;
  readonly slices: Endpoint[][] = [];
  readonly pods: EgressPod[] = [];
  private readonly random: () => number;
  private rv = 1;
  private ips = 0;
  private churned = 0;

  constructor(shape: ClusterShape, seed: number) {
    this.shape = shape;
    this.random = seededRandom(seed);
    for (let s = 0; s < shape.services; s++) {
      const eps: Endpoint[] = [];
      for (let e = 0; e < shape.endpointsPerService; e++) eps.push({ ip: this.nextIp(), node: (s + e) % shape.nodes });
      this.slices.push(eps);
    }
    for (let id = 0; id < shape.identities; id++) {
      for (let p = 0; p < shape.podsPerIdentity; p++) {
        this.pods.push({ identity: id, index: p, ip: this.nextIp(), node: (id * 7 + p) % shape.nodes });
      }
    }
  }

  nextIp(): string {
    return podIp(this.ips++);
  }

  nextRv(): string {
    this.rv += 1;
    return String(this.rv);
  }

  private pick(n: number): number {
    return Math.floor(this.random() * n);
  }

  nodeEvents(): EngineEvent[] {
    const out: EngineEvent[] = [];
    for (let i = 0; i < this.shape.nodes; i++) out.push({ kind: 'NodeUpserted', node: nodeFact(i, this.nextRv()) });
    return out;
  }

  serviceEvents(): EngineEvent[] {
    const out: EngineEvent[] = [];
    for (let i = 0; i < this.shape.services; i++) out.push({ kind: 'ServiceUpserted', service: serviceFact(i, this.nextRv()) });
    return out;
  }

  sliceEvents(): EngineEvent[] {
    return this.slices.map((eps, i): EngineEvent => ({ kind: 'EndpointSliceUpserted', slice: sliceFact(i, eps, this.nextRv()) }));
  }

  podEvents(): EngineEvent[] {
    return this.pods.map((p): EngineEvent => ({ kind: 'PodUpserted', pod: podFact(p, this.nextRv()) }));
  }

  /** A backend pod replaced: one endpoint of a random slice gets a new IP on another node. */
  endpointReplaced(): EngineEvent {
    const s = this.pick(this.slices.length);
    const eps = this.slices[s] ?? [];
    const e = this.pick(eps.length);
    const old = eps[e];
    if (old) eps[e] = { ip: this.nextIp(), node: (old.node + 1 + this.pick(this.shape.nodes - 1)) % this.shape.nodes };
    return { kind: 'EndpointSliceUpserted', slice: sliceFact(s, eps, this.nextRv()) };
  }

  /** An egress pod that came back with a new IP on another node. */
  egressPodMoved(): EngineEvent {
    const i = this.pick(this.pods.length);
    const old = this.pods[i];
    if (!old) throw new Error('no pods');
    const moved: EgressPod = { ...old, ip: this.nextIp(), node: (old.node + 1 + this.pick(this.shape.nodes - 1)) % this.shape.nodes };
    this.pods[i] = moved;
    return { kind: 'PodUpserted', pod: podFact(moved, this.nextRv()) };
  }

  /** Churn events: endpoint replacements and egress pod moves, alternating (also across calls). */
  churn(size: number): EngineEvent[] {
    const out: EngineEvent[] = [];
    for (let i = 0; i < size; i++) out.push(this.churned++ % 2 === 0 ? this.endpointReplaced() : this.egressPodMoved());
    return out;
  }
}

/**
 * The view of a converged cluster, built directly rather than through decide(): every Service and
 * egress identity is registered in NRP (untracked, so readiness comes from the NRP registration,
 * as after a restart). Slice endpoints and egress pods are spread round-robin over the nodes.
 */
export function convergedView(shape: ClusterShape): EngineView {
  const nodes = new Map<string, Cached<NodeFact>>();
  for (let i = 0; i < shape.nodes; i++) {
    const fact = nodeFact(i, '1');
    nodes.set(fact.name, { fact, snapshot: null });
  }
  let ip = 0;
  const services = new Map<string, Cached<ServiceFact>>();
  const slices = new Map<string, Cached<EndpointSliceFact>>();
  const registered = new Map<string, NrpServiceType>();
  for (let s = 0; s < shape.services; s++) {
    const svc = serviceFact(s, '1');
    services.set(svc.uid, { fact: svc, snapshot: null });
    registered.set(svc.uid, 'Inbound');
    const eps: Endpoint[] = [];
    for (let e = 0; e < shape.endpointsPerService; e++) eps.push({ ip: podIp(ip++), node: (s * shape.endpointsPerService + e) % shape.nodes });
    const slice = sliceFact(s, eps, '1');
    slices.set(`${slice.namespace}/${slice.name}`, { fact: slice, snapshot: null });
  }
  const pods = new Map<string, CachedPod>();
  for (let id = 0; id < shape.identities; id++) {
    registered.set(egressIdentity(id), 'Outbound');
    for (let p = 0; p < shape.podsPerIdentity; p++) {
      const fact = podFact({ identity: id, index: p, ip: podIp(ip++), node: (id * shape.podsPerIdentity + p) % shape.nodes }, '1');
      const registration = podRegistration(fact);
      pods.set(`${fact.namespace}/${fact.name}`, { fact, snapshot: null, registered: registration, live: registration !== null });
    }
  }
  return {
    kubeServices: services,
    kubeServiceNames: serviceNamesOf(services),
    kubeSlices: slices,
    kubeNodes: nodes,
    kubePods: pods,
    kubePodIndex: podIndexOf(pods),
    kubeSynced: new Map(ALL_KINDS.map((k) => [k, '1'])),
    ops: new Map(),
    mirrorServices: registered,
    mirrorLocations: new Map(),
  };
}

export function countAddresses(desired: DesiredLocations): number {
  let n = 0;
  for (const loc of desired.values()) n += loc.size;
  return n;
}

/**
 * The desired state as NRP would hold it, with every 100th address made different, in turn:
 * missing from NRP (an add), carrying one service too many (an update), or joined by a stale
 * address NRP still holds (a removal).
 */
export function mirrorDifferingByOnePercent(desired: DesiredLocations): { mirror: Map<string, NrpLocation>; differing: number } {
  const mirror = new Map<string, NrpLocation>();
  let i = 0;
  let differing = 0;
  let stale = 0;
  for (const [location, addrs] of desired) {
    const have = new Map<string, readonly string[]>();
    for (const [address, services] of addrs) {
      const k = i++;
      if (k % 100 !== 0) {
        have.set(address, services);
        continue;
      }
      differing++;
      const variant = (k / 100) % 3;
      if (variant === 0) continue;
      if (variant === 1) {
        have.set(address, [...services, 'ffffffff-0000-4000-8000-000000000000']);
      } else {
        have.set(address, services);
        have.set(`10.64.${(stale >>> 8) & 255}.${stale & 255}`, [uid(2, 0)]);
        stale++;
      }
    }
    mirror.set(location, { addresses: have, certain: true });
  }
  return { mirror, differing };
}
