// Kubernetes objects, as JSON from the API server, to the engine's facts (shared/engine/types.ts).
// Pure: objects arrive as `unknown` and are narrowed field by field. A bad object is not thrown
// about but reported, with a reason naming the field and the problem (`metadata.uid: missing`).
// Only what the engine reads is kept; in particular only the annotations admission reads, so
// neither a huge last-applied-configuration nor another controller's large `azure-*` annotations
// ever reach a message or a state row. JSON `null` counts
// as absent everywhere.
import { ENGINE_ANNOTATIONS } from '../engine/admission.ts';
import { EGRESS_LABEL } from '../engine/types.ts';
import { MAX_INGRESS_IPS, MAX_OWNER_SERVICE_UIDS } from '../messages/bounds.ts';
import type {
  EndpointFact,
  EndpointSliceFact,
  KubeObjectKind,
  NodeFact,
  PodFact,
  ServiceFact,
  ServicePortFact,
} from '../engine/types.ts';

export type FactResult<T> =
  | { readonly ok: true; readonly fact: T }
  | { readonly ok: false; readonly reason: string };

export type AnyFactResult =
  | { readonly ok: true; readonly kind: 'Service'; readonly fact: ServiceFact }
  | { readonly ok: true; readonly kind: 'EndpointSlice'; readonly fact: EndpointSliceFact }
  | { readonly ok: true; readonly kind: 'Node'; readonly fact: NodeFact }
  | { readonly ok: true; readonly kind: 'Pod'; readonly fact: PodFact }
  | { readonly ok: false; readonly reason: string };

/** Annotations kept on a ServiceFact: exactly the ones the engine reads. */
export const KEPT_ANNOTATIONS: ReadonlySet<string> = new Set(ENGINE_ANNOTATIONS);

// ---------------------------------------------------------------------------------------------
// Narrowing helpers. Each throws a Bad with the reason; the exported functions catch it.

class Bad extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

type Obj = Readonly<Record<string, unknown>>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function absent(v: unknown): v is null | undefined {
  return v === undefined || v === null;
}

function rec(v: unknown, path: string): Obj {
  if (absent(v)) throw new Bad(`${path}: missing`);
  if (!isObj(v)) throw new Bad(`${path}: expected object`);
  return v;
}

function optRec(v: unknown, path: string): Obj | null {
  return absent(v) ? null : rec(v, path);
}

function str(v: unknown, path: string): string {
  if (absent(v)) throw new Bad(`${path}: missing`);
  if (typeof v !== 'string') throw new Bad(`${path}: expected string`);
  if (v === '') throw new Bad(`${path}: empty`);
  return v;
}

function optStr(v: unknown, path: string): string | null {
  if (absent(v)) return null;
  if (typeof v !== 'string') throw new Bad(`${path}: expected string`);
  return v;
}

function optBool(v: unknown, path: string): boolean | null {
  if (absent(v)) return null;
  if (typeof v !== 'boolean') throw new Bad(`${path}: expected boolean`);
  return v;
}

function optArr(v: unknown, path: string): readonly unknown[] {
  if (absent(v)) return [];
  if (!Array.isArray(v)) throw new Bad(`${path}: expected array`);
  return v as readonly unknown[];
}

function strArr(v: unknown, path: string): readonly string[] {
  return optArr(v, path).map((x, i) => str(x, `${path}[${i}]`));
}

function portNumber(v: unknown, path: string): number {
  if (absent(v)) throw new Bad(`${path}: missing`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    throw new Bad(`${path}: expected integer 1-65535`);
  }
  return v;
}

interface Meta {
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion: string;
  readonly m: Obj;
}

function meta(o: Obj): Meta {
  const m = rec(o['metadata'], 'metadata');
  return {
    name: str(m['name'], 'metadata.name'),
    uid: str(m['uid'], 'metadata.uid'),
    resourceVersion: str(m['resourceVersion'], 'metadata.resourceVersion'),
    m,
  };
}

function namespaced(o: Obj): Meta & { readonly namespace: string } {
  const base = meta(o);
  return { ...base, namespace: str(base.m['namespace'], 'metadata.namespace') };
}

function deleting(m: Obj, path = 'metadata.deletionTimestamp'): boolean {
  return optStr(m['deletionTimestamp'], path) !== null;
}

function run<T>(input: unknown, build: (o: Obj) => T): FactResult<T> {
  try {
    if (!isObj(input)) return { ok: false, reason: 'object: expected object' };
    return { ok: true, fact: build(input) };
  } catch (e) {
    if (e instanceof Bad) return { ok: false, reason: e.reason };
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------

function servicePort(v: unknown, i: number): ServicePortFact {
  const path = `spec.ports[${i}]`;
  const p = rec(v, path);
  const name = optStr(p['name'], `${path}.name`);
  const protocol = optStr(p['protocol'], `${path}.protocol`) ?? 'TCP';
  const port = portNumber(p['port'], `${path}.port`);
  const tp = p['targetPort'];
  let targetPort: number | string | null;
  if (absent(tp)) targetPort = null;
  else if (typeof tp === 'number') targetPort = portNumber(tp, `${path}.targetPort`);
  else if (typeof tp === 'string') targetPort = str(tp, `${path}.targetPort`);
  else throw new Bad(`${path}.targetPort: expected integer or string`);
  return name === null ? { protocol, port, targetPort } : { name, protocol, port, targetPort };
}

function keptAnnotations(v: unknown): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  const a = optRec(v, 'metadata.annotations');
  if (a === null) return out;
  for (const key of Object.keys(a).sort()) {
    if (!KEPT_ANNOTATIONS.has(key)) continue;
    const value = a[key];
    if (typeof value !== 'string') throw new Bad(`metadata.annotations["${key}"]: expected string`);
    out[key] = value;
  }
  return out;
}

export function serviceFact(obj: unknown): FactResult<ServiceFact> {
  return run(obj, (o) => {
    const { namespace, name, uid, resourceVersion, m } = namespaced(o);
    const spec = rec(o['spec'], 'spec');
    return {
      namespace,
      name,
      uid,
      resourceVersion,
      type: str(spec['type'], 'spec.type'),
      loadBalancerClass: optStr(spec['loadBalancerClass'], 'spec.loadBalancerClass'),
      deleting: deleting(m),
      finalizers: strArr(m['finalizers'], 'metadata.finalizers'),
      annotations: keptAnnotations(m['annotations']),
      ipFamilies: strArr(spec['ipFamilies'], 'spec.ipFamilies'),
      sessionAffinity: optStr(spec['sessionAffinity'], 'spec.sessionAffinity'),
      loadBalancerIP: optStr(spec['loadBalancerIP'], 'spec.loadBalancerIP'),
      ports: optArr(spec['ports'], 'spec.ports').map(servicePort),
      ingressIPs: ingressIPs(o['status']),
    };
  });
}

/** `status.loadBalancer.ingress[].ip`, the first few: the engine only asks whether its IP is among them. */
function ingressIPs(status: unknown): string[] {
  const s = optRec(status, 'status');
  const lb = s === null ? null : optRec(s['loadBalancer'], 'status.loadBalancer');
  const out: string[] = [];
  for (const [i, v] of optArr(lb?.['ingress'], 'status.loadBalancer.ingress').entries()) {
    const ip = optStr(rec(v, `status.loadBalancer.ingress[${i}]`)['ip'], `status.loadBalancer.ingress[${i}].ip`);
    if (ip !== null && out.length < MAX_INGRESS_IPS) out.push(ip);
  }
  return out;
}

/** The label kube-proxy joins a slice to its Service by, in the slice's own namespace. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function serviceNameLabel(m: Obj): string | null {
  const labels = optRec(m['labels'], 'metadata.labels');
  const value = labels === null ? null : optStr(labels[SERVICE_NAME_LABEL], `metadata.labels["${SERVICE_NAME_LABEL}"]`);
  return value === '' ? null : value;
}

/** Kept only to be checked against the labelled Service: an owner UID never links a slice. */
function ownerServiceUids(m: Obj): string[] {
  const refs = optArr(m['ownerReferences'], 'metadata.ownerReferences');
  const out: string[] = [];
  for (const [i, v] of refs.entries()) {
    const ref = rec(v, `metadata.ownerReferences[${i}]`);
    // Only the core Service: a custom resource of kind Service (serving.knative.dev/v1, say) is
    // another object, and counting it would unlink a slice its label rightly joins.
    if (ref['kind'] !== 'Service' || ref['apiVersion'] !== 'v1') continue;
    const uid = str(ref['uid'], `metadata.ownerReferences[${i}].uid`);
    if (out.length < MAX_OWNER_SERVICE_UIDS) out.push(uid);
  }
  return out;
}

function endpoint(v: unknown, i: number): EndpointFact {
  const path = `endpoints[${i}]`;
  const e = rec(v, path);
  const addresses = e['addresses'];
  if (absent(addresses)) throw new Bad(`${path}.addresses: missing`);
  const conditions = optRec(e['conditions'], `${path}.conditions`);
  return {
    addresses: strArr(addresses, `${path}.addresses`),
    nodeName: optStr(e['nodeName'], `${path}.nodeName`),
    ready: conditions === null ? null : optBool(conditions['ready'], `${path}.conditions.ready`),
  };
}

export function endpointSliceFact(obj: unknown): FactResult<EndpointSliceFact> {
  return run(obj, (o) => {
    const { namespace, name, uid, resourceVersion, m } = namespaced(o);
    return {
      namespace,
      name,
      uid,
      resourceVersion,
      serviceName: serviceNameLabel(m),
      ownerServiceUids: ownerServiceUids(m),
      addressType: str(o['addressType'], 'addressType'),
      endpoints: optArr(o['endpoints'], 'endpoints').map(endpoint),
    };
  });
}

export function nodeFact(obj: unknown): FactResult<NodeFact> {
  return run(obj, (o) => {
    const { name, uid, resourceVersion } = meta(o);
    const status = optRec(o['status'], 'status');
    const internalIPs: string[] = [];
    if (status !== null) {
      for (const [i, v] of optArr(status['addresses'], 'status.addresses').entries()) {
        const a = rec(v, `status.addresses[${i}]`);
        if (a['type'] === 'InternalIP') internalIPs.push(str(a['address'], `status.addresses[${i}].address`));
      }
    }
    return { name, uid, resourceVersion, internalIPs };
  });
}

/** `status.<plural>[].ip`, falling back to the singular `status.<singular>` of older API servers. */
function ips(status: Obj, plural: string, singular: string): readonly string[] {
  const list = optArr(status[plural], `status.${plural}`);
  if (list.length > 0) {
    return list.map((v, i) => str(rec(v, `status.${plural}[${i}]`)['ip'], `status.${plural}[${i}].ip`));
  }
  const one = optStr(status[singular], `status.${singular}`);
  return one === null || one === '' ? [] : [one];
}

export function podFact(obj: unknown): FactResult<PodFact> {
  return run(obj, (o) => {
    const { namespace, name, uid, resourceVersion, m } = namespaced(o);
    const labels = optRec(m['labels'], 'metadata.labels');
    const spec = optRec(o['spec'], 'spec');
    const status = rec(o['status'], 'status');
    return {
      namespace,
      name,
      uid,
      resourceVersion,
      egressLabel: labels === null ? null : optStr(labels[EGRESS_LABEL], `metadata.labels["${EGRESS_LABEL}"]`),
      phase: str(status['phase'], 'status.phase'),
      nodeName: spec === null ? null : optStr(spec['nodeName'], 'spec.nodeName'),
      hostIPs: ips(status, 'hostIPs', 'hostIP'),
      podIPs: ips(status, 'podIPs', 'podIP'),
      deleting: deleting(m),
      finalizers: strArr(m['finalizers'], 'metadata.finalizers'),
    };
  });
}

const KINDS: readonly KubeObjectKind[] = ['Service', 'EndpointSlice', 'Node', 'Pod'];

/** Dispatches on `kind`. */
export function factOf(obj: unknown): AnyFactResult {
  if (!isObj(obj)) return { ok: false, reason: 'object: expected object' };
  const kind = obj['kind'];
  if (absent(kind)) return { ok: false, reason: 'kind: missing' };
  if (typeof kind !== 'string') return { ok: false, reason: 'kind: expected string' };
  if (!(KINDS as readonly string[]).includes(kind)) {
    return { ok: false, reason: `kind: unsupported ${JSON.stringify(kind.slice(0, 63))}` };
  }
  switch (kind as KubeObjectKind) {
    case 'Service': {
      const r = serviceFact(obj);
      return r.ok ? { ok: true, kind: 'Service', fact: r.fact } : r;
    }
    case 'EndpointSlice': {
      const r = endpointSliceFact(obj);
      return r.ok ? { ok: true, kind: 'EndpointSlice', fact: r.fact } : r;
    }
    case 'Node': {
      const r = nodeFact(obj);
      return r.ok ? { ok: true, kind: 'Node', fact: r.fact } : r;
    }
    case 'Pod': {
      const r = podFact(obj);
      return r.ok ? { ok: true, kind: 'Pod', fact: r.fact } : r;
    }
  }
}
