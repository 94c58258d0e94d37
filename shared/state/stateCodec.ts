// How each persisted piece of ClusterState is written as JSON and read back. Writing is plain
// JSON.stringify of the engine's data, except for the Maps (an NRP location's addresses, the meta
// record's synced kinds and sync), which are turned into arrays here. Reading parses with a schema
// per piece, so a row that does not match the engine's types fails loudly instead of surfacing as
// a wrong state later. The checks at the bottom make the compiler compare every schema with its
// engine type: a field added to types.ts without a schema change does not compile.
import { z } from 'zod';
import type {
  AskedAction,
  AzureListingState,
  AzureState,
  Cached,
  CachedPod,
  EndpointFact,
  EndpointSliceFact,
  InFlight,
  InboundConfig,
  LocationsRequest,
  LocationsSyncState,
  KubeObjectKind,
  NodeFact,
  NrpLocation,
  NrpServiceType,
  OutboundConfig,
  PodFact,
  PodRegistration,
  PortRule,
  RetryState,
  ServiceFact,
  ServiceOp,
  ServicePortFact,
  ServiceRef,
  TerminalPark,
  Tombstone,
} from '../engine/types.ts';

/** The schema version this code writes and reads. See docs/state-schema.md before changing it. */
export const STATE_SCHEMA_VERSION = 1;

/** A stored row that cannot be read as the engine's state: not written by this code, or damaged. */
export class StateCorruptError extends Error {
  override readonly name = 'StateCorruptError';
}

const list = <T extends z.ZodType>(item: T) => z.array(item).readonly();
const nullable = <T extends z.ZodType>(t: T) => t.nullable();

// --- Kubernetes facts ------------------------------------------------------------------------

const servicePortFact = z.object({
  name: z.string().optional(),
  protocol: z.string(),
  port: z.number(),
  targetPort: z.union([z.number(), z.string(), z.null()]),
});

const serviceFact = z.object({
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  resourceVersion: z.string(),
  type: z.string(),
  loadBalancerClass: nullable(z.string()),
  deleting: z.boolean(),
  finalizers: list(z.string()),
  annotations: z.record(z.string(), z.string()),
  ipFamilies: list(z.string()),
  sessionAffinity: nullable(z.string()),
  loadBalancerIP: nullable(z.string()),
  ports: list(servicePortFact),
  // Rows written before Services carried their ingress read as showing no IP: at worst one status patch again.
  ingressIPs: list(z.string()).default([]),
});

const endpointFact = z.object({
  addresses: list(z.string()),
  nodeName: nullable(z.string()),
  ready: nullable(z.boolean()),
});

const endpointSliceFact = z.object({
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  resourceVersion: z.string(),
  // Rows written before slices carried their label have neither: see legacySliceLinks.ts.
  serviceName: nullable(z.string()).default(null),
  ownerServiceUids: list(z.string()).default([]),
  addressType: z.string(),
  endpoints: list(endpointFact),
});

const nodeFact = z.object({
  name: z.string(),
  uid: z.string(),
  resourceVersion: z.string(),
  internalIPs: list(z.string()),
});

const podFact = z.object({
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  resourceVersion: z.string(),
  egressLabel: nullable(z.string()),
  phase: z.string(),
  nodeName: nullable(z.string()),
  hostIPs: list(z.string()),
  podIPs: list(z.string()),
  deleting: z.boolean(),
  finalizers: list(z.string()),
});

const podRegistration = z.object({
  identity: z.string(),
  addresses: list(z.object({ location: z.string(), address: z.string() })),
});

const cachedService = z.object({ fact: serviceFact, snapshot: nullable(z.string()) });
const cachedSlice = z.object({ fact: endpointSliceFact, snapshot: nullable(z.string()) });
const cachedNode = z.object({ fact: nodeFact, snapshot: nullable(z.string()) });
const cachedPod = z.object({ fact: podFact, snapshot: nullable(z.string()), registered: nullable(podRegistration), live: z.boolean() });

const tombstone = z.object({ uid: z.string(), resourceVersion: z.string(), lastKnownResourceVersion: z.string().optional(), deletedAt: z.number() });

// --- Service operations ----------------------------------------------------------------------

const portRule = z.object({ protocol: z.enum(['TCP', 'UDP']), port: z.number(), backendPort: z.number() });
const serviceRef = z.object({ namespace: z.string(), name: z.string(), uid: z.string() });
const inboundConfig = z.object({
  kind: z.literal('inbound'),
  name: z.string(),
  service: serviceRef,
  ipFamily: z.enum(['IPv4', 'IPv6']),
  ports: list(portRule),
  idleTimeoutMinutes: z.number(),
});
const outboundConfig = z.object({ kind: z.literal('outbound'), name: z.string(), ipFamilies: list(z.enum(['IPv4', 'IPv6'])) });
const serviceConfig = z.discriminatedUnion('kind', [inboundConfig, outboundConfig]);

const inFlight = z.object({
  dispatchId: z.string(),
  operation: z.enum(['create', 'update', 'delete']),
  config: nullable(serviceConfig),
  startedAt: z.number(),
  attempt: z.number(),
});
const retryState = z.object({ count: z.number(), nextAt: nullable(z.number()), parkedUntil: nullable(z.number()) });
const terminalPark = z.object({ code: z.string(), message: z.string(), rejectedConfig: nullable(serviceConfig) });

const opFields = {
  name: z.string(),
  kind: z.enum(['inbound', 'outbound']),
  config: nullable(serviceConfig),
  lastApplied: nullable(serviceConfig),
  retry: retryState,
  recreateAfterDeletion: z.boolean(),
  orphan: z.boolean(),
  correlationId: z.string(),
  createdAt: z.number(),
  dispatches: z.number(),
  publicIp: nullable(z.string()).default(null),
};
const opNotStarted = z.object({ ...opFields, state: z.literal('NotStarted'), inFlight: z.null(), terminal: nullable(terminalPark) });
const opCreating = z.object({ ...opFields, state: z.literal('CreationInProgress'), inFlight });
const opCreated = z.object({ ...opFields, state: z.literal('Created'), inFlight: z.null() });
const opUpdating = z.object({ ...opFields, state: z.literal('UpdateInProgress'), inFlight: nullable(inFlight) });
const opDeletionPending = z.object({ ...opFields, state: z.literal('DeletionPending'), inFlight: nullable(inFlight) });
const opDeleting = z.object({ ...opFields, state: z.literal('DeletionInProgress'), inFlight: nullable(inFlight) });
const serviceOp = z.discriminatedUnion('state', [opNotStarted, opCreating, opCreated, opUpdating, opDeletionPending, opDeleting]);

// --- NRP mirror and the sync in flight -------------------------------------------------------

const nrpServiceType = z.enum(['Inbound', 'Outbound', 'InboundOutbound']);

const storedAddresses = list(z.tuple([z.string(), list(z.string())]).readonly());
/** A location as stored: its address map as [address, services] pairs sorted by address. A location
 * too large for one row is stored in parts (locationRows.ts): this is part 0, which says how many
 * parts there are when there is more than one; parts 1… hold only addresses. */
const storedLocation = z.object({ addresses: storedAddresses, certain: z.boolean(), parts: z.number().int().min(2).optional() });
const storedLocationPart = z.object({ addresses: storedAddresses });

const addressUpdate = z.object({ address: z.string(), services: list(z.string()) });
const addressLocationUpdate = z.object({
  addressLocation: z.string(),
  addressUpdateAction: z.enum(['FullUpdate', 'PartialUpdate']),
  addresses: list(addressUpdate),
});
const locationsRequest = z.object({ action: z.literal('PartialUpdate'), addressLocations: list(addressLocationUpdate) });

const kubeObjectKind = z.enum(['Service', 'EndpointSlice', 'Node', 'Pod']);

/** The sync state as stored in meta: the in-flight sync's requests live in their own rows. */
const storedSync = z.object({
  // States stored before this field existed had run syncs, so their mirror was built from NRP's answers.
  nrpRead: z.discriminatedUnion('state', [z.object({ state: z.literal('read') }), z.object({ state: z.literal('unread'), requestedAt: nullable(z.number()) })]).default({ state: 'read' }),
  inFlight: nullable(z.object({ syncId: z.string(), startedAt: z.number(), requests: z.number().int().nonnegative() })),
  lastStartedAt: nullable(z.number()),
  failures: z.number(),
  nextAttemptAt: nullable(z.number()),
  rejectedFingerprint: nullable(z.string()),
  dirty: z.boolean(),
});

const azureListing = z.discriminatedUnion('state', [z.object({ state: z.literal('listed') }), z.object({ state: z.literal('unlisted'), requestedAt: nullable(z.number()), nextPart: nullable(z.number()).default(0) })]);

/** This engine's Azure resources (docs/adr/0013): listed yet, and the withheld marks as [kind, snapshot] pairs sorted by kind. */
const storedAzure = z.object({
  listing: azureListing,
  withheld: list(z.tuple([kubeObjectKind, nullable(z.string())])),
});

const storedMeta = z.object({
  cluster: z.string(),
  sequence: z.number(),
  nrpEpoch: z.number(),
  /** [kind, snapshot] pairs, sorted by kind. */
  synced: list(z.tuple([kubeObjectKind, z.string()])),
  sync: storedSync,
  // States stored before this field existed never listed Azure: their first listing opens the finalizer gate.
  azure: storedAzure.default({ listing: { state: 'unlisted', requestedAt: null, nextPart: 0 }, withheld: [] }),
});

/** The scalars of a ClusterState that live in its meta row. */
export type MetaRecord = z.output<typeof storedMeta>;
export type StoredSync = z.output<typeof storedSync>;

// --- encode / decode -------------------------------------------------------------------------

function parseJson(json: string, what: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (e) {
    throw new StateCorruptError(`${what}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

function decodeWith<S extends z.ZodType>(schema: S, json: string, what: string): z.output<S> {
  const result = schema.safeParse(parseJson(json, what));
  if (!result.success) throw new StateCorruptError(`${what}: ${z.prettifyError(result.error)}`);
  return result.data;
}

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON of plain engine data (objects, arrays, strings, finite numbers, booleans and null). */
export const encodePlain = (value: unknown): string => JSON.stringify(value);

export const decodeService = (json: string, what: string): Cached<ServiceFact> => decodeWith(cachedService, json, what);
export const decodeSlice = (json: string, what: string): Cached<EndpointSliceFact> => decodeWith(cachedSlice, json, what);
export const decodeNode = (json: string, what: string): Cached<NodeFact> => decodeWith(cachedNode, json, what);
export const decodePod = (json: string, what: string): CachedPod => decodeWith(cachedPod, json, what);
export const decodeTombstone = (json: string, what: string): Tombstone => decodeWith(tombstone, json, what);
export const decodeOp = (json: string, what: string): ServiceOp => decodeWith(serviceOp, json, what);
export const decodeNrpService = (json: string, what: string): NrpServiceType => decodeWith(nrpServiceType, json, what);
export const decodeRequest = (json: string, what: string): LocationsRequest => decodeWith(locationsRequest, json, what);
/** An asked action; `true` is the row of a finalizer release written before actions were asked
 * again, read as due now so that it is checked at once. */
const askedAction = z.union([
  z.object({ attempts: z.number(), nextAt: z.number(), value: nullable(z.string()), confirmedAt: z.number().optional() }),
  z.literal(true).transform((): AskedAction => ({ attempts: 1, nextAt: 0, value: null })),
]);
export const decodeAsked = (json: string, what: string): AskedAction => decodeWith(askedAction, json, what);

/** One stored address of a location: [address, sorted services]. */
export type StoredAddress = readonly [string, readonly string[]];

/** A location's addresses in address order, so equal locations always give equal JSON whatever
 * order their map was filled in. */
export function sortedAddresses(location: NrpLocation): StoredAddress[] {
  return [...location.addresses].sort((a, b) => byString(a[0], b[0]));
}

/** Part 0 of a location: the first addresses, whether it is certain, and the number of parts when
 * more than one (a location in one row is `{"addresses": […], "certain": …}` as it always was). */
export function encodeLocationHead(addresses: readonly StoredAddress[], certain: boolean, parts: number): string {
  const stored: z.input<typeof storedLocation> = parts > 1 ? { addresses, certain, parts } : { addresses, certain };
  return JSON.stringify(stored);
}

/** Part 1… of a location: its next addresses. */
export function encodeLocationPart(addresses: readonly StoredAddress[]): string {
  const stored: z.input<typeof storedLocationPart> = { addresses };
  return JSON.stringify(stored);
}

export interface StoredLocationHead {
  readonly addresses: readonly StoredAddress[];
  readonly certain: boolean;
  readonly parts: number;
}

export function decodeLocationHead(json: string, what: string): StoredLocationHead {
  const stored = decodeWith(storedLocation, json, what);
  return { addresses: stored.addresses, certain: stored.certain, parts: stored.parts ?? 1 };
}

export function decodeLocationPart(json: string, what: string): readonly StoredAddress[] {
  return decodeWith(storedLocationPart, json, what).addresses;
}

export interface MetaSource {
  readonly cluster: string;
  readonly sequence: number;
  readonly nrpEpoch: number;
  readonly synced: ReadonlyMap<KubeObjectKind, string>;
  readonly sync: LocationsSyncState;
  readonly azure: AzureState;
}

/** The meta record: scalars, synced kinds sorted by kind, and the sync without its requests. */
export function encodeMeta(m: MetaSource): string {
  const flight = m.sync.inFlight;
  const stored: z.input<typeof storedMeta> = {
    cluster: m.cluster,
    sequence: m.sequence,
    nrpEpoch: m.nrpEpoch,
    synced: [...m.synced].sort((a, b) => byString(a[0], b[0])),
    sync: {
      nrpRead: m.sync.nrpRead,
      inFlight: flight === null ? null : { syncId: flight.syncId, startedAt: flight.startedAt, requests: flight.requests.length },
      lastStartedAt: m.sync.lastStartedAt,
      failures: m.sync.failures,
      nextAttemptAt: m.sync.nextAttemptAt,
      rejectedFingerprint: m.sync.rejectedFingerprint,
      dirty: m.sync.dirty,
    },
    azure: { listing: m.azure.listing, withheld: [...m.azure.withheld].sort((a, b) => byString(a[0], b[0])) },
  };
  return JSON.stringify(stored);
}

export const decodeMeta = (json: string, what: string): MetaRecord => decodeWith(storedMeta, json, what);

// --- compile-time checks: every schema reads exactly its engine type ------------------------

type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Mutually assignable and with the same keys (an optional field missing from a schema shows here). */
type Matches<S extends z.ZodType, T> = Mutual<z.output<S>, T> extends true ? Mutual<keyof z.output<S>, keyof T> : false;
type Assert<T extends true> = T;
type OpIn<S extends ServiceOp['state']> = Extract<ServiceOp, { state: S }>;

export type CodecMatchesEngineTypes = [
  Assert<Matches<typeof servicePortFact, ServicePortFact>>,
  Assert<Matches<typeof serviceFact, ServiceFact>>,
  Assert<Matches<typeof endpointFact, EndpointFact>>,
  Assert<Matches<typeof endpointSliceFact, EndpointSliceFact>>,
  Assert<Matches<typeof nodeFact, NodeFact>>,
  Assert<Matches<typeof podFact, PodFact>>,
  Assert<Matches<typeof podRegistration, PodRegistration>>,
  Assert<Matches<typeof cachedService, Cached<ServiceFact>>>,
  Assert<Matches<typeof cachedSlice, Cached<EndpointSliceFact>>>,
  Assert<Matches<typeof cachedNode, Cached<NodeFact>>>,
  Assert<Matches<typeof cachedPod, CachedPod>>,
  Assert<Matches<typeof tombstone, Tombstone>>,
  Assert<Matches<typeof portRule, PortRule>>,
  Assert<Matches<typeof serviceRef, ServiceRef>>,
  Assert<Matches<typeof inboundConfig, InboundConfig>>,
  Assert<Matches<typeof outboundConfig, OutboundConfig>>,
  Assert<Matches<typeof inFlight, InFlight>>,
  Assert<Matches<typeof retryState, RetryState>>,
  Assert<Matches<typeof terminalPark, TerminalPark>>,
  Assert<Matches<typeof opNotStarted, OpIn<'NotStarted'>>>,
  Assert<Matches<typeof opCreating, OpIn<'CreationInProgress'>>>,
  Assert<Matches<typeof opCreated, OpIn<'Created'>>>,
  Assert<Matches<typeof opUpdating, OpIn<'UpdateInProgress'>>>,
  Assert<Matches<typeof opDeletionPending, OpIn<'DeletionPending'>>>,
  Assert<Matches<typeof opDeleting, OpIn<'DeletionInProgress'>>>,
  Assert<Mutual<z.output<typeof serviceOp>, ServiceOp>>,
  Assert<Mutual<z.output<typeof nrpServiceType>, NrpServiceType>>,
  Assert<Matches<typeof addressUpdate, LocationsRequest['addressLocations'][number]['addresses'][number]>>,
  Assert<Matches<typeof addressLocationUpdate, LocationsRequest['addressLocations'][number]>>,
  Assert<Matches<typeof locationsRequest, LocationsRequest>>,
  Assert<Mutual<keyof StoredSync, keyof LocationsSyncState>>,
  Assert<Mutual<Omit<StoredSync, 'inFlight'>, Omit<LocationsSyncState, 'inFlight'>>>,
  Assert<Mutual<z.output<typeof azureListing>, AzureListingState>>,
  Assert<Mutual<keyof z.output<typeof storedAzure>, keyof AzureState>>,
];
