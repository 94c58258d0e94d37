// The report's "nrp" section (shared/scenarios/README.md): what NRP holds, sorted so that two
// reports of the same outcome are equal. The RP-owned default service is left out.
import type { NrpStore } from './store.ts';
import type { NrpSnapshot, SnapshotRule } from './types.ts';

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byName = (a: { name: string }, b: { name: string }): number => byString(a.name, b.name);

function lastSegment(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}

function byRule(a: SnapshotRule, b: SnapshotRule): number {
  return byString(a.protocol, b.protocol) || a.frontendPort - b.frontendPort || a.backendPort - b.backendPort;
}

export function snapshotOf(store: NrpStore): NrpSnapshot {
  return {
    services: [...store.services.values()]
      .filter((s) => !s.isDefault)
      .map((s) => ({
        name: s.name,
        type: s.type,
        backendPoolIds: s.pools.map((p) => p.id).sort(byString),
        natGatewayId: s.natGatewayId,
      }))
      .sort(byName),
    loadBalancers: [...store.loadBalancers.values()]
      .map((lb) => ({
        name: lb.name,
        rules: lb.rules.map((r) => ({ protocol: r.protocol, frontendPort: r.frontendPort, backendPort: r.backendPort })).sort(byRule),
      }))
      .sort(byName),
    publicIPs: [...store.publicIps.values()]
      .map((p) => ({ name: p.name, ipAddress: p.ipAddress, version: p.version }))
      .sort(byName),
    natGateways: [...store.natGateways.values()]
      .map((n) => ({ name: n.name, publicIPs: [...n.publicIpIds, ...n.publicIpV6Ids].map(lastSegment).sort(byString) }))
      .sort(byName),
    locations: [...store.locations.entries()]
      .map(([location, addresses]) => ({
        location,
        addresses: [...addresses.entries()]
          .map(([address, services]) => ({ address, services: [...services].sort(byString) }))
          .sort((a, b) => byString(a.address, b.address)),
      }))
      .sort((a, b) => byString(a.location, b.location)),
  };
}
