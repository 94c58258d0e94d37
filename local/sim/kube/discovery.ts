// Discovery documents (legacy, unaggregated: a client asking for the aggregated v2 form gets
// plain JSON and falls back to per-group lists, as against a pre-1.26 server), /version and
// the health endpoints.
import { groupVersions, RESOURCES, VERBS } from './resources.ts';
import type { KubeObject } from './types.ts';

/**
 * The version kubectl sees. The gcloud kubectl on our machines is a dispatcher that runs the
 * bundled kubectl matching the server's minor version (1.27–1.33), so this picks kubectl 1.32.
 */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T16:02:27Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
} as const;

export function apiVersions(serverAddress: string): KubeObject {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(group: string): KubeObject {
  const versions = groupVersions().filter((g) => g.group === group).map((g) => ({ groupVersion: g.apiVersion, version: g.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): KubeObject {
  const groups = [...new Set(groupVersions().map((g) => g.group).filter((g) => g !== ''))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroup) };
}

/** The APIGroup document of a named group, or undefined when the group is not served. */
export function apiGroupDocument(group: string): KubeObject | undefined {
  if (group === '' || !groupVersions().some((g) => g.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) };
}

/** The APIResourceList of a group version ('v1', 'discovery.k8s.io/v1'), or undefined. */
export function apiResourceList(apiVersion: string): KubeObject | undefined {
  const served = RESOURCES.filter((r) => r.apiVersion === apiVersion);
  if (served.length === 0) return undefined;
  const resources: KubeObject[] = [];
  for (const r of served) {
    const entry: KubeObject = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: [...VERBS] };
    if (r.shortNames.length > 0) entry['shortNames'] = [...r.shortNames];
    if (r.categories.length > 0) entry['categories'] = [...r.categories];
    resources.push(entry);
    if (r.statusSubresource) {
      resources.push({ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] });
    }
  }
  // The core group's list carries no apiVersion on the real server; named groups' lists do.
  return apiVersion === 'v1'
    ? { kind: 'APIResourceList', groupVersion: apiVersion, resources }
    : { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersion, resources };
}
