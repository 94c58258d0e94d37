// Pod finalizers hold a terminating egress pod until NRP no longer routes its addresses, and the
// last pod of an identity until its NAT gateway is gone (reference §2.3, DeletePod).
import { isInboundName, liveEgressIdentity, livePodsByIdentity } from './desired.ts';
import type { Draft } from './draft.ts';
import { ask, askedRecently, forgetAsked } from './kubeActions.ts';
import type { CachedPod } from './types.ts';
import { POD_FINALIZER } from './types.ts';
import { nrpHas } from './view.ts';

function inFlightReferences(d: Draft): Set<string> {
  const out = new Set<string>();
  for (const r of d.sync.inFlight?.requests ?? []) {
    for (const l of r.addressLocations) for (const a of l.addresses) for (const s of a.services) out.add(`${l.addressLocation}/${a.address}/${s}`);
  }
  return out;
}

export function reconcilePodFinalizers(d: Draft): void {
  // Finalizers are added only for pods an event just touched; releases are checked for every pod
  // when the mirror or the ops changed.
  const touched = new Set(d.touchedPods);
  const keys = d.releaseCheckAll ? [...d.kubePods.keys()] : [...touched];
  d.touchedPods.clear();
  d.releaseCheckAll = false;
  if (keys.length === 0) return;
  let live: Map<string, string[]> | null = null;
  let inFlight: Set<string> | null = null;
  for (const key of keys.sort()) {
    const cached = d.kubePods.get(key);
    if (!cached) continue;
    const pod = cached.fact;
    const hasFinalizer = pod.finalizers.includes(POD_FINALIZER);
    const identity = liveEgressIdentity(cached);
    const active = identity !== null && !isInboundName(d, identity);
    const target = { kind: 'Pod' as const, namespace: pod.namespace, name: pod.name, uid: pod.uid };
    if (active) {
      forgetAsked(d, `Pod/${key}`);
      // Registered even if the finalizer cannot be added (then without drain protection).
      if (!hasFinalizer && touched.has(key)) {
        d.emit({ kind: 'AddFinalizer', target, finalizer: POD_FINALIZER });
      }
      continue;
    }
    if (!hasFinalizer) {
      forgetAsked(d, `Pod/${key}`);
      continue;
    }
    // The ask is about this incarnation: a pod re-created under the name starts its own backoff.
    if (askedRecently(d, `Pod/${key}`, pod.uid)) continue;
    // An unread mirror cannot say whether the pod's addresses drained; the read re-checks every pod.
    if (d.sync.nrpRead.state === 'unread') continue;
    live ??= livePodsByIdentity(d);
    inFlight ??= inFlightReferences(d);
    if (!releasable(d, cached, live, inFlight)) continue;
    ask(d, `Pod/${key}`, { kind: 'RemoveFinalizer', target, finalizer: POD_FINALIZER }, pod.uid);
  }
}

function releasable(d: Draft, cached: CachedPod, live: ReadonlyMap<string, string[]>, inFlight: ReadonlySet<string>): boolean {
  const reg = cached.registered;
  if (!reg) return true;
  const others = live.get(reg.identity) ?? [];
  for (const { location, address } of reg.addresses) {
    const services = d.mirrorLocations.get(location)?.addresses.get(address);
    const routed = (services?.includes(reg.identity) ?? false) || inFlight.has(`${location}/${address}/${reg.identity}`);
    if (!routed) continue;
    // The same IP may already belong to a new pod of the same identity: that is not ours to drain.
    const reused = others.some((k) => d.kubePods.get(k)?.registered?.addresses.some((a) => a.address === address && a.location === location));
    if (!reused) return false;
  }
  if (others.length > 0) return true;
  // The last pod: held until the identity's NAT gateway has been deleted.
  return !d.ops.has(reg.identity) && !nrpHas(d.mirrorServices, reg.identity, 'outbound');
}
