// Public IP addresses: validation, deterministic allocation, JSON shape, in-use rule.
import { z } from 'zod';
import { ArmError, badRequest, invalidFormat } from './armError.ts';
import { oneOf, parseBody, requireLocation, skuOf, skuShape, tagsShape, intInRange } from './requestBody.ts';
import type { ResourceKind } from './resourceKind.ts';
import type { NrpStore, PublicIp } from './store.ts';
import { trackedFields } from './store.ts';

const body = z.object({
  location: z.string().optional(),
  tags: tagsShape.optional(),
  sku: skuShape.optional(),
  zones: z.array(z.string()).optional(),
  properties: z.object({
    publicIPAllocationMethod: z.string().optional(),
    publicIPAddressVersion: z.string().optional(),
    idleTimeoutInMinutes: z.number().optional(),
    publicIPPrefix: z.object({ id: z.string() }).optional(),
  }).optional(),
});

export const publicIpAddresses: ResourceKind<PublicIp> = {
  type: 'publicIPAddresses',

  map: (store) => store.publicIps,

  build(store, name, raw, existing) {
    const b = parseBody(body, raw, `public IP address ${name}`);
    const p = b.properties ?? {};
    const sku = skuOf(b.sku, ['Basic', 'Standard', 'StandardV2'], 'Standard');
    const version = oneOf(p.publicIPAddressVersion ?? 'IPv4', ['IPv4', 'IPv6'], 'publicIPAddressVersion');
    const allocationMethod = oneOf(p.publicIPAllocationMethod ?? (sku.name === 'Basic' ? 'Dynamic' : 'Static'),
      ['Static', 'Dynamic'], 'publicIPAllocationMethod');
    if (sku.name !== 'Basic' && allocationMethod !== 'Static') {
      throw badRequest('StandardSkuPublicIPAddressesMustBeStatic',
        `Standard sku publicIp ${store.id('publicIPAddresses', name)} must have AllocationMethod set to Static.`);
    }
    if (p.publicIPPrefix !== undefined) throw invalidFormat('publicIPPrefix is not simulated.');
    if (existing && existing.version !== version) {
      throw invalidFormat(`publicIPAddressVersion of ${store.id('publicIPAddresses', name)} cannot be changed from ${existing.version} to ${version}.`);
    }
    if (existing && existing.sku.name !== sku.name) {
      throw invalidFormat(`sku of ${store.id('publicIPAddresses', name)} cannot be changed from ${existing.sku.name} to ${sku.name}.`);
    }
    return {
      ...trackedFields(store, existing, name, { location: requireLocation(b.location), tags: b.tags }),
      sku,
      allocationMethod,
      version,
      ipAddress: existing?.ipAddress ?? store.ips.allocate(name, version),
      idleTimeoutInMinutes: intInRange(p.idleTimeoutInMinutes, 4, 30, 4, 'idleTimeoutInMinutes'),
      zones: b.zones,
    };
  },

  durationMs: (store) => store.options.writeMs,

  render(store, r) {
    const id = store.id('publicIPAddresses', r.name);
    const users = store.publicIpUsers(id);
    const frontend = users.find((u) => u.includes('/frontendIPConfigurations/'));
    const nat = users.find((u) => u.toLowerCase().includes('/natgateways/'));
    return {
      id,
      name: r.name,
      type: 'Microsoft.Network/publicIPAddresses',
      location: r.location,
      ...(r.tags ? { tags: r.tags } : {}),
      etag: r.etag,
      sku: { name: r.sku.name, tier: r.sku.tier ?? 'Regional' },
      ...(r.zones ? { zones: r.zones } : {}),
      properties: {
        provisioningState: store.provisioningState(r),
        resourceGuid: r.guid,
        ipAddress: r.ipAddress,
        publicIPAddressVersion: r.version,
        publicIPAllocationMethod: r.allocationMethod,
        idleTimeoutInMinutes: r.idleTimeoutInMinutes,
        ipTags: [],
        ...(frontend ? { ipConfiguration: { id: frontend } } : {}),
        ...(nat ? { natGateway: { id: nat } } : {}),
      },
    };
  },

  checkDelete(store: NrpStore, r: PublicIp) {
    const id = store.id('publicIPAddresses', r.name);
    const users = store.publicIpUsers(id);
    if (users.length > 0) {
      throw new ArmError(409, 'PublicIPAddressInUse',
        `Public IP address ${id} can not be deleted since it is still allocated to resource ${users.join(', ')}. ` +
        'In order to delete the public IP, disassociate/detach the Public IP address from the resource.');
    }
  },

  onDeleted(store, r) {
    store.ips.release(r.ipAddress);
  },
};
