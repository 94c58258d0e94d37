// Resolving the resource ids a request refers to; a dangling one is 400 InvalidResourceReference.
import { invalidReference } from './armError.ts';
import { inScope, parseId, sameId } from './ids.ts';
import type { BackendPool, LoadBalancer, NatGateway, NrpStore, PublicIp } from './store.ts';

export function resolvePublicIp(store: NrpStore, id: string, referencingId: string): PublicIp {
  const p = parseId(id);
  const pip = p && !p.child && p.type === 'publicIPAddresses' && inScope(p, store.scope)
    ? store.publicIps.get(p.name.toLowerCase()) : undefined;
  if (!pip) throw invalidReference(id, referencingId);
  return pip;
}

export function resolveNatGateway(store: NrpStore, id: string, referencingId: string): NatGateway {
  const p = parseId(id);
  const nat = p && !p.child && p.type === 'natGateways' && inScope(p, store.scope)
    ? store.natGateways.get(p.name.toLowerCase()) : undefined;
  if (!nat) throw invalidReference(id, referencingId);
  return nat;
}

export function resolveBackendPool(store: NrpStore, id: string, referencingId: string): { lb: LoadBalancer; pool: BackendPool } {
  const p = parseId(id);
  const lb = p && p.type === 'loadBalancers' && inScope(p, store.scope) && p.child?.type.toLowerCase() === 'backendaddresspools'
    ? store.loadBalancers.get(p.name.toLowerCase()) : undefined;
  const pool = lb?.pools.find((x) => x.name.toLowerCase() === p?.child?.name.toLowerCase());
  if (!lb || !pool) throw invalidReference(id, referencingId);
  return { lb, pool };
}

export function checkServiceGateway(store: NrpStore, id: string, referencingId: string): void {
  if (!sameId(id, store.serviceGatewayId)) throw invalidReference(id, referencingId);
}

export function checkVirtualNetwork(store: NrpStore, id: string, referencingId: string): void {
  if (!sameId(id, store.virtualNetworkId)) throw invalidReference(id, referencingId);
}
