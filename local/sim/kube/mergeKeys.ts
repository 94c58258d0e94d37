// How strategic merge patch treats each list field: the `patchStrategy` / `patchMergeKey` struct
// tags of the Kubernetes API types, for the kinds the simulator serves. A list not named here is
// atomic and a patch replaces it whole (tolerations, EndpointSlice endpoints and ports,
// spec.ipFamilies, status.loadBalancer.ingress, Namespace spec.finalizers, ...).
//
// Paths are relative to the object root; "[]" steps into the elements of a merged list.

/** Where a value sits: the object's kind and its field path, e.g. "spec.containers[].env". */
export type FieldPath = { readonly kind: string; readonly path: string };

export function childPath(at: FieldPath, key: string): FieldPath {
  return { kind: at.kind, path: at.path === '' ? key : `${at.path}.${key}` };
}

export function elementPath(at: FieldPath): FieldPath {
  return { kind: at.kind, path: `${at.path}[]` };
}

/** For error messages. */
export function describePath(at: FieldPath): string {
  return at.path === '' ? 'the object root' : at.path;
}

export type ListStrategy =
  | { readonly type: 'mergeByKey'; readonly key: string }
  | { readonly type: 'mergePrimitives' }
  | { readonly type: 'replace' };

const REPLACE: ListStrategy = { type: 'replace' };
const PRIMITIVES: ListStrategy = { type: 'mergePrimitives' };

function byKey(key: string): ListStrategy {
  return { type: 'mergeByKey', key };
}

// ObjectMeta and the conventional status.conditions, shared by every kind.
const EVERY_KIND: Readonly<Record<string, ListStrategy>> = {
  'metadata.finalizers': PRIMITIVES,
  'metadata.ownerReferences': byKey('uid'),
  'status.conditions': byKey('type'),
};

// Fields of core/v1 Container, under both containers and initContainers.
const CONTAINER_LISTS: Readonly<Record<string, ListStrategy>> = {
  ports: byKey('containerPort'),
  env: byKey('name'),
  volumeMounts: byKey('mountPath'),
};

function containerFields(list: string): Record<string, ListStrategy> {
  const fields: Record<string, ListStrategy> = { [list]: byKey('name') };
  for (const [field, strategy] of Object.entries(CONTAINER_LISTS)) fields[`${list}[].${field}`] = strategy;
  return fields;
}

const BY_KIND: Readonly<Record<string, Readonly<Record<string, ListStrategy>>>> = {
  // Real Service ports merge on port+protocol; the simulator keys on port alone.
  Service: { 'spec.ports': byKey('port') },
  Pod: {
    ...containerFields('spec.containers'),
    ...containerFields('spec.initContainers'),
    'spec.volumes': byKey('name'),
    'status.podIPs': byKey('ip'),
    'status.hostIPs': byKey('ip'),
  },
  Node: { 'status.addresses': byKey('type') },
};

export function listStrategy(kind: string, path: string): ListStrategy {
  const forKind = Object.hasOwn(BY_KIND, kind) ? BY_KIND[kind] : undefined;
  if (forKind !== undefined && Object.hasOwn(forKind, path)) return forKind[path] as ListStrategy;
  if (Object.hasOwn(EVERY_KIND, path)) return EVERY_KIND[path] as ListStrategy;
  return REPLACE;
}
