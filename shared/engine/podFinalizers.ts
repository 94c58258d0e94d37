// Pod finalizers hold a terminating egress pod until NRP no longer routes its addresses, and the
// last pod of an identity until its NAT gateway is gone (reference §2.3, DeletePod).
import { isInboundName, livePodsByIdentity } from './desired.ts';
import type { Draft } from './draft.ts';
import { ask, askedRecently, forgetAsked } from './kubeActions.ts';
import { liveEgressIdentity } from './podIndex.ts';
import type { PodKeys } from './podIndex.ts';
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

/**
 * The pods a change of the mirror or the ops can have something to do for: those holding our
 * finalizer while not registering live, those of an identity taken by an inbound name (they are
 * not active even though live), and those with an ask to settle. Every other pod is active and
 * unasked, or holds nothing: checking it would change nothing (docs/adr/0023).
 */
function releaseCandidates(d: Draft): Set<string> {
  const { held, liveByIdentity } = d.kubePodIndex;
  const out = new Set<string>(held.keys());
  for (const [identity, keys] of liveByIdentity) if (isInboundName(d, identity)) for (const key of keys.keys()) out.add(key);
  for (const key of d.asked.keys()) if (key.startsWith('Pod/')) out.add(key.slice('Pod/'.length));
  return out;
}

export function reconcilePodFinalizers(d: Draft): void {
  // Finalizers are added only for pods an event just touched; releases are checked for every pod
  // that may have one due when the mirror or the ops changed.
  const touched = new Set(d.touchedPods);
  const keys = d.releaseCheckAll ? [...releaseCandidates(d), ...touched] : [...touched];
  d.touchedPods.clear();
  d.releaseCheckAll = false;
  if (keys.length === 0) return;
  let inFlight: Set<string> | null = null;
  for (const key of [...new Set(keys)].sort()) {
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
    inFlight ??= inFlightReferences(d);
    if (!releasable(d, cached, livePodsByIdentity(d), inFlight)) continue;
    ask(d, `Pod/${key}`, { kind: 'RemoveFinalizer', target, finalizer: POD_FINALIZER }, pod.uid);
  }
}

function releasable(d: Draft, cached: CachedPod, live: ReadonlyMap<string, PodKeys>, inFlight: ReadonlySet<string>): boolean {
  const reg = cached.registered;
  if (!reg) return true;
  const others = [...(live.get(reg.identity)?.keys() ?? [])];
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
