// The object store: objects per resource, one global resourceVersion counter (like etcd's
// revision), and a bounded history of changes from which watches replay and any state since the
// oldest retained revision can be rebuilt (consistent continue pages, like etcd before compaction).
import { clone, meta, nameOf, namespaceOf } from './json.ts';
import type { ResourceInfo } from './resources.ts';
import type { KubeObject } from './types.ts';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  readonly rv: number;
  readonly type: ChangeType;
  readonly resource: ResourceInfo;
  /** The stored state after the change; for DELETED the last state, carrying the deletion's resourceVersion. */
  readonly object: KubeObject;
  /** The state before the change (absent for ADDED). */
  readonly previous: KubeObject | undefined;
}

export function keyOf(namespace: string | null, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function objectKey(obj: KubeObject): string {
  return keyOf(namespaceOf(obj) || null, nameOf(obj));
}

export class KubeStore {
  private revision = 0;
  private readonly byResource = new Map<string, Map<string, KubeObject>>();
  private readonly created = new Map<string, number>();
  private history: Change[] = [];
  /** The oldest revision whose state can still be rebuilt and watched from. */
  private oldest = 0;
  private readonly listeners = new Set<(c: Change) => void>();
  private readonly historySize: number;

  constructor(historySize: number) {
    this.historySize = historySize;
  }

  resourceVersion(): number {
    return this.revision;
  }

  oldestResourceVersion(): number {
    return this.oldest;
  }

  onChange(listener: (c: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private table(r: ResourceInfo): Map<string, KubeObject> {
    let t = this.byResource.get(r.plural);
    if (!t) {
      t = new Map();
      this.byResource.set(r.plural, t);
    }
    return t;
  }

  /** A copy of the stored object. */
  get(r: ResourceInfo, namespace: string | null, name: string): KubeObject | undefined {
    const o = this.table(r).get(keyOf(namespace, name));
    return o ? clone(o) : undefined;
  }

  /** Copies of every object of the resource (in one namespace when given), in key order as etcd lists them. */
  list(r: ResourceInfo, namespace?: string): KubeObject[] {
    return sortedByKey(this.table(r), namespace).map(([, o]) => clone(o));
  }

  /** Creation order of the object, for events(). */
  createdAt(r: ResourceInfo, obj: KubeObject): number {
    return this.created.get(`${r.plural}/${objectKey(obj)}`) ?? 0;
  }

  /** Stores `obj` (the store takes it) under a new resourceVersion and records the change. */
  write(r: ResourceInfo, obj: KubeObject): KubeObject {
    const t = this.table(r);
    const key = objectKey(obj);
    const previous = t.get(key);
    this.revision += 1;
    meta(obj)['resourceVersion'] = String(this.revision);
    t.set(key, obj);
    if (!previous) this.created.set(`${r.plural}/${key}`, this.revision);
    this.record({ rv: this.revision, type: previous ? 'MODIFIED' : 'ADDED', resource: r, object: obj, previous });
    return clone(obj);
  }

  /** Removes the object; returns its last stored state (with its own resourceVersion), or undefined. */
  remove(r: ResourceInfo, namespace: string | null, name: string): KubeObject | undefined {
    const t = this.table(r);
    const key = keyOf(namespace, name);
    const last = t.get(key);
    if (!last) return undefined;
    t.delete(key);
    this.created.delete(`${r.plural}/${key}`);
    this.revision += 1;
    const gone = clone(last);
    meta(gone)['resourceVersion'] = String(this.revision);
    this.record({ rv: this.revision, type: 'DELETED', resource: r, object: gone, previous: last });
    return clone(last);
  }

  private record(c: Change): void {
    this.history.push(c);
    if (this.history.length > this.historySize) {
      const dropped = this.history.splice(0, this.history.length - this.historySize);
      this.oldest = dropped[dropped.length - 1]?.rv ?? this.oldest;
    }
    for (const l of [...this.listeners]) l(c);
  }

  /** Forgets every change so far: only the current state remains reachable. */
  compact(): void {
    this.history = [];
    this.oldest = this.revision;
  }

  /** Changes after `rv`, oldest first; undefined when some of them were already dropped. */
  changesAfter(rv: number): readonly Change[] | undefined {
    if (rv < this.oldest) return undefined;
    return this.history.filter((c) => c.rv > rv);
  }

  /** Copies of the resource's objects as they were at revision `rv`; undefined once compacted past it. */
  listAt(r: ResourceInfo, rv: number, namespace?: string): KubeObject[] | undefined {
    const later = this.changesAfter(rv);
    if (!later) return undefined;
    const state = new Map(this.table(r));
    for (let i = later.length - 1; i >= 0; i -= 1) {
      const c = later[i];
      if (!c || c.resource.plural !== r.plural) continue;
      const key = objectKey(c.object);
      if (c.type === 'ADDED') state.delete(key);
      else if (c.previous) state.set(key, c.previous);
    }
    return sortedByKey(state, namespace).map(([, o]) => clone(o));
  }
}

function sortedByKey(t: ReadonlyMap<string, KubeObject>, namespace: string | undefined): [string, KubeObject][] {
  const rows = [...t.entries()].filter(([, o]) => namespace === undefined || namespaceOf(o) === namespace);
  return rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
