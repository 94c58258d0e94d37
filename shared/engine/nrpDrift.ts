// A read of NRP against the mirror: only what differs, cut into parts that each fit a message.
// Pure, so the locations function can compute it from the state it loaded.
import { parseIp } from './ip.ts';
import type { NrpMirror, NrpServiceType, ObservedLocation } from './types.ts';

export interface NrpDrift {
  readonly services: { readonly name: string; readonly type: NrpServiceType | null }[];
  readonly locations: ObservedLocation[];
}

const canonical = (ip: string): string => parseIp(ip)?.canonical ?? ip;

/** NRP's locations in canonical, sorted form: location -> address -> sorted services. */
function normalise(locations: readonly ObservedLocation[]): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  for (const l of locations) {
    const loc = canonical(l.location);
    const addrs = out.get(loc) ?? new Map<string, string[]>();
    out.set(loc, addrs);
    for (const a of l.addresses) {
      if (a.services.length === 0) continue;
      const address = canonical(a.address);
      const merged = new Set([...(addrs.get(address) ?? []), ...a.services.map((s) => s.toLowerCase())]);
      addrs.set(address, [...merged].sort());
    }
  }
  return out;
}

function sameAddresses(a: ReadonlyMap<string, readonly string[]>, b: ReadonlyMap<string, readonly string[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [address, services] of a) {
    const other = b.get(address);
    if (!other || other.length !== services.length || other.some((s, i) => s !== services[i])) return false;
  }
  return true;
}

export function nrpDrift(
  mirror: NrpMirror,
  services: readonly { readonly name: string; readonly type: NrpServiceType }[],
  locations: readonly ObservedLocation[],
): NrpDrift {
  const drift: NrpDrift = { services: [], locations: [] };
  const seen = new Map<string, NrpServiceType>();
  for (const s of services) seen.set(s.name.toLowerCase(), s.type);
  for (const [name, type] of seen) if (mirror.services.get(name) !== type) drift.services.push({ name, type });
  for (const name of mirror.services.keys()) if (!seen.has(name)) drift.services.push({ name, type: null });

  const observed = normalise(locations);
  for (const [location, addrs] of observed) {
    const have = mirror.locations.get(location);
    if (have && have.certain && sameAddresses(addrs, have.addresses)) continue;
    drift.locations.push({ location, addresses: [...addrs].map(([address, s]) => ({ address, services: s })) });
  }
  for (const location of mirror.locations.keys()) if (!observed.has(location)) drift.locations.push({ location, addresses: [] });
  drift.services.sort((a, b) => (a.name < b.name ? -1 : 1));
  drift.locations.sort((a, b) => (a.location < b.location ? -1 : 1));
  return drift;
}

/**
 * Parts of at most `maxChars` of JSON each, services first. A location is never split: a node
 * holds at most a few hundred pods (250 on AKS), far below a part; a larger one gets a part of its
 * own and the message size check then says so.
 */
export function driftParts(drift: NrpDrift, maxChars: number): NrpDrift[] {
  const parts: NrpDrift[] = [];
  let current: NrpDrift = { services: [], locations: [] };
  let size = 0;
  const room = (n: number): void => {
    if (size + n > maxChars && (current.services.length > 0 || current.locations.length > 0)) {
      parts.push(current);
      current = { services: [], locations: [] };
      size = 0;
    }
    size += n;
  };
  for (const s of drift.services) {
    room(JSON.stringify(s).length + 1);
    current.services.push(s);
  }
  for (const l of drift.locations) {
    room(JSON.stringify(l).length + 1);
    current.locations.push(l);
  }
  // An empty read still goes as one (empty) part: it tells the engine the read happened.
  if (current.services.length > 0 || current.locations.length > 0 || parts.length === 0) parts.push(current);
  return parts;
}
