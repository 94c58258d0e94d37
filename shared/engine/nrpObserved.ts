// A full read of NRP replaces the mirror: drift (someone else's change, a lost write) is repaired
// by the next diff, and registered services nobody wants become orphans to delete.
import type { Draft } from './draft.ts';
import { parseIp } from './ip.ts';
import { putOp, fieldsOf } from './opRecords.ts';
import type { EngineEvent, NrpLocation, NrpServiceType } from './types.ts';
import { nrpHas } from './view.ts';

export function applyNrpObserved(d: Draft, e: Extract<EngineEvent, { kind: 'NrpObserved' }>): void {
  // A read that a completion overtook would forget what it did (a sync's references, a service's
  // (un)registration) and open the drain gate or readiness too early; the next read will do.
  if (d.sync.inFlight) return d.observe({ kind: 'NrpObservationIgnored', reason: 'syncInFlight' });
  if (e.nrpEpoch !== d.nrpEpoch) return d.observe({ kind: 'NrpObservationIgnored', reason: 'completedSinceRead' });
  const services = new Map<string, NrpServiceType>();
  for (const s of e.services) services.set(s.name.toLowerCase(), s.type);
  // Keys are canonical IPs everywhere; NRP's spelling (FD00:0::4) must not become a second key.
  const locations = new Map<string, Map<string, readonly string[]>>();
  for (const l of e.locations) {
    const location = parseIp(l.location)?.canonical ?? l.location;
    const addresses = locations.get(location) ?? new Map<string, readonly string[]>();
    locations.set(location, addresses);
    for (const a of l.addresses) {
      if (a.services.length === 0) continue;
      const address = parseIp(a.address)?.canonical ?? a.address;
      const merged = new Set([...(addresses.get(address) ?? []), ...a.services.map((s) => s.toLowerCase())]);
      addresses.set(address, [...merged].sort());
    }
  }
  const servicesW = d.mirrorServicesW();
  servicesW.clear();
  for (const [k, v] of services) servicesW.set(k, v);
  const locationsW = d.mirrorLocationsW();
  locationsW.clear();
  for (const [k, addresses] of locations) locationsW.set(k, { addresses, certain: true } satisfies NrpLocation);

  for (const op of [...d.ops.values()]) {
    // Believed registered but NRP does not have it: build it again.
    if ((op.state === 'Created' || (op.state === 'UpdateInProgress' && !op.inFlight)) && !nrpHas(services, op.name, op.kind)) {
      putOp(d, op, { ...fieldsOf(op), lastApplied: null }, { state: 'NotStarted', inFlight: null, terminal: null });
    }
    d.touchedNames.add(op.name);
  }
  for (const name of services.keys()) d.touchedNames.add(name);
  d.markLocationsDirty();
  d.releaseCheckAll = true;
}
