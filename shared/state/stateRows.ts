// The row layout of a ClusterState, shared by every store: one meta record plus one row per map
// entry (a location too large for one row: one row per part, locationRows.ts), keyed
// `<kind>|<encoded key>`. `diffRows` finds the rows that differ between a loaded state and the
// state decide() derived from it without deep comparisons: decide() is copy-on-write, so a Map
// that is === to the loaded one is unchanged, and so is a value that is === to the loaded one.
import { initialState } from '../engine/state.ts';
import type {
  AskedAction,
  Cached,
  CachedPod,
  ClusterState,
  EndpointSliceFact,
  LocationsRequest,
  NodeFact,
  NrpLocation,
  NrpServiceType,
  ServiceFact,
  ServiceOp,
  Tombstone,
} from '../engine/types.ts';
import {
  StateCorruptError,
  decodeMeta,
  decodeNode,
  decodeNrpService,
  decodeOp,
  decodePod,
  decodeAsked,
  decodeRequest,
  decodeService,
  decodeSlice,
  decodeTombstone,
  encodeMeta,
  encodePlain,
} from './stateCodec.ts';
import { locationFromParts, locationPartsJson } from './locationRows.ts';
import { legacyOwnerUid, linkLegacySlices } from './legacySliceLinks.ts';

export type RowKind = 'op' | 'svc' | 'slice' | 'node' | 'pod' | 'tomb' | 'nrpsvc' | 'loc' | 'syncreq' | 'release';

/** Table Storage allows 1 KiB keys; longer keys are refused before anything is written. */
export const MAX_KEY_LENGTH = 1_024;

/** An entity holds 1 MiB (strings at 2 bytes a character). A row carries its value and, before
 * the commit, an undo copy, so each of them is held to a bit less than half of that. */
export const MAX_VALUE_CHARS = 240_000;

/** A row that cannot be stored: a key too long once encoded, or a value too large for a row. */
export class StateLimitError extends Error {
  override readonly name = 'StateLimitError';
  /** The rows that do not fit, when known. */
  readonly rowKeys: readonly string[];

  constructor(message: string, rowKeys: readonly string[] = []) {
    super(message);
    this.rowKeys = rowKeys;
  }
}

// --- keys ------------------------------------------------------------------------------------

const HEX = '0123456789ABCDEF';

function mustEscape(c: number): boolean {
  return (
    c < 0x20 || // control characters: forbidden in keys
    (c >= 0x7f && c <= 0x9f) || // more control characters
    c === 0x2f || // '/': forbidden
    c === 0x5c || // '\': forbidden
    c === 0x23 || // '#': forbidden
    c === 0x3f || // '?': forbidden
    c === 0x7c || // '|': our separator
    c === 0x21 || // '!': our escape character
    c === 0x25 || // '%': allowed, but mishandled in URLs by some clients
    c === 0x27 // "'": allowed, but needs quoting in OData URLs
  );
}

/**
 * One key part made safe for PartitionKey and RowKey: every forbidden or troublesome character
 * becomes `!XX` (two hex digits), a lone surrogate becomes `!uXXXX`; everything else, including
 * non-ASCII text, stays as it is. The mapping is one-to-one, so `decodeKeyPart` reverses it.
 */
export function encodeKeyPart(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let escaped: string | null = null;
    if (c < 0x100) {
      if (mustEscape(c)) escaped = `!${HEX[c >> 4]}${HEX[c & 15]}`;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++; // a well-formed pair stays
      else escaped = `!u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    }
    if (escaped !== null) {
      out += s.slice(from, i) + escaped;
      from = i + 1;
    }
  }
  return from === 0 ? s : out + s.slice(from);
}

export function decodeKeyPart(s: string): string {
  if (!s.includes('!')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch !== '!') {
      out += ch;
      continue;
    }
    const long = s[i + 1] === 'u';
    const hex = long ? s.slice(i + 2, i + 6) : s.slice(i + 1, i + 3);
    if (!/^[0-9A-F]+$/.test(hex) || hex.length !== (long ? 4 : 2)) throw new StateCorruptError(`bad escape in key part ${JSON.stringify(s)}`);
    out += String.fromCharCode(parseInt(hex, 16));
    i += long ? 5 : 2;
  }
  return out;
}

export function rowKeyOf(kind: RowKind, ...parts: readonly string[]): string {
  const key = `${kind}|${parts.map(encodeKeyPart).join('|')}`;
  if (key.length > MAX_KEY_LENGTH) throw new StateLimitError(`row key ${key.slice(0, 80)}… is ${key.length} characters, over ${MAX_KEY_LENGTH}`);
  return key;
}

/** The PartitionKey of a cluster. */
export function partitionKeyOf(cluster: string): string {
  const key = encodeKeyPart(cluster);
  if (key.length > MAX_KEY_LENGTH) throw new StateLimitError(`cluster name is ${key.length} characters once encoded, over ${MAX_KEY_LENGTH}`);
  return key;
}

export const META_ROW = 'meta';

// --- families of rows ------------------------------------------------------------------------

/** A row whose stored JSON differs between two states; null means the row does not exist. */
export interface RowChange {
  readonly rowKey: string;
  readonly before: string | null;
  readonly after: string | null;
}

/** What a load collects before the state is assembled. */
interface Collected {
  readonly services: Map<string, Cached<ServiceFact>>;
  readonly slices: Map<string, Cached<EndpointSliceFact>>;
  /** Slice key -> owner UID, for slice rows of the shape before labels (legacySliceLinks.ts). */
  readonly legacySliceOwners: Map<string, string>;
  readonly nodes: Map<string, Cached<NodeFact>>;
  readonly pods: Map<string, CachedPod>;
  readonly tombstones: Map<string, Tombstone>;
  readonly ops: Map<string, ServiceOp>;
  readonly nrpServices: Map<string, NrpServiceType>;
  /** location -> part number -> the part's row. */
  readonly locationParts: Map<string, Map<number, { readonly rowKey: string; readonly json: string }>>;
  /** syncId -> request index -> request (with the row key, to report strays). */
  readonly requests: Map<string, Map<number, { readonly rowKey: string; readonly request: LocationsRequest }>>;
  readonly asked: Map<string, AskedAction>;
}

interface RowFamily {
  readonly kind: RowKind;
  /** Rows whose JSON differs between `base` and `next`, appended to `out`. */
  changes(base: ClusterState, next: ClusterState, out: RowChange[]): void;
  /** Every row of `state`. */
  rows(state: ClusterState, out: Map<string, string>): void;
  /** Read one stored row (its key parts after the kind) into `into`. */
  collect(parts: readonly string[], rowKey: string, json: string, into: Collected): void;
}

interface FamilySpec<V> {
  readonly kind: RowKind;
  /** The part of the state the rows come from: reference-equal sources hold the same rows. */
  source(state: ClusterState): unknown;
  /** The rows' values by row key. */
  entries(state: ClusterState): ReadonlyMap<string, V>;
  /** The row key of an entry key (identity when `entries` is already keyed by row key). */
  rowKey(key: string): string;
  encode(value: V): string;
  collect(parts: readonly string[], rowKey: string, json: string, into: Collected): void;
}

function family<V>(spec: FamilySpec<V>): RowFamily {
  return {
    kind: spec.kind,
    changes(base, next, out) {
      if (spec.source(base) === spec.source(next)) return;
      const before = spec.entries(base);
      const after = spec.entries(next);
      for (const [key, value] of after) {
        const old = before.get(key);
        if (old === value) continue;
        const json = spec.encode(value);
        const oldJson = old === undefined ? null : spec.encode(old);
        if (json !== oldJson) out.push({ rowKey: spec.rowKey(key), before: oldJson, after: json });
      }
      for (const [key, old] of before) {
        if (!after.has(key)) out.push({ rowKey: spec.rowKey(key), before: spec.encode(old), after: null });
      }
    },
    rows(state, out) {
      for (const [key, value] of spec.entries(state)) out.set(spec.rowKey(key), spec.encode(value));
    },
    collect: (parts, rowKey, json, into) => spec.collect(parts, rowKey, json, into),
  };
}

function onePart(parts: readonly string[], rowKey: string): string {
  const [key] = parts;
  if (parts.length !== 1 || key === undefined) throw new StateCorruptError(`row ${rowKey}: expected one key part`);
  return key;
}

/** A map family: one row per entry, keyed by the entry's key. */
function mapFamily<V>(
  kind: RowKind,
  map: (s: ClusterState) => ReadonlyMap<string, V>,
  encode: (v: V) => string,
  decode: (json: string, what: string) => V,
  target: (c: Collected) => Map<string, V>,
): RowFamily {
  return family<V>({
    kind,
    source: map,
    entries: map,
    rowKey: (key) => rowKeyOf(kind, key),
    encode,
    collect: (parts, rowKey, json, into) => target(into).set(onePart(parts, rowKey), decode(json, `row ${rowKey}`)),
  });
}

/** The row key of part `n` of a location: part 0 is `loc|<location>`, as a location in one row. */
function locationRowKey(location: string, n: number): string {
  return n === 0 ? rowKeyOf('loc', location) : rowKeyOf('loc', location, String(n));
}

/**
 * The rows of each location object, as stored when it was loaded, otherwise as encoded (once). A
 * save compares a location with the rows it was read from, not with a fresh encoding of them: the
 * before-values a store writes as undo copies, deletes or leaves alone are then exactly what is
 * stored, even for a location stored under another cut (other limits, an older cut function), so
 * no part of it can be left behind or mixed with parts of another cut. Locations are immutable, as
 * every value of the state (decide() is copy-on-write).
 */
const locationRowCache = new WeakMap<NrpLocation, readonly string[]>();

function locationRows(location: NrpLocation): readonly string[] {
  let rows = locationRowCache.get(location);
  if (!rows) {
    rows = locationPartsJson(location, MAX_VALUE_CHARS);
    locationRowCache.set(location, rows);
  }
  return rows;
}

function locationPartChanges(location: string, before: readonly string[], after: readonly string[], out: RowChange[]): void {
  for (let n = 0; n < Math.max(before.length, after.length); n++) {
    const was = before[n] ?? null;
    const now = after[n] ?? null;
    if (was !== now) out.push({ rowKey: locationRowKey(location, n), before: was, after: now });
  }
}

/** The NRP mirror's locations: one row each, or parts when one row cannot hold it (locationRows.ts). */
const locationFamily: RowFamily = {
  kind: 'loc',
  changes(base, next, out) {
    const before = base.nrp.locations;
    const after = next.nrp.locations;
    if (before === after) return;
    for (const [location, value] of after) {
      const old = before.get(location);
      if (old !== value) locationPartChanges(location, old === undefined ? [] : locationRows(old), locationRows(value), out);
    }
    for (const [location, old] of before) if (!after.has(location)) locationPartChanges(location, locationRows(old), [], out);
  },
  rows(state, out) {
    for (const [location, value] of state.nrp.locations) locationRows(value).forEach((json, n) => out.set(locationRowKey(location, n), json));
  },
  collect(parts, rowKey, json, into) {
    const [location, part] = parts;
    const n = part === undefined ? 0 : Number(part);
    if (location === undefined || parts.length > 2 || (part !== undefined && (!Number.isSafeInteger(n) || n < 1 || String(n) !== part))) {
      throw new StateCorruptError(`row ${rowKey}: expected loc|<location> or loc|<location>|<part>`);
    }
    let byPart = into.locationParts.get(location);
    if (!byPart) {
      byPart = new Map();
      into.locationParts.set(location, byPart);
    }
    byPart.set(n, { rowKey, json });
  },
};

const requestRows = new WeakMap<object, ReadonlyMap<string, LocationsRequest>>();
const NO_ROWS: ReadonlyMap<string, never> = new Map<string, never>();


/** The in-flight sync's requests by row key `syncreq|<syncId>|<index>`. */
function requestsOf(s: ClusterState): ReadonlyMap<string, LocationsRequest> {
  const flight = s.sync.inFlight;
  if (!flight) return NO_ROWS;
  let rows = requestRows.get(flight);
  if (!rows) {
    rows = new Map(flight.requests.map((r, i) => [rowKeyOf('syncreq', flight.syncId, String(i)), r] as const));
    requestRows.set(flight, rows);
  }
  return rows;
}

const FAMILIES: readonly RowFamily[] = [
  mapFamily('op', (s) => s.ops, encodePlain, decodeOp, (c) => c.ops),
  mapFamily('svc', (s) => s.kube.services, encodePlain, decodeService, (c) => c.services),
  family<Cached<EndpointSliceFact>>({
    kind: 'slice',
    source: (s) => s.kube.slices,
    entries: (s) => s.kube.slices,
    rowKey: (key) => rowKeyOf('slice', key),
    encode: encodePlain,
    collect(parts, rowKey, json, into) {
      const key = onePart(parts, rowKey);
      into.slices.set(key, decodeSlice(json, `row ${rowKey}`));
      const owner = legacyOwnerUid(json);
      if (owner !== null) into.legacySliceOwners.set(key, owner);
    },
  }),
  mapFamily('node', (s) => s.kube.nodes, encodePlain, decodeNode, (c) => c.nodes),
  mapFamily('pod', (s) => s.kube.pods, encodePlain, decodePod, (c) => c.pods),
  mapFamily('tomb', (s) => s.kube.tombstones, encodePlain, decodeTombstone, (c) => c.tombstones),
  mapFamily('nrpsvc', (s) => s.nrp.services, encodePlain, decodeNrpService, (c) => c.nrpServices),
  locationFamily,
  family<LocationsRequest>({
    kind: 'syncreq',
    source: (s) => s.sync.inFlight,
    entries: requestsOf,
    rowKey: (key) => key,
    encode: encodePlain,
    collect(parts, rowKey, json, into) {
      const [syncId, index] = parts;
      const i = Number(index);
      if (parts.length !== 2 || syncId === undefined || !Number.isSafeInteger(i) || i < 0 || String(i) !== index) {
        throw new StateCorruptError(`row ${rowKey}: expected syncreq|<syncId>|<index>`);
      }
      let byIndex = into.requests.get(syncId);
      if (!byIndex) {
        byIndex = new Map<number, { readonly rowKey: string; readonly request: LocationsRequest }>();
        into.requests.set(syncId, byIndex);
      }
      byIndex.set(i, { rowKey, request: decodeRequest(json, `row ${rowKey}`) });
    },
  }),
  // Row kind `release` for the asked actions: the rows of earlier versions held finalizer releases only.
  mapFamily('release', (s) => s.asked, encodePlain, decodeAsked, (c) => c.asked),
];

const FAMILY_BY_KIND: ReadonlyMap<string, RowFamily> = new Map(FAMILIES.map((f) => [f.kind, f]));

// --- the operations stores use ---------------------------------------------------------------

/** The meta record's JSON: every scalar of the state, and the sync without its requests. */
export function metaJsonOf(state: ClusterState): string {
  return encodeMeta({ cluster: state.cluster, sequence: state.sequence, nrpEpoch: state.nrpEpoch, synced: state.kube.synced, sync: state.sync, azure: state.azure });
}

/** The rows whose JSON differs between `base` and `next` (meta excluded). */
export function diffRows(base: ClusterState, next: ClusterState): RowChange[] {
  const out: RowChange[] = [];
  for (const f of FAMILIES) f.changes(base, next, out);
  return out;
}

/** Every row of a state (meta excluded), by row key. */
export function rowsOf(state: ClusterState): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of FAMILIES) f.rows(state, out);
  return out;
}

export interface AssembledState {
  readonly state: ClusterState;
  /** Stored rows that no part of the state refers to (requests of a sync no longer in flight). */
  readonly strays: readonly string[];
}

function byKey<V>(a: readonly [string, V], b: readonly [string, V]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function sorted<V>(m: ReadonlyMap<string, V>): Map<string, V> {
  return new Map([...m].sort(byKey));
}

/**
 * The state a meta record and its rows describe. Maps come back sorted by key (whatever order the
 * rows were read in), tombstones by deletion time, the order pruning relies on.
 */
export function assembleState(cluster: string, metaJson: string | null, rows: Iterable<readonly [string, string]>): AssembledState {
  if (metaJson === null) return { state: initialState(cluster), strays: [...rows].map(([k]) => k) };
  const meta = decodeMeta(metaJson, `meta of cluster ${cluster}`);
  if (meta.cluster !== cluster) throw new StateCorruptError(`meta of cluster ${cluster} names cluster ${meta.cluster}`);
  const c: Collected = {
    services: new Map(),
    slices: new Map(),
    legacySliceOwners: new Map(),
    nodes: new Map(),
    pods: new Map(),
    tombstones: new Map(),
    ops: new Map(),
    nrpServices: new Map(),
    locationParts: new Map(),
    requests: new Map(),
    asked: new Map(),
  };
  for (const [rowKey, json] of rows) {
    const [kind, ...encoded] = rowKey.split('|');
    const f = kind === undefined ? undefined : FAMILY_BY_KIND.get(kind);
    if (!f || encoded.length === 0) throw new StateCorruptError(`row ${rowKey}: unknown kind of row`);
    f.collect(encoded.map(decodeKeyPart), rowKey, json, c);
  }

  const strays: string[] = [];
  const stored = meta.sync.inFlight;
  let inFlight: ClusterState['sync']['inFlight'] = null;
  for (const [syncId, byIndex] of c.requests) {
    const wanted = stored !== null && stored.syncId === syncId ? stored.requests : 0;
    for (const [i, r] of byIndex) if (i >= wanted) strays.push(r.rowKey);
  }
  if (stored) {
    const byIndex = c.requests.get(stored.syncId);
    const requests: LocationsRequest[] = [];
    for (let i = 0; i < stored.requests; i++) {
      const r = byIndex?.get(i);
      if (!r) throw new StateCorruptError(`cluster ${cluster}: request ${i} of sync ${stored.syncId} is missing`);
      requests.push(r.request);
    }
    inFlight = { syncId: stored.syncId, requests, startedAt: stored.startedAt };
  }

  const locations = new Map<string, NrpLocation>();
  for (const [location, parts] of c.locationParts) {
    const value = locationFromParts(parts, `location ${location} of cluster ${cluster}`);
    locationRowCache.set(value, [...parts].sort((a, b) => a[0] - b[0]).map(([, p]) => p.json));
    locations.set(location, value);
  }
  linkLegacySlices(c.slices, c.services, c.legacySliceOwners);
  const tombstones = new Map([...c.tombstones].sort((a, b) => a[1].deletedAt - b[1].deletedAt || byKey(a, b)));
  const state: ClusterState = {
    schemaVersion: 1,
    cluster,
    sequence: meta.sequence,
    nrpEpoch: meta.nrpEpoch,
    kube: {
      services: sorted(c.services),
      slices: sorted(c.slices),
      nodes: sorted(c.nodes),
      pods: sorted(c.pods),
      synced: new Map(meta.synced),
      tombstones,
    },
    ops: sorted(c.ops),
    nrp: { services: sorted(c.nrpServices), locations: sorted(locations) },
    sync: { ...meta.sync, inFlight },
    asked: sorted(c.asked),
    azure: { listing: meta.azure.listing, withheld: new Map(meta.azure.withheld) },
  };
  return { state, strays };
}
