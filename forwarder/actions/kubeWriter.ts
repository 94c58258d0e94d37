// The engine's requests to the cluster, applied with optimistic concurrency: read the object, check
// it is still the one the engine meant (same UID), write with its resourceVersion as precondition,
// and on a conflict read again and retry. A write that has become pointless (the object is gone,
// was replaced, or already says it) is an outcome, not an error, and so is an answer that retrying
// the same request cannot change (a 4xx other than 401, 408 and 429); only transient failures throw.
// An action on an object the engine does not own is refused before any write (`ownership.ts`).
import type { ObjectRef } from '../../shared/engine/types.ts';
import type { KubernetesAction } from '../../shared/messages/kubernetesActionSchema.ts';
import { stableHash } from '../../shared/messages/messageIds.ts';
import type { Json, KubeApi } from '../kubeApi.ts';
import { KubeApiError, jsonObject } from '../kubeApi.ts';
import type { IngressEntry } from './ingressMerge.ts';
import { mergeIngress } from './ingressMerge.ts';
import type { RefusalReason } from './ownership.ts';
import { refusalOf } from './ownership.ts';

/**
 * Final answers from the API server: `refused` (400, 422 and other 4xx: the request is wrong),
 * `forbidden` (403: RBAC, or admission), `conflict` (409 still, after the conflict retries).
 */
export type FinalFailure = 'refused' | 'forbidden' | 'conflict';

export type ActionOutcome =
  /**
   * `object`: the target as Kubernetes now holds it, so the engine can take it as a fact without
   * waiting for the watch; the PATCH answer after `applied`, the read object after `unchanged`.
   * Absent for Events, whose write says nothing of the object they are about.
   */
  | { readonly result: 'applied' | 'unchanged'; readonly object?: Json | undefined }
  /** The target no longer exists or is another object under the same name. */
  | { readonly result: 'gone' }
  /** The target is not the engine's to change (read just now): nothing was written. */
  | { readonly result: 'notOurs'; readonly reason: RefusalReason }
  | { readonly result: FinalFailure; readonly status: number; readonly reason: string; readonly detail: string };

export interface KubeWriterOptions {
  /** Only single requests are made (a fake serves the unit tests). */
  readonly api: Pick<KubeApi, 'request'>;
  /** Events name this instance (the pod name). */
  readonly instance: string;
  readonly conflictRetries?: number | undefined;
  readonly now?: (() => number) | undefined;
}

const MERGE = 'application/merge-patch+json';
const COMPONENT = 'servicegateway.azure.com/forwarder';

function objectPath(t: ObjectRef): string {
  const plural = t.kind === 'Service' ? 'services' : 'pods';
  return `/api/v1/namespaces/${encodeURIComponent(t.namespace)}/${plural}/${encodeURIComponent(t.name)}`;
}

/** A field that should hold an object, or an empty one (absent and malformed read alike). */
const rec = (v: unknown): Json => jsonObject(v) ?? {};

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Kubernetes timestamps: RFC 3339 in whole seconds. */
function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

class Conflict extends Error {}

/** Failures the same request would meet again; 401 (expired credentials), 408 and 429 pass. */
function finalFailure(e: unknown): ActionOutcome | null {
  if (!(e instanceof KubeApiError) || e.status < 400 || e.status > 499 || [401, 408, 429].includes(e.status)) return null;
  if (e.status === 404) return { result: 'gone' };
  const result: FinalFailure = e.status === 403 ? 'forbidden' : e.status === 409 ? 'conflict' : 'refused';
  return { result, status: e.status, reason: e.reason, detail: e.message };
}

export class KubeWriter {
  private readonly o: KubeWriterOptions;
  private readonly now: () => number;

  constructor(options: KubeWriterOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
  }

  async apply(action: KubernetesAction): Promise<ActionOutcome> {
    try {
      switch (action.kind) {
        case 'PatchServiceStatus':
          return await this.withRetries(() => this.patchStatus(action));
        case 'AddFinalizer':
        case 'RemoveFinalizer':
          return await this.withRetries(() => this.setFinalizer(action));
        case 'RecordKubernetesEvent':
          return await this.withRetries(() => this.recordEvent(action));
      }
    } catch (e) {
      const final = finalFailure(e);
      if (final === null) throw e;
      return final;
    }
  }

  private async withRetries(attempt: () => Promise<ActionOutcome>): Promise<ActionOutcome> {
    const retries = this.o.conflictRetries ?? 5;
    for (let i = 0; ; i++) {
      try {
        return await attempt();
      } catch (e) {
        const conflict = e instanceof Conflict || (e instanceof KubeApiError && e.status === 409 && e.reason !== 'AlreadyExists');
        if (!conflict || i >= retries) throw e instanceof Conflict ? new KubeApiError(409, 'Conflict', `still conflicting after ${retries} retries`) : e;
        await new Promise((r) => setTimeout(r, 10 + Math.random() * 40 * (i + 1)));
      }
    }
  }

  /** The target as it is now, or null when it is gone or is another object with the same name. */
  private async current(target: ObjectRef): Promise<Json | null> {
    try {
      const obj = await this.o.api.request('GET', objectPath(target));
      return rec(obj['metadata'])['uid'] === target.uid ? obj : null;
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 404) return null;
      throw e;
    }
  }

  /** A merge patch guarded by UID and resourceVersion; 404 means the target went away meanwhile. */
  private async guardedPatch(path: string, obj: Json, patch: Json): Promise<ActionOutcome> {
    const meta = rec(obj['metadata']);
    const body = { ...patch, metadata: { ...rec(patch['metadata']), uid: meta['uid'], resourceVersion: meta['resourceVersion'] } };
    try {
      return { result: 'applied', object: await this.o.api.request('PATCH', path, { body, contentType: MERGE }) };
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 404) return { result: 'gone' };
      if (e instanceof KubeApiError && e.status === 409) throw new Conflict(e.message);
      throw e;
    }
  }

  /** The target as it is now when the action may change it; otherwise the outcome that ends the action. */
  private async owned(action: KubernetesAction & { readonly target: ObjectRef }): Promise<{ readonly obj: Json } | { readonly ended: ActionOutcome }> {
    const obj = await this.current(action.target);
    if (obj === null) return { ended: { result: 'gone' } };
    const reason = refusalOf(action, obj);
    return reason === null ? { obj } : { ended: { result: 'notOurs', reason } };
  }

  private async patchStatus(action: Extract<KubernetesAction, { kind: 'PatchServiceStatus' }>): Promise<ActionOutcome> {
    const read = await this.owned(action);
    if ('ended' in read) return read.ended;
    const svc = read.obj;
    const lb = rec(rec(svc['status'])['loadBalancer']);
    const ingress = Array.isArray(lb['ingress']) ? (lb['ingress'] as IngressEntry[]) : [];
    const merged = mergeIngress(ingress, action.ingressIp, action.family);
    if (!merged.changed) return { result: 'unchanged', object: svc };
    // Through the status subresource, which changes nothing but status (the admission policy allows only the ingress).
    return this.guardedPatch(`${objectPath(action.target)}/status`, svc, { status: { loadBalancer: { ingress: merged.ingress } } });
  }

  private async setFinalizer(action: Extract<KubernetesAction, { kind: 'AddFinalizer' | 'RemoveFinalizer' }>): Promise<ActionOutcome> {
    const read = await this.owned(action);
    if ('ended' in read) return read.ended;
    const obj = read.obj;
    const { finalizer } = action;
    const present = action.kind === 'AddFinalizer';
    const meta = rec(obj['metadata']);
    const finalizers = strings(meta['finalizers']);
    if (finalizers.includes(finalizer) === present) return { result: 'unchanged', object: obj };
    // Kubernetes refuses new finalizers on an object being deleted; the engine cleans up anyway.
    if (present && typeof meta['deletionTimestamp'] === 'string') return { result: 'unchanged', object: obj };
    const next = present ? [...finalizers, finalizer] : finalizers.filter((f) => f !== finalizer);
    return this.guardedPatch(objectPath(action.target), obj, { metadata: { finalizers: next } });
  }

  private async recordEvent(action: Extract<KubernetesAction, { kind: 'RecordKubernetesEvent' }>): Promise<ActionOutcome> {
    const t = action.target;
    // A cluster-scoped object's Events live in the default namespace, as kubelet's Node Events do.
    const namespace = t.namespace ?? 'default';
    const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`;
    // One Event object per object, type, reason and message; repeats raise its count, as
    // client-go's recorder does, so a flapping condition does not flood etcd.
    const name = eventName(t.name, stableHash({ uid: t.uid, type: action.type, reason: action.reason, message: action.message }).slice(0, 16));
    const now = timestamp(this.now());
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: { apiVersion: t.kind === 'EndpointSlice' ? 'discovery.k8s.io/v1' : 'v1', kind: t.kind, ...(t.namespace === null ? {} : { namespace: t.namespace }), name: t.name, uid: t.uid },
      type: action.type,
      reason: action.reason,
      message: action.message,
      source: { component: 'servicegateway' },
      reportingComponent: COMPONENT,
      reportingInstance: this.o.instance,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await this.o.api.request('POST', base, { body: event });
      return { result: 'applied' };
    } catch (e) {
      if (!(e instanceof KubeApiError && e.status === 409)) {
        if (e instanceof KubeApiError && e.status === 404) return { result: 'gone' }; // the namespace is gone
        throw e;
      }
    }
    const path = `${base}/${encodeURIComponent(name)}`;
    let existing: Json;
    try {
      existing = await this.o.api.request('GET', path);
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 404) throw new Conflict('event vanished between create and update');
      throw e;
    }
    const count = typeof existing['count'] === 'number' ? existing['count'] : 1;
    const bumped = await this.guardedPatch(path, existing, { count: count + 1, lastTimestamp: now });
    return bumped.result === 'applied' ? { result: 'applied' } : bumped;
  }
}

/** Most characters of the target's name an Event name keeps: 253 (a DNS-1123 subdomain) less the
 * dot and the 16-character hash. The hash covers the UID, so a cut name stays unique. */
const EVENT_NAME_PREFIX = 253 - 17;

/** `<target name>.<hash>`, the target's name cut (and a trailing dot or dash dropped) to fit. */
export function eventName(target: string, hash: string): string {
  const prefix = target.length <= EVENT_NAME_PREFIX ? target : target.slice(0, EVENT_NAME_PREFIX).replace(/[.-]+$/, '');
  return `${prefix}.${hash}`;
}
