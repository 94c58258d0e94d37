// A full read of NRP replaces the mirror: drift (someone else's change, a lost write) is repaired
// by the next diff, and registered services nobody wants become orphans to delete.
import type { Draft } from './draft.ts';
import { putOp, fieldsOf } from './opRecords.ts';
import type { EngineEvent, NrpLocation, NrpServiceType } from './types.ts';
import { nrpHas } from './view.ts';

export function applyNrpObserved(d: Draft, e: Extract<EngineEvent, { kind: 'NrpObserved' }>): void {
  // A read that a sync may have overtaken would forget that sync's references and open the drain
  // gate too early; the next read will do.
  if (d.sync.inFlight) return d.observe({ kind: 'NrpObservationIgnored', reason: 'syncInFlight' });
  if (e.syncEpoch !== d.sync.completed) return d.observe({ kind: 'NrpObservationIgnored', reason: 'syncCompletedSinceRead' });
  const services = new Map<string, NrpServiceType>();
  for (const s of e.services) services.set(s.name.toLowerCase(), s.type);
  const locations = new Map<string, NrpLocation>();
  for (const l of e.locations) {
    const addresses = new Map<string, readonly string[]>();
    for (const a of l.addresses) if (a.services.length > 0) addresses.set(a.address, [...a.services].map((s) => s.toLowerCase()).sort());
    locations.set(l.location, { addresses, certain: true });
  }
  const servicesW = d.mirrorServicesW();
  servicesW.clear();
  for (const [k, v] of services) servicesW.set(k, v);
  const locationsW = d.mirrorLocationsW();
  locationsW.clear();
  for (const [k, v] of locations) locationsW.set(k, v);

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
