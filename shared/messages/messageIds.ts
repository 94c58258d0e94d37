// Deduplication keys (Service Bus MessageId): the same logical message always gets the same id,
// different ones never share it. Duplicate detection is per queue, not per session, so every id is
// unique across clusters: it starts with the cluster, or with an engine id that does (`<cluster>:…`).
import { createHash } from 'node:crypto';
import type { EngineEvent, KubeObjectKind } from '../engine/types.ts';
import { MAX_ID_CHARS } from './bounds.ts';
import type { KubernetesAction } from './kubernetesActionSchema.ts';

const HASH_CHARS = 32;

/** JSON with object keys sorted, so equal values give equal text whatever order they were built in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** 128 bits of SHA-256 in hex: collisions are not a practical concern. */
export function stableHash(value: unknown): string {
  const text = typeof value === 'string' ? value : canonicalJson(value);
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, HASH_CHARS);
}

/**
 * `raw` when it fits a MessageId; otherwise its head, `~` and a hash of the whole, so long ids stay
 * readable, deterministic and distinct.
 */
export function boundedId(raw: string): string {
  if (raw.length <= MAX_ID_CHARS) return raw;
  let head = raw.slice(0, MAX_ID_CHARS - HASH_CHARS - 1);
  // Never end on half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return `${head}~${stableHash(raw)}`;
}

/** An engine-minted id as is (it starts with `<cluster>:`); anything else scoped to the cluster. */
function scoped(cluster: string, id: string): string {
  return id.startsWith(`${cluster}:`) ? id : `${cluster}:${id}`;
}

/** A service operation: its dispatch id (a redispatch gets a new one). */
export function serviceOperationMessageId(cluster: string, dispatchId: string): string {
  return boundedId(scoped(cluster, dispatchId));
}

/** A locations-sync trigger: its sync id. */
export function locationsSyncMessageId(cluster: string, syncId: string): string {
  return boundedId(scoped(cluster, syncId));
}

/** A locations-sync trigger put back for later (functions/awaitSync.ts): one id per deferral. */
export function deferredLocationsSyncMessageId(cluster: string, syncId: string, deferrals: number): string {
  return boundedId(`${scoped(cluster, syncId)}:deferred:${deferrals}`);
}

/** A wake-up: every request to wake the cluster at the same time is the same message. */
export function wakeMessageId(cluster: string, at: number): string {
  return boundedId(`${cluster}:wake:${at}`);
}

/** A request to read NRP, once per decision. */
export function observeNrpMessageId(cluster: string, now: number): string {
  return boundedId(`${cluster}:observe:${now}`);
}

/** A Kubernetes action: the same action with the same content is one message. */
export function kubernetesActionMessageId(cluster: string, action: KubernetesAction): string {
  return boundedId(`${cluster}:${action.kind}:${stableHash(action)}`);
}

function objectKey(kind: KubeObjectKind, namespace: string | null, name: string): string {
  return kind === 'Node' || namespace === null ? `${kind}/${name}` : `${kind}/${namespace}/${name}`;
}

/**
 * An event for the engine. Kubernetes facts are keyed by object and resourceVersion (an upsert
 * that belongs to a snapshot also by the snapshot: the same object re-listed must not be dropped
 * as a duplicate of its watch event, or the snapshot would prune it); completions by the id of
 * what they complete; a Tick by the time it was sent for.
 */
export function engineEventMessageId(cluster: string, event: EngineEvent, now: number): string {
  const fact = (key: string, resourceVersion: string, snapshot: string | undefined): string =>
    `${cluster}:${key}@${resourceVersion}${snapshot === undefined ? '' : `#${snapshot}`}`;
  switch (event.kind) {
    case 'ServiceUpserted':
      return boundedId(fact(objectKey('Service', event.service.namespace, event.service.name), event.service.resourceVersion, event.snapshot));
    case 'EndpointSliceUpserted':
      return boundedId(fact(objectKey('EndpointSlice', event.slice.namespace, event.slice.name), event.slice.resourceVersion, event.snapshot));
    case 'NodeUpserted':
      return boundedId(fact(objectKey('Node', null, event.node.name), event.node.resourceVersion, event.snapshot));
    case 'PodUpserted':
      return boundedId(fact(objectKey('Pod', event.pod.namespace, event.pod.name), event.pod.resourceVersion, event.snapshot));
    case 'ObjectDeleted':
      return boundedId(`${cluster}:${objectKey(event.objectKind, event.namespace, event.name)}@${event.resourceVersion}:deleted`);
    case 'ObjectWithheld':
      return boundedId(`${cluster}:${objectKey(event.objectKind, event.namespace, event.name)}@${event.resourceVersion}:withheld${event.snapshot === undefined ? '' : `#${event.snapshot}`}`);
    case 'KubernetesSynced':
      return boundedId(`${cluster}:synced:${event.objectKind}@${event.snapshot}`);
    case 'ServiceOperationCompleted':
      return boundedId(`${scoped(cluster, event.dispatchId)}:done`);
    case 'LocationsSyncCompleted':
      return boundedId(`${scoped(cluster, event.syncId)}:done`);
    case 'NrpObserved':
      return boundedId(`${cluster}:nrp@${event.nrpEpoch}:${stableHash(event)}`);
    case 'NrpDriftObserved':
      return boundedId(`${cluster}:nrp-drift@${event.nrpEpoch}:${stableHash(event)}`);
    case 'AzureResourcesObserved':
      return boundedId(`${cluster}:azure@${event.nrpEpoch}:${stableHash(event)}`);
    case 'Tick':
      return boundedId(`${cluster}:tick:${now}`);
  }
}
