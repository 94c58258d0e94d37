// The report's "kubernetes" section: what the cluster holds, read from the Kubernetes API
// simulator and sorted so that two runs with the same outcome give equal sections.
import { EGRESS_LABEL } from '../../shared/engine/types.ts';
import type { KubeSimulator } from '../sim/kube/server.ts';
import type { KubeEventEntry, KubePodEntry, KubeServiceEntry, KubernetesSection } from './reportTypes.ts';

type Obj = Readonly<Record<string, unknown>>;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

function list(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? (v as readonly unknown[]) : [];
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Code-unit order, not locale order: the same on every machine. */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const sortedTexts = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === 'string').sort(byText);

function serviceEntry(o: unknown): KubeServiceEntry {
  const m = obj(obj(o)['metadata']);
  // Ingress entries may carry a hostname instead of an IP; those are not IPs and are left out.
  const ingress = list(obj(obj(obj(o)['status'])['loadBalancer'])['ingress']).map((i) => obj(i)['ip']);
  return {
    namespace: text(m['namespace']),
    name: text(m['name']),
    uid: text(m['uid']),
    ingressIPs: sortedTexts(ingress),
    finalizers: sortedTexts(m['finalizers']),
  };
}

/** Pods the product touches or may touch: ours by finalizer, or egress pods by label. */
function podEntry(o: unknown): KubePodEntry | null {
  const m = obj(obj(o)['metadata']);
  const finalizers = sortedTexts(m['finalizers']);
  if (finalizers.length === 0 && !(EGRESS_LABEL in obj(m['labels']))) return null;
  return { namespace: text(m['namespace']), name: text(m['name']), finalizers };
}

function eventEntry(o: unknown): KubeEventEntry {
  const e = obj(o);
  const inv = obj(e['involvedObject']);
  const ns = text(inv['namespace']);
  const name = text(inv['name']);
  return { object: `${text(inv['kind'])}/${ns === '' ? name : `${ns}/${name}`}`, type: text(e['type']), reason: text(e['reason']) };
}

const byNamespacedName = (a: { namespace: string; name: string }, b: { namespace: string; name: string }): number =>
  byText(a.namespace, b.namespace) || byText(a.name, b.name);

/** Events sorted by object, type, reason, each triple once: a repeated event says nothing new. */
export function eventEntries(events: readonly unknown[]): KubeEventEntry[] {
  const unique = new Map<string, KubeEventEntry>();
  for (const e of events.map(eventEntry)) unique.set(JSON.stringify([e.object, e.type, e.reason]), e);
  return [...unique.values()].sort((a, b) => byText(a.object, b.object) || byText(a.type, b.type) || byText(a.reason, b.reason));
}

export function kubernetesState(kube: Pick<KubeSimulator, 'list' | 'events'>): KubernetesSection {
  return {
    services: kube.list('Service').map(serviceEntry).sort(byNamespacedName),
    pods: kube.list('Pod').map(podEntry).filter((p): p is KubePodEntry => p !== null).sort(byNamespacedName),
    events: eventEntries(kube.events()),
  };
}
