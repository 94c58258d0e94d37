// A working copy of ClusterState for one decide() call. Maps are copied on first write, so a call
// that touches one service does not copy the 100,000-address mirror: the input state is never
// mutated and unchanged parts are shared with the output.
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
  NodeFact,
  NrpLocation,
  NrpServiceType,
  ServiceFact,
  ServiceOp,
} from './types.ts';

type Writable<M> = M extends ReadonlyMap<infer K, infer V> ? Map<K, V> : M extends ReadonlySet<infer T> ? Set<T> : never;

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
  private slices: ReadonlyMap<string, Cached<EndpointSliceFact>>;
  private nodes: ReadonlyMap<string, Cached<NodeFact>>;
  private pods: ReadonlyMap<string, CachedPod>;
  private synced: ReadonlyMap<KubeObjectKind, string>;
  private tombstoneMap: ReadonlyMap<string, Tombstone>;
  private opsMap: ReadonlyMap<string, ServiceOp>;
  private nrpServices: ReadonlyMap<string, NrpServiceType>;
  private nrpLocations: ReadonlyMap<string, NrpLocation>;
  private askedMap: ReadonlyMap<string, AskedAction>;
  private readonly copied = new Set<string>();

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
    this.nrpServices = state.nrp.services;
    this.nrpLocations = state.nrp.locations;
    this.askedMap = state.asked;
  }

  get now(): number {
    return this.ctx.now;
  }

  private own<M extends ReadonlyMap<unknown, unknown> | ReadonlySet<unknown>>(key: string, current: M): Writable<M> {
    if (this.copied.has(key)) return current as unknown as Writable<M>;
    this.copied.add(key);
    return (current instanceof Map ? new Map(current) : new Set(current as ReadonlySet<unknown>)) as Writable<M>;
  }

  // --- reads -------------------------------------------------------------------------------
  get kubeServices(): ReadonlyMap<string, Cached<ServiceFact>> { return this.services; }
  get kubeSlices(): ReadonlyMap<string, Cached<EndpointSliceFact>> { return this.slices; }
  get kubeNodes(): ReadonlyMap<string, Cached<NodeFact>> { return this.nodes; }
  get kubePods(): ReadonlyMap<string, CachedPod> { return this.pods; }
  get kubeSynced(): ReadonlyMap<KubeObjectKind, string> { return this.synced; }
  get tombstones(): ReadonlyMap<string, Tombstone> { return this.tombstoneMap; }
  get ops(): ReadonlyMap<string, ServiceOp> { return this.opsMap; }
  get mirrorServices(): ReadonlyMap<string, NrpServiceType> { return this.nrpServices; }
  get mirrorLocations(): ReadonlyMap<string, NrpLocation> { return this.nrpLocations; }
  get asked(): ReadonlyMap<string, AskedAction> { return this.askedMap; }

  // --- writes ------------------------------------------------------------------------------
  servicesW(): Map<string, Cached<ServiceFact>> { return (this.services = this.own('services', this.services)); }
  slicesW(): Map<string, Cached<EndpointSliceFact>> { return (this.slices = this.own('slices', this.slices)); }
  nodesW(): Map<string, Cached<NodeFact>> { return (this.nodes = this.own('nodes', this.nodes)); }
  podsW(): Map<string, CachedPod> { return (this.pods = this.own('pods', this.pods)); }
  syncedW(): Map<KubeObjectKind, string> { return (this.synced = this.own('synced', this.synced)); }
  tombstonesW(): Map<string, Tombstone> { return (this.tombstoneMap = this.own('tombstones', this.tombstoneMap)); }
  opsW(): Map<string, ServiceOp> { return (this.opsMap = this.own('ops', this.opsMap)); }
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

  wake(at: number): void {
    if (this.wakeAt === null || at < this.wakeAt) this.wakeAt = at;
  }

  markLocationsDirty(): void {
    if (!this.sync.dirty) this.sync = { ...this.sync, dirty: true };
  }

  toState(): ClusterState {
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
