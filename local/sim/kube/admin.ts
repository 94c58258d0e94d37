// The admin API: what a user or a controller outside the product does to the cluster (create or
// edit objects, write status, delete). It goes through the same registry as HTTP requests, so
// validation, resourceVersions and watch events are the same.
import { clone, isRecord, meta, record, shown, text } from './json.ts';
import type { Registry } from './registry.ts';
import { resourceByKind } from './resources.ts';
import type { ResourceInfo } from './resources.ts';
import { badRequest } from './status.ts';
import type { KubeStore } from './store.ts';
import type { KubeObject } from './types.ts';

/** The top-level fields that are not the user's to replace wholesale. */
const SYSTEM_FIELDS = ['apiVersion', 'kind', 'metadata', 'status'];
const USER_METADATA = ['labels', 'annotations', 'ownerReferences'];

function resourceFor(kind: string): ResourceInfo {
  const r = resourceByKind(kind);
  if (!r) throw badRequest(`no kind "${kind}" is served by the simulator`);
  return r;
}

function scope(r: ResourceInfo, namespace: string | null | undefined): string | null {
  if (!r.namespaced) return null;
  return namespace === null || namespace === undefined || namespace === '' ? 'default' : namespace;
}

export class Admin {
  private readonly registry: Registry;
  private readonly store: KubeStore;

  constructor(registry: Registry, store: KubeStore) {
    this.registry = registry;
    this.store = store;
  }

  apply(obj: KubeObject): KubeObject {
    if (!isRecord(obj)) throw badRequest('apply needs an object');
    const r = resourceFor(text(obj['kind']));
    if (obj['apiVersion'] !== undefined && obj['apiVersion'] !== r.apiVersion) {
      throw badRequest(`the API version in the data (${shown(obj['apiVersion'])}) does not match the expected API version (${r.apiVersion})`);
    }
    const given = record(obj['metadata']);
    const namespace = scope(r, text(given['namespace']));
    const name = text(given['name']);
    const existing = name === '' ? undefined : this.store.get(r, namespace, name);
    if (!existing) return this.registry.create(r, namespace, obj, { admin: true });
    const next = clone(existing);
    for (const k of Object.keys(next)) if (!SYSTEM_FIELDS.includes(k)) delete next[k];
    for (const [k, v] of Object.entries(obj)) if (!SYSTEM_FIELDS.includes(k)) next[k] = clone(v);
    const m = meta(next);
    for (const k of USER_METADATA) {
      if (given[k] === undefined) delete m[k];
      else m[k] = clone(given[k]);
    }
    if (text(given['uid']) !== '') m['uid'] = given['uid'];
    if (obj['status'] !== undefined) next['status'] = clone(obj['status']);
    delete m['resourceVersion'];
    return this.registry.update(r, namespace, name, next, { admin: true });
  }

  delete(kind: string, namespace: string | null, name: string): KubeObject | null {
    const r = resourceFor(kind);
    const { object, removed } = this.registry.delete(r, scope(r, namespace), name, {}, { admin: true });
    return removed ? null : object;
  }

  get(kind: string, namespace: string | null, name: string): KubeObject | undefined {
    const r = resourceFor(kind);
    return this.store.get(r, scope(r, namespace), name);
  }

  list(kind: string, namespace?: string): KubeObject[] {
    const r = resourceFor(kind);
    return this.store.list(r, r.namespaced ? namespace : undefined);
  }

  events(): KubeObject[] {
    const r = resourceFor('Event');
    return this.store.list(r).sort((a, b) => this.store.createdAt(r, a) - this.store.createdAt(r, b));
  }
}
