// URL paths to what they name: a discovery document, or a resource collection, object or
// status subresource; and the request's verb, as the real server's RequestInfo resolver sees it.
import { resourceByPath } from './resources.ts';
import type { ResourceInfo } from './resources.ts';
import type { KubeVerb } from './types.ts';

export type Route =
  | { readonly kind: 'health' }
  | { readonly kind: 'version' }
  | { readonly kind: 'api' }
  | { readonly kind: 'apis' }
  | { readonly kind: 'group'; readonly group: string }
  | { readonly kind: 'groupVersion'; readonly apiVersion: string }
  | { readonly kind: 'openapi'; readonly version: 'v2' | 'v3'; readonly rest: string }
  | {
    readonly kind: 'resource';
    readonly resource: ResourceInfo;
    /** undefined: cluster-scoped, or a namespaced resource across all namespaces. */
    readonly namespace: string | undefined;
    readonly name: string | undefined;
    readonly subresource: 'status' | undefined;
  }
  | { readonly kind: 'unknown' };

function resourceRoute(apiVersion: string, segs: readonly string[]): Route {
  const [a, b, c, d, e, ...more] = segs;
  if (a === undefined || more.length > 0) return { kind: 'unknown' };
  const sub = (s: string | undefined): 'status' | undefined | null => (s === undefined ? undefined : s === 'status' ? 'status' : null);
  if (a === 'namespaces' && b !== undefined && c !== undefined) {
    const r = resourceByPath(apiVersion, c);
    const s = sub(e);
    if (!r || !r.namespaced || s === null || (s === 'status' && !r.statusSubresource)) return { kind: 'unknown' };
    return { kind: 'resource', resource: r, namespace: b, name: d, subresource: s };
  }
  const r = resourceByPath(apiVersion, a);
  if (!r || d !== undefined) return { kind: 'unknown' };
  if (b === undefined) return { kind: 'resource', resource: r, namespace: undefined, name: undefined, subresource: undefined };
  const s = sub(c);
  if (r.namespaced || s === null || (s === 'status' && !r.statusSubresource)) return { kind: 'unknown' };
  return { kind: 'resource', resource: r, namespace: undefined, name: b, subresource: s };
}

export function routeOf(pathname: string): Route {
  const segs = pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  const [first, second, third, ...rest] = segs;
  if (first === 'healthz' || first === 'livez' || first === 'readyz') return { kind: 'health' };
  if (first === 'version' && second === undefined) return { kind: 'version' };
  if (first === 'openapi' && (second === 'v2' || second === 'v3')) return { kind: 'openapi', version: second, rest: segs.slice(2).join('/') };
  if (first === 'api') {
    if (second === undefined) return { kind: 'api' };
    if (second !== 'v1') return { kind: 'unknown' };
    if (third === undefined) return { kind: 'groupVersion', apiVersion: 'v1' };
    return resourceRoute('v1', [third, ...rest]);
  }
  if (first === 'apis') {
    if (second === undefined) return { kind: 'apis' };
    if (third === undefined) return { kind: 'group', group: second };
    const apiVersion = `${second}/${third}`;
    if (rest.length === 0) return { kind: 'groupVersion', apiVersion };
    return resourceRoute(apiVersion, rest);
  }
  return { kind: 'unknown' };
}

/** The verb of a request on a resource route, or undefined for a method the route does not allow. */
export function verbOf(method: string, route: Extract<Route, { kind: 'resource' }>, watch: boolean): KubeVerb | undefined {
  const named = route.name !== undefined;
  switch (method) {
    case 'GET':
      if (watch) return 'watch';
      return named ? 'get' : 'list';
    // A namespaced resource is created in its namespace, never through the all-namespaces path.
    case 'POST': return named || (route.resource.namespaced && route.namespace === undefined) ? undefined : 'create';
    case 'PUT': return named ? 'update' : undefined;
    case 'PATCH': return named ? 'patch' : undefined;
    case 'DELETE': return named && !route.subresource ? 'delete' : undefined;
    default: return undefined;
  }
}
