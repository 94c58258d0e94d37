// What a service operation sends (reference §3.1-3.5, §5): ARM resource ids, and the bodies of the
// Public IP, load balancer and NAT gateway PUTs and of the Service Gateway's updateServices POST.
// Pure builders over plain JSON-shaped types; the ARM adapter sends exactly these, and tests pin
// them byte for byte. Key order is part of the contract (JSON.stringify keeps insertion order).
import type { InboundConfig, IpFamily, NrpServiceType, OutboundConfig, PortRule, ServiceConfig, ServiceKind } from './types.ts';

/** Where a cluster's Azure resources live. Defaults (network subscription, VNet resource group)
 * are resolved before they get here, but an empty string still falls back as the reference does. */
export interface ServiceGatewayIds {
  readonly subscriptionId: string;
  /** Subscription of the network resources; every ARM id below uses it ('' = subscriptionId). */
  readonly networkSubscriptionId: string;
  /** Resource group of the Public IPs, load balancers, NAT gateways and the Service Gateway. */
  readonly resourceGroup: string;
  /** Resource group of the VNet ('' = resourceGroup). */
  readonly vnetResourceGroup: string;
  readonly vnetName: string;
  /** The Service Gateway's name (the reference fixes it to `servicegateway`). */
  readonly serviceGatewayName: string;
  /** Azure region of the resources we create. */
  readonly location: string;
}

// ---------------------------------------------------------------------------------------------
// Names and ARM ids

function networkProvider(ids: ServiceGatewayIds, resourceGroup: string): string {
  return `/subscriptions/${ids.networkSubscriptionId || ids.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network`;
}

export function serviceGatewayId(ids: ServiceGatewayIds): string {
  return `${networkProvider(ids, ids.resourceGroup)}/serviceGateways/${ids.serviceGatewayName}`;
}

export function virtualNetworkId(ids: ServiceGatewayIds): string {
  return `${networkProvider(ids, ids.vnetResourceGroup || ids.resourceGroup)}/virtualNetworks/${ids.vnetName}`;
}

/** An inbound service's load balancer is named after the service: `<uid>`. */
export function loadBalancerId(ids: ServiceGatewayIds, name: string): string {
  return `${networkProvider(ids, ids.resourceGroup)}/loadBalancers/${name}`;
}

/** Its one backend pool is named after the service too; NRP fills it with pod IPs. */
export function backendPoolId(ids: ServiceGatewayIds, name: string): string {
  return `${loadBalancerId(ids, name)}/backendAddressPools/${name}`;
}

export const FRONTEND_NAME = 'frontend';

export function frontendIpConfigurationId(ids: ServiceGatewayIds, name: string): string {
  return `${loadBalancerId(ids, name)}/frontendIPConfigurations/${FRONTEND_NAME}`;
}

/** An outbound service's NAT gateway is named after its egress identity: `<id>`. */
export function natGatewayId(ids: ServiceGatewayIds, name: string): string {
  return `${networkProvider(ids, ids.resourceGroup)}/natGateways/${name}`;
}

/**
 * A NAT gateway's Public IP by family: `<id>-pip`, and `<id>-pip-v6` for the IPv6 address an
 * identity has once any node of the cluster has IPv6 (reference §3.3, docs/adr/0016). An outbound delete removes both
 * names whatever the config says (§3.5). An inbound Service has one PIP: inboundPublicIpName.
 */
export function publicIpName(name: string, family: IpFamily): string {
  return family === 'IPv6' ? `${name}-pip-v6` : `${name}-pip`;
}

/** An inbound Service's one Public IP, `<uid>-pip`, whatever its family (reference §3.1). */
export function inboundPublicIpName(name: string): string {
  return `${name}-pip`;
}

export interface PublicIpRef {
  readonly name: string;
  readonly family: IpFamily;
}

/** The Public IPs a service is built with, in the order they are created. */
export function publicIpNames(config: ServiceConfig): readonly PublicIpRef[] {
  if (config.kind === 'inbound') return [{ name: inboundPublicIpName(config.name), family: config.ipFamily }];
  return config.ipFamilies.map((family) => ({ name: publicIpName(config.name, family), family }));
}

export function publicIpId(ids: ServiceGatewayIds, pipName: string): string {
  return `${networkProvider(ids, ids.resourceGroup)}/publicIPAddresses/${pipName}`;
}

// ---------------------------------------------------------------------------------------------
// ARM resource bodies (PUT)

export interface SubResource {
  readonly id: string;
}

/** The tags every resource this engine creates carries (resourceTags.ts): its cluster, kind and service. */
export type Tags = Readonly<Record<string, string>>;

export interface PublicIpBody {
  readonly location: string;
  readonly tags: Tags;
  readonly sku: { readonly name: 'StandardV2' };
  readonly properties: {
    readonly publicIPAllocationMethod: 'Static';
    readonly publicIPAddressVersion: IpFamily;
  };
}

export function publicIpBody(family: IpFamily, location: string, tags: Tags): PublicIpBody {
  return {
    location,
    tags,
    sku: { name: 'StandardV2' },
    properties: { publicIPAllocationMethod: 'Static', publicIPAddressVersion: family },
  };
}

export interface LoadBalancingRuleBody {
  readonly name: string;
  readonly properties: {
    readonly frontendIPConfiguration: SubResource;
    readonly backendAddressPool: SubResource;
    readonly protocol: 'Tcp' | 'Udp';
    readonly frontendPort: number;
    readonly backendPort: number;
    readonly idleTimeoutInMinutes: number;
    readonly enableFloatingIP: false;
    /** Present (true) for TCP only. */
    readonly enableTcpReset?: true;
  };
}

export interface LoadBalancerBody {
  readonly location: string;
  readonly tags: Tags;
  readonly sku: { readonly name: 'Service' };
  readonly properties: {
    readonly scope: 'Public';
    readonly frontendIPConfigurations: readonly {
      readonly name: string;
      readonly properties: { readonly publicIPAddress: SubResource };
    }[];
    /** One empty pool: PodIP pools are filled by NRP from the address locations. */
    readonly backendAddressPools: readonly { readonly name: string }[];
    /** No probes: PodIP backend pools do not support them. */
    readonly loadBalancingRules: readonly LoadBalancingRuleBody[];
  };
}

export function ruleName(rule: PortRule): string {
  return `rule-${rule.protocol.toLowerCase()}-${rule.port}`;
}

function ruleBody(config: InboundConfig, ids: ServiceGatewayIds, rule: PortRule): LoadBalancingRuleBody {
  const common = {
    frontendIPConfiguration: { id: frontendIpConfigurationId(ids, config.name) },
    backendAddressPool: { id: backendPoolId(ids, config.name) },
    protocol: rule.protocol === 'TCP' ? ('Tcp' as const) : ('Udp' as const),
    frontendPort: rule.port,
    backendPort: rule.backendPort,
    idleTimeoutInMinutes: config.idleTimeoutMinutes,
    enableFloatingIP: false as const,
  };
  return { name: ruleName(rule), properties: rule.protocol === 'TCP' ? { ...common, enableTcpReset: true } : common };
}

/** The load balancer `<uid>` (reference §3.1 step 3; an update re-PUTs the same body, §3.2). */
export function loadBalancerBody(config: InboundConfig, ids: ServiceGatewayIds, tags: Tags): LoadBalancerBody {
  return {
    location: ids.location,
    tags,
    sku: { name: 'Service' },
    properties: {
      scope: 'Public',
      frontendIPConfigurations: [{ name: FRONTEND_NAME, properties: { publicIPAddress: { id: publicIpId(ids, inboundPublicIpName(config.name)) } } }],
      backendAddressPools: [{ name: config.name }],
      loadBalancingRules: config.ports.map((rule) => ruleBody(config, ids, rule)),
    },
  };
}

export interface NatGatewayBody {
  readonly location: string;
  readonly tags: Tags;
  readonly sku: { readonly name: 'StandardV2' };
  readonly properties: {
    readonly serviceGateway: SubResource;
    readonly publicIpAddresses: readonly SubResource[];
    /** Present only when the identity has IPv6; an update that adds IPv6 re-PUTs the body with it. */
    readonly publicIpAddressesV6?: readonly SubResource[];
  };
}

/** The NAT gateway `<id>`, linked to the Service Gateway (reference §3.3 step 2; an outbound update re-PUTs it). */
export function natGatewayBody(config: OutboundConfig, ids: ServiceGatewayIds, tags: Tags): NatGatewayBody {
  const v4 = { id: publicIpId(ids, publicIpName(config.name, 'IPv4')) };
  const common = { serviceGateway: { id: serviceGatewayId(ids) }, publicIpAddresses: [v4] };
  return {
    location: ids.location,
    tags,
    sku: { name: 'StandardV2' },
    properties: config.ipFamilies.includes('IPv6') ? { ...common, publicIpAddressesV6: [{ id: publicIpId(ids, publicIpName(config.name, 'IPv6')) }] } : common,
  };
}

// ---------------------------------------------------------------------------------------------
// Service Gateway updateServices (POST), always a PartialUpdate of one service

export interface BackendPoolReference {
  readonly id: string;
  readonly name: string;
  readonly properties: { readonly virtualNetwork: SubResource };
}

export interface ServiceProperties {
  readonly serviceType: NrpServiceType;
  readonly loadBalancerBackendPools?: readonly BackendPoolReference[];
  /** null is sent as an explicit JSON null: it detaches the NAT gateway. */
  readonly publicNatGatewayId?: string | null;
}

export interface ServiceRequest {
  readonly isDelete: boolean;
  readonly service: { readonly name: string; readonly properties: ServiceProperties };
}

export interface ServicesRequest {
  readonly action: 'PartialUpdate';
  readonly serviceRequests: readonly ServiceRequest[];
}

function one(isDelete: boolean, name: string, properties: ServiceProperties): ServicesRequest {
  return { action: 'PartialUpdate', serviceRequests: [{ isDelete, service: { name, properties } }] };
}

function serviceTypeOf(kind: ServiceKind): NrpServiceType {
  return kind === 'inbound' ? 'Inbound' : 'Outbound';
}

/** Register `<uid>` as Inbound with its load balancer's backend pool (reference §3.1 step 4). */
export function registerInboundRequest(config: InboundConfig, ids: ServiceGatewayIds): ServicesRequest {
  return one(false, config.name, {
    serviceType: 'Inbound',
    loadBalancerBackendPools: [{ id: backendPoolId(ids, config.name), name: config.name, properties: { virtualNetwork: { id: virtualNetworkId(ids) } } }],
  });
}

/** Register `<id>` as Outbound with its NAT gateway and no backend pools (reference §3.3 step 3). */
export function registerOutboundRequest(config: OutboundConfig, ids: ServiceGatewayIds): ServicesRequest {
  return one(false, config.name, { serviceType: 'Outbound', loadBalancerBackendPools: [], publicNatGatewayId: natGatewayId(ids, config.name) });
}

/** Unregister a service (reference §3.4 step 3, §3.5 step 2). NRP refuses while addresses reference it. */
export function unregisterRequest(name: string, kind: ServiceKind): ServicesRequest {
  return one(true, name, { serviceType: serviceTypeOf(kind) });
}

/** Drop an inbound service's pool reference before its load balancer is deleted (reference §3.4 step 1). */
export function clearBackendPoolsRequest(name: string): ServicesRequest {
  return one(false, name, { serviceType: 'Inbound', loadBalancerBackendPools: [] });
}

/** Detach an outbound service's NAT gateway before it is deleted (reference §3.5 step 1). */
export function clearNatGatewayRequest(name: string): ServicesRequest {
  return one(false, name, { serviceType: 'Outbound', publicNatGatewayId: null });
}
