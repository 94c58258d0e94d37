// Shared helpers for the NRP simulator tests: the real NetworkManagementClient over plain http.
import assert from 'node:assert/strict';
import { NetworkManagementClient } from '@azure/arm-network';
import type { LoadBalancer, NatGateway, PublicIPAddress } from '@azure/arm-network';
import { startNrpSimulator } from '../../../local/sim/nrp/server.ts';
import type { NrpSimulator, NrpSimulatorOptions } from '../../../local/sim/nrp/server.ts';

export const SUB = '00000000-0000-0000-0000-0000000000aa';
export const RG = 'rg-sim';
export const REGION = 'eastus2';
export const API_VERSION = '2026-01-01';
/** Poll LROs quickly; the simulator sends no Retry-After on its status URLs by default. */
export const POLL = { updateIntervalInMs: 5 } as const;

// Types of the client's own dependencies, taken from the client (they are not direct dependencies here).
type TokenCredential = ConstructorParameters<typeof NetworkManagementClient>[0];
type PipelinePolicy = Parameters<NetworkManagementClient['pipeline']['addPolicy']>[0];
type AccessToken = NonNullable<Awaited<ReturnType<TokenCredential['getToken']>>>;

/** A TokenCredential that always returns the same token. */
export const fixedCredential: TokenCredential = {
  getToken: (): Promise<AccessToken> => Promise.resolve({ token: 'sim-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

export function startSim(options: Partial<NrpSimulatorOptions> = {}): Promise<NrpSimulator> {
  return startNrpSimulator({ subscriptionId: SUB, resourceGroup: RG, location: REGION, ...options });
}

/**
 * The real client against the simulator. The SDK's bearer-token policy refuses non-https URLs, so
 * it is swapped for one that sets the same header; `allowInsecureConnection` lets the http client
 * talk plain http. Retries are off unless asked for.
 */
export function newClient(sim: NrpSimulator, retry: { maxRetries: number; retryDelayInMs?: number } = { maxRetries: 0 }): NetworkManagementClient {
  const client = new NetworkManagementClient(fixedCredential, sim.subscriptionId, {
    endpoint: sim.baseUrl,
    allowInsecureConnection: true,
    retryOptions: { maxRetries: retry.maxRetries, retryDelayInMs: retry.retryDelayInMs ?? 10, maxRetryDelayInMs: 2000 },
  });
  client.pipeline.removePolicy({ name: 'bearerTokenAuthenticationPolicy' });
  const plainHttpBearer: PipelinePolicy = {
    name: 'plainHttpBearer',
    async sendRequest(request, next) {
      const token = await fixedCredential.getToken('https://management.azure.com/.default');
      request.headers.set('authorization', `Bearer ${token?.token ?? ''}`);
      return next(request);
    },
  };
  client.pipeline.addPolicy(plainHttpBearer);
  return client;
}

export interface RestFailure {
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
  readonly message: string;
  readonly headers: Headers | undefined;
  readonly name: string;
}

/** Awaits `p`, asserts it rejects, and returns what the SDK's error carries. */
export async function failureOf(p: Promise<unknown>): Promise<RestFailure> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
    const e = err as Error & { statusCode?: number; code?: string; response?: { headers?: { toJSON(): Record<string, string> } } };
    const raw = e.response?.headers?.toJSON();
    return { statusCode: e.statusCode, code: e.code, message: e.message, headers: raw ? new Headers(raw) : undefined, name: e.name };
  }
  return assert.fail('expected the call to fail');
}

/** Drains a paged iterator. */
export async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Resource builders (the shapes reference-engine §3 describes).

export function pipSpec(version: 'IPv4' | 'IPv6' = 'IPv4'): PublicIPAddress {
  return { location: REGION, sku: { name: 'StandardV2' }, publicIPAllocationMethod: 'Static', publicIPAddressVersion: version };
}

export function ids(sim: NrpSimulator): {
  pip(name: string): string; lb(name: string): string; pool(lb: string, pool?: string): string; nat(name: string): string;
} {
  const base = `/subscriptions/${sim.subscriptionId}/resourceGroups/${sim.resourceGroup}/providers/Microsoft.Network`;
  return {
    pip: (name) => `${base}/publicIPAddresses/${name}`,
    lb: (name) => `${base}/loadBalancers/${name}`,
    pool: (lb, pool = lb) => `${base}/loadBalancers/${lb}/backendAddressPools/${pool}`,
    nat: (name) => `${base}/natGateways/${name}`,
  };
}

export function lbSpec(sim: NrpSimulator, uid: string, ports: readonly { protocol: 'Tcp' | 'Udp'; port: number; backendPort: number }[], sku = 'Service'): LoadBalancer {
  const id = ids(sim);
  const lbId = id.lb(uid);
  return {
    location: REGION,
    sku: { name: sku },
    scope: 'Public',
    frontendIPConfigurations: [{ name: 'frontend', publicIPAddress: { id: id.pip(`${uid}-pip`) } }],
    backendAddressPools: [{ name: uid }],
    loadBalancingRules: ports.map((p) => ({
      name: `rule-${p.protocol.toLowerCase()}-${p.port}`,
      frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/frontend` },
      backendAddressPool: { id: id.pool(uid) },
      protocol: p.protocol,
      frontendPort: p.port,
      backendPort: p.backendPort,
      enableFloatingIP: false,
      enableTcpReset: p.protocol === 'Tcp',
      idleTimeoutInMinutes: 4,
    })),
  };
}

export function natSpec(sim: NrpSimulator, name: string, dualStack = false): NatGateway {
  const id = ids(sim);
  return {
    location: REGION,
    sku: { name: 'StandardV2' },
    serviceGateway: { id: sim.serviceGatewayId },
    publicIpAddresses: [{ id: id.pip(`${name}-pip`) }],
    ...(dualStack ? { publicIpAddressesV6: [{ id: id.pip(`${name}-pip-v6`) }] } : {}),
  };
}

/** PIP + LB for an inbound service, as the reference's create-inbound steps 2–3 do. */
export async function createInbound(client: NetworkManagementClient, sim: NrpSimulator, uid: string, port = 80): Promise<void> {
  await client.publicIPAddresses.createOrUpdate(RG, `${uid}-pip`, pipSpec(), POLL);
  await client.loadBalancers.createOrUpdate(RG, uid, lbSpec(sim, uid, [{ protocol: 'Tcp', port, backendPort: 8080 }]), POLL);
}

/** PIP(s) + NAT gateway for an outbound identity, as create-outbound steps 1–2 do. */
export async function createOutbound(client: NetworkManagementClient, sim: NrpSimulator, name: string, dualStack = false): Promise<void> {
  await client.publicIPAddresses.createOrUpdate(RG, `${name}-pip`, pipSpec(), POLL);
  if (dualStack) await client.publicIPAddresses.createOrUpdate(RG, `${name}-pip-v6`, pipSpec('IPv6'), POLL);
  await client.natGateways.createOrUpdate(RG, name, natSpec(sim, name, dualStack), POLL);
}

export function registerInbound(sim: NrpSimulator, uid: string): {
  action: 'PartialUpdate';
  serviceRequests: { isDelete: boolean; service: { name: string; serviceType: 'Inbound'; loadBalancerBackendPools: { id: string; name: string; virtualNetwork: { id: string } }[] } }[];
} {
  return {
    action: 'PartialUpdate',
    serviceRequests: [{
      isDelete: false,
      service: {
        name: uid,
        serviceType: 'Inbound',
        loadBalancerBackendPools: [{ id: ids(sim).pool(uid), name: uid, virtualNetwork: { id: sim.virtualNetworkId } }],
      },
    }],
  };
}

export function registerOutbound(sim: NrpSimulator, name: string): {
  action: 'PartialUpdate';
  serviceRequests: { isDelete: boolean; service: { name: string; serviceType: 'Outbound'; loadBalancerBackendPools: never[]; publicNatGatewayId: string } }[];
} {
  return {
    action: 'PartialUpdate',
    serviceRequests: [{ isDelete: false, service: { name, serviceType: 'Outbound', loadBalancerBackendPools: [], publicNatGatewayId: ids(sim).nat(name) } }],
  };
}

export function unregister(name: string, serviceType: 'Inbound' | 'Outbound'): {
  action: 'PartialUpdate'; serviceRequests: { isDelete: boolean; service: { name: string; serviceType: 'Inbound' | 'Outbound' } }[];
} {
  return { action: 'PartialUpdate', serviceRequests: [{ isDelete: true, service: { name, serviceType } }] };
}

/** A raw ARM request with plain fetch (bearer token included unless `auth` is false). */
export async function armFetch(sim: NrpSimulator, method: string, path: string, o: { body?: string; auth?: boolean; apiVersion?: string | null } = {}): Promise<{ status: number; headers: Headers; json: unknown }> {
  const v = o.apiVersion === undefined ? API_VERSION : o.apiVersion;
  const url = `${sim.baseUrl}${path}${v === null ? '' : `${path.includes('?') ? '&' : '?'}api-version=${v}`}`;
  const res = await fetch(url, {
    method,
    headers: { ...(o.auth === false ? {} : { authorization: 'Bearer sim-token' }), ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(o.body !== undefined ? { body: o.body } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text === '' ? undefined : JSON.parse(text) as unknown };
}
