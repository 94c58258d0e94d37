// The NRP simulator's snapshot is already sorted; sorting it again here keeps the report's
// ordering rule (README: by name, location, address) in one place the report owns, whatever
// NRP stand-in produced the data.
import { byText } from './kubernetesState.ts';
import type { NrpSnapshot } from './reportTypes.ts';

const byName = (a: { name: string }, b: { name: string }): number => byText(a.name, b.name);
const texts = (v: readonly string[]): string[] => [...v].sort(byText);

export function sortNrp(s: NrpSnapshot): NrpSnapshot {
  return {
    services: s.services.map((x) => ({ ...x, backendPoolIds: texts(x.backendPoolIds) })).sort(byName),
    loadBalancers: s.loadBalancers
      .map((lb) => ({
        ...lb,
        rules: [...lb.rules].sort((a, b) => byText(a.protocol, b.protocol) || a.frontendPort - b.frontendPort || a.backendPort - b.backendPort),
      }))
      .sort(byName),
    publicIPs: [...s.publicIPs].sort(byName),
    natGateways: s.natGateways.map((n) => ({ ...n, publicIPs: texts(n.publicIPs) })).sort(byName),
    locations: s.locations
      .map((l) => ({
        ...l,
        addresses: l.addresses.map((a) => ({ ...a, services: texts(a.services) })).sort((a, b) => byText(a.address, b.address)),
      }))
      .sort((a, b) => byText(a.location, b.location)),
  };
}
