// The registry: what the real server's generic store and per-type strategies do around a write
// (system metadata, defaulting, allocation, validation, preconditions, status isolation,
// generation, finalizers). Both the HTTP handlers and the admin API write through here.
import { randomUUID } from 'node:crypto';
import { applyDefaults, prepareForCreate } from './defaults.ts';
import { clone, deepEqual, meta, omit, record, strings, text, timestamp } from './json.ts';
import { keepsStoredStatus, resourceOfKind } from './resources.ts';
import type { ResourceInfo } from './resources.ts';
import { inUseBy, ServiceAllocator } from './serviceAllocation.ts';
import { alreadyExists, conflict, forbidden, internalError, invalid, notFound } from './status.ts';
import type { FieldError, KubeApiError } from './status.ts';
import { keyOf } from './store.ts';
import type { KubeStore } from './store.ts';
import type { Clock, KubeObject } from './types.ts';
import { podUpdateErrors, validateObject } from './validation.ts';

export interface WriteOptions {
  /** The admin API: keeps a given uid and status, skips rules only a user request is held to. */
  readonly admin?: boolean;
  readonly dryRun?: boolean;
}

export interface UpdateOptions extends WriteOptions {
  readonly subresource?: 'status' | undefined;
}

export interface Preconditions {
  readonly uid?: string | undefined;
  readonly resourceVersion?: string | undefined;
}

export interface DeleteResult {
  readonly object: KubeObject;
  /** False while finalizers keep it terminating. */
  readonly removed: boolean;
}

const PROTECTED_NAMESPACES = ['default', 'kube-system'];
const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

const NAMESPACES = resourceOfKind('Namespace');

/** What a change to outside metadata and status looks like: the part `generation` tracks. */
function specPart(obj: KubeObject): KubeObject {
  return omit(obj, ['metadata', 'status']);
}

/** metadata.finalizers, plus a Namespace's spec.finalizers that the namespace controller owns. */
function pendingFinalizers(r: ResourceInfo, obj: KubeObject): string[] {
  const own = strings(record(obj['metadata'])['finalizers']);
  return r.kind === 'Namespace' ? [...own, ...strings(record(obj['spec'])['finalizers'])] : own;
}

function isTerminating(obj: KubeObject | undefined): boolean {
  return obj !== undefined && text(record(obj['metadata'])['deletionTimestamp']) !== '';
}

export class Registry {
  private readonly store: KubeStore;
  private readonly clock: Clock;
  private readonly allocator = new ServiceAllocator();

  constructor(store: KubeStore, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  get(r: ResourceInfo, namespace: string | null, name: string): KubeObject {
    const o = this.store.get(r, namespace, name);
    if (!o) throw notFound(r.plural, r.group, name);
    return o;
  }

  private precondition(r: ResourceInfo, namespace: string | null, name: string, why: string): KubeApiError {
    const key = `${r.storagePrefix}/${keyOf(namespace, name)}`;
    return conflict(r.plural, r.group, name, `StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: ${why}`);
  }

  private checkNamespace(r: ResourceInfo, namespace: string | null, name: string): void {
    if (!r.namespaced || namespace === null) return;
    const ns = this.store.get(NAMESPACES, null, namespace);
    if (!ns) throw notFound('namespaces', '', namespace);
    if (isTerminating(ns)) throw forbidden(r.plural, r.group, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
  }

  private generatedName(r: ResourceInfo, namespace: string | null, prefix: string): string {
    const base = prefix.slice(0, 58);
    for (;;) {
      let suffix = '';
      for (let i = 0; i < 5; i += 1) suffix += NAME_SUFFIX_ALPHABET[Math.floor(Math.random() * NAME_SUFFIX_ALPHABET.length)] ?? 'x';
      if (!this.store.get(r, namespace, base + suffix)) return base + suffix;
    }
  }

  /** Defaulting, Service allocation and validation; throws 422 with every field error. */
  private admit(r: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, extra: readonly FieldError[] = []): void {
    applyDefaults(r.kind, obj);
    const errs: FieldError[] = [];
    if (r.kind === 'Service') {
      const others = this.store.list(r).filter((s) => !(old && text(record(s['metadata'])['uid']) === text(record(old['metadata'])['uid'])));
      errs.push(...this.allocator.allocate(obj, old, inUseBy(others)));
    }
    errs.push(...validateObject(r, obj, old), ...extra);
    if (errs.length > 0) throw invalid(r.kind, r.group, text(meta(obj)['name']), errs);
  }

  create(r: ResourceInfo, namespace: string | null, body: KubeObject, opts: WriteOptions = {}): KubeObject {
    const obj = clone(body);
    const m = meta(obj);
    obj['apiVersion'] = r.apiVersion;
    obj['kind'] = r.kind;
    if (r.namespaced) m['namespace'] = namespace ?? '';
    else delete m['namespace'];
    if (text(m['name']) === '' && text(m['generateName']) !== '') m['name'] = this.generatedName(r, namespace, text(m['generateName']));
    const name = text(m['name']);
    if (!opts.admin && text(m['resourceVersion']) !== '') throw internalError('resourceVersion should not be set on objects to be created');
    delete m['resourceVersion'];
    if (!(opts.admin && text(m['uid']) !== '')) m['uid'] = randomUUID();
    m['creationTimestamp'] = timestamp(this.clock.now());
    for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'managedFields']) delete m[k];
    if (r.generation) m['generation'] = 1;
    else delete m['generation'];
    prepareForCreate(r.kind, obj, opts.admin === true);
    // The NamespaceLifecycle admission plugin runs before validation.
    this.checkNamespace(r, namespace, name);
    this.admit(r, obj, undefined);
    if (this.store.get(r, namespace, name)) throw alreadyExists(r.plural, r.group, name);
    if (opts.dryRun) return obj;
    return this.store.write(r, obj);
  }

  /**
   * PUT semantics for `body` (a full object, or the result of a patch). A non-empty
   * metadata.resourceVersion or uid in it must match the stored object (409 otherwise).
   */
  update(r: ResourceInfo, namespace: string | null, name: string, body: KubeObject, opts: UpdateOptions = {}): KubeObject {
    const old = this.store.get(r, namespace, name);
    if (!old && r.kind === 'Event' && !opts.subresource) return this.create(r, namespace, body, opts);
    if (!old) throw notFound(r.plural, r.group, name);
    const given = record(body['metadata']);
    const oldMeta = record(old['metadata']);
    const givenRv = text(given['resourceVersion']);
    if (givenRv !== '' && givenRv !== text(oldMeta['resourceVersion'])) throw conflict(r.plural, r.group, name);
    const givenUid = text(given['uid']);
    if (givenUid !== '' && givenUid !== text(oldMeta['uid']) && !opts.admin) {
      throw this.precondition(r, namespace, name, `UID in precondition: ${givenUid}, UID in object meta: ${text(oldMeta['uid'])}`);
    }
    let obj: KubeObject;
    if (opts.subresource === 'status') {
      obj = clone(old);
      if (body['status'] === undefined) delete obj['status'];
      else obj['status'] = clone(body['status']);
    } else {
      obj = clone(body);
      obj['apiVersion'] = r.apiVersion;
      obj['kind'] = r.kind;
      const m = meta(obj);
      for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
        if (oldMeta[k] === undefined) delete m[k];
        else m[k] = oldMeta[k];
      }
      if (opts.admin && givenUid !== '') m['uid'] = givenUid;
      for (const k of ['selfLink', 'managedFields']) delete m[k];
      if (r.namespaced) m['namespace'] = namespace;
      if (!opts.admin || body['status'] === undefined) {
        if (keepsStoredStatus(r)) {
          if (old['status'] === undefined) delete obj['status'];
          else obj['status'] = clone(old['status']);
        }
      }
    }
    const extra = r.kind === 'Pod' && !opts.admin && !opts.subresource ? podUpdateErrors(obj, old) : [];
    this.admit(r, obj, old, extra);
    const m = meta(obj);
    if (r.generation) {
      const before = typeof oldMeta['generation'] === 'number' ? oldMeta['generation'] : 1;
      m['generation'] = deepEqual(specPart(obj), specPart(old)) ? before : before + 1;
    } else {
      delete m['generation'];
    }
    m['resourceVersion'] = oldMeta['resourceVersion'];
    // A no-op write leaves resourceVersion alone and wakes no watcher, as etcd's GuaranteedUpdate does.
    if (deepEqual(obj, old)) return old;
    if (isTerminating(old) && pendingFinalizers(r, obj).length === 0) {
      if (opts.dryRun) return old;
      return this.removeNow(r, namespace, name) ?? old;
    }
    if (opts.dryRun) return obj;
    return this.store.write(r, obj);
  }

  delete(r: ResourceInfo, namespace: string | null, name: string, pre: Preconditions = {}, opts: WriteOptions = {}): DeleteResult {
    const old = this.get(r, namespace, name);
    const oldMeta = record(old['metadata']);
    if (pre.uid !== undefined && pre.uid !== text(oldMeta['uid'])) {
      throw this.precondition(r, namespace, name, `UID in precondition: ${pre.uid}, UID in object meta: ${text(oldMeta['uid'])}`);
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== text(oldMeta['resourceVersion'])) {
      throw this.precondition(r, namespace, name, `ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${text(oldMeta['resourceVersion'])}`);
    }
    if (r.kind === 'Namespace' && PROTECTED_NAMESPACES.includes(name)) {
      throw forbidden('namespaces', '', name, 'this namespace may not be deleted');
    }
    if (pendingFinalizers(r, old).length === 0) {
      if (opts.dryRun) return { object: old, removed: true };
      return { object: this.removeNow(r, namespace, name) ?? old, removed: true };
    }
    if (isTerminating(old)) return { object: old, removed: false };
    const obj = clone(old);
    const m = meta(obj);
    m['deletionTimestamp'] = timestamp(this.clock.now());
    m['deletionGracePeriodSeconds'] = 0;
    if (typeof m['generation'] === 'number') m['generation'] += 1;
    if (r.kind === 'Namespace') obj['status'] = { ...record(obj['status']), phase: 'Terminating' };
    if (opts.dryRun) return { object: obj, removed: false };
    const written = this.store.write(r, obj);
    if (r.kind === 'Namespace') this.emptyNamespace(name);
    return { object: this.store.get(r, namespace, name) ?? written, removed: false };
  }

  private removeNow(r: ResourceInfo, namespace: string | null, name: string): KubeObject | undefined {
    const gone = this.store.remove(r, namespace, name);
    if (r.namespaced && namespace !== null) this.finishNamespaceIfEmpty(namespace);
    return gone;
  }

  /** The namespace controller's part: delete everything in a terminating namespace. */
  private emptyNamespace(namespace: string): void {
    for (const r of [...this.namespacedResources()]) {
      for (const o of this.store.list(r, namespace)) {
        const name = text(record(o['metadata'])['name']);
        if (this.store.get(r, namespace, name)) this.delete(r, namespace, name);
      }
    }
    this.finishNamespaceIfEmpty(namespace);
  }

  /** Once a terminating namespace holds nothing, its `kubernetes` finalizer goes and so does it. */
  private finishNamespaceIfEmpty(namespace: string): void {
    const ns = this.store.get(NAMESPACES, null, namespace);
    if (!ns || !isTerminating(ns)) return;
    if (this.namespacedResources().some((r) => this.store.list(r, namespace).length > 0)) return;
    const specFinalizers = strings(record(ns['spec'])['finalizers']);
    if (specFinalizers.length > 0) {
      const finalized = clone(ns);
      finalized['spec'] = { ...record(ns['spec']), finalizers: [] };
      this.store.write(NAMESPACES, finalized);
    }
    if (strings(record(ns['metadata'])['finalizers']).length === 0) this.store.remove(NAMESPACES, null, namespace);
  }

  private namespacedResources(): ResourceInfo[] {
    return ['Service', 'Pod', 'Event', 'EndpointSlice'].map((k) => resourceOfKind(k));
  }
}
