// LIST with selectors and limit/continue paging. Every page of one list is cut from the state at
// the first page's resourceVersion, as etcd serves it; once that revision is compacted the
// continue token expires with 410, as the real server's does.
import { record, stringMap } from './json.ts';
import type { ResourceInfo } from './resources.ts';
import { fieldsOf, matchesFields, matchesLabels } from './selectors.ts';
import type { FieldRequirement, LabelRequirement } from './selectors.ts';
import { badRequest, expired, KubeApiError } from './status.ts';
import { objectKey } from './store.ts';
import type { KubeStore } from './store.ts';
import type { KubeObject } from './types.ts';

export interface Filter {
  readonly labels: readonly LabelRequirement[];
  readonly fields: readonly FieldRequirement[];
}

export interface ListQuery extends Filter {
  readonly limit: number | undefined;
  readonly continueToken: string | undefined;
  /** With resourceVersionMatch=Exact, the list is served as of this revision. */
  readonly exactResourceVersion: number | undefined;
}

export interface ListPage {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
  readonly continueToken: string | undefined;
  readonly remainingItemCount: number | undefined;
}

const TOO_OLD_CONTINUE = 'The provided continue parameter is too old to display a consistent list result. ' +
  'You can start a new list without the continue parameter, or use the continue value from the response body.';

export function matches(r: ResourceInfo, filter: Filter, obj: KubeObject): boolean {
  return matchesLabels(filter.labels, stringMap(record(obj['metadata'])['labels']))
    && matchesFields(filter.fields, fieldsOf(r.kind, r.namespaced, obj));
}

interface ContinueToken {
  readonly rv: number;
  readonly start: string;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badRequest(`continue key is not valid: ${token}`);
  }
  const p = record(parsed);
  if (p['v'] !== 'meta.k8s.io/v1' || typeof p['rv'] !== 'number' || typeof p['start'] !== 'string') {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  return { rv: p['rv'], start: p['start'] };
}

export function listPage(store: KubeStore, r: ResourceInfo, namespace: string | undefined, q: ListQuery): ListPage {
  const token = q.continueToken === undefined || q.continueToken === '' ? undefined : decodeContinue(q.continueToken);
  const rv = token?.rv ?? q.exactResourceVersion ?? store.resourceVersion();
  const current = store.resourceVersion();
  if (rv > current) throw new KubeApiError(504, 'Timeout', `Too large resource version: ${rv}, current: ${current}`);
  let all: KubeObject[] | undefined;
  if (rv === current) all = store.list(r, namespace);
  else {
    all = store.listAt(r, rv, namespace);
    if (!all) throw expired(token ? TOO_OLD_CONTINUE : `too old resource version: ${rv} (${store.oldestResourceVersion()})`);
  }
  const start = token?.start;
  const afterStart = start === undefined ? all : all.filter((o) => objectKey(o) >= start);
  const selected = afterStart.filter((o) => matches(r, q, o));
  const limit = q.limit !== undefined && q.limit > 0 ? q.limit : undefined;
  if (limit === undefined || selected.length <= limit) {
    return { items: selected, resourceVersion: String(rv), continueToken: undefined, remainingItemCount: undefined };
  }
  const items = selected.slice(0, limit);
  const last = items[items.length - 1];
  const next = encodeContinue({ rv, start: `${last ? objectKey(last) : ''}\u0000` });
  const unfiltered = q.labels.length === 0 && q.fields.length === 0;
  return { items, resourceVersion: String(rv), continueToken: next, remainingItemCount: unfiltered ? selected.length - limit : undefined };
}
