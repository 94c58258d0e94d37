// A read of NRP corrects the mirror: drift (someone else's change, a lost write) is repaired by
// the next diff, and registered services nobody wants become orphans to delete. A full read
// replaces the mirror; a drift part replaces only the entries it lists.
import type { Draft } from './draft.ts';
import { touchEgressIdentities } from './egressFamilies.ts';
import { parseIp } from './ip.ts';
import { putOp, fieldsOf } from './opRecords.ts';
import type { EngineEvent, NrpLocation, ObservedLocation } from './types.ts';
import { nrpHas } from './view.ts';

type Observation = Extract<EngineEvent, { kind: 'NrpObserved' | 'NrpDriftObserved' }>;

/** A read that a completion overtook would forget what the completion did (a sync's references, a
 * service's registration) and open the drain gate or readiness too early; the next read will do. */
function isOutOfDate(d: Draft, e: Observation): boolean {
  const reason = d.sync.inFlight ? 'syncInFlight' : e.nrpEpoch !== d.nrpEpoch ? 'completedSinceRead' : null;
  if (reason === null) return false;
  d.observe({ kind: 'NrpObservationIgnored', reason });
  // A first read that was overtaken is asked for again at once: no sync runs until one lands.
  if (d.sync.nrpRead.state === 'unread') d.sync = { ...d.sync, nrpRead: { state: 'unread', requestedAt: null } };
  return true;
}

/** Keys are canonical IPs everywhere; NRP's spelling (FD00:0::4) must not become a second key. */
function canonicalLocations(observed: readonly ObservedLocation[]): Map<string, NrpLocation> {
  const out = new Map<string, Map<string, readonly string[]>>();
  for (const l of observed) {
    const location = parseIp(l.location)?.canonical ?? l.location;
    const addresses = out.get(location) ?? new Map<string, readonly string[]>();
    out.set(location, addresses);
    for (const a of l.addresses) {
      if (a.services.length === 0) continue;
      const address = parseIp(a.address)?.canonical ?? a.address;
      const merged = new Set([...(addresses.get(address) ?? []), ...a.services.map((s) => s.toLowerCase())]);
      addresses.set(address, [...merged].sort());
    }
  }
  return new Map([...out].map(([k, addresses]) => [k, { addresses, certain: true }]));
}

/** The first read is in: the decisions put off until NRP was known (finalizer releases, drains) are taken now. */
function markRead(d: Draft): void {
  if (d.sync.nrpRead.state === 'read') return;
  d.sync = { ...d.sync, nrpRead: { state: 'read' } };
  for (const name of d.kubeServices.keys()) d.touchedNames.add(name);
  touchEgressIdentities(d);
  d.releaseCheckAll = true;
}

/** Ops believed registered that NRP does not have are built again; every name is re-examined. */
function afterCorrection(d: Draft, names: Iterable<string>): void {
  for (const op of [...d.ops.values()]) {
    if ((op.state === 'Created' || (op.state === 'UpdateInProgress' && !op.inFlight)) && !nrpHas(d.mirrorServices, op.name, op.kind)) {
      putOp(d, op, { ...fieldsOf(op), lastApplied: null }, { state: 'NotStarted', inFlight: null, terminal: null });
    }
  }
  for (const name of names) d.touchedNames.add(name);
  d.markLocationsDirty();
  d.releaseCheckAll = true;
}

export function applyNrpObserved(d: Draft, e: Extract<EngineEvent, { kind: 'NrpObserved' }>): void {
  if (isOutOfDate(d, e)) return;
  const servicesW = d.mirrorServicesW();
  servicesW.clear();
  for (const s of e.services) servicesW.set(s.name.toLowerCase(), s.type);
  const locationsW = d.mirrorLocationsW();
  locationsW.clear();
  for (const [k, v] of canonicalLocations(e.locations)) locationsW.set(k, v);
  markRead(d);
  afterCorrection(d, [...d.ops.keys(), ...servicesW.keys()]);
}

export function applyNrpDrift(d: Draft, e: Extract<EngineEvent, { kind: 'NrpDriftObserved' }>): void {
  if (isOutOfDate(d, e)) return;
  const touched: string[] = [];
  if (e.services.length > 0) {
    const servicesW = d.mirrorServicesW();
    for (const s of e.services) {
      const name = s.name.toLowerCase();
      if (s.type === null) servicesW.delete(name);
      else servicesW.set(name, s.type);
      touched.push(name);
    }
  }
  if (e.locations.length > 0) {
    const locationsW = d.mirrorLocationsW();
    const listed = canonicalLocations(e.locations);
    for (const [k, v] of listed) {
      if (v.addresses.size === 0) locationsW.delete(k);
      else locationsW.set(k, v);
    }
  }
  // The mirror holds what NRP holds once the read's last part is in.
  if (e.final !== false) markRead(d);
  afterCorrection(d, touched);
}
