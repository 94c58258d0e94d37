// Applying Kubernetes facts to the cache: stale events lose, duplicates change nothing, and a
// finished snapshot prunes what it did not mention (objects deleted while nobody was watching).
import { admitInboundService, isOurs } from './admission.ts';
import { isInboundName } from './desired.ts';
import { touchOutboundIfFamiliesGrew } from './egressFamilies.ts';
import type { Draft } from './draft.ts';
import { askAgainAfterRelist, forgetAsked } from './kubeActions.ts';
import { isLivePod, placePodAddresses, placeSliceEndpoints, podEgress } from './placement.ts';
import { drainingRegistration, isUntrackedPod, withdrawUnlistedPod } from './podWithdrawal.ts';
import { compareResourceVersions } from './resourceVersion.ts';
import { sliceLink } from './sliceLinks.ts';
import type { CachedPod, EndpointSliceFact, EngineEvent, KubeObjectKind, ObjectRef, PodFact, PodRegistration } from './types.ts';

type Freshness = 'newer' | 'duplicate' | 'older';

function freshness(incoming: string, stored: string | undefined): Freshness {
  if (stored === undefined) return 'newer';
  const c = compareResourceVersions(incoming, stored);
  return c === 0 ? 'duplicate' : c === -1 ? 'older' : 'newer';
}

export function serviceKey(uid: string): string {
  return uid.toLowerCase();
}

export function namespacedKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function podRef(pod: PodFact): ObjectRef {
  return { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid };
}

function ignore(d: Draft, objectKind: KubeObjectKind, key: string, reason: 'olderResourceVersion' | 'duplicate' | 'uidMismatch' | 'unknownObject'): void {
  d.observe({ kind: 'EventIgnored', objectKind, key, reason });
}

/** What a live pod registers as, or null; also reports (as pod Events) why it cannot register. */
function registrationOf(d: Draft, pod: PodFact, report: boolean): PodRegistration | null {
  if (!isLivePod(pod)) return null;
  const egress = podEgress(pod);
  const key = namespacedKey(pod.namespace, pod.name);
  if (egress.kind === 'none') return null;
  if (egress.kind === 'invalid') {
    if (report) {
      const reason = egress.rejection.reason === 'ReservedEgressLabel' ? 'ServiceGatewayReservedEgressLabel' : 'ServiceGatewayInvalidEgressLabel';
      d.reject('Pod', key, egress.rejection.reason, egress.rejection.detail);
      d.emit({ kind: 'RecordKubernetesEvent', target: podRef(pod), type: 'Warning', reason, message: egress.rejection.detail });
    }
    return null;
  }
  if (report && isInboundName(d, egress.identity)) {
    const detail = `egress identity "${egress.identity}" is the NRP name of a LoadBalancer Service; pick another label value`;
    d.reject('Pod', key, 'EgressIdentityConflict', detail);
    d.emit({ kind: 'RecordKubernetesEvent', target: podRef(pod), type: 'Warning', reason: 'ServiceGatewayInvalidEgressLabel', message: detail });
  }
  const placement = placePodAddresses(pod);
  if (report) {
    for (const r of placement.rejected) {
      d.reject('Pod', key, r.reason, r.detail);
      const reason = r.reason === 'BadIp' ? 'ServiceGatewayInvalidPodIP' : 'ServiceGatewayNoNodeLocation';
      d.emit({ kind: 'RecordKubernetesEvent', target: podRef(pod), type: 'Warning', reason, message: r.detail });
    }
  }
  if (placement.placed.length === 0) return null;
  return { identity: egress.identity, addresses: placement.placed };
}

/** A slice that names a Service it cannot belong to: told on the slice itself, in its own
 * namespace, so a tenant's slice never writes into the namespace it points at (ADR 0019). */
function reportRefusedLink(d: Draft, slice: EndpointSliceFact, key: string): void {
  const link = sliceLink(d, slice);
  if (link.status !== 'refused') return;
  const message = `EndpointSlice ${key} is not linked to any Service: ${link.detail}; its endpoints are not served`;
  d.reject('EndpointSlice', key, 'EndpointSliceNotLinked', message);
  d.emit({
    kind: 'RecordKubernetesEvent',
    target: { kind: 'EndpointSlice', namespace: slice.namespace, name: slice.name, uid: slice.uid },
    type: 'Warning',
    reason: 'EndpointSliceNotLinked',
    message,
  });
}

function deleteObject(d: Draft, objectKind: KubeObjectKind, key: string, resourceVersion: string): void {
  const stored = storedVersion(d, objectKind, key);
  if (stored) {
    const tombstones = d.tombstonesW();
    const id = `${objectKind}/${key}`;
    tombstones.delete(id); // re-insert at the end: the map stays in deletion order for pruning
    tombstones.set(id, { uid: stored.uid, resourceVersion, lastKnownResourceVersion: stored.resourceVersion, deletedAt: d.now });
  }
  switch (objectKind) {
    case 'Service': {
      if (!d.kubeServices.has(key)) return;
      d.removeService(key);
      d.touchedNames.add(key);
      forgetAsked(d, `Service/${key}`);
      forgetAsked(d, `Status/${key}`);
      break;
    }
    case 'EndpointSlice': {
      const prev = d.kubeSlices.get(key);
      if (!prev) return;
      d.slicesW().delete(key);
      break;
    }
    case 'Node': {
      if (!d.kubeNodes.has(key)) return;
      d.nodesW().delete(key);
      break;
    }
    case 'Pod': {
      const prev = d.kubePods.get(key);
      if (!prev) return;
      d.removePod(key);
      if (prev.registered) d.touchedNames.add(prev.registered.identity);
      forgetAsked(d, `Pod/${key}`);
      d.releaseCheckAll = true;
      break;
    }
  }
  d.markLocationsDirty();
}

function storedVersion(d: Draft, objectKind: KubeObjectKind, key: string): { uid: string; resourceVersion: string } | undefined {
  switch (objectKind) {
    case 'Service':
      return d.kubeServices.get(key)?.fact;
    case 'EndpointSlice':
      return d.kubeSlices.get(key)?.fact;
    case 'Node':
      return d.kubeNodes.get(key)?.fact;
    case 'Pod':
      return d.kubePods.get(key)?.fact;
  }
}

function keyOf(e: Extract<EngineEvent, { kind: 'ObjectDeleted' | 'ObjectWithheld' }>): string {
  if (e.objectKind === 'Service') return serviceKey(e.uid);
  if (e.objectKind === 'Node') return e.name;
  return namespacedKey(e.namespace ?? '', e.name);
}

/**
 * A deleted object comes back only as a newer object: a replayed upsert of it is stale. The same
 * UID must be newer than the deletion; another UID newer than the deleted object's last known
 * version (UIDs are never reused, and resourceVersions grow across objects, so every event of an
 * older incarnation is older than that, and every event of a newer one is newer than it).
 */
function isBuried(d: Draft, objectKind: KubeObjectKind, key: string, incoming: { uid: string; resourceVersion: string }): boolean {
  const id = `${objectKind}/${key}`;
  const tomb = d.tombstones.get(id);
  if (!tomb) return false;
  const sameObject = incoming.uid.toLowerCase() === tomb.uid.toLowerCase();
  const bound = sameObject ? tomb.resourceVersion : (tomb.lastKnownResourceVersion ?? tomb.resourceVersion);
  const c = compareResourceVersions(incoming.resourceVersion, bound);
  if (c === 1 || (c === null && !sameObject)) {
    d.tombstonesW().delete(id);
    return false;
  }
  return true;
}

/** Forget deletions older than the tombstone TTL (the map is in deletion order). */
export function pruneTombstones(d: Draft): void {
  const horizon = d.now - d.ctx.config.tombstoneTtlMs;
  let expired: string[] | null = null;
  for (const [id, t] of d.tombstones) {
    if (t.deletedAt > horizon) break;
    (expired ??= []).push(id);
  }
  if (expired) {
    const w = d.tombstonesW();
    for (const id of expired) w.delete(id);
  }
}

/** Whether snapshot `a` is at least as new as `b` (list resourceVersions; unordered ones only when equal). */
function atLeast(a: string | null | undefined, b: string): boolean {
  if (a === null || a === undefined) return false;
  const c = compareResourceVersions(a, b);
  return c === 0 || c === 1;
}

/** The later of two snapshot tags: a tag only moves forward, so an older list's late message cannot
 * make an object look unseen by a newer list whose marker is still to come. */
export function laterSnapshot(current: string | null, incoming: string | null | undefined): string | null {
  if (incoming === null || incoming === undefined) return current;
  if (current === null) return incoming;
  const c = compareResourceVersions(incoming, current);
  return c === 1 || (c === null && incoming !== current) ? incoming : current;
}

/**
 * An object the cache does not hold, reported at a version no newer than the kind's last completed
 * snapshot and not by a list at least that new: that list did not contain it (or the marker would
 * not have come), so it was gone by then. Such a message is a late one from an older list or watch
 * (a second forwarder, or one restarted while its messages were queued), and must not revive it.
 */
function predatesSnapshot(d: Draft, objectKind: KubeObjectKind, incoming: { resourceVersion: string }, snapshot: string | undefined): boolean {
  const synced = d.kubeSynced.get(objectKind);
  if (synced === undefined || atLeast(snapshot, synced)) return false;
  const c = compareResourceVersions(incoming.resourceVersion, synced);
  return c === -1 || c === 0;
}

/** Tag an unchanged object as seen in a snapshot; true when the event carried nothing new. */
function isStale(d: Draft, objectKind: KubeObjectKind, key: string, incoming: { uid: string; resourceVersion: string }, snapshot: string | undefined): boolean {
  const stored = storedVersion(d, objectKind, key);
  if (!stored && (isBuried(d, objectKind, key, incoming) || predatesSnapshot(d, objectKind, incoming, snapshot))) {
    ignore(d, objectKind, key, 'olderResourceVersion');
    return true;
  }
  const f = freshness(incoming.resourceVersion, stored?.resourceVersion);
  if (f === 'newer') return false;
  if (f === 'duplicate' && stored?.uid === incoming.uid && snapshot !== undefined) retag(d, objectKind, key, snapshot);
  ignore(d, objectKind, key, f === 'older' ? 'olderResourceVersion' : 'duplicate');
  return true;
}

/** The snapshot tag an upsert of a cached object leaves: never older than the one it had. */
function tagAfterUpsert(d: Draft, objectKind: KubeObjectKind, key: string, snapshot: string | undefined): string | null {
  return laterSnapshot(cachedOf(d, objectKind, key)?.snapshot ?? null, snapshot);
}

function cachedOf(d: Draft, objectKind: KubeObjectKind, key: string): { readonly snapshot: string | null } | undefined {
  switch (objectKind) {
    case 'Service':
      return d.kubeServices.get(key);
    case 'EndpointSlice':
      return d.kubeSlices.get(key);
    case 'Node':
      return d.kubeNodes.get(key);
    case 'Pod':
      return d.kubePods.get(key);
  }
}

function retag(d: Draft, objectKind: KubeObjectKind, key: string, snapshot: string): void {
  const tag = tagAfterUpsert(d, objectKind, key, snapshot);
  switch (objectKind) {
    case 'Service': {
      const c = d.kubeServices.get(key);
      if (c && c.snapshot !== tag) d.servicesW().set(key, { ...c, snapshot: tag });
      return;
    }
    case 'EndpointSlice': {
      const c = d.kubeSlices.get(key);
      if (c && c.snapshot !== tag) d.slicesW().set(key, { ...c, snapshot: tag });
      return;
    }
    case 'Node': {
      const c = d.kubeNodes.get(key);
      if (c && c.snapshot !== tag) d.nodesW().set(key, { ...c, snapshot: tag });
      return;
    }
    case 'Pod': {
      const c = d.kubePods.get(key);
      if (c && c.snapshot !== tag) d.putPod(key, { ...c, snapshot: tag });
      return;
    }
  }
}

function pruneUnseen(d: Draft, objectKind: KubeObjectKind, snapshot: string): void {
  const source: ReadonlyMap<string, { snapshot: string | null; fact: { resourceVersion: string } }> =
    objectKind === 'Service' ? d.kubeServices : objectKind === 'EndpointSlice' ? d.kubeSlices : objectKind === 'Node' ? d.kubeNodes : d.kubePods;
  for (const [key, cached] of [...source]) {
    // Seen in this list or a newer one, or changed after it (a watch event that overtook the
    // marker): still there. Only what this list could have shown and did not is gone.
    if (atLeast(cached.snapshot, snapshot) || compareResourceVersions(cached.fact.resourceVersion, snapshot) === 1) continue;
    if (objectKind === 'Pod' && withdrawUnlistedPod(d, key)) continue;
    deleteObject(d, objectKind, key, storedVersion(d, objectKind, key)?.resourceVersion ?? '0');
  }
}

/** Every name the engine tracks or NRP holds is re-examined once absence can be trusted. */
function touchEverything(d: Draft): void {
  for (const name of d.ops.keys()) d.touchedNames.add(name);
  for (const name of d.mirrorServices.keys()) d.touchedNames.add(name);
  for (const name of d.kubeServices.keys()) d.touchedNames.add(name);
  for (const [key, pod] of d.kubePods) {
    if (pod.registered) d.touchedNames.add(pod.registered.identity);
    d.touchedPods.add(key);
  }
}

export function applyKubeEvent(d: Draft, e: EngineEvent): void {
  switch (e.kind) {
    case 'ServiceUpserted': {
      const svc = e.service;
      const key = serviceKey(svc.uid);
      if (isStale(d, 'Service', key, svc, e.snapshot)) return;
      d.putService(key, { fact: svc, snapshot: tagAfterUpsert(d, 'Service', key, e.snapshot) });
      d.touchedNames.add(key);
      d.markLocationsDirty();
      if (isOurs(svc) && !svc.deleting) {
        const admission = admitInboundService(svc);
        if (!admission.admitted) {
          d.observe({ kind: 'AdmissionRejected', serviceUid: key, reason: admission.reason, message: admission.message });
          d.emit({
            kind: 'RecordKubernetesEvent',
            target: { kind: 'Service', namespace: svc.namespace, name: svc.name, uid: svc.uid },
            type: 'Warning',
            reason: admission.reason,
            message: admission.message,
          });
        }
      }
      return;
    }
    case 'EndpointSliceUpserted': {
      const slice = e.slice;
      const key = namespacedKey(slice.namespace, slice.name);
      if (isStale(d, 'EndpointSlice', key, slice, e.snapshot)) return;
      d.slicesW().set(key, { fact: slice, snapshot: tagAfterUpsert(d, 'EndpointSlice', key, e.snapshot) });
      d.markLocationsDirty();
      for (const r of placeSliceEndpoints(slice, d.kubeNodes).rejected) d.reject('EndpointSlice', key, r.reason, r.detail);
      reportRefusedLink(d, slice, key);
      return;
    }
    case 'NodeUpserted': {
      const node = e.node;
      if (isStale(d, 'Node', node.name, node, e.snapshot)) return;
      d.nodesW().set(node.name, { fact: node, snapshot: tagAfterUpsert(d, 'Node', node.name, e.snapshot) });
      d.markLocationsDirty();
      touchOutboundIfFamiliesGrew(d, node.internalIPs);
      return;
    }
    case 'PodUpserted': {
      const pod = e.pod;
      const key = namespacedKey(pod.namespace, pod.name);
      if (isStale(d, 'Pod', key, pod, e.snapshot)) return;
      const prev = d.kubePods.get(key);
      // Unlabelled and released (the forwarder's answer to our finalizer removal): forgotten.
      if (isUntrackedPod(pod)) {
        if (prev) deleteObject(d, 'Pod', key, pod.resourceVersion);
        return;
      }
      const samePod = prev?.fact.uid === pod.uid;
      const registration = registrationOf(d, pod, true);
      // A replacement pod with the same name starts clean; the old one's addresses drain by diff.
      const registered = registration ?? (samePod ? (prev?.registered ?? null) : drainingRegistration(pod));
      const cached: CachedPod = { fact: pod, snapshot: samePod ? tagAfterUpsert(d, 'Pod', key, e.snapshot) : (e.snapshot ?? null), registered, live: registration !== null };
      d.putPod(key, cached);
      if (prev?.registered) d.touchedNames.add(prev.registered.identity);
      if (registered) d.touchedNames.add(registered.identity);
      d.touchedPods.add(key);
      d.releaseCheckAll = true;
      d.markLocationsDirty();
      return;
    }
    case 'ObjectDeleted': {
      const key = keyOf(e);
      const stored = storedVersion(d, e.objectKind, key);
      if (!stored) return ignore(d, e.objectKind, key, 'unknownObject');
      if (stored.uid.toLowerCase() !== e.uid.toLowerCase()) return ignore(d, e.objectKind, key, 'uidMismatch');
      if (freshness(e.resourceVersion, stored.resourceVersion) === 'older') return ignore(d, e.objectKind, key, 'olderResourceVersion');
      deleteObject(d, e.objectKind, key, e.resourceVersion);
      return;
    }
    case 'ObjectWithheld': {
      // Not a deletion: the last known state stays, and counts as listed if the list withheld it.
      const key = keyOf(e);
      const stored = storedVersion(d, e.objectKind, key);
      if (stored && stored.uid.toLowerCase() === e.uid.toLowerCase() && e.snapshot !== undefined) retag(d, e.objectKind, key, e.snapshot);
      d.reject(e.objectKind, key, e.reason, e.detail);
      const kept = stored && stored.uid.toLowerCase() === e.uid.toLowerCase() ? `its state as of resourceVersion ${stored.resourceVersion}` : 'nothing of it';
      d.emit({
        kind: 'RecordKubernetesEvent',
        target: { kind: e.objectKind, namespace: e.namespace, name: e.name, uid: e.uid },
        type: 'Warning',
        reason: e.reason,
        message: `${e.detail}; Service Gateway keeps ${kept} until the object can be read again`,
      });
      return;
    }
    case 'KubernetesSynced': {
      const last = d.kubeSynced.get(e.objectKind);
      if (last !== undefined && (last === e.snapshot || compareResourceVersions(e.snapshot, last) === -1)) {
        return ignore(d, e.objectKind, `snapshot/${e.snapshot}`, 'olderResourceVersion');
      }
      pruneUnseen(d, e.objectKind, e.snapshot);
      d.syncedW().set(e.objectKind, e.snapshot);
      askAgainAfterRelist(d, e.objectKind);
      touchEverything(d);
      d.markLocationsDirty();
      return;
    }
    default:
      return;
  }
}
