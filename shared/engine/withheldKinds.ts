// Objects the engine could not read protect what it cannot name. A withheld object the cache holds
// keeps protecting through its last known state; one it does not hold (a lost state, a first list)
// may be a Service or egress pod whose Azure resources exist, so while it is unread no orphan of the
// service kind it could own is deleted (docs/adr/0013).
import type { Draft } from './draft.ts';
import { namespacedKey, serviceKey } from './kubeEvents.ts';
import { compareResourceVersions } from './resourceVersion.ts';
import type { EngineEvent, KubeObjectKind, ServiceKind } from './types.ts';

/** The service kind an object of this kind can own resources of. */
const OWNS: Partial<Record<KubeObjectKind, ServiceKind>> = { Service: 'inbound', Pod: 'outbound' };

function isCached(d: Draft, e: Extract<EngineEvent, { kind: 'ObjectWithheld' }>): boolean {
  const cached = e.objectKind === 'Service' ? d.kubeServices.get(serviceKey(e.uid)) : d.kubePods.get(namespacedKey(e.namespace ?? '', e.name));
  return cached !== undefined && cached.fact.uid.toLowerCase() === e.uid.toLowerCase();
}

function withMark(d: Draft, kind: KubeObjectKind, snapshot: string | null | undefined): void {
  const withheld = new Map(d.azure.withheld);
  if (snapshot === undefined) withheld.delete(kind);
  else withheld.set(kind, snapshot);
  d.azure = { ...d.azure, withheld };
}

/** Applies a Kubernetes event (`apply`) and keeps the withheld marks: set by an unread object the
 * cache does not hold, cleared by a later completed list of its kind that did not withhold it again. */
export function trackWithheld(d: Draft, e: EngineEvent, apply: () => void): void {
  const listedBefore = e.kind === 'KubernetesSynced' ? d.kubeSynced.get(e.objectKind) : undefined;
  apply();
  if (e.kind === 'ObjectWithheld' && OWNS[e.objectKind] !== undefined && !isCached(d, e)) {
    const current = d.azure.withheld.get(e.objectKind);
    const snapshot = e.snapshot ?? null;
    // A mark only moves to a newer list (a watch event's, null, lasts until the next list completes).
    if (current === undefined || (snapshot !== null && (current === null || compareResourceVersions(snapshot, current) === 1))) withMark(d, e.objectKind, snapshot);
    return;
  }
  if (e.kind !== 'KubernetesSynced' || d.kubeSynced.get(e.objectKind) === listedBefore) return;
  const mark = d.azure.withheld.get(e.objectKind);
  // Kept when this list (or a newer one, still running) withheld it again.
  if (mark === undefined || mark === e.snapshot || (mark !== null && compareResourceVersions(mark, e.snapshot) === 1)) return;
  withMark(d, e.objectKind, undefined);
}

/** Service kinds no orphan of which may be deleted now. */
export function sparedKinds(d: Draft): Set<ServiceKind> {
  const out = new Set<ServiceKind>();
  for (const kind of d.azure.withheld.keys()) {
    const owns = OWNS[kind];
    if (owns) out.add(owns);
  }
  return out;
}
