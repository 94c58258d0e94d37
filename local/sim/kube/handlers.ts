// The verbs on resource paths: query parameters and bodies in, registry calls, replies out.
import type { ServerResponse } from 'node:http';
import { decodeObject, sendJson } from './http.ts';
import type { Output } from './http.ts';
import { isRecord, omit, record, text } from './json.ts';
import { listPage } from './paging.ts';
import type { Filter } from './paging.ts';
import { applyPatch, patchTypeOf } from './patch.ts';
import type { Registry } from './registry.ts';
import type { ResourceInfo } from './resources.ts';
import type { Route } from './routes.ts';
import { parseFieldSelector, parseLabelSelector, supportedFields } from './selectors.ts';
import { badRequest, KubeApiError, notFound } from './status.ts';
import type { KubeStore } from './store.ts';
import { toTable } from './tables.ts';
import type { IncludeObject } from './tables.ts';
import type { Clock, KubeObject, KubeVerb } from './types.ts';
import type { WatchHub } from './watch.ts';

export type ResourceRoute = Extract<Route, { kind: 'resource' }>;

export interface ResourceCall {
  readonly verb: KubeVerb;
  readonly route: ResourceRoute;
  readonly query: URLSearchParams;
  readonly body: string;
  readonly contentType: string | undefined;
  readonly output: Output;
  readonly res: ServerResponse;
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

const TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False', ''];

/** strconv.ParseBool, which the real server's query decoding uses. */
export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  throw badRequest(`${name}: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`${name}: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

function resourceVersionParam(q: URLSearchParams): number | undefined {
  const v = q.get('resourceVersion');
  if (v === null || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(v)}: strconv.ParseUint: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

function filterOf(r: ResourceInfo, q: URLSearchParams): Filter {
  const labels = parseLabelSelector(q.get('labelSelector') ?? '');
  if (!labels.ok) throw badRequest(labels.message);
  const fields = parseFieldSelector(q.get('fieldSelector') ?? '', supportedFields(r.kind, r.namespaced));
  if (!fields.ok) throw badRequest(fields.message);
  return { labels: labels.value, fields: fields.value };
}

function dryRunOf(q: URLSearchParams, fromBody: unknown): boolean {
  const values = [...q.getAll('dryRun'), ...(Array.isArray(fromBody) ? fromBody.map(String) : [])];
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dryRun value: ${JSON.stringify(v)}; supported values: "All"`);
  return values.length > 0;
}

function includeObjectOf(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject') ?? 'Metadata';
  if (v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw badRequest(`includeObject: Unsupported value: ${JSON.stringify(v)}: supported values: "Metadata", "None", "Object"`);
}

/** Built-in types' list items carry no kind or apiVersion on the wire. */
function asListItem(o: KubeObject): KubeObject {
  return omit(o, ['kind', 'apiVersion']);
}

function checkBodyNames(call: ResourceCall, obj: KubeObject): void {
  const m = record(obj['metadata']);
  const name = text(m['name']);
  const want = call.route.name ?? '';
  if (name !== want) throw badRequest(`the name of the object (${name}) does not match the name on the URL (${want})`);
  const ns = text(m['namespace']);
  if (call.route.namespace !== undefined && ns !== '' && ns !== call.route.namespace) {
    throw badRequest(`the namespace of the object (${ns}) does not match the namespace on the URL (${call.route.namespace})`);
  }
}

export class ResourceHandlers {
  private readonly registry: Registry;
  private readonly store: KubeStore;
  private readonly watches: WatchHub;
  private readonly clock: Clock;

  constructor(registry: Registry, store: KubeStore, watches: WatchHub, clock: Clock) {
    this.registry = registry;
    this.store = store;
    this.watches = watches;
    this.clock = clock;
  }

  /** The reply, or undefined when the request became a watch stream. */
  handle(call: ResourceCall): Reply | undefined {
    switch (call.verb) {
      case 'get': return this.get(call);
      case 'list': return this.list(call);
      case 'watch': this.watch(call); return undefined;
      case 'create': return this.create(call);
      case 'update': return this.update(call);
      case 'patch': return this.patch(call);
      case 'delete': return this.delete(call);
    }
    return undefined;
  }

  private render(call: ResourceCall, objects: KubeObject[], listMeta: { resourceVersion: string; continueToken?: string | undefined; remainingItemCount?: number | undefined }): KubeObject {
    if (call.output.kind !== 'table') throw new Error('render is for tables');
    return toTable(call.route.resource, objects, listMeta, { version: call.output.version, includeObject: includeObjectOf(call.query), now: this.clock.now() });
  }

  private get(call: ResourceCall): Reply {
    const { resource: r, namespace, name } = call.route;
    const obj = this.registry.get(r, namespace ?? null, name ?? '');
    if (call.output.kind === 'table') return { status: 200, body: this.render(call, [obj], { resourceVersion: text(record(obj['metadata'])['resourceVersion']) }) };
    return { status: 200, body: obj };
  }

  private list(call: ResourceCall): Reply {
    const r = call.route.resource;
    const filter = filterOf(r, call.query);
    const exact = call.query.get('resourceVersionMatch') === 'Exact' ? resourceVersionParam(call.query) : undefined;
    const page = listPage(this.store, r, call.route.namespace, {
      ...filter, limit: intParam(call.query, 'limit'), continueToken: call.query.get('continue') ?? undefined, exactResourceVersion: exact,
    });
    if (call.output.kind === 'table') return { status: 200, body: this.render(call, page.items, page) };
    const metadata: Record<string, unknown> = { resourceVersion: page.resourceVersion };
    if (page.continueToken !== undefined) metadata['continue'] = page.continueToken;
    if (page.remainingItemCount !== undefined) metadata['remainingItemCount'] = page.remainingItemCount;
    return { status: 200, body: { kind: r.listKind, apiVersion: r.apiVersion, metadata, items: page.items.map(asListItem) } };
  }

  private watch(call: ResourceCall): void {
    const r = call.route.resource;
    const q = call.query;
    const filter = filterOf(r, q);
    const resourceVersion = resourceVersionParam(q);
    const allowBookmarks = boolParam(q, 'allowWatchBookmarks');
    const timeoutSeconds = intParam(q, 'timeoutSeconds');
    const output = call.output;
    const includeObject = includeObjectOf(q);
    const render = output.kind === 'table'
      ? (o: KubeObject): KubeObject => toTable(r, [o], { resourceVersion: text(record(o['metadata'])['resourceVersion']) }, { version: output.version, includeObject, now: this.clock.now() })
      : (o: KubeObject): KubeObject => o;
    this.watches.serve({ resource: r, namespace: call.route.namespace, name: call.route.name, filter, resourceVersion, allowBookmarks, timeoutSeconds, render }, call.res);
  }

  private create(call: ResourceCall): Reply {
    const r = call.route.resource;
    const obj = decodeObject(r, call.body, call.contentType);
    const ns = text(record(obj['metadata'])['namespace']);
    if (r.namespaced && ns !== '' && ns !== call.route.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const created = this.registry.create(r, call.route.namespace ?? null, obj, { dryRun: dryRunOf(call.query, undefined) });
    return { status: 201, body: created };
  }

  private update(call: ResourceCall): Reply {
    const r = call.route.resource;
    const obj = decodeObject(r, call.body, call.contentType);
    checkBodyNames(call, obj);
    const existed = this.store.get(r, call.route.namespace ?? null, call.route.name ?? '') !== undefined;
    const updated = this.registry.update(r, call.route.namespace ?? null, call.route.name ?? '', obj, {
      subresource: call.route.subresource, dryRun: dryRunOf(call.query, undefined),
    });
    return { status: existed ? 200 : 201, body: updated };
  }

  private patch(call: ResourceCall): Reply {
    const { resource: r, namespace, name = '' } = call.route;
    const type = patchTypeOf(call.contentType);
    if (type === null) {
      throw new KubeApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    }
    if (type === 'apply' && (call.query.get('fieldManager') ?? '') === '') throw badRequest('PATCH /apply requires a non-empty fieldManager parameter');
    let patch: unknown = call.body;
    if (type !== 'apply') {
      try {
        patch = JSON.parse(call.body);
      } catch (e) {
        throw badRequest(`error decoding patch: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const current = this.store.get(r, namespace ?? null, name);
    if (!current && !(type === 'apply' && !call.route.subresource)) throw notFound(r.plural, r.group, name);
    const base: KubeObject = current ?? { apiVersion: r.apiVersion, kind: r.kind, metadata: namespace ? { name, namespace } : { name } };
    const result = applyPatch(type, r.kind, base, patch);
    if (!result.ok) {
      if (result.status === 400) throw badRequest(result.message);
      throw new KubeApiError(422, 'Invalid', result.message, { name, kind: r.kind });
    }
    checkBodyNames(call, { ...result.value, metadata: { namespace, ...record(result.value['metadata']) } });
    const dryRun = dryRunOf(call.query, undefined);
    if (!current) return { status: 201, body: this.registry.create(r, namespace ?? null, result.value, { dryRun }) };
    return { status: 200, body: this.registry.update(r, namespace ?? null, name, result.value, { subresource: call.route.subresource, dryRun }) };
  }

  private delete(call: ResourceCall): Reply {
    const { resource: r, namespace, name = '' } = call.route;
    let options: Record<string, unknown> = {};
    if (call.body.trim() !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(call.body);
      } catch (e) {
        throw badRequest(`couldn't get version/kind; json parse error: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (!isRecord(parsed)) throw badRequest('DeleteOptions must be a JSON object');
      options = parsed;
    }
    const pre = record(options['preconditions']);
    const preconditions = {
      uid: typeof pre['uid'] === 'string' ? pre['uid'] : undefined,
      resourceVersion: typeof pre['resourceVersion'] === 'string' ? pre['resourceVersion'] : undefined,
    };
    const { object, removed } = this.registry.delete(r, namespace ?? null, name, preconditions, { dryRun: dryRunOf(call.query, options['dryRun']) });
    if (!removed || r.deleteReturnsObject) return { status: 200, body: object };
    const details: Record<string, unknown> = { name, kind: r.plural, uid: text(record(object['metadata'])['uid']) };
    if (r.group !== '') details['group'] = r.group;
    return { status: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details } };
  }
}

export function reply(res: ServerResponse, r: Reply): void {
  sendJson(res, r.status, r.body);
}
