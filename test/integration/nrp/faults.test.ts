// Fault injection, call counters, latency, throttling and the report-shaped snapshot of the NRP
// simulator, seen through the real client.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { NetworkManagementClient } from '@azure/arm-network';
import type { NrpSimulator } from '../../../local/sim/nrp/server.ts';
import {
  POLL, RG, createInbound, createOutbound, failureOf, ids, newClient, pipSpec, registerInbound, registerOutbound, startSim,
} from './harness.ts';

const SG = 'servicegateway';
const UID = 'c0ffee00-0000-4000-8000-000000000001';

const emptySync = { action: 'PartialUpdate' as const, addressLocations: [] };

describe('NRP simulator: fault injection', () => {
  let sim: NrpSimulator;
  let client: NetworkManagementClient;

  before(async () => {
    sim = await startSim({ timeoutHoldMs: 300 });
    client = newClient(sim);
  });
  afterEach(() => sim.faults.clear());
  after(() => sim.stop());

  it('answers 429 with Retry-After and TooManyRequests; the client sees both, and throttled counts it', async () => {
    sim.faults.arm({ target: 'nrp', operation: 'updateAddressLocations', status: 429, retryAfterSeconds: 7, times: 1 });
    const f = await failureOf(client.serviceGateways.updateAddressLocations(RG, SG, emptySync));
    assert.equal(f.statusCode, 429);
    assert.equal(f.code, 'TooManyRequests');
    assert.equal(f.headers?.get('retry-after'), '7');
    assert.equal(sim.calls().throttled, 1);
    await client.serviceGateways.updateAddressLocations(RG, SG, emptySync);
    assert.equal(sim.calls().updateAddressLocations, 2, 'the failed call is counted too');
  });

  it('lets the client\'s own retry honour Retry-After (one retry after about a second)', async () => {
    const retrying = newClient(sim, { maxRetries: 1 });
    sim.faults.arm({ operation: 'updateServices', status: 429, retryAfterSeconds: 1, code: 'RetryableErrorDueToAnotherOperation' });
    const before = sim.calls().updateServices ?? 0;
    const t0 = Date.now();
    await createOutbound(client, sim, 'retry-a');
    await retrying.serviceGateways.updateServices(RG, SG, registerOutbound(sim, 'retry-a'));
    assert.ok(Date.now() - t0 >= 900, `waited ${Date.now() - t0} ms`);
    assert.equal((sim.calls().updateServices ?? 0) - before, 2);
  });

  it('fails `times` calls with 500 InternalServerError, then lets the next through', async () => {
    sim.faults.arm({ operation: 'publicIPAddresses.createOrUpdate', status: 500, times: 2 });
    for (let i = 0; i < 2; i++) {
      const f = await failureOf(client.publicIPAddresses.createOrUpdate(RG, 'five-pip', pipSpec(), POLL).pollUntilDone());
      assert.equal(f.statusCode, 500);
      assert.equal(f.code, 'InternalServerError');
    }
    assert.equal(sim.faults.pending().length, 0);
    await client.publicIPAddresses.createOrUpdate(RG, 'five-pip', pipSpec(), POLL);
  });

  it('uses the default codes 409 AnotherOperationInProgress and 503 ServiceUnavailable', async () => {
    await createInbound(client, sim, UID);
    sim.faults.arm({ operation: 'loadBalancers.delete', status: 409 });
    sim.faults.arm({ operation: 'loadBalancers.delete', status: 503, retryAfterSeconds: 2 });
    const a = await failureOf(client.loadBalancers.delete(RG, UID, POLL).pollUntilDone());
    assert.deepEqual([a.statusCode, a.code], [409, 'AnotherOperationInProgress']);
    const b = await failureOf(client.loadBalancers.delete(RG, UID, POLL).pollUntilDone());
    assert.deepEqual([b.statusCode, b.code, b.headers?.get('retry-after')], [503, 'ServiceUnavailable', '2']);
  });

  it('holds a "timeout" call past the client timeout; the client aborts and nothing is applied', async () => {
    sim.faults.arm({ operation: 'natGateways.createOrUpdate', status: 'timeout' });
    await client.publicIPAddresses.createOrUpdate(RG, 'slow-pip', pipSpec(), POLL);
    const spec = { location: 'eastus2', sku: { name: 'StandardV2' }, serviceGateway: { id: sim.serviceGatewayId }, publicIpAddresses: [{ id: ids(sim).pip('slow-pip') }] };
    const t0 = Date.now();
    const f = await failureOf(client.natGateways.createOrUpdate(RG, 'slow', spec, { ...POLL, requestOptions: { timeout: 100 } }).pollUntilDone());
    assert.ok(Date.now() - t0 < 300, 'the client gave up at its own timeout');
    assert.match(`${f.name} ${f.message}`, /abort/i);
    assert.equal(sim.snapshot().natGateways.some((n) => n.name === 'slow'), false);
  });

  it('closes a held call after timeoutHoldMs when the client waits longer; with applied: true the write happened', async () => {
    sim.faults.arm({ operation: 'natGateways.createOrUpdate', status: 'timeout', applied: true });
    const spec = { location: 'eastus2', sku: { name: 'StandardV2' }, serviceGateway: { id: sim.serviceGatewayId }, publicIpAddresses: [{ id: ids(sim).pip('slow-pip') }] };
    const t0 = Date.now();
    const f = await failureOf(client.natGateways.createOrUpdate(RG, 'slow', spec, POLL).pollUntilDone());
    assert.ok(Date.now() - t0 >= 250, 'held about timeoutHoldMs');
    assert.equal(f.name, 'RestError');
    assert.ok(sim.snapshot().natGateways.some((n) => n.name === 'slow'), 'outcome unknown to the caller, but applied');
  });

  it('matches `*` to every write but no read', async () => {
    sim.faults.arm({ operation: '*', status: 500, times: 2 });
    await client.publicIPAddresses.get(RG, 'slow-pip');
    assert.equal((await failureOf(client.serviceGateways.updateAddressLocations(RG, SG, emptySync))).statusCode, 500);
    assert.equal((await failureOf(client.publicIPAddresses.delete(RG, 'five-pip', POLL).pollUntilDone())).statusCode, 500);
    await client.publicIPAddresses.delete(RG, 'five-pip', POLL);
  });

  it('adds latency without failing when a fault has only latencyMs', async () => {
    sim.faults.arm({ operation: 'listServices', latencyMs: 150 });
    const t0 = Date.now();
    for await (const s of client.serviceGateways.listServices(RG, SG)) assert.ok(s.name);
    assert.ok(Date.now() - t0 >= 140);
  });

  it('refuses malformed faults', () => {
    assert.throws(() => sim.faults.arm({ operation: 'updateServices', status: 200 }), /status/);
    assert.throws(() => sim.faults.arm({ operation: 'updateServices', status: 429, retryAfterSeconds: 0.5 }), /retryAfterSeconds/);
    assert.throws(() => sim.faults.arm({ operation: '', status: 500 }), /operation/);
  });
});

describe('NRP simulator: counters, latency, throttling and snapshot', () => {
  let sim: NrpSimulator;
  let client: NetworkManagementClient;

  afterEach(() => sim.stop());

  it('counts every write by operation name (zero-filled), reads only on request', async () => {
    sim = await startSim();
    client = newClient(sim);
    await createInbound(client, sim, UID);
    await client.serviceGateways.updateServices(RG, SG, registerInbound(sim, UID));
    await failureOf(client.serviceGateways.updateServices(RG, SG, registerInbound(sim, 'missing')));
    assert.deepEqual(sim.calls(), {
      'publicIPAddresses.createOrUpdate': 1,
      'publicIPAddresses.delete': 0,
      'loadBalancers.createOrUpdate': 1,
      'loadBalancers.delete': 0,
      'natGateways.createOrUpdate': 0,
      'natGateways.delete': 0,
      updateServices: 2,
      updateAddressLocations: 0,
      throttled: 0,
    });
    const all = sim.calls({ includeReads: true });
    assert.equal(all['operations.get'], 2, 'one status poll per PUT');
    assert.equal(all['publicIPAddresses.get'], 1, 'the final GET of the PIP PUT');
    sim.resetCalls();
    assert.equal(sim.calls().updateServices, 0);
  });

  it('keeps a PUT InProgress for latency.writeMs / lbCreateMs (provisioningState Updating meanwhile)', async () => {
    sim = await startSim({ latency: { writeMs: 30, lbCreateMs: 120 } });
    client = newClient(sim);
    const t0 = Date.now();
    await createInbound(client, sim, UID);
    assert.ok(Date.now() - t0 >= 140, `took ${Date.now() - t0} ms`);
    assert.ok((sim.calls({ includeReads: true })['operations.get'] ?? 0) > 2, 'the client polled while the operations ran');
    const lb = await client.loadBalancers.get(RG, UID);
    assert.equal(lb.provisioningState, 'Succeeded');
  });

  it('delays the synchronous 200 POSTs by latency.writeMs', async () => {
    sim = await startSim({ latency: { writeMs: 120 } });
    client = newClient(sim);
    const t0 = Date.now();
    await client.serviceGateways.updateAddressLocations(RG, SG, emptySync);
    assert.ok(Date.now() - t0 >= 110);
  });

  it('throttles writes with an ARM token bucket when configured (429 SubscriptionRequestsThrottled + Retry-After)', async () => {
    sim = await startSim({ throttle: { writes: { burst: 2, refillPerSecond: 0.5 } } });
    client = newClient(sim);
    await client.serviceGateways.updateAddressLocations(RG, SG, emptySync);
    await client.serviceGateways.updateAddressLocations(RG, SG, emptySync);
    const f = await failureOf(client.serviceGateways.updateAddressLocations(RG, SG, emptySync));
    assert.equal(f.statusCode, 429);
    assert.equal(f.code, 'SubscriptionRequestsThrottled');
    assert.equal(f.headers?.get('retry-after'), '2');
    assert.equal(sim.calls().throttled, 1);
    await client.serviceGateways.listServices(RG, SG).next();
  });

  it('allocates the same addresses by name whatever the creation order (ipAllocation byName)', async () => {
    const addresses: string[][] = [];
    for (const order of [['x-pip', 'y-pip'], ['y-pip', 'x-pip']]) {
      sim = await startSim({ ipAllocation: 'byName' });
      client = newClient(sim);
      for (const name of order) await client.publicIPAddresses.createOrUpdate(RG, name, pipSpec(), POLL);
      addresses.push(sim.snapshot().publicIPs.map((p) => p.ipAddress));
      if (addresses.length === 1) await sim.stop();
    }
    assert.deepEqual(addresses[0], addresses[1]);
    assert.notEqual(addresses[0]?.[0], addresses[0]?.[1]);
  });

  it('reports the report-shaped, sorted NRP state', async () => {
    sim = await startSim();
    client = newClient(sim);
    const web = 'f0000000-0000-4000-8000-000000000002';
    await createInbound(client, sim, web, 80);
    await client.loadBalancers.createOrUpdate(RG, web, {
      location: 'eastus2', sku: { name: 'Service' },
      frontendIPConfigurations: [{ name: 'frontend', publicIPAddress: { id: ids(sim).pip(`${web}-pip`) } }],
      backendAddressPools: [{ name: web }],
      loadBalancingRules: [
        { name: 'rule-udp-53', protocol: 'Udp', frontendPort: 53, backendPort: 5353, frontendIPConfiguration: { id: `${ids(sim).lb(web)}/frontendIPConfigurations/frontend` }, backendAddressPool: { id: ids(sim).pool(web) } },
        { name: 'rule-tcp-80', protocol: 'Tcp', frontendPort: 80, backendPort: 8080, frontendIPConfiguration: { id: `${ids(sim).lb(web)}/frontendIPConfigurations/frontend` }, backendAddressPool: { id: ids(sim).pool(web) } },
      ],
    }, POLL);
    await createOutbound(client, sim, 'team-a', true);
    await client.serviceGateways.updateServices(RG, SG, registerOutbound(sim, 'team-a'));
    await client.serviceGateways.updateServices(RG, SG, registerInbound(sim, web));
    await client.serviceGateways.updateAddressLocations(RG, SG, {
      action: 'PartialUpdate',
      addressLocations: [
        { addressLocation: '10.0.0.5', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.1.9', services: [web] }] },
        { addressLocation: '10.0.0.4', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.0.7', services: ['team-a', web] }, { address: '10.244.0.10', services: [web] }] },
      ],
    });
    assert.deepEqual(sim.snapshot(), {
      services: [
        { name: web, type: 'Inbound', backendPoolIds: [ids(sim).pool(web)], natGatewayId: null },
        { name: 'team-a', type: 'Outbound', backendPoolIds: [], natGatewayId: ids(sim).nat('team-a') },
      ],
      loadBalancers: [{ name: web, rules: [{ protocol: 'Tcp', frontendPort: 80, backendPort: 8080 }, { protocol: 'Udp', frontendPort: 53, backendPort: 5353 }] }],
      publicIPs: [
        { name: `${web}-pip`, ipAddress: '20.0.0.1', version: 'IPv4' },
        { name: 'team-a-pip', ipAddress: '20.0.0.2', version: 'IPv4' },
        { name: 'team-a-pip-v6', ipAddress: '2001:db8::1', version: 'IPv6' },
      ],
      natGateways: [{ name: 'team-a', publicIPs: ['team-a-pip', 'team-a-pip-v6'] }],
      locations: [
        { location: '10.0.0.4', addresses: [{ address: '10.244.0.10', services: [web] }, { address: '10.244.0.7', services: ['team-a', web].sort() }] },
        { location: '10.0.0.5', addresses: [{ address: '10.244.1.9', services: [web] }] },
      ],
    });
  });
});
