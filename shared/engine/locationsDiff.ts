// The locations diff of reference §4 as pure functions: diff desired against the mirror, cut the
// result into requests NRP accepts, and mirror what NRP acknowledged.
import type { DesiredLocations } from './desired.ts';
import { LayeredMap } from './layeredMap.ts';
import type { AddressLocationUpdate, AddressUpdate, LocationsRequest, NrpLocation } from './types.ts';

function sameServices(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
// Arrays of strings use the default sort: the same UTF-16 order as byString, and faster.

function allAddresses(want: ReadonlyMap<string, readonly string[]>): AddressUpdate[] {
  const addresses = [...want.keys()].sort();
  const out: AddressUpdate[] = new Array<AddressUpdate>(addresses.length);
  for (let i = 0; i < addresses.length; i++) {
    const address = addresses[i] ?? '';
    out[i] = { address, services: want.get(address) ?? [] };
  }
  return out;
}

/**
 * What NRP must be told so that it holds `desired`:
 * - a location NRP does not have (or whose content is uncertain) gets `FullUpdate` with all its addresses;
 * - a location NRP has but the cluster wants nothing under (its node is gone, or has no addresses
 *   left) gets an empty address list: NRP deletes the location, as the reference has it deleted;
 * - otherwise `PartialUpdate` with each changed address, an empty service list deleting one.
 * Locations and addresses come out sorted, so equal inputs give byte-equal requests.
 */
export function diffLocations(desired: DesiredLocations, mirror: ReadonlyMap<string, NrpLocation>): AddressLocationUpdate[] {
  const updates: AddressLocationUpdate[] = [];
  const locations = new Set<string>([...desired.keys(), ...mirror.keys()]);
  for (const location of [...locations].sort()) {
    const want = desired.get(location);
    const have = mirror.get(location);
    if (!want || want.size === 0) {
      if (have) updates.push({ addressLocation: location, addressUpdateAction: 'PartialUpdate', addresses: [] });
      continue;
    }
    if (!have || !have.certain) {
      updates.push({ addressLocation: location, addressUpdateAction: 'FullUpdate', addresses: allAddresses(want) });
      continue;
    }
    // Collect the changes first and sort only those: in steady state they are a handful out of
    // thousands of addresses.
    // Removals first: iterating a mirrored location forked by a sync folds its layers, so that the
    // lookups after it are a plain Map's (the sort makes the order of the two loops irrelevant).
    const changed: AddressUpdate[] = [];
    for (const address of have.addresses.keys()) if (!want.has(address)) changed.push({ address, services: [] });
    for (const [address, w] of want) if (!sameServices(w, have.addresses.get(address))) changed.push({ address, services: w });
    if (changed.length > 0) {
      changed.sort((a, b) => byString(a.address, b.address));
      updates.push({ addressLocation: location, addressUpdateAction: 'PartialUpdate', addresses: changed });
    }
  }
  return updates;
}

/**
 * A request's JSON stays under this many characters, so that it fits a state row (the sync in
 * flight is stored request by request, docs/state-schema.md) whatever the addresses carry: an
 * address a thousand Services select is 40,000 characters on its own.
 */
export const MAX_REQUEST_CHARS = 200_000;

/** Characters an address adds to a request's JSON (`{"address":…,"services":[…]}` and a comma). */
function addressChars(a: AddressUpdate): number {
  let n = 28 + a.address.length;
  for (const s of a.services) n += s.length + 3;
  return n;
}

/** Characters a location adds besides its addresses. */
function locationChars(u: AddressLocationUpdate): number {
  return 72 + u.addressLocation.length;
}

/**
 * Cut updates into requests of at most `maxAddresses` addresses (a location deletion counts as one)
 * and at most `maxChars` characters of JSON. A location split across requests keeps its action only
 * in the first part: a second FullUpdate would replace what the first one wrote.
 */
export function toBatches(updates: readonly AddressLocationUpdate[], maxAddresses: number, maxChars = MAX_REQUEST_CHARS): LocationsRequest[] {
  const limit = Math.max(1, Math.floor(maxAddresses));
  const requests: LocationsRequest[] = [];
  let current: AddressLocationUpdate[] = [];
  let size = 0;
  let chars = 0;
  const flush = (): void => {
    if (current.length > 0) requests.push({ action: 'PartialUpdate', addressLocations: current });
    current = [];
    size = 0;
    chars = 0;
  };
  // An item fits if the request is empty (one item alone always goes) or stays within both bounds.
  const fits = (n: number, c: number): boolean => size === 0 || (size + n <= limit && chars + c <= maxChars);
  for (const update of updates) {
    const head = locationChars(update);
    if (update.addresses.length === 0) {
      if (!fits(1, head)) flush();
      current.push(update);
      size += 1;
      chars += head;
      continue;
    }
    let offset = 0;
    while (offset < update.addresses.length) {
      if (!fits(1, head + addressChars(update.addresses[offset]!))) flush();
      let take = 0;
      let taken = head;
      while (offset + take < update.addresses.length) {
        const c = addressChars(update.addresses[offset + take]!);
        if (take > 0 && (size + take + 1 > limit || chars + taken + c > maxChars)) break;
        taken += c;
        take += 1;
      }
      current.push({
        addressLocation: update.addressLocation,
        addressUpdateAction: offset === 0 ? update.addressUpdateAction : 'PartialUpdate',
        addresses: update.addresses.slice(offset, offset + take),
      });
      size += take;
      chars += taken;
      offset += take;
      if (offset < update.addresses.length) flush();
    }
  }
  flush();
  return requests;
}

function forkAddresses(location: NrpLocation | undefined): Map<string, readonly string[]> {
  return LayeredMap.fork(location?.addresses ?? new Map<string, readonly string[]>());
}

/** Mirror a request NRP acknowledged. */
export function applyAcknowledged(mirror: Map<string, NrpLocation>, request: LocationsRequest): void {
  for (const update of request.addressLocations) {
    const loc = update.addressLocation;
    if (update.addresses.length === 0 && update.addressUpdateAction === 'PartialUpdate') {
      mirror.delete(loc);
      continue;
    }
    // A partial update forks the location's addresses: the copy costs the addresses it changes.
    const base = update.addressUpdateAction === 'FullUpdate' ? new Map<string, readonly string[]>() : forkAddresses(mirror.get(loc));
    for (const a of update.addresses) {
      if (a.services.length === 0) base.delete(a.address);
      else base.set(a.address, a.services);
    }
    const certain = update.addressUpdateAction === 'FullUpdate' ? true : (mirror.get(loc)?.certain ?? true);
    mirror.set(loc, { addresses: base, certain });
  }
}

/**
 * Mirror a request whose outcome is unknown (timeout, 5xx): each address may carry either its old
 * or its requested services, so keep the union (a drain never proceeds on a guess) and mark the
 * location uncertain so that the next sync rewrites it whole.
 */
export function applyUncertain(mirror: Map<string, NrpLocation>, request: LocationsRequest): void {
  for (const update of request.addressLocations) {
    const loc = update.addressLocation;
    const base = forkAddresses(mirror.get(loc));
    for (const a of update.addresses) {
      const union = new Set([...(base.get(a.address) ?? []), ...a.services]);
      if (union.size > 0) base.set(a.address, [...union].sort());
    }
    mirror.set(loc, { addresses: base, certain: false });
  }
}

export interface DiffCounts {
  readonly added: number;
  readonly removed: number;
  readonly updated: number;
}

/** Addresses added, removed and changed by a set of updates against the mirror (for metrics). */
export function countChanges(updates: readonly AddressLocationUpdate[], mirror: ReadonlyMap<string, NrpLocation>): DiffCounts {
  let added = 0;
  let removed = 0;
  let updated = 0;
  for (const u of updates) {
    const have = mirror.get(u.addressLocation)?.addresses;
    if (u.addresses.length === 0 && u.addressUpdateAction === 'PartialUpdate') {
      removed += have?.size ?? 0;
      continue;
    }
    for (const a of u.addresses) {
      const h = have?.get(a.address);
      if (a.services.length === 0) removed += h ? 1 : 0;
      else if (!h) added += 1;
      else if (!sameServices(h, a.services)) updated += 1;
    }
    if (u.addressUpdateAction === 'FullUpdate' && have) {
      const kept = new Set(u.addresses.map((a) => a.address));
      for (const a of have.keys()) if (!kept.has(a)) removed += 1;
    }
  }
  return { added, removed, updated };
}

/** Services referenced by any address of the requests (drain checks treat in-flight adds as present). */
export function servicesReferencedBy(requests: readonly LocationsRequest[]): Set<string> {
  const out = new Set<string>();
  for (const r of requests) for (const l of r.addressLocations) for (const a of l.addresses) for (const s of a.services) out.add(s);
  return out;
}
