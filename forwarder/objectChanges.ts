// What one watched kind's changes mean for the engine: Kubernetes objects in, queued engine events
// out. Pure apart from its memory of what was last sent per object, which lets it
// - skip updates that change nothing the engine reads (node heartbeats, pod container restarts),
// - forward a Service only while it is ours (LoadBalancer without a class) or still carries our
//   finalizer, and tell the engine once when a Service it knew stops being ours,
// - treat a "deleted" object that still carries our finalizer as the update it really is: a
//   label-selector watch reports a Pod that lost its egress label as deleted, but only the engine
//   can release the finalizer, so it must see the Pod.
import { isOurs } from '../shared/engine/admission.ts';
import type { EngineEvent, KubeObjectKind, WithheldReason } from '../shared/engine/types.ts';
import { EGRESS_LABEL, POD_FINALIZER, SERVICE_FINALIZER } from '../shared/engine/types.ts';
import { endpointSliceFact, nodeFact, podFact, serviceFact } from '../shared/kube/toFacts.ts';
import { stableHash } from '../shared/messages/messageIds.ts';
import { toEngineEventMessage } from '../shared/messages/toEngineEventMessage.ts';
import type { QueuedChange } from './changeQueue.ts';
import { bodyBytes } from './changeQueue.ts';
import { jsonObject } from './kubeApi.ts';

export interface ChangeContext {
  /** When the change was observed (epoch ms). */
  readonly now: number;
  readonly traceparent?: string | undefined;
}

export type Translation =
  | { readonly action: 'send'; readonly change: QueuedChange }
  | { readonly action: 'skip'; readonly why: 'unchanged' | 'notOurs' }
  | { readonly action: 'reject'; readonly key: string; readonly reason: string }
  /** Cannot be passed on whole: the engine is told it exists (ObjectWithheld) instead. */
  | { readonly action: 'withhold'; readonly change: QueuedChange; readonly key: string; readonly reason: string };

export interface SnapshotTranslation {
  readonly changes: readonly QueuedChange[];
  readonly marker: QueuedChange;
  readonly rejected: readonly { readonly key: string; readonly reason: string }[];
  /** Objects sent as ObjectWithheld (their changes are among `changes`). */
  readonly withheld: readonly { readonly key: string; readonly reason: string }[];
}

type Upsert = { readonly ok: true; readonly event: EngineEvent; readonly digest: string; readonly ours: boolean } | { readonly ok: false; readonly reason: string };

interface ObjectIdentity {
  readonly namespace: string | null;
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion: string;
  readonly finalizers: readonly string[];
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** The metadata every change needs, or a reason naming the field. */
function identityOf(objectKind: KubeObjectKind, obj: unknown): ObjectIdentity | string {
  const m = jsonObject(jsonObject(obj)?.['metadata']);
  if (m === null) return 'metadata: missing';
  const name = text(m['name']);
  const uid = text(m['uid']);
  const resourceVersion = text(m['resourceVersion']);
  const namespace = objectKind === 'Node' ? null : text(m['namespace']);
  if (name === null) return 'metadata.name: missing';
  if (uid === null) return 'metadata.uid: missing';
  if (resourceVersion === null) return 'metadata.resourceVersion: missing';
  if (objectKind !== 'Node' && namespace === null) return 'metadata.namespace: missing';
  const f = m['finalizers'];
  const finalizers = Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
  return { namespace, name, uid, resourceVersion, finalizers };
}

/** Whether a Service we cannot read could be one we serve (so its absence from a list matters). */
function mayBeOurs(obj: unknown, id: ObjectIdentity): boolean {
  const type = jsonObject(jsonObject(obj)?.['spec'])?.['type'];
  return type === 'LoadBalancer' || id.finalizers.includes(SERVICE_FINALIZER);
}

function displayKey(objectKind: KubeObjectKind, obj: unknown): string {
  const m = jsonObject(jsonObject(obj)?.['metadata']);
  const ns = text(m?.['namespace']);
  const name = text(m?.['name']) ?? '?';
  return ns === null ? `${objectKind}/${name}` : `${objectKind}/${ns}/${name}`;
}

/** Digest of what the engine reads, without the resourceVersion that changes on every write. */
function digestOf(fact: { readonly resourceVersion: string }): string {
  return stableHash({ ...fact, resourceVersion: '' });
}

function upsertOf(objectKind: KubeObjectKind, obj: unknown, snapshot: string | undefined): Upsert {
  const tag = snapshot === undefined ? {} : { snapshot };
  switch (objectKind) {
    case 'Service': {
      const r = serviceFact(obj);
      if (!r.ok) return r;
      const ours = isOurs(r.fact) || r.fact.finalizers.includes(SERVICE_FINALIZER);
      return { ok: true, event: { kind: 'ServiceUpserted', service: r.fact, ...tag }, digest: digestOf(r.fact), ours };
    }
    case 'EndpointSlice': {
      const r = endpointSliceFact(obj);
      return r.ok ? { ok: true, event: { kind: 'EndpointSliceUpserted', slice: r.fact, ...tag }, digest: digestOf(r.fact), ours: true } : r;
    }
    case 'Node': {
      const r = nodeFact(obj);
      return r.ok ? { ok: true, event: { kind: 'NodeUpserted', node: r.fact, ...tag }, digest: digestOf(r.fact), ours: true } : r;
    }
    case 'Pod': {
      const r = podFact(obj);
      return r.ok ? { ok: true, event: { kind: 'PodUpserted', pod: r.fact, ...tag }, digest: digestOf(r.fact), ours: true } : r;
    }
  }
}

/** The pod as it is once out of the egress selector: the label gone, the rest as last seen. */
function withoutEgressLabel(obj: unknown): unknown {
  const o = jsonObject(obj);
  const m = jsonObject(o?.['metadata']);
  const labels = jsonObject(m?.['labels']);
  if (o === null || m === null || labels === null || !(EGRESS_LABEL in labels)) return obj;
  const rest = Object.fromEntries(Object.entries(labels).filter(([k]) => k !== EGRESS_LABEL));
  return { ...o, metadata: { ...m, labels: rest } };
}

export class KindChanges {
  readonly objectKind: KubeObjectKind;
  private readonly cluster: string;
  /** uid -> digest of the last state sent; for Services also "the engine knows it as ours". */
  private lastSent = new Map<string, string>();

  constructor(cluster: string, objectKind: KubeObjectKind) {
    this.cluster = cluster;
    this.objectKind = objectKind;
  }

  /** Objects whose last state is remembered (for the memory gauge). */
  get remembered(): number {
    return this.lastSent.size;
  }

  private key(id: ObjectIdentity): string {
    return id.namespace === null ? `${this.objectKind}/${id.name}/${id.uid}` : `${this.objectKind}/${id.namespace}/${id.name}/${id.uid}`;
  }

  private change(id: ObjectIdentity, event: EngineEvent, ctx: ChangeContext): QueuedChange {
    const message = toEngineEventMessage(this.cluster, event, ctx);
    return { key: this.key(id), objectKind: this.objectKind, marker: false, resourceVersion: id.resourceVersion, message, bytes: bodyBytes(message) };
  }

  private deleted(id: ObjectIdentity, ctx: ChangeContext): QueuedChange {
    const event: EngineEvent = { kind: 'ObjectDeleted', objectKind: this.objectKind, namespace: id.namespace, name: id.name, uid: id.uid, resourceVersion: id.resourceVersion };
    return this.change(id, event, ctx);
  }

  /**
   * An object that has an identity but cannot be passed on (unreadable, or beyond a message bound):
   * the engine is told it exists, so a list without it is no deletion, and its owner gets a Warning.
   */
  private withheld(id: ObjectIdentity, obj: unknown, why: WithheldReason, reason: string, snapshot: string | undefined, ctx: ChangeContext): Translation {
    if (this.objectKind === 'Service' && !mayBeOurs(obj, id)) return { action: 'reject', key: displayKey(this.objectKind, obj), reason };
    const event: EngineEvent = {
      kind: 'ObjectWithheld',
      objectKind: this.objectKind,
      namespace: id.namespace,
      name: id.name,
      uid: id.uid,
      resourceVersion: id.resourceVersion,
      reason: why,
      detail: `${displayKey(this.objectKind, obj)} cannot be forwarded: ${reason}`.slice(0, 1_000),
      ...(snapshot === undefined ? {} : { snapshot }),
    };
    return { action: 'withhold', change: this.change(id, event, ctx), key: displayKey(this.objectKind, obj), reason };
  }

  upsert(obj: unknown, ctx: ChangeContext): Translation {
    const id = identityOf(this.objectKind, obj);
    if (typeof id === 'string') return { action: 'reject', key: displayKey(this.objectKind, obj), reason: id };
    const u = upsertOf(this.objectKind, obj, undefined);
    if (!u.ok) return this.withheld(id, obj, 'ObjectUnreadable', u.reason, undefined, ctx);
    const known = this.lastSent.get(id.uid);
    if (!u.ours) {
      if (known === undefined) return { action: 'skip', why: 'notOurs' };
      this.lastSent.delete(id.uid);
      return { action: 'send', change: this.deleted(id, ctx) };
    }
    if (known === u.digest) return { action: 'skip', why: 'unchanged' };
    const change = this.checked(() => this.change(id, u.event, ctx), obj);
    if (change.action === 'send') this.lastSent.set(id.uid, u.digest);
    // A readable fact the message schema refuses is beyond one of its bounds.
    if (change.action === 'reject') return this.withheld(id, obj, 'ObjectTooLarge', change.reason, undefined, ctx);
    return change;
  }

  delete(obj: unknown, ctx: ChangeContext): Translation {
    const id = identityOf(this.objectKind, obj);
    if (typeof id === 'string') return { action: 'reject', key: displayKey(this.objectKind, obj), reason: id };
    // Kubernetes deletes nothing that holds a finalizer: a Pod reported deleted with ours left the
    // label selector. The body is the one from before the change, so the label is taken off here.
    if (this.objectKind === 'Pod' && id.finalizers.includes(POD_FINALIZER)) return this.upsert(withoutEgressLabel(obj), ctx);
    if (id.finalizers.includes(SERVICE_FINALIZER)) return this.upsert(obj, ctx);
    const known = this.lastSent.delete(id.uid);
    if (this.objectKind === 'Service' && !known) return { action: 'skip', why: 'notOurs' };
    return { action: 'send', change: this.deleted(id, ctx) };
  }

  /**
   * The object Kubernetes answered a finalizer action with, taken as a fact at once: a pod outside
   * the label selector is never reported by the watch, so this is how the engine learns that our
   * finalizer came off it. `gone` (404, or another object under the name) becomes its deletion at
   * `resourceVersion`, the watch's latest, which is newer than anything sent about it.
   */
  answered(obj: unknown, target: { readonly namespace: string | null; readonly name: string; readonly uid: string }, resourceVersion: string | null, ctx: ChangeContext): Translation {
    if (obj !== null) {
      const t = this.upsert(obj, ctx);
      // The answer may be older than what the watch already queued (the queue keeps the newer):
      // remembering it would make the watch's next change look unchanged when it matches it.
      this.lastSent.delete(target.uid);
      return t;
    }
    if (resourceVersion === null) return { action: 'skip', why: 'unchanged' };
    const id: ObjectIdentity = { namespace: target.namespace, name: target.name, uid: target.uid, resourceVersion, finalizers: [] };
    this.lastSent.delete(id.uid);
    return { action: 'send', change: this.deleted(id, ctx) };
  }

  /**
   * A full list: every object of ours tagged with the snapshot, then the marker that lets the
   * engine forget what the list did not contain. Memory restarts from the list.
   */
  snapshot(items: readonly unknown[], resourceVersion: string, ctx: ChangeContext): SnapshotTranslation {
    const changes: QueuedChange[] = [];
    const rejected: { key: string; reason: string }[] = [];
    const withheld: { key: string; reason: string }[] = [];
    const lastSent = new Map<string, string>();
    const withholding = (t: Translation): void => {
      if (t.action === 'withhold') {
        changes.push(t.change);
        withheld.push({ key: t.key, reason: t.reason });
      } else if (t.action === 'reject') rejected.push({ key: t.key, reason: t.reason });
    };
    for (const obj of items) {
      const id = identityOf(this.objectKind, obj);
      if (typeof id === 'string') {
        rejected.push({ key: displayKey(this.objectKind, obj), reason: id });
        continue;
      }
      const u = upsertOf(this.objectKind, obj, resourceVersion);
      if (!u.ok) {
        withholding(this.withheld(id, obj, 'ObjectUnreadable', u.reason, resourceVersion, ctx));
        continue;
      }
      if (!u.ours) continue;
      const t = this.checked(() => this.change(id, u.event, ctx), obj);
      if (t.action === 'send') {
        changes.push(t.change);
        lastSent.set(id.uid, u.digest);
      } else if (t.action === 'reject') withholding(this.withheld(id, obj, 'ObjectTooLarge', t.reason, resourceVersion, ctx));
    }
    this.lastSent = lastSent;
    const event: EngineEvent = { kind: 'KubernetesSynced', objectKind: this.objectKind, snapshot: resourceVersion };
    const message = toEngineEventMessage(this.cluster, event, ctx);
    const marker: QueuedChange = { key: `synced/${this.objectKind}`, objectKind: this.objectKind, marker: true, message, bytes: bodyBytes(message) };
    return { changes, marker, rejected, withheld };
  }

  /** A fact that does not fit the message schema (bounds) is rejected with the schema's reason. */
  private checked(build: () => QueuedChange, obj: unknown): Translation {
    try {
      return { action: 'send', change: build() };
    } catch (e) {
      return { action: 'reject', key: displayKey(this.objectKind, obj), reason: e instanceof Error ? e.message : String(e) };
    }
  }
}
