// Service Gateway semantics: updateServices and updateAddressLocations (validated as a whole, then
// applied atomically), and the services / addressLocations views. Reference engine §4–§5.
import { z } from 'zod';
import { badRequest, invalidFormat } from './armError.ts';
import type { ArmError } from './armError.ts';
import { canonicalIp, sameId } from './ids.ts';
import { checkVirtualNetwork, resolveBackendPool, resolveNatGateway } from './references.ts';
import { oneOf, parseBody, subResource } from './requestBody.ts';
import { DEFAULT_SERVICE_NAME } from './store.ts';
import type { AddressLocations, NrpStore, PoolRef, SgService } from './store.ts';
import type { NrpServiceType } from './types.ts';

const ACTIONS = ['FullUpdate', 'PartialUpdate'] as const;
const SERVICE_TYPES: readonly NrpServiceType[] = ['Inbound', 'Outbound', 'InboundOutbound'];

const updateServicesBody = z.object({
  action: z.string(),
  serviceRequests: z.array(z.object({
    isDelete: z.boolean().nullable().optional(),
    service: z.object({
      name: z.string().min(1),
      properties: z.object({
        serviceType: z.string().optional(),
        isDefault: z.boolean().nullable().optional(),
        loadBalancerBackendPools: z.array(z.object({
          id: z.string(),
          name: z.string().optional(),
          properties: z.object({ virtualNetwork: subResource.optional() }).optional(),
        })).nullable().optional(),
        publicNatGatewayId: z.string().nullable().optional(),
      }).optional(),
    }),
  })).nullable().optional(),
});

const updateAddressLocationsBody = z.object({
  action: z.string(),
  addressLocations: z.array(z.object({
    addressLocation: z.string(),
    addressUpdateAction: z.string().optional(),
    addresses: z.array(z.object({
      address: z.string(),
      services: z.array(z.string()).nullable().optional(),
    })).nullable().optional(),
  })).nullable().optional(),
});

function multipleDefaults(store: NrpStore): ArmError {
  return badRequest('MultipleDefaultServicesNotAllowedInServiceGateway',
    `Service gateway ${store.serviceGatewayId} already has a default service ('${DEFAULT_SERVICE_NAME}'); ` +
    'only one default service is allowed and it is managed by the resource provider.');
}

function isDefaultName(name: string): boolean {
  return name.toLowerCase() === DEFAULT_SERVICE_NAME;
}

/** POST …/updateServices. Throws ArmError; on success every change is applied. */
export function updateServices(store: NrpStore, raw: unknown): void {
  const b = parseBody(updateServicesBody, raw, 'updateServices');
  const action = oneOf(b.action, ACTIONS, 'action');
  const requests = b.serviceRequests ?? [];
  const next = new Map(store.services);
  const removed = new Set<string>();
  const seen = new Set<string>();

  if (action === 'FullUpdate') {
    const listed = new Set(requests.map((r) => r.service.name.toLowerCase()));
    for (const [key, s] of store.services) {
      if (!s.isDefault && !listed.has(key)) {
        next.delete(key);
        removed.add(key);
      }
    }
  }

  for (const req of requests) {
    const { name } = req.service;
    const key = name.toLowerCase();
    const props = req.service.properties ?? {};
    if (isDefaultName(name) || props.isDefault === true) throw multipleDefaults(store);
    if (seen.has(key)) throw invalidFormat(`Service '${name}' appears twice in the request.`);
    seen.add(key);

    if (req.isDelete === true) {
      if (next.delete(key)) removed.add(key);
      continue;
    }
    removed.delete(key);
    // PartialUpdate merges into the existing service (a field that is present, even null or [], replaces);
    // FullUpdate takes the service as given.
    const base = action === 'PartialUpdate' ? store.services.get(key) : undefined;
    const typeText = props.serviceType ?? base?.type;
    if (typeText === undefined) throw invalidFormat(`Service '${name}': serviceType is required.`);
    const type = oneOf(typeText, SERVICE_TYPES, `service '${name}' serviceType`);
    const poolsIn = props.loadBalancerBackendPools === undefined ? undefined : (props.loadBalancerBackendPools ?? []);
    const pools: readonly PoolRef[] = poolsIn === undefined
      ? base?.pools ?? []
      : poolsIn.map((p): PoolRef => {
        const { lb, pool } = resolveBackendPool(store, p.id, store.serviceGatewayId);
        const vnet = p.properties?.virtualNetwork?.id;
        if (vnet !== undefined) checkVirtualNetwork(store, vnet, store.serviceGatewayId);
        return {
          id: `${store.id('loadBalancers', lb.name)}/backendAddressPools/${pool.name}`,
          name: p.name ?? pool.name,
          virtualNetworkId: vnet === undefined ? undefined : store.virtualNetworkId,
        };
      });
    const natIn = props.publicNatGatewayId;
    let natGatewayId = natIn === undefined ? base?.natGatewayId ?? null : natIn;
    if (natGatewayId !== null) {
      const nat = resolveNatGateway(store, natGatewayId, store.serviceGatewayId);
      natGatewayId = store.id('natGateways', nat.name);
    }
    if (type === 'Inbound' && natGatewayId !== null) {
      throw invalidFormat(`Service '${name}' is of type Inbound and cannot have a publicNatGatewayId.`);
    }
    if (type === 'Outbound' && pools.length > 0) {
      throw invalidFormat(`Service '${name}' is of type Outbound and cannot have loadBalancerBackendPools.`);
    }
    next.set(key, { name: base?.name ?? store.services.get(key)?.name ?? name, type, isDefault: false, pools, natGatewayId });
  }

  for (const key of removed) {
    const name = store.services.get(key)?.name ?? key;
    if (store.serviceHasAddresses(name)) {
      throw badRequest('ServiceWithOverlayMappingsCannotBeDeleted',
        `Service '${name}' of service gateway ${store.serviceGatewayId} cannot be deleted because address locations still map addresses to it.`);
    }
  }
  store.services = next;
}

/** POST …/updateAddressLocations. Throws ArmError; on success every change is applied. */
export function updateAddressLocations(store: NrpStore, raw: unknown): void {
  const b = parseBody(updateAddressLocationsBody, raw, 'updateAddressLocations');
  const action = oneOf(b.action, ACTIONS, 'action');
  const next: AddressLocations = action === 'FullUpdate' ? new Map<string, Map<string, ReadonlySet<string>>>() : new Map(store.locations);
  const seenLocations = new Set<string>();

  for (const loc of b.addressLocations ?? []) {
    const where = canonicalIp(loc.addressLocation);
    if (!where) throw invalidFormat(`addressLocation '${loc.addressLocation}' is not an IP address.`);
    if (seenLocations.has(where.ip)) {
      throw badRequest('DuplicateLocationsInRequest', `Address location '${loc.addressLocation}' appears more than once in the request.`);
    }
    seenLocations.add(where.ip);
    const locAction = oneOf(loc.addressUpdateAction ?? 'PartialUpdate', ACTIONS, `addressUpdateAction of ${where.ip}`);
    const addresses = loc.addresses ?? [];

    const parsed: { ip: string; services: string[] }[] = [];
    const seenAddresses = new Set<string>();
    for (const a of addresses) {
      const addr = canonicalIp(a.address);
      if (!addr) throw invalidFormat(`Address '${a.address}' in location ${where.ip} is not an IP address.`);
      if (addr.version !== where.version) {
        throw invalidFormat(`Address ${addr.ip} is ${addr.version} but its location ${where.ip} is ${where.version}; an address must sit under a location of the same IP family.`);
      }
      if (seenAddresses.has(addr.ip)) throw invalidFormat(`Address ${addr.ip} appears twice in location ${where.ip}.`);
      seenAddresses.add(addr.ip);
      parsed.push({ ip: addr.ip, services: resolveServices(store, a.services ?? [], addr.ip) });
    }

    // "Location-level partial update with no address deletes it" (the SDK's contract); nothing
    // else does: a location whose addresses are all removed, or replaced by none, stays, empty.
    if (locAction === 'PartialUpdate' && parsed.length === 0) {
      next.delete(where.ip);
      continue;
    }
    const map = locAction === 'FullUpdate' ? new Map<string, ReadonlySet<string>>() : new Map(next.get(where.ip) ?? []);
    for (const a of parsed) {
      if (a.services.length === 0) map.delete(a.ip);
      else map.set(a.ip, new Set(a.services));
    }
    next.set(where.ip, map);
  }
  store.locations = next;
}

/** The registered spellings of `names`; unknown, default or two outbound services are refused. */
function resolveServices(store: NrpStore, names: readonly string[], address: string): string[] {
  const out = new Map<string, SgService>();
  for (const n of names) {
    if (isDefaultName(n)) throw multipleDefaults(store);
    const s = store.services.get(n.toLowerCase());
    if (!s) {
      throw invalidFormat(`Address ${address} references service '${n}', which is not registered in service gateway ${store.serviceGatewayId}.`);
    }
    out.set(n.toLowerCase(), s);
  }
  const outbound = [...out.values()].filter((s) => s.type === 'Outbound');
  if (outbound.length > 1) {
    throw invalidFormat(`Address ${address} references more than one outbound service (${outbound.map((s) => s.name).join(', ')}).`);
  }
  return [...out.values()].map((s) => s.name);
}

// ---------------------------------------------------------------------------------------------
// Views (GET).

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function servicesView(store: NrpStore): unknown[] {
  return [...store.services.values()]
    .sort((a, b) => byString(a.name, b.name))
    .map((s) => ({
      name: s.name,
      properties: {
        serviceType: s.type,
        isDefault: s.isDefault,
        loadBalancerBackendPools: s.pools.map((p) => ({
          id: p.id,
          name: p.name,
          ...(p.virtualNetworkId ? { properties: { virtualNetwork: { id: p.virtualNetworkId } } } : {}),
        })),
        ...(s.natGatewayId ? { publicNatGatewayId: s.natGatewayId } : {}),
      },
    }));
}

export function addressLocationsView(store: NrpStore): unknown[] {
  return [...store.locations.entries()]
    .sort(([a], [b]) => byString(a, b))
    .map(([location, addresses]) => ({
      addressLocation: location,
      addresses: [...addresses.entries()]
        .sort(([a], [b]) => byString(a, b))
        .map(([address, services]) => ({ address, services: [...services].sort(byString) })),
    }));
}

export function renderServiceGateway(store: NrpStore): unknown {
  return {
    id: store.serviceGatewayId,
    name: store.options.serviceGatewayName,
    type: 'Microsoft.Network/serviceGateways',
    location: store.options.location,
    etag: `W/"${store.serviceGatewayGuid}"`,
    sku: { name: 'Standard', tier: 'Regional' },
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: store.serviceGatewayGuid,
      virtualNetwork: { id: store.virtualNetworkId },
    },
  };
}

export function renderVirtualNetwork(store: NrpStore): unknown {
  return {
    id: store.virtualNetworkId,
    name: store.options.vnetName,
    type: 'Microsoft.Network/virtualNetworks',
    location: store.options.location,
    etag: `W/"${store.virtualNetworkGuid}"`,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: store.virtualNetworkGuid,
      addressSpace: { addressPrefixes: ['10.0.0.0/8', 'fd00::/8'] },
      subnets: [],
    },
  };
}

/** True when `name` is the Service Gateway this simulator holds. */
export function isOurServiceGateway(store: NrpStore, name: string): boolean {
  return sameId(name, store.options.serviceGatewayName);
}

