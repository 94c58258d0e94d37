// How what NRP holds differs from what the cluster asks for, one line per difference. Names and
// addresses are compared lower-case and IPs in canonical form (the engine canonicalises what it
// sends, a scenario may not). Load balancer rules are not compared: the rules follow the spec
// through the service operation, and the convergence question is whether the right services,
// resources and address mappings exist.
import { parseIp } from '../../shared/engine/ip.ts';
import type { Expected } from './expectedNrp.ts';
import type { NrpSnapshot } from './reportTypes.ts';

const ip = (s: string): string => parseIp(s)?.canonical.toLowerCase() ?? s.toLowerCase();

type Locations = Map<string, Map<string, string>>;

/** Location -> address -> joined sorted service names; addresses without services and empty
 * locations are not content (NRP may keep an emptied location around). */
function normalise(entries: Iterable<[string, Iterable<[string, readonly string[]]>]>): Locations {
  const out: Locations = new Map();
  for (const [loc, addresses] of entries) {
    const m = out.get(ip(loc)) ?? new Map<string, string>();
    for (const [addr, services] of addresses) {
      if (services.length === 0) continue;
      m.set(ip(addr), [...new Set(services.map((s) => s.toLowerCase()))].sort().join(','));
    }
    if (m.size > 0) out.set(ip(loc), m);
  }
  return out;
}

function servicesDiff(nrp: NrpSnapshot, want: Expected): string[] {
  const why: string[] = [];
  const got = new Map(nrp.services.map((s) => [s.name.toLowerCase(), s.type]));
  for (const [name, type] of [...want.services].sort()) {
    const g = got.get(name);
    if (g === undefined) why.push(`NRP service ${name} (${type}) is missing`);
    else if (g !== type) why.push(`NRP service ${name} is ${g}, want ${type}`);
  }
  for (const [name, type] of [...got].sort()) if (!want.services.has(name)) why.push(`NRP service ${name} (${type}) should not exist`);
  return why;
}

/** Every wanted service has its Azure resources, and nothing is left of a service not wanted. */
function resourcesDiff(nrp: NrpSnapshot, want: Expected): string[] {
  const why: string[] = [];
  const lbs = new Set(nrp.loadBalancers.map((x) => x.name.toLowerCase()));
  const nats = new Set(nrp.natGateways.map((x) => x.name.toLowerCase()));
  const pips = new Set(nrp.publicIPs.map((x) => x.name.toLowerCase()));
  for (const [name, type] of [...want.services].sort()) {
    if (type === 'Inbound' && !lbs.has(name)) why.push(`load balancer ${name} is missing`);
    if (type === 'Outbound' && !nats.has(name)) why.push(`NAT gateway ${name} is missing`);
    if (!pips.has(`${name}-pip`)) why.push(`public IP ${name}-pip is missing`);
  }
  for (const lb of [...lbs].sort()) if (want.services.get(lb) !== 'Inbound') why.push(`load balancer ${lb} is left over`);
  for (const nat of [...nats].sort()) if (want.services.get(nat) !== 'Outbound') why.push(`NAT gateway ${nat} is left over`);
  for (const pip of [...pips].sort()) if (!want.services.has(pip.replace(/-pip(-v6)?$/, ''))) why.push(`public IP ${pip} is left over`);
  return why;
}

function locationsDiff(nrp: NrpSnapshot, want: Expected): string[] {
  const got = normalise(nrp.locations.map((l) => [l.location, l.addresses.map((a) => [a.address, a.services] as [string, readonly string[]])]));
  const exp = normalise(Object.entries(want.locations).map(([loc, addrs]) => [loc, Object.entries(addrs)]));
  const why: string[] = [];
  for (const loc of [...new Set([...got.keys(), ...exp.keys()])].sort()) {
    const g = got.get(loc) ?? new Map<string, string>();
    const w = exp.get(loc) ?? new Map<string, string>();
    for (const addr of [...new Set([...g.keys(), ...w.keys()])].sort()) {
      if (g.get(addr) !== w.get(addr)) why.push(`location ${loc} address ${addr}: want [${w.get(addr) ?? ''}] got [${g.get(addr) ?? ''}]`);
    }
  }
  return why;
}

export function nrpDiff(nrp: NrpSnapshot, want: Expected): string[] {
  return [...servicesDiff(nrp, want), ...resourcesDiff(nrp, want), ...locationsDiff(nrp, want)];
}
