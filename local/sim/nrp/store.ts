// What NRP holds: public IPs, load balancers, NAT gateways, and the Service Gateway's services and
// address locations. Maps are keyed by the lower-cased name (ARM names are case-insensitive); the
// stored records keep the spelling of the first create.
import { IpAllocator } from './ipAllocator.ts';
import { tagsError } from './tags.ts';
import { resourceId, sameId, sequenceGuid } from './ids.ts';
import type { ResourceType, Scope } from './ids.ts';
import type { IpVersion, NrpServiceType, ResolvedOptions } from './types.ts';

/** The RP-owned service every Service Gateway has; nobody else may touch it. */
export const DEFAULT_SERVICE_NAME = 'default-natgw';

export interface Sku {
  readonly name: string;
  readonly tier?: string | undefined;
}

export interface Tracked {
  readonly name: string;
  readonly location: string;
  readonly tags: Readonly<Record<string, string>> | undefined;
  readonly guid: string;
  etag: string;
  /** Until then the resource reports provisioningState "Updating" (its write is still running). */
  busyUntil: number;
}

/** The fields every tracked resource's PUT sets the same way: name and guid survive an update. */
export function trackedFields(
  store: { nextGuid(): string },
  existing: Tracked | undefined,
  name: string,
  body: { readonly location: string; readonly tags: Readonly<Record<string, string>> | undefined },
): Tracked {
  const bad = tagsError(body.tags);
  if (bad) throw bad;
  return { name: existing?.name ?? name, location: body.location, tags: body.tags, guid: existing?.guid ?? store.nextGuid(), etag: '', busyUntil: 0 };
}

export interface PublicIp extends Tracked {
  readonly sku: Sku;
  readonly allocationMethod: 'Static' | 'Dynamic';
  readonly version: IpVersion;
  readonly ipAddress: string;
  readonly idleTimeoutInMinutes: number;
  readonly zones: readonly string[] | undefined;
}

export interface Frontend {
  readonly name: string;
  /** Canonical id of the referenced public IP. */
  readonly publicIpId: string;
}

export interface BackendPool {
  readonly name: string;
  readonly virtualNetworkId: string | undefined;
}

export type RuleProtocol = 'Tcp' | 'Udp' | 'All';

export interface Rule {
  readonly name: string;
  readonly frontendName: string;
  readonly poolName: string;
  readonly protocol: RuleProtocol;
  readonly frontendPort: number;
  readonly backendPort: number;
  readonly idleTimeoutInMinutes: number;
  readonly enableFloatingIP: boolean;
  readonly enableTcpReset: boolean;
  readonly disableOutboundSnat: boolean;
  readonly loadDistribution: string;
}

export interface LoadBalancer extends Tracked {
  readonly sku: Sku;
  readonly scope: string | undefined;
  readonly frontends: readonly Frontend[];
  readonly pools: readonly BackendPool[];
  readonly rules: readonly Rule[];
}

export interface NatGateway extends Tracked {
  readonly sku: Sku;
  readonly idleTimeoutInMinutes: number;
  readonly publicIpIds: readonly string[];
  readonly publicIpV6Ids: readonly string[];
  readonly serviceGatewayId: string | null;
  readonly zones: readonly string[] | undefined;
}

export interface PoolRef {
  /** Canonical id of the load balancer backend pool. */
  readonly id: string;
  readonly name: string;
  readonly virtualNetworkId: string | undefined;
}

export interface SgService {
  readonly name: string;
  readonly type: NrpServiceType;
  readonly isDefault: boolean;
  readonly pools: readonly PoolRef[];
  readonly natGatewayId: string | null;
}

/** location (canonical IP) → address (canonical IP) → service names (as registered). */
export type AddressLocations = Map<string, Map<string, ReadonlySet<string>>>;

export class NrpStore {
  readonly options: ResolvedOptions;
  readonly scope: Scope;
  readonly serviceGatewayId: string;
  readonly virtualNetworkId: string;
  readonly serviceGatewayGuid: string;
  readonly virtualNetworkGuid: string;
  readonly publicIps = new Map<string, PublicIp>();
  readonly loadBalancers = new Map<string, LoadBalancer>();
  readonly natGateways = new Map<string, NatGateway>();
  services = new Map<string, SgService>();
  locations: AddressLocations = new Map();
  readonly ips: IpAllocator;
  private etagSeq = 0;
  private guidSeq = 0;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.scope = { subscriptionId: options.subscriptionId, resourceGroup: options.resourceGroup };
    this.serviceGatewayId = this.id('serviceGateways', options.serviceGatewayName);
    this.virtualNetworkId = this.id('virtualNetworks', options.vnetName);
    this.serviceGatewayGuid = this.nextGuid();
    this.virtualNetworkGuid = this.nextGuid();
    this.ips = new IpAllocator(options.ipAllocation);
    if (options.defaultService) {
      this.services.set(DEFAULT_SERVICE_NAME, {
        name: DEFAULT_SERVICE_NAME, type: 'Outbound', isDefault: true, pools: [], natGatewayId: null,
      });
    }
  }

  now(): number {
    return this.options.clock.now();
  }

  id(type: ResourceType, name: string): string {
    return resourceId(this.scope, type, name);
  }

  nextEtag(): string {
    this.etagSeq += 1;
    return `W/"${sequenceGuid(0xe7a9, this.etagSeq)}"`;
  }

  nextGuid(): string {
    this.guidSeq += 1;
    return sequenceGuid(0x5eed, this.guidSeq);
  }

  provisioningState(r: { busyUntil: number }): 'Updating' | 'Succeeded' {
    return this.now() < r.busyUntil ? 'Updating' : 'Succeeded';
  }

  /** Ids of the resources (LB frontends, NAT gateways) a public IP is attached to. */
  publicIpUsers(publicIpId: string, except?: string): string[] {
    const users: string[] = [];
    for (const lb of this.loadBalancers.values()) {
      const lbId = this.id('loadBalancers', lb.name);
      if (except !== undefined && sameId(except, lbId)) continue;
      for (const fe of lb.frontends) {
        if (sameId(fe.publicIpId, publicIpId)) users.push(`${lbId}/frontendIPConfigurations/${fe.name}`);
      }
    }
    for (const nat of this.natGateways.values()) {
      const natId = this.id('natGateways', nat.name);
      if (except !== undefined && sameId(except, natId)) continue;
      if ([...nat.publicIpIds, ...nat.publicIpV6Ids].some((id) => sameId(id, publicIpId))) users.push(natId);
    }
    return users;
  }

  /** Names of the Service Gateway services whose backend pools include this pool id. */
  servicesUsingPool(poolId: string): string[] {
    return [...this.services.values()].filter((s) => s.pools.some((p) => sameId(p.id, poolId))).map((s) => s.name);
  }

  servicesUsingNatGateway(natGatewayId: string): string[] {
    return [...this.services.values()]
      .filter((s) => s.natGatewayId !== null && sameId(s.natGatewayId, natGatewayId))
      .map((s) => s.name);
  }

  /** True when any address in any location still maps to the service. */
  serviceHasAddresses(name: string, locations: AddressLocations = this.locations): boolean {
    const lower = name.toLowerCase();
    for (const addresses of locations.values()) {
      for (const services of addresses.values()) {
        for (const s of services) if (s.toLowerCase() === lower) return true;
      }
    }
    return false;
  }
}
