// Load balancers of SKU "Service": frontends on public IPs, PodIP backend pools, rules, no probes.
import { z } from 'zod';
import { ArmError, badRequest, invalidFormat, invalidReference } from './armError.ts';
import { sameId } from './ids.ts';
import { checkVirtualNetwork, resolvePublicIp } from './references.ts';
import { intInRange, oneOf, parseBody, requireLocation, skuShape, subResource, tagsShape } from './requestBody.ts';
import type { ResourceKind } from './resourceKind.ts';
import type { BackendPool, Frontend, LoadBalancer, NrpStore, Rule } from './store.ts';
import { trackedFields } from './store.ts';

/** The only SKU the Service Gateway's load balancers use; compared case-sensitively, as the reference does. */
export const SERVICE_LB_SKU = 'Service';

const nonEmpty = z.array(z.unknown()).optional();

const body = z.object({
  location: z.string().optional(),
  tags: tagsShape.optional(),
  sku: skuShape.optional(),
  properties: z.object({
    frontendIPConfigurations: z.array(z.object({
      name: z.string(),
      properties: z.object({
        publicIPAddress: subResource.optional(),
        subnet: subResource.optional(),
        privateIPAddress: z.string().optional(),
      }).optional(),
    })).optional(),
    backendAddressPools: z.array(z.object({
      name: z.string(),
      properties: z.object({
        virtualNetwork: subResource.optional(),
        loadBalancerBackendAddresses: z.array(z.unknown()).optional(),
      }).optional(),
    })).optional(),
    loadBalancingRules: z.array(z.object({
      name: z.string(),
      properties: z.object({
        frontendIPConfiguration: subResource.optional(),
        backendAddressPool: subResource.optional(),
        backendAddressPools: z.array(subResource).optional(),
        probe: subResource.optional(),
        protocol: z.string(),
        frontendPort: z.number(),
        backendPort: z.number().optional(),
        idleTimeoutInMinutes: z.number().optional(),
        enableFloatingIP: z.boolean().optional(),
        enableTcpReset: z.boolean().optional(),
        disableOutboundSnat: z.boolean().optional(),
        loadDistribution: z.string().optional(),
      }),
    })).optional(),
    probes: nonEmpty,
    inboundNatRules: nonEmpty,
    inboundNatPools: nonEmpty,
    outboundRules: nonEmpty,
    scope: z.string().optional(),
  }).optional(),
});

function uniqueNames(items: readonly { name: string }[], what: string): void {
  const seen = new Set<string>();
  for (const i of items) {
    const k = i.name.toLowerCase();
    if (seen.has(k)) throw invalidFormat(`${what} name '${i.name}' is used twice.`);
    seen.add(k);
  }
}

/** The child name when `id` is `<lbId>/<childType>/<name>` of this load balancer. */
function childName(id: string, lbId: string, childType: string): string | undefined {
  const prefix = `${lbId}/${childType}/`;
  if (id.length <= prefix.length || !sameId(id.slice(0, prefix.length), prefix)) return undefined;
  const rest = id.slice(prefix.length);
  return rest.includes('/') ? undefined : rest;
}

export const loadBalancers: ResourceKind<LoadBalancer> = {
  type: 'loadBalancers',

  map: (store) => store.loadBalancers,

  build(store, name, raw, existing) {
    const b = parseBody(body, raw, `load balancer ${name}`);
    const lbId = store.id('loadBalancers', existing?.name ?? name);
    if (b.sku?.name !== SERVICE_LB_SKU) {
      throw invalidFormat(`Load balancer ${lbId} has SKU '${b.sku?.name ?? '(none)'}'; a Service Gateway load balancer must use SKU '${SERVICE_LB_SKU}'.`);
    }
    const p = b.properties ?? {};
    if ((p.probes?.length ?? 0) > 0) {
      throw invalidFormat(`Load balancer ${lbId}: health probes are not supported with a PodIP backend pool of SKU '${SERVICE_LB_SKU}'.`);
    }
    for (const [field, v] of [['inboundNatRules', p.inboundNatRules], ['inboundNatPools', p.inboundNatPools], ['outboundRules', p.outboundRules]] as const) {
      if ((v?.length ?? 0) > 0) throw invalidFormat(`Load balancer ${lbId}: ${field} are not supported with SKU '${SERVICE_LB_SKU}'.`);
    }

    const feIn = p.frontendIPConfigurations ?? [];
    uniqueNames(feIn, 'frontendIPConfiguration');
    const frontends: Frontend[] = feIn.map((fe) => {
      const feId = `${lbId}/frontendIPConfigurations/${fe.name}`;
      const pipRef = fe.properties?.publicIPAddress?.id;
      if (pipRef === undefined) throw invalidFormat(`Frontend ${feId} must reference a public IP address (private frontends are not simulated).`);
      const pip = resolvePublicIp(store, pipRef, feId);
      const pipId = store.id('publicIPAddresses', pip.name);
      const users = store.publicIpUsers(pipId, lbId);
      if (users.length > 0) {
        throw badRequest('PublicIPAddressInUse', `Resource ${feId} is referencing public IP address ${pipId} that is already allocated to resource ${users.join(', ')}.`);
      }
      return { name: fe.name, publicIpId: pipId };
    });
    const usedPips = new Set<string>();
    for (const fe of frontends) {
      if (usedPips.has(fe.publicIpId.toLowerCase())) throw badRequest('PublicIPAddressInUse', `Public IP address ${fe.publicIpId} is used by two frontends of ${lbId}.`);
      usedPips.add(fe.publicIpId.toLowerCase());
    }

    const poolsIn = p.backendAddressPools ?? [];
    uniqueNames(poolsIn, 'backendAddressPool');
    const pools: BackendPool[] = poolsIn.map((pool) => {
      const vnet = pool.properties?.virtualNetwork?.id;
      if (vnet !== undefined) checkVirtualNetwork(store, vnet, `${lbId}/backendAddressPools/${pool.name}`);
      if ((pool.properties?.loadBalancerBackendAddresses?.length ?? 0) > 0) {
        throw invalidFormat(`Backend pool ${pool.name}: addresses are filled by the Service Gateway, not by the load balancer PUT.`);
      }
      return { name: pool.name, virtualNetworkId: vnet === undefined ? undefined : store.virtualNetworkId };
    });

    const rulesIn = p.loadBalancingRules ?? [];
    uniqueNames(rulesIn, 'loadBalancingRule');
    const rules: Rule[] = rulesIn.map((r) => {
      const ruleId = `${lbId}/loadBalancingRules/${r.name}`;
      const rp = r.properties;
      if (rp.probe !== undefined) throw invalidFormat(`Rule ${ruleId}: health probes are not supported with SKU '${SERVICE_LB_SKU}'.`);
      const feRef = rp.frontendIPConfiguration?.id;
      if (feRef === undefined) throw invalidFormat(`Rule ${ruleId} must reference a frontendIPConfiguration.`);
      const feName = childName(feRef, lbId, 'frontendIPConfigurations');
      const fe = frontends.find((f) => f.name.toLowerCase() === feName?.toLowerCase());
      if (!fe) throw invalidReference(feRef, ruleId);
      const poolRef = rp.backendAddressPool?.id ?? rp.backendAddressPools?.[0]?.id;
      if (poolRef === undefined) throw invalidFormat(`Rule ${ruleId} must reference a backendAddressPool.`);
      const poolName = childName(poolRef, lbId, 'backendAddressPools');
      const pool = pools.find((x) => x.name.toLowerCase() === poolName?.toLowerCase());
      if (!pool) throw invalidReference(poolRef, ruleId);
      const protocol = oneOf(rp.protocol, ['Tcp', 'Udp', 'All'], `${ruleId} protocol`);
      const frontendPort = intInRange(rp.frontendPort, protocol === 'All' ? 0 : 1, 65534, 0, `${ruleId} frontendPort`);
      return {
        name: r.name,
        frontendName: fe.name,
        poolName: pool.name,
        protocol,
        frontendPort,
        backendPort: intInRange(rp.backendPort, protocol === 'All' ? 0 : 1, 65535, frontendPort, `${ruleId} backendPort`),
        idleTimeoutInMinutes: intInRange(rp.idleTimeoutInMinutes, 4, 30, 4, `${ruleId} idleTimeoutInMinutes`),
        enableFloatingIP: rp.enableFloatingIP ?? false,
        enableTcpReset: rp.enableTcpReset ?? false,
        disableOutboundSnat: rp.disableOutboundSnat ?? false,
        loadDistribution: rp.loadDistribution ?? 'Default',
      };
    });
    const ports = new Set<string>();
    for (const r of rules) {
      const key = `${r.frontendName.toLowerCase()}/${r.protocol}/${r.frontendPort}`;
      if (ports.has(key)) throw invalidFormat(`Load balancer ${lbId}: two rules use frontend ${r.frontendName} ${r.protocol} port ${r.frontendPort}.`);
      ports.add(key);
    }

    if (existing && store.options.strictReferences) {
      for (const old of existing.pools) {
        if (pools.some((x) => x.name.toLowerCase() === old.name.toLowerCase())) continue;
        checkPoolUnused(store, `${lbId}/backendAddressPools/${old.name}`);
      }
    }

    return {
      ...trackedFields(store, existing, name, { location: requireLocation(b.location), tags: b.tags }),
      sku: { name: SERVICE_LB_SKU, tier: b.sku.tier },
      scope: p.scope,
      frontends,
      pools,
      rules,
    };
  },

  durationMs: (store, created) => (created ? store.options.lbCreateMs : store.options.writeMs),

  render(store, r) {
    const id = store.id('loadBalancers', r.name);
    const state = store.provisioningState(r);
    const ruleId = (rule: Rule): { id: string } => ({ id: `${id}/loadBalancingRules/${rule.name}` });
    return {
      id,
      name: r.name,
      type: 'Microsoft.Network/loadBalancers',
      location: r.location,
      ...(r.tags ? { tags: r.tags } : {}),
      etag: r.etag,
      sku: { name: r.sku.name, tier: r.sku.tier ?? 'Regional' },
      properties: {
        provisioningState: state,
        resourceGuid: r.guid,
        frontendIPConfigurations: r.frontends.map((fe) => ({
          id: `${id}/frontendIPConfigurations/${fe.name}`,
          name: fe.name,
          etag: r.etag,
          type: 'Microsoft.Network/loadBalancers/frontendIPConfigurations',
          properties: {
            provisioningState: state,
            privateIPAllocationMethod: 'Dynamic',
            publicIPAddress: { id: fe.publicIpId },
            loadBalancingRules: r.rules.filter((x) => x.frontendName === fe.name).map(ruleId),
          },
        })),
        backendAddressPools: r.pools.map((pool) => ({
          id: `${id}/backendAddressPools/${pool.name}`,
          name: pool.name,
          etag: r.etag,
          type: 'Microsoft.Network/loadBalancers/backendAddressPools',
          properties: {
            provisioningState: state,
            ...(pool.virtualNetworkId ? { virtualNetwork: { id: pool.virtualNetworkId } } : {}),
            loadBalancerBackendAddresses: [],
            loadBalancingRules: r.rules.filter((x) => x.poolName === pool.name).map(ruleId),
          },
        })),
        loadBalancingRules: r.rules.map((rule) => ({
          id: `${id}/loadBalancingRules/${rule.name}`,
          name: rule.name,
          etag: r.etag,
          type: 'Microsoft.Network/loadBalancers/loadBalancingRules',
          properties: {
            provisioningState: state,
            frontendIPConfiguration: { id: `${id}/frontendIPConfigurations/${rule.frontendName}` },
            backendAddressPool: { id: `${id}/backendAddressPools/${rule.poolName}` },
            backendAddressPools: [{ id: `${id}/backendAddressPools/${rule.poolName}` }],
            protocol: rule.protocol,
            frontendPort: rule.frontendPort,
            backendPort: rule.backendPort,
            idleTimeoutInMinutes: rule.idleTimeoutInMinutes,
            enableFloatingIP: rule.enableFloatingIP,
            enableTcpReset: rule.enableTcpReset,
            disableOutboundSnat: rule.disableOutboundSnat,
            loadDistribution: rule.loadDistribution,
          },
        })),
        probes: [],
        inboundNatRules: [],
        inboundNatPools: [],
        outboundRules: [],
        ...(r.scope ? { scope: r.scope } : {}),
      },
    };
  },

  checkDelete(store, r) {
    if (!store.options.strictReferences) return;
    const id = store.id('loadBalancers', r.name);
    for (const pool of r.pools) checkPoolUnused(store, `${id}/backendAddressPools/${pool.name}`);
  },

  onDeleted() {},
};

function checkPoolUnused(store: NrpStore, poolId: string): void {
  const users = store.servicesUsingPool(poolId);
  if (users.length > 0) {
    throw new ArmError(400, 'InUseBackendAddressPoolCannotBeDeleted',
      `Backend address pool ${poolId} is in use by service(s) ${users.join(', ')} of service gateway ${store.serviceGatewayId} and cannot be deleted.`);
  }
}
