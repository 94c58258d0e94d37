// What the real server's defaulting (pkg/apis/*/v1/defaults.go) fills in on every decoded body.
// Mutates `obj`, which the caller owns. Allocation of cluster IPs and node ports is in serviceAllocation.ts.
import { isRecord, meta, record, records, text } from './json.ts';
import type { KubeObject } from './types.ts';

function defaultService(obj: KubeObject): void {
  const spec = isRecord(obj['spec']) ? obj['spec'] : (obj['spec'] = {});
  spec['type'] ??= 'ClusterIP';
  const type = text(spec['type']);
  if (type === 'ExternalName') return;
  spec['sessionAffinity'] ??= 'None';
  spec['internalTrafficPolicy'] ??= 'Cluster';
  if (type === 'LoadBalancer' || type === 'NodePort') spec['externalTrafficPolicy'] ??= 'Cluster';
  if (type === 'LoadBalancer') spec['allocateLoadBalancerNodePorts'] ??= true;
  for (const p of records(spec['ports'])) {
    p['protocol'] ??= 'TCP';
    p['targetPort'] ??= p['port'];
  }
}

function imagePullPolicy(image: string): string {
  const last = image.split('/').pop() ?? '';
  if (last.includes('@')) return 'IfNotPresent';
  const tag = last.includes(':') ? last.slice(last.lastIndexOf(':') + 1) : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultPod(obj: KubeObject): void {
  const spec = isRecord(obj['spec']) ? obj['spec'] : (obj['spec'] = {});
  spec['restartPolicy'] ??= 'Always';
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['schedulerName'] ??= 'default-scheduler';
  spec['terminationGracePeriodSeconds'] ??= 30;
  spec['securityContext'] ??= {};
  spec['enableServiceLinks'] ??= true;
  for (const c of [...records(spec['containers']), ...records(spec['initContainers'])]) {
    c['imagePullPolicy'] ??= imagePullPolicy(text(c['image']));
    c['terminationMessagePath'] ??= '/dev/termination-log';
    c['terminationMessagePolicy'] ??= 'File';
    c['resources'] ??= {};
    for (const p of records(c['ports'])) p['protocol'] ??= 'TCP';
  }
}

function defaultEndpointSlice(obj: KubeObject): void {
  for (const p of records(obj['ports'])) {
    p['protocol'] ??= 'TCP';
    p['name'] ??= '';
  }
  obj['endpoints'] ??= [];
}

function defaultNamespace(obj: KubeObject): void {
  const labels = record(meta(obj)['labels']);
  // Since 1.21 every namespace carries its own name as an immutable label.
  meta(obj)['labels'] = { ...labels, 'kubernetes.io/metadata.name': text(meta(obj)['name']) };
}

/** ObjectMeta's `omitempty` lists and maps: an empty one is not stored, so it reads back absent. */
function omitEmptyMeta(obj: KubeObject): void {
  const m = meta(obj);
  for (const field of ['finalizers', 'ownerReferences']) {
    const v = m[field];
    if (Array.isArray(v) && v.length === 0) delete m[field];
  }
  for (const field of ['labels', 'annotations']) {
    const v = m[field];
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0) delete m[field];
  }
}

export function applyDefaults(kind: string, obj: KubeObject): void {
  omitEmptyMeta(obj);
  switch (kind) {
    case 'Service': defaultService(obj); break;
    case 'Pod': defaultPod(obj); break;
    case 'EndpointSlice': defaultEndpointSlice(obj); break;
    case 'Namespace': defaultNamespace(obj); break;
    default: break;
  }
}

/**
 * PrepareForCreate of the real strategies: a Service, Pod or Namespace starts from the status the
 * server owns, and a Namespace gets the `kubernetes` finalizer the namespace controller removes.
 * `keepStatus` is for the admin API, which acts for the controllers that own status.
 */
export function prepareForCreate(kind: string, obj: KubeObject, keepStatus: boolean): void {
  if (kind === 'Namespace') {
    const spec = isRecord(obj['spec']) ? obj['spec'] : (obj['spec'] = {});
    spec['finalizers'] ??= ['kubernetes'];
  }
  if (keepStatus && obj['status'] !== undefined) return;
  switch (kind) {
    case 'Service': obj['status'] = { loadBalancer: {} }; break;
    case 'Pod': obj['status'] = { phase: 'Pending' }; break;
    case 'Namespace': obj['status'] = { phase: 'Active' }; break;
    default: break;
  }
}
