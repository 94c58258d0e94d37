// What NRP must hold for a set of cluster objects, written from the reference's rules alone
// (like ../shared/tools/check-report.py) and independent of the engine's own derivation: the
// scenario runner's convergence check and the engine's property test both judge the engine by it.
import { admitInboundService } from '../../shared/engine/admission.ts';
import type { EndpointSliceFact, NodeFact, PodFact, ServiceFact } from '../../shared/engine/types.ts';
import { factOf } from '../../shared/kube/toFacts.ts';

export type ObjectFact =
  | { kind: 'Service'; fact: ServiceFact }
  | { kind: 'EndpointSlice'; fact: EndpointSliceFact }
  | { kind: 'Node'; fact: NodeFact }
  | { kind: 'Pod'; fact: PodFact };

export type ServiceObjectFact = Extract<ObjectFact, { kind: 'Service' }>;

const IDENTITY = /^[a-z0-9]([a-z0-9._-]{0,71}[a-z0-9_])?$/;

export interface Expected {
  /** NRP service name (lower-cased UID or egress identity) -> type. */
  services: Map<string, 'Inbound' | 'Outbound'>;
  /** Location -> address -> sorted service names; only non-empty addresses and locations. */
  locations: Record<string, Record<string, string[]>>;
}

const fam = (ip: string): number => (ip.includes(':') ? 6 : 4);

/**
 * `admitted` says whether a Service that is ours gets a load balancer. The reference admits by
 * spec alone (`admitInboundService`); our engine also keeps the load balancer of a Service that
 * was once admitted and later became invalid (its Azure resources are left as they are), so a
 * caller that knows the history passes a callback that follows our engine there.
 */
export function expectedNrp(objects: Iterable<ObjectFact>, admitted: (o: ServiceObjectFact) => boolean): Expected {
  const all = [...objects];
  const nodes = new Map<string, readonly string[]>();
  for (const o of all) if (o.kind === 'Node') nodes.set(o.fact.name, o.fact.internalIPs);
  const locOf = (ips: readonly string[], f: number): string | undefined => [...ips].filter((i) => fam(i) === f).sort()[0];
  const services = new Map<string, 'Inbound' | 'Outbound'>();
  const locs = new Map<string, Map<string, Set<string>>>();
  const add = (loc: string, addr: string, svc: string): void => {
    const l = locs.get(loc) ?? new Map<string, Set<string>>();
    locs.set(loc, l);
    const s = l.get(addr) ?? new Set<string>();
    l.set(addr, s);
    s.add(svc);
  };
  for (const o of all) {
    if (o.kind !== 'Service') continue;
    const s = o.fact;
    if (s.type !== 'LoadBalancer' || s.loadBalancerClass || s.deleting || !admitted(o)) continue;
    services.set(s.uid.toLowerCase(), 'Inbound');
  }
  // A slice belongs to the Service its kubernetes.io/service-name label names in its own namespace;
  // an ownerReference never links one, and one naming another Service unlinks it (ADR 0019).
  const byName = new Map<string, string>();
  for (const o of all) if (o.kind === 'Service') byName.set(`${o.fact.namespace}/${o.fact.name}`, o.fact.uid.toLowerCase());
  for (const o of all) {
    if (o.kind !== 'EndpointSlice' || o.fact.serviceName === null) continue;
    const uid = byName.get(`${o.fact.namespace}/${o.fact.serviceName}`);
    if (uid === undefined || !services.has(uid) || o.fact.ownerServiceUids.some((u) => u.toLowerCase() !== uid)) continue;
    for (const ep of o.fact.endpoints) {
      if (ep.ready === false || ep.nodeName === null) continue;
      const ips = nodes.get(ep.nodeName);
      if (!ips) continue;
      for (const a of ep.addresses) {
        const loc = locOf(ips, fam(a));
        if (loc) add(loc, a, uid);
      }
    }
  }
  for (const o of all) {
    if (o.kind !== 'Pod' || o.fact.egressLabel === null) continue;
    const p = o.fact;
    const id = o.fact.egressLabel.toLowerCase();
    if (!IDENTITY.test(id) || id === 'default-natgw' || p.deleting || (p.phase !== 'Running' && p.phase !== 'Pending')) continue;
    let placed = false;
    for (const ip of p.podIPs) {
      const loc = locOf(p.hostIPs, fam(ip));
      if (!loc) continue;
      add(loc, ip, id);
      placed = true;
    }
    if (placed) services.set(id, 'Outbound');
  }
  const locations: Record<string, Record<string, string[]>> = {};
  for (const loc of [...locs.keys()].sort()) {
    const out: Record<string, string[]> = {};
    const l = locs.get(loc) ?? new Map<string, Set<string>>();
    for (const a of [...l.keys()].sort()) out[a] = [...(l.get(a) ?? [])].sort();
    locations[loc] = out;
  }
  return { services, locations };
}

/**
 * Kubernetes objects (as the API simulator holds them) to facts, the way the forwarder reads them.
 * An object the forwarder cannot read (a Pod without status, a Namespace) never reaches the
 * engine, so it asks for nothing here either.
 */
export function factsOf(objects: Iterable<unknown>): ObjectFact[] {
  const out: ObjectFact[] = [];
  for (const obj of objects) {
    const r = factOf(obj);
    if (!r.ok) continue;
    switch (r.kind) {
      case 'Service': out.push({ kind: 'Service', fact: r.fact }); break;
      case 'EndpointSlice': out.push({ kind: 'EndpointSlice', fact: r.fact }); break;
      case 'Node': out.push({ kind: 'Node', fact: r.fact }); break;
      case 'Pod': out.push({ kind: 'Pod', fact: r.fact }); break;
    }
  }
  return out;
}

/** Admission by spec alone, the reference's rule. */
export const admittedBySpec = (o: ServiceObjectFact): boolean => admitInboundService(o.fact).admitted;

/** expectedNrp of Kubernetes JSON objects. */
export function expectedNrpOfObjects(objects: Iterable<unknown>, admitted: (o: ServiceObjectFact) => boolean = admittedBySpec): Expected {
  return expectedNrp(factsOf(objects), admitted);
}
