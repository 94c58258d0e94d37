// Which listed Azure resources are orphans (reference §7.5 steps 5 and 7, scheduleOrphanedResourceDeletions
// and cleanupOrphanedPIPs): this engine's resources of a service that nothing protects. Each orphan
// service gets an orphan delete op, which removes its load balancer or NAT gateway and public IPs
// through the ordinary delete steps (docs/adr/0013).
import { desiredInbound, livePodsByIdentity } from './desired.ts';
import type { Draft } from './draft.ts';
import { servicesReferencedBy } from './locationsDiff.ts';
import { newFields, putOp } from './opRecords.ts';
import { isNameOf } from './resourceTags.ts';
import type { ManagedResource, ServiceKind } from './types.ts';
import { sparedKinds } from './withheldKinds.ts';

export interface AzureOrphan {
  readonly name: string;
  readonly kind: ServiceKind;
  /** Names of its listed resources, sorted. */
  readonly resources: readonly string[];
}

/**
 * Names whose resources stay whatever a listing says: an op works on them (or their state is being
 * decided), NRP registers them, an NRP address (or the sync in flight) references them, or a live
 * pod registers under them.
 */
function protectedNames(d: Draft): Set<string> {
  const out = new Set<string>([...d.ops.keys(), ...d.mirrorServices.keys(), ...livePodsByIdentity(d).keys()]);
  for (const location of d.mirrorLocations.values()) for (const services of location.addresses.values()) for (const s of services) out.add(s);
  if (d.sync.inFlight) for (const s of servicesReferencedBy(d.sync.inFlight.requests)) out.add(s);
  return out;
}

/** The services of `resources` nothing protects, by name. Foreign or misnamed resources are never any. */
export function orphansIn(d: Draft, resources: readonly ManagedResource[]): AzureOrphan[] {
  const found = new Map<string, { name: string; kind: ServiceKind; resources: string[] }>();
  for (const r of resources) {
    // The adapter lists only what is tagged for this cluster; checked again, as nothing else may be touched.
    if (r.cluster !== d.cluster || !isNameOf(r.resourceType, r.name, r.serviceKind, r.service)) continue;
    const name = r.service.toLowerCase();
    const key = `${name}/${r.serviceKind}`;
    const entry = found.get(key) ?? { name, kind: r.serviceKind, resources: [] };
    entry.resources.push(r.name);
    found.set(key, entry);
  }
  if (found.size === 0) return [];
  const guarded = protectedNames(d);
  const spared = sparedKinds(d);
  return [...found.values()]
    .filter((o) => !guarded.has(o.name) && !spared.has(o.kind) && desiredInbound(d, o.name).status === 'absent')
    .map((o) => ({ ...o, resources: [...new Set(o.resources)].sort() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind < b.kind ? -1 : 1));
}

/** DeleteService(isOrphan=true): the drain gate and the dispatcher take it from here. */
export function scheduleOrphanDeletion(d: Draft, orphan: AzureOrphan): void {
  // An inbound and an outbound service of one name share the op key: the second waits for a later listing.
  if (d.ops.has(orphan.name)) return;
  putOp(d, undefined, newFields(d, orphan.name, orphan.kind, null, true), { state: 'DeletionPending', inFlight: null });
  d.observe({ kind: 'AzureOrphanFound', serviceName: orphan.name, serviceKind: orphan.kind, resources: orphan.resources });
}
