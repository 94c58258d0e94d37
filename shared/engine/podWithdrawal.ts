// Pods that leave the egress selector while they still carry our finalizer. A label-selector
// watch reports such a pod as deleted and a relist omits it, yet only the engine can take the
// finalizer off: the pod is kept, withdrawn from its identity, drained, released, and forgotten
// once a fact shows the finalizer gone. A pod first seen terminating (state lost, migration) drains
// the same way: it is released only once NRP no longer maps what it would have registered.
import type { Draft } from './draft.ts';
import { placePodAddresses, podEgress } from './placement.ts';
import type { PodFact, PodRegistration } from './types.ts';
import { POD_FINALIZER } from './types.ts';

/** Nothing the engine must do for this pod: no egress label and not held by our finalizer. */
export function isUntrackedPod(pod: PodFact): boolean {
  return podEgress(pod).kind === 'none' && !pod.finalizers.includes(POD_FINALIZER);
}

/**
 * What a pod the engine never saw live would have registered, liveness aside: a terminating pod
 * with our finalizer may still be routed by NRP, so its release waits for these addresses to drain.
 */
export function drainingRegistration(pod: PodFact): PodRegistration | null {
  if (!pod.finalizers.includes(POD_FINALIZER)) return null;
  const egress = podEgress(pod);
  if (egress.kind !== 'identity') return null;
  const { placed } = placePodAddresses(pod);
  return placed.length > 0 ? { identity: egress.identity, addresses: placed } : null;
}

/**
 * A finished list omitted a pod that still carries our finalizer: it lost its egress label (or was
 * deleted) while nobody watched. It leaves its identity instead of the cache. Returns whether the
 * pod is kept.
 */
export function withdrawUnlistedPod(d: Draft, key: string): boolean {
  const cached = d.kubePods.get(key);
  if (!cached || !cached.fact.finalizers.includes(POD_FINALIZER)) return false;
  if (cached.fact.egressLabel === null && !cached.live) return true;
  d.putPod(key, { ...cached, fact: { ...cached.fact, egressLabel: null }, live: false });
  if (cached.registered) d.touchedNames.add(cached.registered.identity);
  d.touchedPods.add(key);
  d.releaseCheckAll = true;
  d.markLocationsDirty();
  return true;
}
