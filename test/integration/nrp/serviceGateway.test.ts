// The Service Gateway API of the NRP simulator (reference-engine §4–§5) with the real client:
// updateServices / updateAddressLocations, their NRP rules, the paged GETs, and the 200 quirk.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { NetworkManagementClient, ServiceGatewayUpdateAddressLocationsRequest } from '@azure/arm-network';
import type { NrpSimulator } from '../../../local/sim/nrp/server.ts';
import {
  RG, all, armFetch, createInbound, createOutbound, failureOf, ids, newClient, registerInbound, registerOutbound, startSim, unregister,
} from './harness.ts';

const SG = 'servicegateway';
const WEB = 'a3f0c2d4-0000-4000-8000-00000000000a';
const API = 'b7e1d9aa-0000-4000-8000-00000000000b';

function locations(...locs: { location: string; action?: 'FullUpdate' | 'PartialUpdate'; addresses?: Record<string, string[]> }[]): ServiceGatewayUpdateAddressLocationsRequest {
  return {
    action: 'PartialUpdate',
    addressLocations: locs.map((l) => ({
      addressLocation: l.location,
      addressUpdateAction: l.action ?? 'PartialUpdate',
      addresses: Object.entries(l.addresses ?? {}).map(([address, services]) => ({ address, services })),
    })),
  };
}

describe('NRP simulator: service gateway with the real client (syncPostStatus 200)', () => {
  let sim: NrpSimulator;
  let client: NetworkManagementClient;

  before(async () => {
    sim = await startSim({ pageSize: 2 });
    client = newClient(sim);
    await createInbound(client, sim, WEB);
    await createInbound(client, sim, API, 443);
    await createOutbound(client, sim, 'team-a', true);
    await createOutbound(client, sim, 'team-b');
  });
  after(() => sim.stop());

  it('registers an inbound service: NRP answers 200 and SDK 39 (which expects 200) resolves with the body', async () => {
    const result = await client.serviceGateways.updateServices(RG, SG, registerInbound(sim, WEB));
    assert.deepEqual(result, { status: 'Succeeded' });
    const web = sim.snapshot().services.find((s) => s.name === WEB);
    assert.deepEqual(web, { name: WEB, type: 'Inbound', backendPoolIds: [ids(sim).pool(WEB)], natGatewayId: null });
  });

  it('registers outbound services with publicNatGatewayId and an empty pool list', async () => {
    await client.serviceGateways.updateServices(RG, SG, registerOutbound(sim, 'team-a'));
    await client.serviceGateways.updateServices(RG, SG, registerOutbound(sim, 'team-b'));
    await client.serviceGateways.updateServices(RG, SG, registerInbound(sim, API));
    assert.deepEqual(sim.snapshot().services.find((s) => s.name === 'team-a'),
      { name: 'team-a', type: 'Outbound', backendPoolIds: [], natGatewayId: ids(sim).nat('team-a') });
  });

  it('lists services across pages, the NRP-owned default-natgw included (the snapshot leaves it out)', async () => {
    const services = await all(client.serviceGateways.listServices(RG, SG));
    assert.deepEqual(services.map((s) => s.name), [API, WEB, 'default-natgw', 'team-a', 'team-b'].sort());
    const def = services.find((s) => s.name === 'default-natgw');
    assert.equal(def?.isDefault, true);
    const web = services.find((s) => s.name === WEB);
    assert.equal(web?.serviceType, 'Inbound');
    assert.deepEqual(web?.loadBalancerBackendPools?.map((p) => [p.id, p.name, p.virtualNetwork?.id]), [[ids(sim).pool(WEB), WEB, sim.virtualNetworkId]]);
    assert.equal(sim.calls({ includeReads: true }).listServices, 3, 'five services in pages of two');
    assert.equal(sim.snapshot().services.some((s) => s.name === 'default-natgw'), false);
  });

  it('serves nextLink as an absolute URL with the api-version', async () => {
    const path = `/subscriptions/${sim.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/serviceGateways/${SG}/services`;
    const page = await armFetch(sim, 'GET', path);
    const body = page.json as { value: unknown[]; nextLink: string };
    assert.equal(body.value.length, 2);
    assert.ok(body.nextLink.startsWith(`${sim.baseUrl}${path}?api-version=2026-01-01&`), body.nextLink);
  });

  it('adds addresses to a new location (FullUpdate) and merges more into it (PartialUpdate)', async () => {
    await client.serviceGateways.updateAddressLocations(RG, SG, locations(
      { location: '10.0.0.4', action: 'FullUpdate', addresses: { '10.244.0.7': [WEB, 'team-a'] } },
      { location: 'FD00::5', action: 'FullUpdate', addresses: { 'fd00:0:0:0:0:0:0:7': ['team-a'] } },
    ));
    await client.serviceGateways.updateAddressLocations(RG, SG, locations({ location: '10.0.0.4', addresses: { '10.244.0.8': [WEB] } }));
    assert.deepEqual(sim.snapshot().locations, [
      { location: '10.0.0.4', addresses: [{ address: '10.244.0.7', services: [WEB, 'team-a'].sort() }, { address: '10.244.0.8', services: [WEB] }] },
      { location: 'fd00::5', addresses: [{ address: 'fd00::7', services: ['team-a'] }] },
    ]);
  });

  it('replaces an address\'s services, and deletes an address sent with no services', async () => {
    await client.serviceGateways.updateAddressLocations(RG, SG, locations({ location: '10.0.0.4', addresses: { '10.244.0.7': [API], '10.244.0.8': [] } }));
    assert.deepEqual(sim.snapshot().locations[0], { location: '10.0.0.4', addresses: [{ address: '10.244.0.7', services: [API] }] });
  });

  it('replaces a location\'s whole address set with a location-level FullUpdate', async () => {
    await client.serviceGateways.updateAddressLocations(RG, SG, locations({ location: '10.0.0.4', action: 'FullUpdate', addresses: { '10.244.0.9': [WEB] } }));
    assert.deepEqual(sim.snapshot().locations[0], { location: '10.0.0.4', addresses: [{ address: '10.244.0.9', services: [WEB] }] });
  });

  it('deletes a location sent as PartialUpdate with an empty address list', async () => {
    await client.serviceGateways.updateAddressLocations(RG, SG, locations({ location: '10.0.0.5', action: 'FullUpdate', addresses: { '10.244.1.2': [WEB] } }));
    await client.serviceGateways.updateAddressLocations(RG, SG, locations({ location: '10.0.0.5', addresses: {} }));
    assert.deepEqual(sim.snapshot().locations.map((l) => l.location), ['10.0.0.4', 'fd00::5']);
  });

  it('lists address locations across pages', async () => {
    for (const n of [6, 7, 8]) {
      await client.serviceGateways.updateAddressLocations(RG, SG, locations({ location: `10.0.0.${n}`, action: 'FullUpdate', addresses: { [`10.244.${n}.1`]: ['team-b'] } }));
    }
    const before = sim.calls({ includeReads: true }).listAddressLocations ?? 0;
    const listed = await all(client.serviceGateways.listAddressLocations(RG, SG));
    assert.deepEqual(listed.map((l) => l.addressLocation), ['10.0.0.4', '10.0.0.6', '10.0.0.7', '10.0.0.8', 'fd00::5']);
    assert.deepEqual(listed[1]?.addresses, [{ address: '10.244.6.1', services: ['team-b'] }]);
    assert.equal((sim.calls({ includeReads: true }).listAddressLocations ?? 0) - before, 3);
  });

  it('refuses a location given twice in one request with DuplicateLocationsInRequest (canonical IPs compared)', async () => {
    const f = await failureOf(client.serviceGateways.updateAddressLocations(RG, SG, locations(
      { location: 'fd00::5', addresses: { 'fd00::8': ['team-a'] } },
      { location: 'FD00:0::5', addresses: { 'fd00::9': ['team-a'] } },
    )));
    assert.equal(f.statusCode, 400);
    assert.equal(f.code, 'DuplicateLocationsInRequest');
  });

  it('refuses an address of the other IP family than its location', async () => {
    const f = await failureOf(client.serviceGateways.updateAddressLocations(RG, SG, locations({ location: '10.0.0.4', addresses: { 'fd00::7': ['team-a'] } })));
    assert.equal(f.statusCode, 400);
    assert.equal(f.code, 'InvalidRequestFormat');
    assert.match(f.message, /same IP family/);
  });

  it('refuses an address that references an unregistered service, and applies nothing of that request', async () => {
    const before = sim.snapshot().locations;
    const f = await failureOf(client.serviceGateways.updateAddressLocations(RG, SG, locations(
      { location: '10.0.0.9', action: 'FullUpdate', addresses: { '10.244.9.1': [WEB] } },
      { location: '10.0.0.4', addresses: { '10.244.0.9': ['not-registered'] } },
    )));
    assert.equal(f.statusCode, 400);
    assert.equal(f.code, 'InvalidRequestFormat');
    assert.match(f.message, /not-registered/);
    assert.deepEqual(sim.snapshot().locations, before);
  });

  it('refuses unregistering a service that addresses still reference (ServiceWithOverlayMappingsCannotBeDeleted), then allows it once drained', async () => {
    const f = await failureOf(client.serviceGateways.updateServices(RG, SG, unregister('team-b', 'Outbound')));
    assert.equal(f.statusCode, 400);
    assert.equal(f.code, 'ServiceWithOverlayMappingsCannotBeDeleted');
    await client.serviceGateways.updateAddressLocations(RG, SG, locations(
      { location: '10.0.0.6', addresses: {} }, { location: '10.0.0.7', addresses: {} }, { location: '10.0.0.8', addresses: {} },
    ));
    await client.serviceGateways.updateServices(RG, SG, unregister('team-b', 'Outbound'));
    assert.equal(sim.snapshot().services.some((s) => s.name === 'team-b'), false);
  });

  it('refuses a backend pool or NAT gateway id that does not exist with InvalidResourceReference', async () => {
    const pool = registerInbound(sim, 'missing-lb');
    const f1 = await failureOf(client.serviceGateways.updateServices(RG, SG, pool));
    assert.equal(f1.code, 'InvalidResourceReference');
    const nat = registerOutbound(sim, 'missing-nat');
    const f2 = await failureOf(client.serviceGateways.updateServices(RG, SG, nat));
    assert.equal(f2.code, 'InvalidResourceReference');
    const wrongPool = registerInbound(sim, WEB);
    const req = wrongPool.serviceRequests[0];
    assert.ok(req);
    req.service.loadBalancerBackendPools = [{ id: ids(sim).pool(WEB, 'other-pool'), name: 'other-pool', virtualNetwork: { id: sim.virtualNetworkId } }];
    assert.equal((await failureOf(client.serviceGateways.updateServices(RG, SG, wrongPool))).code, 'InvalidResourceReference');
  });

  it('refuses touching default-natgw (or asking for a second default) with MultipleDefaultServicesNotAllowedInServiceGateway', async () => {
    const f1 = await failureOf(client.serviceGateways.updateServices(RG, SG, unregister('default-natgw', 'Outbound')));
    assert.equal(f1.code, 'MultipleDefaultServicesNotAllowedInServiceGateway');
    const f2 = await failureOf(client.serviceGateways.updateServices(RG, SG, {
      action: 'PartialUpdate', serviceRequests: [{ service: { name: 'mine', serviceType: 'Outbound', isDefault: true, publicNatGatewayId: ids(sim).nat('team-a') } }],
    }));
    assert.equal(f2.code, 'MultipleDefaultServicesNotAllowedInServiceGateway');
    const f3 = await failureOf(client.serviceGateways.updateAddressLocations(RG, SG, locations({ location: '10.0.0.4', addresses: { '10.244.0.9': ['default-natgw'] } })));
    assert.equal(f3.code, 'MultipleDefaultServicesNotAllowedInServiceGateway');
  });

  it('clears a backend pool reference (empty list) and a NAT gateway reference (explicit null) with PartialUpdate', async () => {
    await client.serviceGateways.updateServices(RG, SG, {
      action: 'PartialUpdate', serviceRequests: [{ isDelete: false, service: { name: WEB, serviceType: 'Inbound', loadBalancerBackendPools: [] } }],
    });
    await client.serviceGateways.updateServices(RG, SG, {
      action: 'PartialUpdate', serviceRequests: [{ isDelete: false, service: { name: 'team-a', serviceType: 'Outbound', publicNatGatewayId: null as unknown as string } }],
    });
    const snap = sim.snapshot().services;
    assert.deepEqual(snap.find((s) => s.name === WEB)?.backendPoolIds, []);
    assert.equal(snap.find((s) => s.name === 'team-a')?.natGatewayId, null);
    // with no references left, the load balancer and the NAT gateway may go
    await client.loadBalancers.delete(RG, WEB, { updateIntervalInMs: 5 });
    await client.natGateways.delete(RG, 'team-a', { updateIntervalInMs: 5 });
  });

  it('refuses deleting a load balancer or NAT gateway a registered service still references', async () => {
    const lb = await failureOf(client.loadBalancers.delete(RG, API, { updateIntervalInMs: 5 }).pollUntilDone());
    assert.equal(lb.statusCode, 400);
    assert.equal(lb.code, 'InUseBackendAddressPoolCannotBeDeleted');
    await createOutbound(client, sim, 'team-c');
    await client.serviceGateways.updateServices(RG, SG, registerOutbound(sim, 'team-c'));
    const nat = await failureOf(client.natGateways.delete(RG, 'team-c', { updateIntervalInMs: 5 }).pollUntilDone());
    assert.equal(nat.code, 'InUseNatGatewayCannotBeDeleted');
  });

  it('replaces every address location with a top-level FullUpdate', async () => {
    await client.serviceGateways.updateAddressLocations(RG, SG, {
      action: 'FullUpdate',
      addressLocations: [{ addressLocation: '10.0.0.10', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.10.1', services: [API] }] }],
    });
    assert.deepEqual(sim.snapshot().locations, [{ location: '10.0.0.10', addresses: [{ address: '10.244.10.1', services: [API] }] }]);
  });
});

describe('NRP simulator: service gateway POSTs answering 202 (syncPostStatus 202)', () => {
  let sim: NrpSimulator;
  let client: NetworkManagementClient;

  beforeEach(async () => {
    await sim?.stop();
    sim = await startSim({ syncPostStatus: 202 });
    client = newClient(sim);
    await createInbound(client, sim, WEB);
  });
  after(() => sim.stop());

  it('SDK 39 rejects the 202 as an unexpected status, although the change is applied and the operation succeeds', async () => {
    const f = await failureOf(client.serviceGateways.updateServices(RG, SG, registerInbound(sim, WEB)));
    assert.equal(f.name, 'RestError');
    assert.equal(f.statusCode, 202);
    assert.match(f.message, /Unexpected status code: 202/);
    const asyncUrl = f.headers?.get('azure-asyncoperation');
    const location = f.headers?.get('location');
    assert.ok(asyncUrl && location, 'both polling headers are on the 202');
    const status = await fetch(asyncUrl, { headers: { authorization: 'Bearer t' } });
    assert.deepEqual(((await status.json()) as { status: string }).status, 'Succeeded');
    const result = await fetch(location, { headers: { authorization: 'Bearer t' } });
    assert.equal(result.status, 200);
    assert.equal(sim.snapshot().services.length, 1);
  });

  it('keeps the operation InProgress for latency.writeMs, then Succeeded', async () => {
    await sim.stop();
    let now = 1_000_000;
    sim = await startSim({ syncPostStatus: 202, latency: { writeMs: 5000 }, clock: { now: () => now } });
    const path = `/subscriptions/${sim.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/serviceGateways/${SG}/updateAddressLocations`;
    const r = await armFetch(sim, 'POST', path, { body: JSON.stringify({ action: 'PartialUpdate', addressLocations: [] }) });
    assert.equal(r.status, 202);
    const url = r.headers.get('azure-asyncoperation') ?? '';
    const poll = async (): Promise<unknown> => ((await (await fetch(url, { headers: { authorization: 'Bearer t' } })).json()) as { status: string }).status;
    assert.equal(await poll(), 'InProgress');
    const loc = await fetch(r.headers.get('location') ?? '', { headers: { authorization: 'Bearer t' } });
    assert.equal(loc.status, 202);
    now += 5000;
    assert.equal(await poll(), 'Succeeded');
  });
});
