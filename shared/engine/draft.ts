// A working copy of ClusterState for one decide() call. Maps are forked on first write (a
// LayeredMap: the copy costs what changed, not what the map holds), so a call that touches one pod
// copies neither the 5,000 pods nor the 100,000-address mirror: the input state is never mutated
// and unchanged parts are shared with the output.
import type {
  AskedAction,
  AzureState,
  Cached,
  CachedPod,
  Tombstone,
  ClusterState,
  DecideContext,
  EndpointSliceFact,
  EngineCommand,
  EngineObservation,
  KubeObjectKind,
  LocationsSyncState,
  RejectReason,
  NodeFact,
  NrpLocation,
  NrpServiceType,
  ServiceFact,
  ServiceOp,
} from './types.ts';
import { MAX_REJECTION_EXAMPLES } from './types.ts';
import { addName, rememberServiceNames, removeName, serviceNamesOf } from './serviceNames.ts';
import type { ServiceNames } from './serviceNames.ts';
import { LayeredMap } from './layeredMap.ts';
import { PodIndexWriter, podIndexOf, rememberPodIndex } from './podIndex.ts';
import type { PodIndex } from './podIndex.ts';
import { OpIndexWriter, inOpsOrder, opIndexOf, rememberOpIndex } from './opIndex.ts';
import type { OpIndex } from './opIndex.ts';


export class Draft {
  readonly ctx: DecideContext;
  readonly cluster: string;
  sequence: number;
  nrpEpoch: number;
  sync: LocationsSyncState;
  azure: AzureState;
  readonly commands: EngineCommand[] = [];
  readonly observations: EngineObservation[] = [];
  /** NRP service names whose desired state may have changed in this call. */
  readonly touchedNames = new Set<string>();
  /** Pods (namespace/name) whose finalizer may need adding or releasing. */
  readonly touchedPods = new Set<string>();
  /** Asked actions whose time to be asked again has come (`kubeActions.ts`). */
  readonly dueAsks = new Set<string>();
  /** Set when the mirror or ops changed so that a held pod finalizer may now be releasable. */
  releaseCheckAll = false;
  /** Earliest time something becomes due (retry, re-arm, sync window); null when nothing waits. */
  wakeAt: number | null = null;

  private services: ReadonlyMap<string, Cached<ServiceFact>>;
  /** Owned once a Service is added or removed, then kept in step with `services`. */
  private serviceNames: LayeredMap<string, readonly string[]> | null = null;
  private slices: ReadonlyMap<string, Cached<EndpointSliceFact>>;
  private nodes: ReadonlyMap<string, Cached<NodeFact>>;
  private pods: ReadonlyMap<string, CachedPod>;
  /** Created with the first pod write, then kept in step with `pods`. */
  private podIndex: PodIndexWriter | null = null;
  private synced: ReadonlyMap<KubeObjectKind, string>;
  private tombstoneMap: ReadonlyMap<string, Tombstone>;
  private opsMap: ReadonlyMap<string, ServiceOp>;
  /** Created with the first op write, then kept in step with `opsMap`. */
  private opIndex: OpIndexWriter | null = null;
  /** The ops of the state given, and the names this decision removed from them (some maybe back). */
  private readonly givenOps: ReadonlyMap<string, ServiceOp>;
  private readonly removedOps = new Set<string>();
  private nrpServices: ReadonlyMap<string, NrpServiceType>;
  private nrpLocations: ReadonlyMap<string, NrpLocation>;
  private askedMap: ReadonlyMap<string, AskedAction>;
  private readonly copied = new Set<string>();
  /** This decision's InputRejected observations by object and reason, still counting. */
  private readonly rejections = new Map<string, { count: number; readonly examples: string[] }>();

  constructor(state: ClusterState, ctx: DecideContext) {
    this.ctx = ctx;
    this.cluster = state.cluster;
    this.sequence = state.sequence;
    this.nrpEpoch = state.nrpEpoch;
    this.sync = state.sync;
    this.azure = state.azure;
    this.services = state.kube.services;
    this.slices = state.kube.slices;
    this.nodes = state.kube.nodes;
    this.pods = state.kube.pods;
    this.synced = state.kube.synced;
    this.tombstoneMap = state.kube.tombstones;
    this.opsMap = state.ops;
    this.givenOps = state.ops;
    this.nrpServices = state.nrp.services;
    this.nrpLocations = state.nrp.locations;
    this.askedMap = state.asked;
  }

  get now(): number {
    return this.ctx.now;
  }

  private own<K, V>(key: string, current: ReadonlyMap<K, V>): Map<K, V> {
    if (this.copied.has(key)) return current as Map<K, V>;
    this.copied.add(key);
    return LayeredMap.fork(current);
  }

  // --- reads -------------------------------------------------------------------------------
  get kubeServices(): ReadonlyMap<string, Cached<ServiceFact>> { return this.services; }
  get kubeServiceNames(): ServiceNames { return this.serviceNames ?? serviceNamesOf(this.services); }
  get kubeSlices(): ReadonlyMap<string, Cached<EndpointSliceFact>> { return this.slices; }
  get kubeNodes(): ReadonlyMap<string, Cached<NodeFact>> { return this.nodes; }
  get kubePods(): ReadonlyMap<string, CachedPod> { return this.pods; }
  get kubePodIndex(): PodIndex { return this.podIndex?.index() ?? podIndexOf(this.pods); }
  get kubeSynced(): ReadonlyMap<KubeObjectKind, string> { return this.synced; }
  get tombstones(): ReadonlyMap<string, Tombstone> { return this.tombstoneMap; }
  get ops(): ReadonlyMap<string, ServiceOp> { return this.opsMap; }
  /** The ops by what the passes ask of them (opIndex.ts). */
  get opsIndex(): OpIndex { return this.opIndex?.index() ?? opIndexOf(this.opsMap); }
  /** Names of the given state's ops that are gone now, in the given ops' order. */
  droppedOps(): string[] {
    const gone = [...this.removedOps].filter((name) => this.givenOps.has(name) && !this.opsMap.has(name));
    return inOpsOrder(opIndexOf(this.givenOps), gone);
  }
  get mirrorServices(): ReadonlyMap<string, NrpServiceType> { return this.nrpServices; }
  get mirrorLocations(): ReadonlyMap<string, NrpLocation> { return this.nrpLocations; }
  get asked(): ReadonlyMap<string, AskedAction> { return this.askedMap; }

  // --- writes ------------------------------------------------------------------------------
  servicesW(): Map<string, Cached<ServiceFact>> { return (this.services = this.own('services', this.services)); }
  /** Adds or replaces a Service, keeping the by-name index in step. */
  putService(key: string, cached: Cached<ServiceFact>): void {
    const prev = this.services.get(key)?.fact;
    if (prev && prev.namespace === cached.fact.namespace && prev.name === cached.fact.name) {
      this.servicesW().set(key, cached);
      return;
    }
    const names = this.serviceNamesW();
    if (prev) removeName(names, key, prev);
    addName(names, key, cached.fact);
    this.servicesW().set(key, cached);
  }

  removeService(key: string): void {
    const prev = this.services.get(key)?.fact;
    if (!prev) return;
    removeName(this.serviceNamesW(), key, prev);
    this.servicesW().delete(key);
  }

  private serviceNamesW(): Map<string, readonly string[]> {
    return (this.serviceNames ??= LayeredMap.fork(serviceNamesOf(this.services)));
  }

  slicesW(): Map<string, Cached<EndpointSliceFact>> { return (this.slices = this.own('slices', this.slices)); }
  nodesW(): Map<string, Cached<NodeFact>> { return (this.nodes = this.own('nodes', this.nodes)); }
  /** Adds or replaces a pod, keeping the pod index in step. */
  putPod(key: string, cached: CachedPod): void {
    this.podIndexW().update(key, this.pods.get(key), cached);
    this.podsW().set(key, cached);
  }

  removePod(key: string): void {
    const prev = this.pods.get(key);
    if (!prev) return;
    this.podIndexW().update(key, prev, undefined);
    this.podsW().delete(key);
  }

  private podsW(): Map<string, CachedPod> { return (this.pods = this.own('pods', this.pods)); }
  private podIndexW(): PodIndexWriter { return (this.podIndex ??= new PodIndexWriter(podIndexOf(this.pods))); }
  syncedW(): Map<KubeObjectKind, string> { return (this.synced = this.own('synced', this.synced)); }
  tombstonesW(): Map<string, Tombstone> { return (this.tombstoneMap = this.own('tombstones', this.tombstoneMap)); }
  /** Stores an op, keeping the op index in step. */
  putOpRecord(op: ServiceOp): void {
    this.opIndexW().update(op.name, this.opsMap.get(op.name), op);
    this.opsW().set(op.name, op);
  }

  removeOpRecord(name: string): void {
    const prev = this.opsMap.get(name);
    if (!prev) return;
    this.opIndexW().update(name, prev, undefined);
    this.removedOps.add(name);
    this.opsW().delete(name);
  }

  private opsW(): Map<string, ServiceOp> { return (this.opsMap = this.own('ops', this.opsMap)); }
  private opIndexW(): OpIndexWriter { return (this.opIndex ??= new OpIndexWriter(opIndexOf(this.opsMap))); }
  mirrorServicesW(): Map<string, NrpServiceType> { return (this.nrpServices = this.own('nrpServices', this.nrpServices)); }
  mirrorLocationsW(): Map<string, NrpLocation> { return (this.nrpLocations = this.own('nrpLocations', this.nrpLocations)); }
  askedW(): Map<string, AskedAction> { return (this.askedMap = this.own('asked', this.askedMap)); }

  nextId(prefix: string): string {
    this.sequence += 1;
    return `${this.cluster}:${prefix}:${this.sequence}`;
  }

  emit(command: EngineCommand): void {
    this.commands.push(command);
  }

  observe(observation: EngineObservation): void {
    this.observations.push(observation);
  }

  /**
   * Refused input, summarised: one observation per object and reason for the whole decision, so a
   * slice of 1,000 unplaceable endpoints is one log line with a count, not 1,000.
   */
  reject(objectKind: KubeObjectKind, key: string, reason: RejectReason, detail: string): void {
    const id = `${objectKind}\u0000${key}\u0000${reason}`;
    const seen = this.rejections.get(id);
    if (seen) {
      seen.count += 1;
      if (seen.examples.length < MAX_REJECTION_EXAMPLES) seen.examples.push(detail);
      return;
    }
    const entry = { kind: 'InputRejected' as const, objectKind, key, reason, count: 1, examples: [detail] };
    this.rejections.set(id, entry);
    this.observations.push(entry);
  }

  wake(at: number): void {
    if (this.wakeAt === null || at < this.wakeAt) this.wakeAt = at;
  }

  markLocationsDirty(): void {
    if (!this.sync.dirty) this.sync = { ...this.sync, dirty: true };
  }

  toState(): ClusterState {
    if (this.serviceNames) rememberServiceNames(this.services, this.serviceNames);
    if (this.podIndex) rememberPodIndex(this.pods, this.podIndex.index());
    if (this.opIndex) rememberOpIndex(this.opsMap, this.opIndex.index());
    return {
      schemaVersion: 1,
      cluster: this.cluster,
      sequence: this.sequence,
      nrpEpoch: this.nrpEpoch,
      kube: { services: this.services, slices: this.slices, nodes: this.nodes, pods: this.pods, synced: this.synced, tombstones: this.tombstoneMap },
      ops: this.opsMap,
      nrp: { services: this.nrpServices, locations: this.nrpLocations },
      sync: this.sync,
      asked: this.askedMap,
      azure: this.azure,
    };
  }
}
