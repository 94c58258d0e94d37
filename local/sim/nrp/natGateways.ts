// NAT gateways (StandardV2 when linked to the Service Gateway) with IPv4 and IPv6 public IPs.
import { z } from 'zod';
import { ArmError, badRequest, invalidFormat } from './armError.ts';
import { checkServiceGateway, resolvePublicIp } from './references.ts';
import { intInRange, parseBody, requireLocation, skuOf, skuShape, subResource, tagsShape } from './requestBody.ts';
import type { ResourceKind } from './resourceKind.ts';
import type { NatGateway, NrpStore } from './store.ts';
import { trackedFields } from './store.ts';
import type { IpVersion } from './types.ts';

const body = z.object({
  location: z.string().optional(),
  tags: tagsShape.optional(),
  sku: skuShape.optional(),
  zones: z.array(z.string()).optional(),
  properties: z.object({
    idleTimeoutInMinutes: z.number().optional(),
    publicIpAddresses: z.array(subResource).nullable().optional(),
    publicIpAddressesV6: z.array(subResource).nullable().optional(),
    publicIpPrefixes: z.array(subResource).nullable().optional(),
    publicIpPrefixesV6: z.array(subResource).nullable().optional(),
    serviceGateway: subResource.nullable().optional(),
  }).optional(),
});

function attach(store: NrpStore, refs: readonly { id: string }[], version: IpVersion, natId: string, field: string): string[] {
  return refs.map((ref) => {
    const pip = resolvePublicIp(store, ref.id, natId);
    const pipId = store.id('publicIPAddresses', pip.name);
    if (pip.version !== version) {
      throw invalidFormat(`NAT gateway ${natId}: ${field} must hold ${version} public IPs; ${pipId} is ${pip.version}.`);
    }
    const users = store.publicIpUsers(pipId, natId);
    if (users.length > 0) {
      throw badRequest('PublicIPAddressInUse', `Resource ${natId} is referencing public IP address ${pipId} that is already allocated to resource ${users.join(', ')}.`);
    }
    return pipId;
  });
}

export const natGateways: ResourceKind<NatGateway> = {
  type: 'natGateways',

  map: (store) => store.natGateways,

  build(store, name, raw, existing) {
    const b = parseBody(body, raw, `NAT gateway ${name}`);
    const natId = store.id('natGateways', existing?.name ?? name);
    const p = b.properties ?? {};
    const sku = skuOf(b.sku, ['Standard', 'StandardV2'], 'Standard');
    if ((p.publicIpPrefixes?.length ?? 0) > 0 || (p.publicIpPrefixesV6?.length ?? 0) > 0) {
      throw invalidFormat(`NAT gateway ${natId}: public IP prefixes are not simulated.`);
    }
    const sg = p.serviceGateway?.id;
    if (sg !== undefined) {
      checkServiceGateway(store, sg, natId);
      if (sku.name !== 'StandardV2') {
        throw invalidFormat(`NAT gateway ${natId} has SKU '${sku.name}'; a NAT gateway linked to a service gateway must be 'StandardV2'.`);
      }
    }
    const v4 = attach(store, p.publicIpAddresses ?? [], 'IPv4', natId, 'publicIpAddresses');
    const v6 = attach(store, p.publicIpAddressesV6 ?? [], 'IPv6', natId, 'publicIpAddressesV6');
    if (new Set([...v4, ...v6].map((x) => x.toLowerCase())).size !== v4.length + v6.length) {
      throw badRequest('PublicIPAddressInUse', `NAT gateway ${natId} lists one public IP address twice.`);
    }
    return {
      ...trackedFields(store, existing, name, { location: requireLocation(b.location), tags: b.tags }),
      sku,
      idleTimeoutInMinutes: intInRange(p.idleTimeoutInMinutes, 4, 120, 4, 'idleTimeoutInMinutes'),
      publicIpIds: v4,
      publicIpV6Ids: v6,
      serviceGatewayId: sg === undefined ? null : store.serviceGatewayId,
      zones: b.zones,
    };
  },

  durationMs: (store) => store.options.writeMs,

  render(store, r) {
    return {
      id: store.id('natGateways', r.name),
      name: r.name,
      type: 'Microsoft.Network/natGateways',
      location: r.location,
      ...(r.tags ? { tags: r.tags } : {}),
      etag: r.etag,
      sku: { name: r.sku.name },
      ...(r.zones ? { zones: r.zones } : {}),
      properties: {
        provisioningState: store.provisioningState(r),
        resourceGuid: r.guid,
        idleTimeoutInMinutes: r.idleTimeoutInMinutes,
        publicIpAddresses: r.publicIpIds.map((id) => ({ id })),
        publicIpAddressesV6: r.publicIpV6Ids.map((id) => ({ id })),
        ...(r.serviceGatewayId ? { serviceGateway: { id: r.serviceGatewayId } } : {}),
      },
    };
  },

  checkDelete(store, r) {
    if (!store.options.strictReferences) return;
    const id = store.id('natGateways', r.name);
    const users = store.servicesUsingNatGateway(id);
    if (users.length > 0) {
      throw new ArmError(400, 'InUseNatGatewayCannotBeDeleted',
        `Nat Gateway ${id} is in use by service(s) ${users.join(', ')} of service gateway ${store.serviceGatewayId} and cannot be deleted.`);
    }
  },

  onDeleted() {},
};
