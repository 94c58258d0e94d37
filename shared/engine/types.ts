// The engine's vocabulary: what it knows, what it hears, what it asks for.
// Everything here is plain data so that state can be persisted and commands sent as messages.

export type IpFamily = 'IPv4' | 'IPv6';
export type ServiceKind = 'inbound' | 'outbound';
export type Protocol = 'TCP' | 'UDP';
export type OperationKind = 'create' | 'update' | 'delete';
export type KubeObjectKind = 'Service' | 'EndpointSlice' | 'Node' | 'Pod';

/** How NRP reports a registered service. `InboundOutbound` counts as both kinds. */
export type NrpServiceType = 'Inbound' | 'Outbound' | 'InboundOutbound';

export const SERVICE_FINALIZER = 'servicegateway.azure.com/service-cleanup';
export const POD_FINALIZER = 'servicegateway.azure.com/pod-cleanup';
export const EGRESS_LABEL = 'kubernetes.azure.com/service-egress-gateway';
export type Finalizer = typeof SERVICE_FINALIZER | typeof POD_FINALIZER;

// ---------------------------------------------------------------------------------------------
// Service configurations: what a service operation needs to build Azure resources.

export interface PortRule {
  readonly protocol: Protocol;
  readonly port: number;
  readonly backendPort: number;
}

export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

export interface InboundConfig {
  readonly kind: 'inbound';
  /** NRP service name: the lower-cased Service UID. */
  readonly name: string;
  readonly service: ServiceRef;
  readonly ipFamily: IpFamily;
  /** Sorted by protocol, then port: equal specs give equal configs. */
  readonly ports: readonly PortRule[];
  readonly idleTimeoutMinutes: number;
}

export interface OutboundConfig {
  readonly kind: 'outbound';
  /** NRP service name: the lower-cased egress identity. */
  readonly name: string;
  /** Decided once, when the identity is first seen: IPv6 is added when any node has an IPv6 InternalIP. */
  readonly ipFamilies: readonly IpFamily[];
}

export type ServiceConfig = InboundConfig | OutboundConfig;

// ---------------------------------------------------------------------------------------------
// Per-service operation state (the six states of the reference engine).

export interface InFlight {
  readonly dispatchId: string;
  readonly operation: OperationKind;
  /** The config snapshot the operation was dispatched with (null for an orphan delete). */
  readonly config: ServiceConfig | null;
  readonly startedAt: number;
  readonly attempt: number;
}

export interface RetryState {
  /** Failures since the last success, spec change, fresh delete or re-arm. */
  readonly count: number;
  /** The operation is not dispatched before this time. */
  readonly nextAt: number | null;
  /** Set after maxServiceRetries failures: parked until then, then re-armed with a fresh burst. */
  readonly parkedUntil: number | null;
}

export interface TerminalPark {
  readonly code: string;
  readonly message: string;
  /** The config that was rejected; only a different config re-arms the operation. */
  readonly rejectedConfig: ServiceConfig | null;
}

export interface ServiceOpFields {
  readonly name: string;
  readonly kind: ServiceKind;
  /** Latest desired config (null only for an orphan whose config we never knew). */
  readonly config: ServiceConfig | null;
  readonly lastApplied: ServiceConfig | null;
  readonly retry: RetryState;
  readonly recreateAfterDeletion: boolean;
  readonly orphan: boolean;
  readonly correlationId: string;
  readonly createdAt: number;
  /** Number of operations dispatched for this op record; 0 means nothing ever reached Azure. */
  readonly dispatches: number;
  /** The public IP address Azure last reported for the service (inbound), null until one did. */
  readonly publicIp: string | null;
}

/** The state-specific part of an op: in-flight work exists only where it can. */
export type OpPhase =
  | { readonly state: 'NotStarted'; readonly inFlight: null; readonly terminal: TerminalPark | null }
  | { readonly state: 'CreationInProgress'; readonly inFlight: InFlight }
  | { readonly state: 'Created'; readonly inFlight: null }
  | { readonly state: 'UpdateInProgress'; readonly inFlight: InFlight | null }
  | { readonly state: 'DeletionPending'; readonly inFlight: InFlight | null }
  | { readonly state: 'DeletionInProgress'; readonly inFlight: InFlight | null };

export type ServiceOp = ServiceOpFields & OpPhase;

export type OpState = ServiceOp['state'];
export const OP_STATES: readonly OpState[] = [
  'NotStarted',
  'CreationInProgress',
  'Created',
  'UpdateInProgress',
  'DeletionPending',
  'DeletionInProgress',
];

// ---------------------------------------------------------------------------------------------
// Kubernetes facts, as the forwarder reports them (already stripped of what the engine ignores).

export interface ServicePortFact {
  readonly name?: string | undefined;
  readonly protocol: string;
  readonly port: number;
  /** A number, a name, or null when unset. */
  readonly targetPort: number | string | null;
}

export interface ServiceFact {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion: string;
  readonly type: string;
  readonly loadBalancerClass: string | null;
  readonly deleting: boolean;
  readonly finalizers: readonly string[];
  readonly annotations: Readonly<Record<string, string>>;
  readonly ipFamilies: readonly string[];
  readonly sessionAffinity: string | null;
  readonly loadBalancerIP: string | null;
  readonly ports: readonly ServicePortFact[];
  /** The IPs in `status.loadBalancer.ingress`: what the Service shows its users now. */
  readonly ingressIPs: readonly string[];
}

export interface EndpointFact {
  readonly addresses: readonly string[];
  readonly nodeName: string | null;
  /** `conditions.ready`; null (unset) counts as ready. */
  readonly ready: boolean | null;
}

export interface EndpointSliceFact {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion: string;
  /** The `kubernetes.io/service-name` label: the Service of the slice's own namespace it belongs
   * to (kube-proxy's rule), or null when unlabelled. The only thing that links a slice. */
  readonly serviceName: string | null;
  /** UIDs of the Services its ownerReferences name (the first few). They never link a slice; a
   * slice whose owner is not its labelled Service links nothing (docs/adr/0019). */
  readonly ownerServiceUids: readonly string[];
  readonly addressType: string;
  readonly endpoints: readonly EndpointFact[];
}

export interface NodeFact {
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion: string;
  readonly internalIPs: readonly string[];
}

export interface PodFact {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion: string;
  /** Value of the egress label, or null when the pod does not carry it. */
  readonly egressLabel: string | null;
  readonly phase: string;
  readonly nodeName: string | null;
  readonly hostIPs: readonly string[];
  readonly podIPs: readonly string[];
  readonly deleting: boolean;
  readonly finalizers: readonly string[];
}

export interface Cached<T> {
  readonly fact: T;
  /** The snapshot this object was last seen in, so a finished snapshot can prune the rest. */
  readonly snapshot: string | null;
}

export interface PodRegistration {
  readonly identity: string;
  readonly addresses: readonly { readonly location: string; readonly address: string }[];
}

export interface CachedPod extends Cached<PodFact> {
  /** What the pod was last registered as while live, kept after it stops being live (or loses its
   * IPs) so that its finalizer is held until exactly those addresses have drained. */
  readonly registered: PodRegistration | null;
  /** Whether `registered` is what the pod registers as now (`podRegistration(fact)`, cached
   * because every pass over the pods needs it) rather than what it was. */
  readonly live: boolean;
}

export interface KubeState {
  /** Keyed by lower-cased UID. */
  readonly services: ReadonlyMap<string, Cached<ServiceFact>>;
  /** Keyed by namespace/name. */
  readonly slices: ReadonlyMap<string, Cached<EndpointSliceFact>>;
  /** Keyed by node name. */
  readonly nodes: ReadonlyMap<string, Cached<NodeFact>>;
  /** Keyed by namespace/name. */
  readonly pods: ReadonlyMap<string, CachedPod>;
  /** Kind -> its last completed snapshot. Absence of an object is only trusted for these kinds. */
  readonly synced: ReadonlyMap<KubeObjectKind, string>;
  /** Recently deleted objects (`<Kind>/<key>`), so a late or replayed upsert cannot revive them.
   * In deletion order; pruned after `tombstoneTtlMs`. */
  readonly tombstones: ReadonlyMap<string, Tombstone>;
}

export interface Tombstone {
  readonly uid: string;
  /** The deletion's version: the same object (UID) comes back only newer than this, e.g. when a
   * label edit puts a pod back into the watch's selector. */
  readonly resourceVersion: string;
  /** The deleted object's last known version. Another object under the name is an older
   * incarnation only if it is no newer than this: the deletion's version can be far newer than
   * the deletion (a pod found gone is reported at the watch's newest version), and a pod
   * re-created in between must not be buried. Absent in rows written before it existed. */
  readonly lastKnownResourceVersion?: string;
  readonly deletedAt: number;
}

// ---------------------------------------------------------------------------------------------
// The NRP mirror: what NRP is believed to hold.

export interface NrpLocation {
  /** Address -> sorted service names. */
  readonly addresses: ReadonlyMap<string, readonly string[]>;
  /** False after a request of unknown outcome touched it: the next sync rewrites it whole. */
  readonly certain: boolean;
}

export interface NrpMirror {
  readonly services: ReadonlyMap<string, NrpServiceType>;
  readonly locations: ReadonlyMap<string, NrpLocation>;
}

// ---------------------------------------------------------------------------------------------
// NRP wire shapes (updateAddressLocations), exactly as sent.

export type AddressUpdateAction = 'FullUpdate' | 'PartialUpdate';

export interface AddressUpdate {
  readonly address: string;
  readonly services: readonly string[];
}

export interface AddressLocationUpdate {
  readonly addressLocation: string;
  readonly addressUpdateAction: AddressUpdateAction;
  readonly addresses: readonly AddressUpdate[];
}

export interface LocationsRequest {
  readonly action: 'PartialUpdate';
  readonly addressLocations: readonly AddressLocationUpdate[];
}

export interface InFlightSync {
  readonly syncId: string;
  readonly requests: readonly LocationsRequest[];
  readonly startedAt: number;
}

/**
 * Whether NRP was read since this state began. Until it is, the mirror is empty rather than what NRP
 * holds, and a sync would rewrite whole locations without the addresses of services not adopted yet
 * (a migration, a lost state): no sync runs before the first read.
 */
export type NrpReadState = { readonly state: 'read' } | { readonly state: 'unread'; readonly requestedAt: number | null };

export interface LocationsSyncState {
  readonly nrpRead: NrpReadState;
  readonly inFlight: InFlightSync | null;
  readonly lastStartedAt: number | null;
  readonly failures: number;
  readonly nextAttemptAt: number | null;
  /** Fingerprint of a batch NRP rejected as invalid, so the same batch is not resent in a loop. */
  readonly rejectedFingerprint: string | null;
  /** Something changed that may change the diff. */
  readonly dirty: boolean;
}

// ---------------------------------------------------------------------------------------------
// This engine's own Azure resources (docs/adr/0013-azure-orphan-sweep.md).

export type AzureResourceType = 'publicIPAddress' | 'loadBalancer' | 'natGateway';

/** A resource of the cluster's resource group whose tags say this engine created it for `cluster`. */
export interface ManagedResource {
  readonly resourceType: AzureResourceType;
  readonly name: string;
  readonly id: string;
  /** From its tags: the cluster, and the kind and NRP name of the service it was created for. */
  readonly cluster: string;
  readonly serviceKind: ServiceKind;
  readonly service: string;
}

/**
 * Whether this engine's Azure resources were listed since this state began. Until they are,
 * "nothing of this Service is left" is known of NRP only, not of Azure: no Service finalizer comes off.
 */
export type AzureListingState =
  | { readonly state: 'listed' }
  | {
      readonly state: 'unlisted';
      readonly requestedAt: number | null;
      /** The part of the listing in progress that makes it whole if it comes next (0: a new listing
       * is awaited); null once a part was missed: only a new listing's part 0 can complete one. */
      readonly nextPart: number | null;
    };

export interface AzureState {
  readonly listing: AzureListingState;
  /** Kinds (Service, Pod) of which an object the cache does not hold was withheld, with the list that
   * withheld it (null: a watch event). Which names it would protect is unknown, so no orphan of the
   * service kind it could own is deleted until a later list of its kind completes without it. */
  readonly withheld: ReadonlyMap<KubeObjectKind, string | null>;
}

export interface ClusterState {
  readonly schemaVersion: 1;
  readonly cluster: string;
  /** Monotonic counter for dispatch, sync and correlation ids: deterministic and unique per cluster. */
  readonly sequence: number;
  /** Completions (operations and syncs) that may have changed NRP: a read of NRP taken before the
   * latest of them is out of date. */
  readonly nrpEpoch: number;
  readonly kube: KubeState;
  /** Keyed by NRP service name (lower-cased UID or egress identity). */
  readonly ops: ReadonlyMap<string, ServiceOp>;
  readonly nrp: NrpMirror;
  readonly sync: LocationsSyncState;
  /** Kubernetes actions asked for and not yet confirmed by a fact (`Service/<uid>` and
   * `Pod/<ns>/<name>`: finalizer removals; `Status/<uid>`: the ingress IP), asked again when due;
   * a confirmed status ask is remembered a while, so that a fight over it keeps its backoff. */
  readonly asked: ReadonlyMap<string, AskedAction>;
  readonly azure: AzureState;
}

/** A Kubernetes action the engine asked for: asked again from `nextAt` until a fact confirms it. */
export interface AskedAction {
  readonly attempts: number;
  readonly nextAt: number;
  /** What was asked for, where it can change (the ingress IP; the pod's UID, so a pod re-created
   * under the name is its own ask), so a new value is asked at once. */
  readonly value: string | null;
  /** When a fact confirmed it: from then on only remembered, until `ASK_MEMORY_MS` passes. */
  readonly confirmedAt?: number | undefined;
}

// ---------------------------------------------------------------------------------------------
// Events: what the engine hears.

export type OperationOutcome =
  | { readonly result: 'success'; readonly publicIp: string | null }
  | { readonly result: 'failure'; readonly terminal: boolean; readonly code: string; readonly message: string };

export interface SyncFailure {
  /** NRP rejected the request as invalid (400/422): it was not applied and resending it will not help. */
  readonly terminal: boolean;
  /** A timeout or 5xx: the failed request may or may not have been applied. */
  readonly outcomeUnknown: boolean;
  readonly code: string;
  readonly message: string;
}

export interface ObservedLocation {
  readonly location: string;
  readonly addresses: readonly AddressUpdate[];
}

export type EngineEvent =
  | { readonly kind: 'ServiceUpserted'; readonly service: ServiceFact; readonly snapshot?: string | undefined }
  | { readonly kind: 'EndpointSliceUpserted'; readonly slice: EndpointSliceFact; readonly snapshot?: string | undefined }
  | { readonly kind: 'NodeUpserted'; readonly node: NodeFact; readonly snapshot?: string | undefined }
  | { readonly kind: 'PodUpserted'; readonly pod: PodFact; readonly snapshot?: string | undefined }
  | {
      readonly kind: 'ObjectDeleted';
      readonly objectKind: KubeObjectKind;
      /** Null for cluster-scoped kinds (Node). */
      readonly namespace: string | null;
      readonly name: string;
      readonly uid: string;
      readonly resourceVersion: string;
    }
  /**
   * An object the forwarder (or the engine's intake) cannot pass on: too large for a message or a
   * state row, or unreadable. It is not a deletion: the engine keeps acting on its last known state
   * (and, with `snapshot`, counts it as seen in that list), and tells the object's owner why.
   */
  | {
      readonly kind: 'ObjectWithheld';
      readonly objectKind: KubeObjectKind;
      readonly namespace: string | null;
      readonly name: string;
      readonly uid: string;
      readonly resourceVersion: string;
      readonly reason: WithheldReason;
      readonly detail: string;
      readonly snapshot?: string | undefined;
    }
  /**
   * Every object of this kind was sent in `snapshot`: cached objects not seen in it and not newer
   * than it are gone. `snapshot` is the list's resourceVersion, so snapshots are ordered and a
   * replayed old marker is ignored.
   */
  | { readonly kind: 'KubernetesSynced'; readonly objectKind: KubeObjectKind; readonly snapshot: string }
  | {
      readonly kind: 'ServiceOperationCompleted';
      readonly serviceName: string;
      readonly dispatchId: string;
      readonly outcome: OperationOutcome;
    }
  | {
      readonly kind: 'LocationsSyncCompleted';
      readonly syncId: string;
      /** How many leading requests of the sync NRP acknowledged. */
      readonly applied: number;
      readonly failure: SyncFailure | null;
    }
  /**
   * A full read of NRP (services and address locations) replaces the mirror. `nrpEpoch` is the
   * state's `nrpEpoch` when the read started; a read that a completion may have overtaken is ignored.
   */
  | {
      readonly kind: 'NrpObserved';
      readonly nrpEpoch: number;
      readonly services: readonly { readonly name: string; readonly type: NrpServiceType }[];
      readonly locations: readonly ObservedLocation[];
    }
  /**
   * What a read of NRP found different from the mirror: each listed service (type null: NRP does
   * not have it) and each listed location (with all its addresses; none: NRP does not have it)
   * replaces the mirror's entry. A large difference comes in several parts, each applicable alone,
   * so a read of any size fits in messages. `nrpEpoch` as for NrpObserved.
   */
  | {
      readonly kind: 'NrpDriftObserved';
      readonly nrpEpoch: number;
      readonly services: readonly { readonly name: string; readonly type: NrpServiceType | null }[];
      readonly locations: readonly ObservedLocation[];
      /** False on every part of a read but its last; absent on a read of one part. */
      readonly final?: boolean | undefined;
    }
  /**
   * A listing of this engine's resources in the cluster's resource group (the backstop's). Each part
   * is applicable alone; the listing is complete with the part whose `final` is not false.
   * `nrpEpoch` as for NrpObserved: a listing an operation completed after is ignored.
   */
  | {
      readonly kind: 'AzureResourcesObserved';
      readonly nrpEpoch: number;
      readonly resources: readonly ManagedResource[];
      /** The part's place in its listing, from 0; absent on a listing of one part. */
      readonly part?: number | undefined;
      readonly final?: boolean | undefined;
    }
  | { readonly kind: 'Tick' };

// ---------------------------------------------------------------------------------------------
// Commands: what the engine asks the shell to do.

export interface ObjectRef {
  readonly kind: 'Service' | 'Pod';
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** The object of a Service action: status and the Service finalizer are only ever a Service's. */
export interface ServiceTarget extends ObjectRef {
  readonly kind: 'Service';
}

/** The object of a pod finalizer action. */
export interface PodTarget extends ObjectRef {
  readonly kind: 'Pod';
}

/** Each finalizer on its own kind only: the Service one on Services, the pod one on Pods. */
export type FinalizerChange<K extends 'AddFinalizer' | 'RemoveFinalizer'> =
  | { readonly kind: K; readonly target: ServiceTarget; readonly finalizer: typeof SERVICE_FINALIZER }
  | { readonly kind: K; readonly target: PodTarget; readonly finalizer: typeof POD_FINALIZER };

/** What a Kubernetes Event may be about: any watched object (a Node has no namespace). */
export interface EventTarget {
  readonly kind: KubeObjectKind;
  readonly namespace: string | null;
  readonly name: string;
  readonly uid: string;
}

export interface ServiceOperation {
  readonly cluster: string;
  readonly dispatchId: string;
  readonly correlationId: string;
  readonly serviceName: string;
  readonly serviceKind: ServiceKind;
  readonly operation: OperationKind;
  readonly config: ServiceConfig | null;
  readonly orphan: boolean;
  readonly attempt: number;
}

export interface LocationsSync {
  readonly cluster: string;
  readonly syncId: string;
  readonly requests: readonly LocationsRequest[];
}

export type EngineCommand =
  | { readonly kind: 'DispatchServiceOperation'; readonly operation: ServiceOperation }
  | { readonly kind: 'SyncLocations'; readonly sync: LocationsSync }
  /** The mirror is known to be wrong (NRP refused an unregister it believed drained): read NRP again. */
  | { readonly kind: 'ObserveNrp'; readonly reason: string }
  | { readonly kind: 'PatchServiceStatus'; readonly target: ServiceTarget; readonly ingressIp: string; readonly family: IpFamily }
  | FinalizerChange<'AddFinalizer'>
  | FinalizerChange<'RemoveFinalizer'>
  | {
      readonly kind: 'RecordKubernetesEvent';
      readonly target: EventTarget;
      readonly type: 'Normal' | 'Warning';
      readonly reason: string;
      readonly message: string;
    }
  | { readonly kind: 'WakeAt'; readonly at: number };

// ---------------------------------------------------------------------------------------------
// Observations: what happened, for metrics and logs. They change nothing.

/** Why an object was withheld (also the reason of the Warning Event on it). */
export type WithheldReason = 'ObjectTooLarge' | 'ObjectUnreadable';

export type RejectReason =
  | WithheldReason
  | 'BadIp'
  | 'UnknownNode'
  | 'NoNodeName'
  | 'NoSameFamilyLocation'
  | 'FamilyMismatch'
  | 'InvalidEgressLabel'
  | 'ReservedEgressLabel'
  | 'EgressIdentityConflict'
  | 'EndpointSliceNotLinked';

/** Examples an InputRejected keeps: enough to show what is wrong, few enough for one log line. */
export const MAX_REJECTION_EXAMPLES = 5;

export type EngineObservation =
  | {
      readonly kind: 'EventIgnored';
      readonly objectKind: KubeObjectKind;
      readonly key: string;
      readonly reason: 'olderResourceVersion' | 'duplicate' | 'uidMismatch' | 'unknownObject';
    }
  | { readonly kind: 'CompletionIgnored'; readonly id: string; readonly reason: 'unknownOperation' | 'staleDispatch' | 'unknownSync' }
  | { readonly kind: 'NrpObservationIgnored'; readonly reason: 'completedSinceRead' | 'syncInFlight' }
  | { readonly kind: 'AzureListingIgnored'; readonly reason: 'kubernetesNotListed' | 'nrpUnread' | 'completedSinceListing' }
  /** Resources of a service nothing wants and NRP does not register: an orphan delete is scheduled. */
  | { readonly kind: 'AzureOrphanFound'; readonly serviceName: string; readonly serviceKind: ServiceKind; readonly resources: readonly string[] }
  | { readonly kind: 'AdmissionRejected'; readonly serviceUid: string; readonly reason: string; readonly message: string }
  /** One per (object, reason) and decision, however many of its items were refused: `count` of
   * them, the first `examples` (at most MAX_REJECTION_EXAMPLES) saying which and why. */
  | {
      readonly kind: 'InputRejected';
      readonly objectKind: KubeObjectKind;
      readonly key: string;
      readonly reason: RejectReason;
      readonly count: number;
      readonly examples: readonly string[];
    }
  | { readonly kind: 'OperationDispatched'; readonly operation: ServiceOperation }
  | {
      readonly kind: 'OperationCompleted';
      readonly serviceName: string;
      readonly serviceKind: ServiceKind;
      readonly operation: OperationKind;
      readonly status: 'success' | 'failure';
      readonly durationMs: number;
      readonly errorCode: string | null;
      readonly correlationId: string;
      readonly attempt: number;
    }
  | { readonly kind: 'OperationRetryScheduled'; readonly serviceName: string; readonly operation: OperationKind; readonly retryCount: number; readonly retryAt: number }
  | { readonly kind: 'OperationParked'; readonly serviceName: string; readonly reason: 'terminal_error' | 'retries_exceeded'; readonly until: number | null }
  | { readonly kind: 'OutboundUpdateSkipped'; readonly serviceName: string }
  | { readonly kind: 'BuffersFlushed'; readonly serviceName: string; readonly endpoints: number; readonly pods: number; readonly waitedMs: number }
  | { readonly kind: 'StateChanged'; readonly serviceName: string; readonly from: OpState | 'Untracked'; readonly to: OpState | 'Untracked' }
  | {
      readonly kind: 'LocationsSyncDispatched';
      readonly syncId: string;
      readonly requests: number;
      readonly added: number;
      readonly removed: number;
      readonly updated: number;
    }
  | {
      readonly kind: 'LocationsSyncFinished';
      readonly syncId: string;
      readonly status: 'success' | 'failure';
      readonly durationMs: number;
      readonly errorCode: string | null;
      readonly terminal: boolean;
    };

// ---------------------------------------------------------------------------------------------
// Configuration and the decide() contract.

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly factor: number;
  readonly capMs: number;
  /** Up to this fraction is added at random (0.2 = +0..20 %). */
  readonly jitter: number;
}

export interface EngineConfig {
  readonly maxConcurrentOperations: number;
  readonly maxServiceRetries: number;
  readonly parkCooldownMs: number;
  readonly backoff: BackoffPolicy;
  /** An operation or sync with no completion after this long is treated as timed out. */
  readonly operationTimeoutMs: number;
  readonly maxAddressesPerRequest: number;
  /** Minimum gap between the starts of two locations syncs: changes in between are coalesced. */
  readonly locationsSyncIntervalMs: number;
  /** How long a deleted object is remembered to reject stale upserts of it. */
  readonly tombstoneTtlMs: number;
}

export interface DecideContext {
  readonly now: number;
  /** Uniform in [0, 1): the only randomness the core uses (retry jitter). */
  readonly random: () => number;
  readonly config: EngineConfig;
}

export interface Decision {
  readonly state: ClusterState;
  readonly commands: readonly EngineCommand[];
  readonly observations: readonly EngineObservation[];
}
