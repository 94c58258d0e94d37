// The resources the simulator serves, with the per-type facts the real registry strategies encode.

export type NameRule = 'dns1123Subdomain' | 'dns1123Label' | 'dns1035Label';

export interface ResourceInfo {
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly listKind: string;
  /** '' for core. */
  readonly group: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  /** Served at `<name>/status`; PUT/PATCH on the object itself then keep the stored status. */
  readonly statusSubresource: boolean;
  /** metadata.generation starts at 1 and moves on every change outside metadata and status. */
  readonly generation: boolean;
  readonly nameRule: NameRule;
  /** DELETE answers with the object (pods, services) rather than a Success Status. */
  readonly deleteReturnsObject: boolean;
  /** Where etcd keeps it: the real server quotes this key in precondition failures. */
  readonly storagePrefix: string;
}

export const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] as const;

function core(r: Omit<ResourceInfo, 'group' | 'version' | 'apiVersion' | 'listKind'>): ResourceInfo {
  return { ...r, group: '', version: 'v1', apiVersion: 'v1', listKind: `${r.kind}List` };
}

export const RESOURCES: readonly ResourceInfo[] = [
  core({
    plural: 'services', singular: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'],
    statusSubresource: true, generation: true, nameRule: 'dns1035Label', deleteReturnsObject: true, storagePrefix: '/registry/services/specs',
  }),
  core({
    plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'],
    statusSubresource: true, generation: true, nameRule: 'dns1123Subdomain', deleteReturnsObject: true, storagePrefix: '/registry/pods',
  }),
  core({
    plural: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], categories: [],
    statusSubresource: true, generation: false, nameRule: 'dns1123Subdomain', deleteReturnsObject: false, storagePrefix: '/registry/minions',
  }),
  core({
    plural: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], categories: [],
    statusSubresource: false, generation: false, nameRule: 'dns1123Subdomain', deleteReturnsObject: false, storagePrefix: '/registry/events',
  }),
  core({
    plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], categories: [],
    statusSubresource: false, generation: false, nameRule: 'dns1123Label', deleteReturnsObject: false, storagePrefix: '/registry/namespaces',
  }),
  {
    plural: 'endpointslices', singular: 'endpointslice', kind: 'EndpointSlice', listKind: 'EndpointSliceList',
    group: 'discovery.k8s.io', version: 'v1', apiVersion: 'discovery.k8s.io/v1', namespaced: true, shortNames: [], categories: [],
    statusSubresource: false, generation: true, nameRule: 'dns1123Subdomain', deleteReturnsObject: false, storagePrefix: '/registry/endpointslices',
  },
];

/** Namespaces keep their status on update too, although they have no status subresource here. */
export function keepsStoredStatus(r: ResourceInfo): boolean {
  return r.statusSubresource || r.kind === 'Namespace';
}

export function resourceByPath(apiVersion: string, plural: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.apiVersion === apiVersion && r.plural === plural);
}

export function resourceByKind(kind: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.kind === kind);
}

export function resourceOfKind(kind: string): ResourceInfo {
  const r = resourceByKind(kind);
  if (!r) throw new Error(`kube simulator: unknown kind '${kind}' (known: ${RESOURCES.map((x) => x.kind).join(', ')})`);
  return r;
}

export function groupVersions(): { group: string; version: string; apiVersion: string }[] {
  const seen = new Map<string, { group: string; version: string; apiVersion: string }>();
  for (const r of RESOURCES) seen.set(r.apiVersion, { group: r.group, version: r.version, apiVersion: r.apiVersion });
  return [...seen.values()];
}
