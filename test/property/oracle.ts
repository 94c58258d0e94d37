// What NRP must hold for a set of cluster objects, written from the reference's rules alone
// (like ../shared/tools/check-report.py) and independent of the engine's own derivation.
import type { ObjectFact } from '../support/world.ts';

const IDENTITY = /^[a-z0-9]([a-z0-9._-]{0,71}[a-z0-9_])?$/;

export interface Expected {
  services: Map<string, 'Inbound' | 'Outbound'>;
  locations: Record<string, Record<string, string[]>>;
}

const fam = (ip: string): number => (ip.includes(':') ? 6 : 4);

export function expectedNrp(objects: Iterable<ObjectFact>, admitted: (o: Extract<ObjectFact, { kind: 'Service' }>) => boolean): Expected {
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
  for (const o of all) {
    if (o.kind !== 'EndpointSlice' || o.fact.serviceUid === null) continue;
    const uid = o.fact.serviceUid.toLowerCase();
    if (!services.has(uid)) continue;
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
    const id = p.egressLabel!.toLowerCase();
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
    const l = locs.get(loc)!;
    for (const a of [...l.keys()].sort()) out[a] = [...l.get(a)!].sort();
    locations[loc] = out;
  }
  return { services, locations };
}
