// The system model: a World (Kubernetes + NRP model around the pure engine) plus what surrounds
// the engine in production: a second forwarder whose list and watch arrive late, API-server and
// bus outages, lost Kubernetes actions, ARM failures by status code, and restarts of the Functions
// host that reload the state from its stored rows. `step` runs one generated step and checks the
// safety invariant; `stopFaultsAndSettle` then checks convergence.
import assert from 'node:assert/strict';
import { admitInboundService } from '../../../shared/engine/admission.ts';
import type { EngineEvent, OperationOutcome, PodFact, ServiceFact } from '../../../shared/engine/types.ts';
import { assembleState, metaJsonOf, rowsOf } from '../../../shared/state/stateRows.ts';
import { expectedNrp } from '../../../local/scenario/expectedNrp.ts';
import { CLUSTER, node, pod, seededRandom, service, slice, uidOf } from '../builders.ts';
import { World } from '../world.ts';
import type { ObjectFact } from '../world.ts';
import { ADDRESSES, ARM_FAILURES, ARM_TERMINAL, IDENTITIES, NODES, NODE_NAMES, SERVICES } from './steps.ts';
import type { Step } from './steps.ts';

type ServiceObject = Extract<ObjectFact, { kind: 'Service' }>;

/** A forwarder other than the one the World delivers for: what it listed, then what it watched since. */
interface LateSender {
  readonly events: EngineEvent[];
}

export class SystemModel {
  readonly w: World;
  private readonly senders: LateSender[] = [];
  /** UIDs of Services admitted once and ours since: a later invalid spec keeps their load balancer. */
  private readonly keptLive = new Set<string>();
  /**
   * NRP names of live admitted Services whose load balancer the engine has made since they last
   * became live: from then on, while they stay live, no delete may be dispatched and NRP must keep
   * them. (A Service made live again while its delete is already under way is deleted and then
   * recreated, as the reference does: that loss is the user's type flip, not the engine's.)
   */
  private readonly protectedLive = new Set<string>();
  private generation = 0;
  private checkedCommands = 0;
  private readEvents = 0;
  /** The newest resourceVersion of each Service UID the engine was told about. */
  private readonly seenVersion = new Map<string, number>();
  restarts = 0;

  constructor(seed: number) {
    this.w = new World({ random: seededRandom(seed), config: { maxAddressesPerRequest: 2, maxConcurrentOperations: 2 } });
    // Other forwarders watch the same cluster: they collect every watch event it produces.
    this.w.watchers.push((e) => {
      for (const s of this.senders) s.events.push(e);
    });
  }

  private admitted = (o: ServiceObject): boolean => admitInboundService(o.fact).admitted || this.keptLive.has(o.fact.uid);

  /** NRP names of the Services that are live (exist, not deleting, LoadBalancer, ours) and admitted. */
  liveAdmitted(): Set<string> {
    const out = new Set<string>();
    for (const o of this.w.cluster.values()) {
      if (o.kind !== 'Service' || o.fact.deleting || o.fact.type !== 'LoadBalancer' || o.fact.loadBalancerClass !== null) continue;
      if (this.admitted(o)) out.add(o.fact.uid.toLowerCase());
    }
    return out;
  }

  private uidFor(kind: string, name: string): string {
    const o = this.w.cluster.get(`${kind}/default/${name}`);
    return o && o.kind !== 'Node' ? o.fact.uid : uidOf(`${kind}/${name}#${++this.generation}`);
  }

  private serviceFact(a: Extract<Step, { t: 'service' }>, uid: string): ServiceFact {
    const name = SERVICES[a.name] ?? 'svc-1';
    // An SCTP port is refused by admission: the engine keeps a load balancer it already made.
    const ports = a.valid ? [{ protocol: 'TCP', port: 80, targetPort: 8080 }] : [{ protocol: 'SCTP', port: 80, targetPort: 80 }];
    return service(name, { uid, type: a.lb ? 'LoadBalancer' : 'ClusterIP', ports });
  }

  private podFact(a: Extract<Step, { t: 'pod' }>, uid: string, egressLabel: string | null): PodFact {
    const nodeName = NODE_NAMES[a.node] ?? 'node-a';
    const n = this.w.get('Node', nodeName);
    // A pod may be seen before its node: its hostIP is the node's first address anyway.
    const hostIPs = n?.kind === 'Node' ? [...n.fact.internalIPs] : (NODES[nodeName]?.[0] ?? []);
    const podIPs = hostIPs.some((ip) => ip.includes(':')) ? [`10.244.${a.idx + 10}.1`, `fd00:244::${a.idx + 10}`] : [`10.244.${a.idx + 10}.1`];
    return pod(`pod-${a.idx}`, egressLabel, { uid, nodeName, hostIPs, podIPs, phase: a.running ? 'Running' : 'Succeeded' });
  }

  private completeOp(a: Extract<Step, { t: 'completeOp' }>): void {
    const w = this.w;
    const ids = [...w.pendingOps.keys()];
    if (ids.length === 0) return;
    const id = ids[a.pick % ids.length] ?? '';
    const op = w.pendingOps.get(id);
    if (!op) return;
    w.pendingOps.delete(id);
    const failure = a.failure === null ? undefined : (ARM_FAILURES[a.failure] ?? ARM_TERMINAL);
    let outcome: OperationOutcome;
    if (failure === undefined) outcome = w.nrp.applyOperation(op);
    else {
      // A 5xx may have been applied: NRP changed although the caller saw an error.
      if (failure.mayApply && a.applied) w.nrp.applyOperation(op);
      outcome = { result: 'failure', terminal: failure.terminal, code: failure.code, message: `injected HTTP ${failure.status}` };
    }
    w.send([{ kind: 'ServiceOperationCompleted', serviceName: op.serviceName, dispatchId: id, outcome }]);
  }

  /** The Functions host restarts: the engine state is what its stored rows say, nothing more. */
  private restart(): void {
    this.restarts++;
    this.w.state = assembleState(CLUSTER, metaJsonOf(this.w.state), rowsOf(this.w.state)).state;
  }

  private relist(): void {
    this.w.send(this.w.listEvents(this.w.listVersion));
  }

  /**
   * Whether the object may be written now; `fresh` deletes it first, for a re-creation under the
   * same name. Kubernetes refuses both while a deletion waits on finalizers.
   */
  private writable(kind: 'Service' | 'Pod', name: string, fresh: boolean): boolean {
    if (fresh) this.w.remove(kind, name);
    const o = this.w.get(kind, name);
    return !(o && (o.kind === 'Service' || o.kind === 'Pod') && o.fact.deleting);
  }

  step(a: Step): void {
    const w = this.w;
    switch (a.t) {
      case 'node':
        w.apply({ kind: 'Node', fact: node(NODE_NAMES[a.name] ?? 'node-a', NODES[NODE_NAMES[a.name] ?? 'node-a']?.[a.variant] ?? []) });
        break;
      case 'nodeDelete':
        w.remove('Node', NODE_NAMES[a.name] ?? 'node-a');
        break;
      case 'service': {
        const name = SERVICES[a.name] ?? 'svc-1';
        if (this.writable('Service', name, a.fresh)) w.apply({ kind: 'Service', fact: this.serviceFact(a, this.uidFor('Service', name)) });
        break;
      }
      case 'serviceDelete':
        w.remove('Service', SERVICES[a.name] ?? 'svc-1');
        break;
      case 'slice': {
        const name = SERVICES[a.svc] ?? 'svc-1';
        const svc = w.get('Service', name);
        // Labelled with the Service's name; owned by it when it exists (a slice outliving its Service
        // keeps only the label, as one a user manages would).
        const owners = svc?.kind === 'Service' ? [svc.fact.uid] : [];
        const endpoints = a.endpoints.map((e) => ({ ip: ADDRESSES[e.addr] ?? '10.244.9.9', node: NODE_NAMES[e.node] ?? null, ready: e.ready }));
        w.apply({ kind: 'EndpointSlice', fact: slice(`${name}-v4`, null, endpoints, { uid: this.uidFor('EndpointSlice', `${name}-v4`), serviceName: name, owners }) });
        break;
      }
      case 'sliceDelete':
        w.remove('EndpointSlice', `${SERVICES[a.svc] ?? 'svc-1'}-v4`);
        break;
      case 'pod': {
        const name = `pod-${a.idx}`;
        if (this.writable('Pod', name, a.fresh)) w.apply({ kind: 'Pod', fact: this.podFact(a, this.uidFor('Pod', name), IDENTITIES[a.identity] ?? 'team-a') });
        break;
      }
      case 'podUnlabel': {
        const o = w.get('Pod', `pod-${a.idx}`);
        if (o?.kind === 'Pod' && !o.fact.deleting) w.apply({ kind: 'Pod', fact: { ...o.fact, egressLabel: null } });
        break;
      }
      case 'podDelete':
        w.remove('Pod', `pod-${a.idx}`);
        break;
      case 'oversize': {
        // Only an object whose current content the engine has read: one first seen oversize has no
        // last known state to act on, and the engine rightly leaves it alone (a Warning Event).
        if (w.losingKubeEvents) break;
        const objects = [...w.cluster.values()];
        const o = objects[a.pick % Math.max(1, objects.length)];
        if (o) w.withhold(o.kind, o.fact.name, o.kind === 'Node' ? undefined : o.fact.namespace);
        break;
      }
      case 'completeOp':
        this.completeOp(a);
        break;
      case 'completeSync':
        w.completeSyncAs(a.mode, a.failAt);
        break;
      case 'loseKubeActions':
        w.losingKubeActions = a.on;
        break;
      case 'outage':
        this.outage(a.on);
        break;
      case 'staleList':
        if (this.senders.length < 2) this.senders.push({ events: w.listEvents(w.listVersion) });
        break;
      case 'deliverStale': {
        const s = this.senders[a.sender % Math.max(1, this.senders.length)];
        if (!s || w.losingKubeEvents) break;
        w.send(s.events.splice(0, a.count));
        if (s.events.length === 0) this.senders.splice(this.senders.indexOf(s), 1);
        break;
      }
      case 'relist':
        if (!w.losingKubeEvents) this.relist();
        break;
      case 'restart':
        this.restart();
        break;
      case 'observeDrift':
        w.observeNrpDrift(200);
        break;
      case 'tick':
        w.advance(a.ms);
        break;
    }
    this.checkSafety(a);
  }

  /** The API server (or the bus) is unreachable: no watch event and no Kubernetes action gets through. */
  private outage(on: boolean): void {
    const w = this.w;
    if (on === w.losingKubeEvents) return;
    w.losingKubeEvents = on;
    w.losingKubeActions = on;
    // The watch broke: once back, the forwarder lists again.
    if (!on) this.relist();
  }

  /**
   * Follow what the engine was told (not what the cluster did: an outage hides changes): a Service
   * it saw admitted keeps its load balancer through a later invalid spec, until it stops being a
   * LoadBalancer.
   */
  private followAdmissions(): void {
    for (const e of this.w.history.slice(this.readEvents)) {
      if (e.kind !== 'ServiceUpserted') continue;
      const rv = Number(e.service.resourceVersion);
      if (rv <= (this.seenVersion.get(e.service.uid) ?? 0)) continue;
      this.seenVersion.set(e.service.uid, rv);
      if (e.service.type !== 'LoadBalancer') this.keptLive.delete(e.service.uid);
      else if (admitInboundService(e.service).admitted) this.keptLive.add(e.service.uid);
    }
    this.readEvents = this.w.history.length;
  }

  /** At every step: NRP's own rules hold, and no live admitted Service's load balancer or IP goes. */
  private checkSafety(a: Step): void {
    const w = this.w;
    this.followAdmissions();
    assert.deepEqual(w.nrp.violations, [], `NRP rule broken after ${JSON.stringify(a)}`);
    const live = this.liveAdmitted();
    for (const name of [...this.protectedLive]) if (!live.has(name)) this.protectedLive.delete(name);
    for (const c of w.commands.slice(this.checkedCommands)) {
      if (c.kind === 'DispatchServiceOperation' && c.operation.operation === 'delete' && this.protectedLive.has(c.operation.serviceName)) {
        assert.fail(`delete of live admitted Service ${c.operation.serviceName} dispatched after ${JSON.stringify(a)}`);
      }
    }
    this.checkedCommands = w.commands.length;
    for (const name of live) {
      const has = w.nrp.services.has(name) && w.nrp.resources.has(name) && w.nrp.resources.has(`${name}-pip`);
      if (this.protectedLive.has(name)) assert.ok(has, `NRP lost live admitted Service ${name} after ${JSON.stringify(a)}`);
      else if (has && w.state.ops.get(name)?.state === 'Created') this.protectedLive.add(name);
    }
  }

  /** Faults stop: the outage ends, late senders finish, Azure answers. Then the cluster's ask must hold. */
  stopFaultsAndSettle(): void {
    const w = this.w;
    w.losingKubeActions = false;
    this.outage(false);
    while (this.senders.length > 0) this.step({ t: 'deliverStale', sender: 0, count: 1_000 });
    assert.equal(w.settle(5_000), true, 'the engine never settled');
    this.checkSafety({ t: 'tick', ms: 0 });
    assert.deepEqual(w.nrp.violations, []);
    assert.equal(w.nrp.overlayRefusals, 0, 'a service was unregistered while NRP still mapped addresses to it');
    // The expectation is computed from the cluster alone, by the reference's rules (not the engine's code).
    const want = expectedNrp(w.cluster.values(), this.admitted);
    assert.deepEqual(w.nrp.snapshot(), want.locations, 'address locations differ from what the cluster asks for');
    assert.deepEqual([...w.nrp.services].sort(), [...want.services].sort(), 'registered services differ from what the cluster asks for');
    // A dual-stack cluster's NAT gateways get an IPv6 public IP as well (families from the nodes).
    const dualStack = [...w.cluster.values()].some((o) => o.kind === 'Node' && o.fact.internalIPs.some((ip) => ip.includes(':')));
    for (const [name, type] of want.services) {
      if (type === 'Outbound' && dualStack) assert.ok(w.nrp.resources.has(`${name}-pip-v6`), `egress identity ${name} has no IPv6 public IP on a dual-stack cluster`);
    }
    for (const r of w.nrp.resources) assert.ok(want.services.has(r.replace(/-pip(-v6)?$/, '')), `leaked Azure resource ${r}`);
    for (const o of w.cluster.values()) {
      if ((o.kind === 'Service' || o.kind === 'Pod') && o.fact.deleting) assert.fail(`${o.kind} ${o.fact.name} stuck terminating with finalizers ${o.fact.finalizers.join(',')}`);
    }
  }
}
