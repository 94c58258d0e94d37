// The whole run's cluster and changes, generated from a seed before anything starts: the steady
// state's objects, then the churn, the burst and the creation wave, each planned on the cluster as
// the previous workload leaves it. Objects are materialised in time order, so that an
// EndpointSlice written by a later change carries every earlier change to it.
import type { KubeObject } from '../../local/sim/kube/server.ts';
import { egressIdentity, nodeIp, podIp, seededRandom, uid } from '../facts.ts';
import {
  EGRESS_NAMESPACE, SERVICE_NAMESPACE, namespaceObject, nodeObject, podObject, serviceObject, sliceObject,
} from './kubeObjects.ts';
import type { EgressPod, Endpoint, ServiceModel } from './kubeObjects.ts';
import type { Expectation, PlannedChange } from './plannedChange.ts';
import type { WorkloadShapes } from './shapes.ts';

export interface BenchPlan {
  /** Namespaces, Nodes, Services, EndpointSlices and egress pods of the steady state. */
  readonly initial: readonly KubeObject[];
  readonly churn: readonly PlannedChange[];
  readonly burst: readonly PlannedChange[];
  readonly wave: readonly PlannedChange[];
  readonly drainedNodes: readonly number[];
}

type Slot = { readonly kind: 'endpoint'; readonly service: number; readonly endpoint: number } | { readonly kind: 'pod'; readonly pod: number };

interface Step {
  readonly atMs: number;
  readonly make: () => PlannedChange;
}

const present = (node: number, address: string, service: string, isThere: boolean): Expectation =>
  ({ kind: 'address', location: nodeIp(node), address, service, present: isThere });

class PlanBuilder {
  private readonly shapes: WorkloadShapes;
  private readonly random: () => number;
  readonly services: ServiceModel[] = [];
  readonly pods: EgressPod[] = [];
  private ips = 0;
  private podNames = 0;
  /** Nodes nothing new is placed on (drained). */
  private readonly cordoned = new Set<number>();

  constructor(shapes: WorkloadShapes, seed: number) {
    this.shapes = shapes;
    this.random = seededRandom(seed);
    const c = shapes.cluster;
    for (let s = 0; s < c.services; s++) this.services.push(this.newService(s, c.endpointsPerService));
    for (let id = 0; id < c.identities; id++) {
      for (let p = 0; p < c.podsPerIdentity; p++) this.pods.push(this.newPod(id, (id * 7 + p) % c.nodes));
    }
  }

  private pick(n: number): number {
    return Math.floor(this.random() * n);
  }

  private nextIp(): string {
    return podIp(this.ips++);
  }

  private newService(index: number, endpoints: number): ServiceModel {
    const open = this.openNodes();
    const eps: Endpoint[] = [];
    for (let e = 0; e < endpoints; e++) eps.push({ ip: this.nextIp(), node: open[(index + e) % open.length] ?? 0, ready: true });
    return { index, uid: uid(2, index), name: `svc-${index}`, endpoints: eps };
  }

  private newPod(identity: number, node: number): EgressPod {
    const n = this.podNames++;
    return { name: `egress-${identity}-${n}`, uid: uid(4, n), identity, ip: this.nextIp(), node };
  }

  private openNodes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.shapes.cluster.nodes; i++) if (!this.cordoned.has(i)) out.push(i);
    return out;
  }

  /** Another node than `node`, never a drained one. */
  private otherNode(node: number): number {
    const open = this.openNodes().filter((n) => n !== node);
    return open[this.pick(open.length)] ?? node;
  }

  initialObjects(): KubeObject[] {
    const c = this.shapes.cluster;
    const out: KubeObject[] = [namespaceObject(SERVICE_NAMESPACE), namespaceObject(EGRESS_NAMESPACE)];
    for (let i = 0; i < c.nodes; i++) out.push(nodeObject(i));
    for (const s of this.services) out.push(serviceObject(s), sliceObject(s));
    for (const p of this.pods) out.push(podObject(p));
    return out;
  }

  /** A pod leaves (its endpoint turns not ready, or the egress pod is deleted): the first half of a move. */
  private leave(slot: Slot, atMs: number): Step {
    return {
      atMs,
      make: () => {
        if (slot.kind === 'endpoint') {
          const s = this.services[slot.service];
          const old = s?.endpoints[slot.endpoint];
          if (!s || !old) throw new Error('no such endpoint');
          s.endpoints = s.endpoints.map((e, i) => (i === slot.endpoint ? { ...e, ready: false } : e));
          return { atMs, kind: 'endpointNotReady', write: { op: 'apply', object: sliceObject(s) }, expect: [present(old.node, old.ip, s.uid, false)] };
        }
        const p = this.pods[slot.pod];
        if (!p) throw new Error('no such pod');
        return {
          atMs,
          kind: 'egressPodDeleted',
          write: { op: 'delete', kind: 'Pod', namespace: EGRESS_NAMESPACE, name: p.name },
          expect: [present(p.node, p.ip, egressIdentity(p.identity), false)],
        };
      },
    };
  }

  /** Its replacement comes up with a new IP on another node: the second half of a move. */
  private replace(slot: Slot, atMs: number): Step {
    return {
      atMs,
      make: () => {
        if (slot.kind === 'endpoint') {
          const s = this.services[slot.service];
          const old = s?.endpoints[slot.endpoint];
          if (!s || !old) throw new Error('no such endpoint');
          const moved: Endpoint = { ip: this.nextIp(), node: this.otherNode(old.node), ready: true };
          s.endpoints = s.endpoints.map((e, i) => (i === slot.endpoint ? moved : e));
          return { atMs, kind: 'endpointReplaced', write: { op: 'apply', object: sliceObject(s) }, expect: [present(moved.node, moved.ip, s.uid, true)] };
        }
        const old = this.pods[slot.pod];
        if (!old) throw new Error('no such pod');
        const p = this.newPod(old.identity, this.otherNode(old.node));
        this.pods[slot.pod] = p;
        return { atMs, kind: 'egressPodCreated', write: { op: 'apply', object: podObject(p) }, expect: [present(p.node, p.ip, egressIdentity(p.identity), true)] };
      },
    };
  }

  private slotCount(): number {
    return this.services.length * this.shapes.cluster.endpointsPerService + this.pods.length;
  }

  private slotAt(i: number): Slot {
    const eps = this.shapes.cluster.endpointsPerService;
    const endpoints = this.services.length * eps;
    return i < endpoints ? { kind: 'endpoint', service: Math.floor(i / eps), endpoint: i % eps } : { kind: 'pod', pod: i - endpoints };
  }

  /** Rolling updates at a steady rate; no pod moves twice, so every change has its own outcome. */
  churn(): PlannedChange[] {
    const { seconds, changesPerSecond, replacementAfterMs } = this.shapes.churn;
    const moves = Math.floor((seconds * changesPerSecond) / 2);
    const everyMs = 2_000 / changesPerSecond;
    const taken = new Set<number>();
    const steps: Step[] = [];
    for (let m = 0; m < moves; m++) {
      let i = this.pick(this.slotCount());
      while (taken.has(i)) i = (i + 1) % this.slotCount();
      taken.add(i);
      const at = Math.round(m * everyMs);
      steps.push(this.leave(this.slotAt(i), at), this.replace(this.slotAt(i), at + replacementAfterMs));
    }
    return materialise(steps);
  }

  /** Nodes drain at once: every pod on them leaves, then comes back elsewhere, until `changes`. */
  burst(): { changes: PlannedChange[]; drained: number[] } {
    const nodes = this.openNodes();
    for (let i = nodes.length - 1; i > 0; i--) {
      const j = this.pick(i + 1);
      [nodes[i], nodes[j]] = [nodes[j] ?? 0, nodes[i] ?? 0];
    }
    const slots: Slot[] = [];
    const drained: number[] = [];
    const wanted = Math.floor(this.shapes.burst.changes / 2);
    for (const node of nodes) {
      if (slots.length >= wanted || drained.length >= nodes.length - 1) break;
      drained.push(node);
      this.cordoned.add(node);
      for (let i = 0; i < this.slotCount(); i++) {
        const slot = this.slotAt(i);
        const on = slot.kind === 'endpoint' ? this.services[slot.service]?.endpoints[slot.endpoint]?.node : this.pods[slot.pod]?.node;
        if (on === node) slots.push(slot);
      }
    }
    const moving = slots.slice(0, wanted);
    const steps = [...moving.map((s) => this.leave(s, 0)), ...moving.map((s) => this.replace(s, 0))];
    return { changes: materialise(steps), drained };
  }

  /** New LoadBalancer Services, each with its EndpointSlice, spread over `withinMs`. */
  wave(): PlannedChange[] {
    const { services, endpointsPerService, withinMs } = this.shapes.wave;
    const out: PlannedChange[] = [];
    for (let k = 0; k < services; k++) {
      const s = this.newService(this.services.length, endpointsPerService);
      this.services.push(s);
      const atMs = Math.floor((k * withinMs) / services);
      out.push({ atMs, kind: 'serviceCreated', write: { op: 'apply', object: serviceObject(s) }, expect: [{ kind: 'registered', service: s.uid }], createsService: s.uid });
      out.push({
        atMs,
        kind: 'endpointSliceCreated',
        write: { op: 'apply', object: sliceObject(s) },
        expect: s.endpoints.map((e) => present(e.node, e.ip, s.uid, true)),
        needsService: s.uid,
      });
    }
    return out;
  }
}

/** Steps in time order (stable), each made only when its turn comes. */
function materialise(steps: readonly Step[]): PlannedChange[] {
  return [...steps].sort((a, b) => a.atMs - b.atMs).map((s) => s.make());
}

export function planBench(shapes: WorkloadShapes, seed: number): BenchPlan {
  const b = new PlanBuilder(shapes, seed);
  const initial = b.initialObjects();
  const churn = b.churn();
  const { changes: burst, drained } = b.burst();
  const wave = b.wave();
  return { initial, churn, burst, wave, drainedNodes: drained };
}
