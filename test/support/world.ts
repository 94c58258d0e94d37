// A closed world for driving decide(): a small Kubernetes (objects, resourceVersions, finalizers
// and deletionTimestamps) and a strict model of NRP's registered services and address locations.
// Pure unit and property tests of the core run against it; the real simulators come later tiers.
import { familyOfPublicIp } from '../../shared/engine/admission.ts';
import { decide } from '../../shared/engine/decide.ts';
import { driftParts, nrpDrift } from '../../shared/engine/nrpDrift.ts';
import { defaultEngineConfig } from '../../shared/engine/config.ts';
import { CONFIG_REFUSAL } from '../../shared/engine/configRefusal.ts';
import { initialState } from '../../shared/engine/state.ts';
import type {
  ClusterState,
  EngineCommand,
  EngineConfig,
  EngineEvent,
  EngineObservation,
  EndpointSliceFact,
  LocationsSync,
  ManagedResource,
  NodeFact,
  NrpServiceType,
  OperationOutcome,
  PodFact,
  ServiceFact,
  ServiceOperation,
  SyncFailure,
} from '../../shared/engine/types.ts';
import { ALL_KINDS, CLUSTER, syncedEvents } from './builders.ts';

export type ObjectFact =
  | { kind: 'Service'; fact: ServiceFact }
  | { kind: 'EndpointSlice'; fact: EndpointSliceFact }
  | { kind: 'Node'; fact: NodeFact }
  | { kind: 'Pod'; fact: PodFact };

/** How a locations sync ends in a generated history. */
export type SyncFault = 'success' | 'throttled' | 'unknownApplied' | 'unknownNotApplied' | 'terminal';

export const OVERLAY = 'ServiceWithOverlayMappingsCannotBeDeleted';

export class NrpModel {
  readonly services = new Map<string, NrpServiceType>();
  readonly locations = new Map<string, Map<string, string[]>>();
  /** Azure resources by name (`<uid>`, `<uid>-pip`, `<id>`, `<id>-pip`...), for leak checks. */
  readonly resources = new Set<string>();
  /** The same resources as tagged (cluster, kind, service), as a listing of the resource group shows them. */
  readonly tagged = new Map<string, ManagedResource>();
  readonly violations: string[] = [];
  writes = 0;
  /** Unregisters NRP refused because addresses still referenced the service. */
  overlayRefusals = 0;

  referencing(name: string): string[] {
    const out: string[] = [];
    for (const [loc, addrs] of this.locations) for (const [a, s] of addrs) if (s.includes(name)) out.push(`${loc}/${a}`);
    return out;
  }

  /** Apply a service operation's Azure effects; NRP's own rule refuses unregistering a referenced service. */
  applyOperation(op: ServiceOperation): OperationOutcome {
    this.writes++;
    const name = op.serviceName;
    if (op.operation === 'delete') {
      if (this.referencing(name).length > 0) {
        this.overlayRefusals++;
        return { result: 'failure', terminal: false, code: OVERLAY, message: `${name} still has address mappings` };
      }
      this.services.delete(name);
      for (const r of [name, `${name}-pip`, `${name}-pip-v6`]) {
        this.resources.delete(r);
        this.tagged.delete(r);
      }
      return { result: 'success', publicIp: null };
    }
    if (op.config === null) {
      this.violations.push(`${op.operation} of ${name} dispatched without a config`);
      return { result: 'failure', terminal: true, code: CONFIG_REFUSAL.missingConfig, message: 'no config' };
    }
    this.resources.add(name);
    this.resources.add(`${name}-pip`);
    if (op.config.kind === 'outbound' && op.config.ipFamilies.includes('IPv6')) this.resources.add(`${name}-pip-v6`);
    const tag = { cluster: op.cluster, serviceKind: op.serviceKind, service: name };
    const main = op.serviceKind === 'inbound' ? 'loadBalancer' : 'natGateway';
    this.tagged.set(name, { resourceType: main, name, id: `${main}/${name}`, ...tag });
    for (const pip of [`${name}-pip`, ...(this.resources.has(`${name}-pip-v6`) ? [`${name}-pip-v6`] : [])]) {
      this.tagged.set(pip, { resourceType: 'publicIPAddress', name: pip, id: `publicIPAddress/${pip}`, ...tag });
    }
    this.services.set(name, op.serviceKind === 'inbound' ? 'Inbound' : 'Outbound');
    return { result: 'success', publicIp: op.serviceKind === 'inbound' ? '20.1.2.3' : null };
  }

  /** What a listing of the resource group finds tagged for `cluster`, sorted by name. */
  listManaged(cluster: string): ManagedResource[] {
    return [...this.tagged.values()].filter((r) => r.cluster === cluster).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Apply one updateAddressLocations request with NRP's validation. Returns an error code or null. */
  applyRequest(request: LocationsSync['requests'][number]): string | null {
    this.writes++;
    const seen = new Set<string>();
    for (const l of request.addressLocations) {
      if (seen.has(l.addressLocation)) return 'DuplicateLocationsInRequest';
      seen.add(l.addressLocation);
      for (const a of l.addresses) {
        for (const s of a.services) {
          if (!this.services.has(s)) this.violations.push(`address ${l.addressLocation}/${a.address} references unregistered service ${s}`);
        }
      }
    }
    for (const l of request.addressLocations) {
      if (l.addresses.length === 0 && l.addressUpdateAction === 'PartialUpdate') {
        this.locations.delete(l.addressLocation);
        continue;
      }
      const loc = l.addressUpdateAction === 'FullUpdate' ? new Map<string, string[]>() : (this.locations.get(l.addressLocation) ?? new Map<string, string[]>());
      for (const a of l.addresses) {
        if (a.services.length === 0) loc.delete(a.address);
        else loc.set(a.address, [...a.services]);
      }
      this.locations.set(l.addressLocation, loc);
    }
    return null;
  }

  /** Locations with at least one address, as sorted plain data (empty locations are not content). */
  snapshot(): Record<string, Record<string, string[]>> {
    const out: Record<string, Record<string, string[]>> = {};
    for (const loc of [...this.locations.keys()].sort()) {
      const addrs = this.locations.get(loc);
      if (!addrs || addrs.size === 0) continue;
      const o: Record<string, string[]> = {};
      for (const a of [...addrs.keys()].sort()) o[a] = [...(addrs.get(a) ?? [])].sort();
      out[loc] = o;
    }
    return out;
  }
}

function keyOf(o: ObjectFact): string {
  return o.kind === 'Node' ? `Node/${o.fact.name}` : `${o.kind}/${o.fact.namespace}/${o.fact.name}`;
}

/** The fields that name one version of an object in ObjectDeleted and ObjectWithheld. */
function identityOf(o: ObjectFact, resourceVersion: string): { objectKind: ObjectFact['kind']; namespace: string | null; name: string; uid: string; resourceVersion: string } {
  return { objectKind: o.kind, namespace: o.kind === 'Node' ? null : o.fact.namespace, name: o.fact.name, uid: o.fact.uid, resourceVersion };
}

export class World {
  state: ClusterState;
  now = 0;
  readonly config: EngineConfig;
  readonly random: () => number;
  readonly nrp = new NrpModel();
  readonly cluster = new Map<string, ObjectFact>();
  readonly pendingOps = new Map<string, ServiceOperation>();
  pendingSync: LocationsSync | null = null;
  wakeAt: number | null = null;
  /** Every command the engine emitted, in order. */
  readonly commands: EngineCommand[] = [];
  /** Every event the engine was given, in order. */
  readonly history: EngineEvent[] = [];
  readonly observations: EngineObservation[] = [];
  readonly statusPatches = new Map<string, string>();
  /** While true, the Kubernetes actions the engine asks for are lost (their message dead-lettered). */
  losingKubeActions = false;
  /** While true, the cluster changes but no watch event reaches the engine (an API-server or bus outage). */
  losingKubeEvents = false;
  /** Every watch event the cluster produced, delivered or not: other forwarders watch the same cluster. */
  readonly watchers: ((e: EngineEvent) => void)[] = [];
  /** Objects whose current version is too large to pass on: the forwarder sends ObjectWithheld for them. */
  private readonly withheld = new Set<string>();
  private rv = 1;

  constructor(options: { config?: Partial<EngineConfig>; random?: () => number; synced?: boolean } = {}) {
    this.config = { ...defaultEngineConfig, ...options.config };
    this.random = options.random ?? (() => 0.5);
    this.state = initialState(CLUSTER);
    if (options.synced ?? true) this.send(syncedEvents());
  }

  /** Feed events to the engine and take in its commands. */
  send(events: EngineEvent[]): void {
    this.history.push(...events);
    const d = decide(this.state, events, { now: this.now, random: this.random, config: this.config });
    this.state = d.state;
    this.observations.push(...d.observations);
    this.wakeAt = null;
    for (const c of d.commands) this.take(c);
  }

  private take(c: EngineCommand): void {
    this.commands.push(c);
    if (this.losingKubeActions && (c.kind === 'PatchServiceStatus' || c.kind === 'AddFinalizer' || c.kind === 'RemoveFinalizer')) return;
    switch (c.kind) {
      case 'DispatchServiceOperation':
        this.pendingOps.set(c.operation.dispatchId, c.operation);
        return;
      case 'SyncLocations':
        if (this.pendingSync) this.nrp.violations.push(`sync ${c.sync.syncId} sent while ${this.pendingSync.syncId} in flight`);
        this.pendingSync = c.sync;
        return;
      case 'WakeAt':
        this.wakeAt = c.at;
        return;
      case 'PatchServiceStatus': {
        this.statusPatches.set(`${c.target.namespace}/${c.target.name}`, c.ingressIp);
        // As the forwarder does: the IP of its family replaced, the Service's update then reported.
        const obj = this.cluster.get(`Service/${c.target.namespace}/${c.target.name}`);
        if (!obj || obj.kind !== 'Service' || obj.fact.uid !== c.target.uid) return;
        const others = obj.fact.ingressIPs.filter((ip) => familyOfPublicIp(ip) !== c.family);
        this.put({ kind: 'Service', fact: { ...obj.fact, ingressIPs: [...others, c.ingressIp] } });
        return;
      }
      case 'AddFinalizer':
      case 'RemoveFinalizer': {
        const key = `${c.target.kind}/${c.target.namespace}/${c.target.name}`;
        const obj = this.cluster.get(key);
        // The forwarder passes on what Kubernetes answers a pod finalizer action with: the pod
        // outside the label selector is seen no other way (forwarder/actions/finalizerAnswers.ts).
        const answerForPod = c.target.kind === 'Pod';
        if (!obj || (obj.kind !== 'Service' && obj.kind !== 'Pod') || obj.fact.uid !== c.target.uid) {
          if (answerForPod) this.deliver({ kind: 'ObjectDeleted', objectKind: 'Pod', namespace: c.target.namespace, name: c.target.name, uid: c.target.uid, resourceVersion: this.nextRv() });
          return;
        }
        const has = obj.fact.finalizers.includes(c.finalizer);
        const unchanged = (c.kind === 'AddFinalizer' && (has || obj.fact.deleting)) || (c.kind === 'RemoveFinalizer' && !has);
        if (unchanged) {
          if (obj.kind === 'Pod') this.deliver({ kind: 'PodUpserted', pod: obj.fact });
          return;
        }
        const finalizers = c.kind === 'AddFinalizer' ? [...obj.fact.finalizers, c.finalizer] : obj.fact.finalizers.filter((f) => f !== c.finalizer);
        if (obj.kind === 'Service') this.put({ kind: 'Service', fact: { ...obj.fact, finalizers } });
        else this.put({ kind: 'Pod', fact: { ...obj.fact, finalizers } });
        return;
      }
      case 'ObserveNrp':
        this.observeNrp();
        return;
      case 'RecordKubernetesEvent':
        return;
    }
  }

  private nextRv(): string {
    this.rv += 1;
    return String(this.rv);
  }

  /** Create or replace an object in the cluster (a deleted-but-finalized object cannot be revived). */
  apply(o: ObjectFact): void {
    const prev = this.cluster.get(keyOf(o));
    if (prev && prev.kind === o.kind && (prev.kind === 'Service' || prev.kind === 'Pod') && (prev.fact).deleting) return;
    const keepFinalizers = prev && (o.kind === 'Service' || o.kind === 'Pod') && prev.fact.uid === o.fact.uid ? (prev.fact as ServiceFact | PodFact).finalizers : null;
    if (o.kind === 'Service') this.put({ kind: 'Service', fact: { ...o.fact, finalizers: keepFinalizers ?? o.fact.finalizers } });
    else if (o.kind === 'Pod') {
      // The forwarder watches pods by the egress label: a change to a pod that carried it before
      // and after neither is never seen (leaving the selector is, as a deletion with its finalizer).
      const unseen = o.fact.egressLabel === null && (!prev || (prev.kind === 'Pod' && prev.fact.egressLabel === null));
      this.put({ kind: 'Pod', fact: { ...o.fact, finalizers: keepFinalizers ?? o.fact.finalizers } }, !unseen);
    } else this.put(o);
  }

  /** Stores the object; `reported` says whether the engine hears of it (the forwarder's watch). */
  private put(o: ObjectFact, reported = true): void {
    const resourceVersion = this.nextRv();
    const key = keyOf(o);
    this.withheld.delete(key);
    if ((o.kind === 'Service' || o.kind === 'Pod') && o.fact.deleting && o.fact.finalizers.length === 0) {
      this.cluster.delete(key);
      this.deliver(this.deletedEvent(o, resourceVersion), reported);
      return;
    }
    let event: EngineEvent;
    switch (o.kind) {
      case 'Service': {
        const fact = { ...o.fact, resourceVersion };
        this.cluster.set(key, { kind: 'Service', fact });
        event = { kind: 'ServiceUpserted', service: fact };
        break;
      }
      case 'EndpointSlice': {
        const fact = { ...o.fact, resourceVersion };
        this.cluster.set(key, { kind: 'EndpointSlice', fact });
        event = { kind: 'EndpointSliceUpserted', slice: fact };
        break;
      }
      case 'Node': {
        const fact = { ...o.fact, resourceVersion };
        this.cluster.set(key, { kind: 'Node', fact });
        event = { kind: 'NodeUpserted', node: fact };
        break;
      }
      case 'Pod': {
        const fact = { ...o.fact, resourceVersion };
        this.cluster.set(key, { kind: 'Pod', fact });
        event = { kind: 'PodUpserted', pod: fact };
        break;
      }
    }
    this.deliver(event, reported);
  }

  /** `reported`: whether the forwarder's watch passes the change on (see `apply`). */
  private deliver(e: EngineEvent, reported = true): void {
    if (!reported) return;
    for (const w of this.watchers) w(e);
    if (!this.losingKubeEvents) this.send([e]);
  }

  /**
   * The object grows past what a message or a state row can carry, in parts the engine does not
   * read (a huge annotation): its content for the engine is unchanged, but only ObjectWithheld
   * reaches it, now and in every list, until the next edit.
   */
  withhold(kind: ObjectFact['kind'], name: string, namespace = 'default'): void {
    const key = kind === 'Node' ? `Node/${name}` : `${kind}/${namespace}/${name}`;
    const o = this.cluster.get(key);
    if (!o) return;
    const bumped = { ...o, fact: { ...o.fact, resourceVersion: this.nextRv() } } as ObjectFact;
    this.cluster.set(key, bumped);
    this.withheld.add(key);
    this.deliver(this.withheldEvent(bumped, undefined), bumped.kind !== 'Pod' || bumped.fact.egressLabel !== null);
  }

  private withheldEvent(o: ObjectFact, snapshot: string | undefined): EngineEvent {
    const tag = snapshot === undefined ? {} : { snapshot };
    return { kind: 'ObjectWithheld', ...identityOf(o, o.fact.resourceVersion), reason: 'ObjectTooLarge', detail: 'injected', ...tag };
  }

  /** The cluster's current resourceVersion, the tag of a list taken now. */
  get listVersion(): string {
    return String(this.rv);
  }

  private deletedEvent(o: ObjectFact, resourceVersion: string): EngineEvent {
    return { kind: 'ObjectDeleted', ...identityOf(o, resourceVersion) };
  }

  /** Delete as Kubernetes does: objects with finalizers get a deletionTimestamp and stay. */
  remove(kind: ObjectFact['kind'], name: string, namespace = 'default'): void {
    const key = kind === 'Node' ? `Node/${name}` : `${kind}/${namespace}/${name}`;
    const o = this.cluster.get(key);
    if (!o) return;
    if ((o.kind === 'Service' || o.kind === 'Pod') && o.fact.finalizers.length > 0) {
      if (o.kind === 'Service') this.put({ kind: 'Service', fact: { ...o.fact, deleting: true } });
      else this.put({ kind: 'Pod', fact: { ...o.fact, deleting: true } }, o.fact.egressLabel !== null);
      return;
    }
    this.cluster.delete(key);
    this.withheld.delete(key);
    this.deliver(this.deletedEvent(o, this.nextRv()), o.kind !== 'Pod' || o.fact.egressLabel !== null);
  }

  /** Complete one pending service operation; `effects` says whether Azure changed despite a failure. */
  completeOp(dispatchId: string, mode: 'success' | 'transient' | 'terminal' = 'success', effects = mode === 'success'): void {
    const op = this.pendingOps.get(dispatchId);
    if (!op) return;
    this.pendingOps.delete(dispatchId);
    let outcome: OperationOutcome = effects ? this.nrp.applyOperation(op) : { result: 'failure', terminal: false, code: 'InternalServerError', message: 'injected' };
    if (mode === 'transient' && outcome.result === 'success') outcome = { result: 'failure', terminal: false, code: 'InternalServerError', message: 'injected' };
    if (mode === 'terminal') outcome = { result: 'failure', terminal: true, code: CONFIG_REFUSAL.configMismatch, message: 'injected' };
    this.send([{ kind: 'ServiceOperationCompleted', serviceName: op.serviceName, dispatchId, outcome }]);
  }

  /** Complete the pending sync as a generated fault says: all applied, or request `failAt` failing so. */
  completeSyncAs(mode: SyncFault, failAt: number): void {
    const sync = this.pendingSync;
    if (!sync) return;
    const at = failAt % sync.requests.length;
    if (mode === 'success') this.completeSync();
    else if (mode === 'throttled') this.completeSync({ failAt: at });
    else if (mode === 'terminal') this.completeSync({ failAt: at, terminal: true });
    else this.completeSync({ failAt: at, outcomeUnknown: true, unknownApplied: mode === 'unknownApplied' });
  }

  /**
   * Complete the pending sync. `failAt` is the index of the request that fails (undefined: none);
   * with `unknownApplied` the failing request was in fact applied although the caller saw an error.
   */
  completeSync(options: { failAt?: number; terminal?: boolean; outcomeUnknown?: boolean; unknownApplied?: boolean } = {}): void {
    const sync = this.pendingSync;
    if (!sync) return;
    this.pendingSync = null;
    let applied = 0;
    let failure: SyncFailure | null = null;
    for (const [i, r] of sync.requests.entries()) {
      if (options.failAt === i) {
        const unknown = options.outcomeUnknown ?? false;
        if (unknown && options.unknownApplied) this.nrp.applyRequest(r);
        failure = { terminal: options.terminal ?? false, outcomeUnknown: unknown, code: options.terminal ? 'InvalidRequestFormat' : unknown ? 'GatewayTimeout' : 'TooManyRequests', message: 'injected' };
        break;
      }
      const error = this.nrp.applyRequest(r);
      if (error) {
        failure = { terminal: true, outcomeUnknown: false, code: error, message: error };
        break;
      }
      applied++;
    }
    this.send([{ kind: 'LocationsSyncCompleted', syncId: sync.syncId, applied, failure }]);
  }

  /** Read NRP and list Azure, as the locations function does on ObserveNrp. */
  observeNrp(): void {
    const nrpEpoch = this.state.nrpEpoch;
    this.send([
      {
        kind: 'NrpObserved',
        nrpEpoch: this.state.nrpEpoch,
        services: [...this.nrp.services].map(([name, type]) => ({ name, type })),
        locations: [...this.nrp.locations].map(([location, addrs]) => ({
          location,
          addresses: [...addrs].map(([address, services]) => ({ address, services })),
        })),
      },
    ]);
    this.send([{ kind: 'AzureResourcesObserved', nrpEpoch, resources: this.nrp.listManaged(this.state.cluster) }]);
  }

  /** Read NRP as the locations function does: only the drift from the mirror, in parts of at most `maxChars`. */
  observeNrpDrift(maxChars = 200_000): number {
    const nrpEpoch = this.state.nrpEpoch;
    const services = [...this.nrp.services].map(([name, type]) => ({ name, type }));
    const locations = [...this.nrp.locations].map(([location, addrs]) => ({ location, addresses: [...addrs].map(([address, s]) => ({ address, services: s })) }));
    const parts = driftParts(nrpDrift(this.state.nrp, services, locations), maxChars);
    for (const [i, p] of parts.entries()) this.send([{ kind: 'NrpDriftObserved', nrpEpoch, ...p, final: i === parts.length - 1 }]);
    return parts.length;
  }

  /** Re-list everything the cluster holds under `snapshot`, then finish the snapshot for every kind (a forwarder restart). */
  relist(snapshot: string): void {
    this.send(this.listEvents(snapshot));
  }

  /** What a forwarder listing the cluster now sends: every object tagged `snapshot`, then a marker per kind. */
  listEvents(snapshot: string): EngineEvent[] {
    const events: EngineEvent[] = [];
    for (const [key, o] of this.cluster) {
      if (this.withheld.has(key)) events.push(this.withheldEvent(o, snapshot));
      else if (o.kind === 'Service') events.push({ kind: 'ServiceUpserted', service: o.fact, snapshot });
      else if (o.kind === 'EndpointSlice') events.push({ kind: 'EndpointSliceUpserted', slice: o.fact, snapshot });
      else if (o.kind === 'Node') events.push({ kind: 'NodeUpserted', node: o.fact, snapshot });
      else if (o.fact.egressLabel !== null) events.push({ kind: 'PodUpserted', pod: o.fact, snapshot });
    }
    for (const objectKind of ALL_KINDS) events.push({ kind: 'KubernetesSynced', objectKind, snapshot });
    return events;
  }

  advance(ms: number): void {
    this.now += ms;
    this.send([{ kind: 'Tick' }]);
  }

  /** Let everything succeed and time pass until nothing is pending. Returns false if it never settles. */
  settle(maxSteps = 500): boolean {
    for (let i = 0; i < maxSteps; i++) {
      const op = this.pendingOps.keys().next();
      if (!op.done) {
        this.completeOp(op.value, 'success');
        continue;
      }
      if (this.pendingSync) {
        this.completeSync();
        continue;
      }
      if (this.wakeAt !== null) {
        this.now = Math.max(this.now, this.wakeAt);
        this.send([{ kind: 'Tick' }]);
        continue;
      }
      return true;
    }
    return false;
  }

  get(kind: ObjectFact['kind'], name: string, namespace = 'default'): ObjectFact | undefined {
    return this.cluster.get(kind === 'Node' ? `Node/${name}` : `${kind}/${namespace}/${name}`);
  }
}
