// Contract tests: ArmNetworkProvider, through the real @azure/arm-network 39 client with a real
// ThrottleGate in its pipeline (in-memory store), against the NRP simulator. Each case starts its
// own simulator; `after` stops them all.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { isNetworkError } from '../../../shared/azure/networkProvider.ts';
import type { NetworkError } from '../../../shared/azure/networkProvider.ts';
import type { LocationsRequest, OperationOutcome } from '../../../shared/engine/types.ts';
import { all, RG } from '../nrp/harness.ts';
import { adapterOn, createOp, deleteOp, inboundConfig, outboundConfig, sentTo, startWorld, stopAll, updateOp } from './armNetworkHarness.ts';
import type { World } from './armNetworkHarness.ts';

after(stopAll);

const UID = '6f1c2d3e-0000-4000-8000-00000000000a';
const UID2 = '6f1c2d3e-0000-4000-8000-00000000000b';
const EGRESS = 'team-egress';
const HTTP_DNS = [
  { protocol: 'TCP', port: 80, backendPort: 8080 },
  { protocol: 'UDP', port: 53, backendPort: 5353 },
] as const;

function assertSuccess(outcome: OperationOutcome): string | null {
  if (outcome.result !== 'success') return assert.fail(`expected success, got ${outcome.code}: ${outcome.message}`);
  return outcome.publicIp;
}

function assertFailure(outcome: OperationOutcome): { terminal: boolean; code: string; message: string } {
  if (outcome.result !== 'failure') return assert.fail('expected a failure outcome');
  return outcome;
}

async function networkErrorOf(p: Promise<unknown>): Promise<NetworkError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isNetworkError(e), `expected a NetworkError, got ${String(e)}`);
    return e;
  }
  return assert.fail('expected a NetworkError');
}

function arm(w: World): { pip(n: string): string; lb(n: string): string; pool(n: string): string; nat(n: string): string } {
  const base = `/subscriptions/${w.sim.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network`;
  return {
    pip: (n) => `${base}/publicIPAddresses/${n}`,
    lb: (n) => `${base}/loadBalancers/${n}`,
    pool: (n) => `${base}/loadBalancers/${n}/backendAddressPools/${n}`,
    nat: (n) => `${base}/natGateways/${n}`,
  };
}

function emptySnapshot(w: World): void {
  assert.deepEqual(w.sim.snapshot(), { services: [], loadBalancers: [], publicIPs: [], natGateways: [], locations: [] });
}

async function createInbound(w: World, uid = UID): Promise<string> {
  const ip = assertSuccess(await w.provider.executeServiceOperation(createOp(inboundConfig(uid, HTTP_DNS, { idleTimeoutMinutes: 7 }))));
  assert.ok(ip !== null);
  return ip;
}

function locations(uid: string, addresses: readonly string[]): LocationsRequest {
  return {
    action: 'PartialUpdate',
    addressLocations: [{ addressLocation: '10.224.0.4', addressUpdateAction: 'FullUpdate', addresses: addresses.map((a) => ({ address: a, services: [uid] })) }],
  };
}

describe('ArmNetworkProvider against the NRP simulator: inbound', () => {
  it('create returns the Public IP address and builds PIP, LB and Inbound service as specified', async () => {
    const w = await startWorld();
    const ip = await createInbound(w);
    const snap = w.sim.snapshot();
    assert.deepEqual(snap.publicIPs, [{ name: `${UID}-pip`, ipAddress: ip, version: 'IPv4' }]);
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    assert.deepEqual(snap.services, [{ name: UID, type: 'Inbound', backendPoolIds: [arm(w).pool(UID)], natGatewayId: null }]);

    const pip = await w.reader.publicIPAddresses.get(RG, `${UID}-pip`);
    assert.equal(pip.sku?.name, 'StandardV2');
    assert.equal(pip.publicIPAllocationMethod, 'Static');
    assert.equal(pip.publicIPAddressVersion, 'IPv4');

    const lb = await w.reader.loadBalancers.get(RG, UID);
    assert.equal(lb.sku?.name, 'Service');
    assert.equal(lb.frontendIPConfigurations?.length, 1);
    assert.equal(lb.frontendIPConfigurations?.[0]?.publicIPAddress?.id?.toLowerCase(), arm(w).pip(`${UID}-pip`).toLowerCase());
    assert.deepEqual(lb.backendAddressPools?.map((p) => p.name), [UID]);
    assert.deepEqual(lb.probes ?? [], []);
    const rules = (lb.loadBalancingRules ?? [])
      .map((r) => ({ name: r.name, protocol: r.protocol, frontendPort: r.frontendPort, backendPort: r.backendPort, idle: r.idleTimeoutInMinutes, reset: r.enableTcpReset, probe: r.probe }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    assert.deepEqual(rules, [
      { name: 'rule-tcp-80', protocol: 'Tcp', frontendPort: 80, backendPort: 8080, idle: 7, reset: true, probe: undefined },
      { name: 'rule-udp-53', protocol: 'Udp', frontendPort: 53, backendPort: 5353, idle: 7, reset: false, probe: undefined },
    ]);
    assert.deepEqual(w.sim.calls(), { ...w.sim.calls(), 'publicIPAddresses.createOrUpdate': 1, 'loadBalancers.createOrUpdate': 1, updateServices: 1, throttled: 0 });
  });

  it('an IPv6 inbound service gets an IPv6 Public IP', async () => {
    const w = await startWorld();
    const ip = assertSuccess(await w.provider.executeServiceOperation(createOp(inboundConfig(UID, [{ protocol: 'TCP', port: 443, backendPort: 8443 }], { ipFamily: 'IPv6' }))));
    assert.ok(ip?.includes(':'), `expected an IPv6 address, got ${String(ip)}`);
    assert.deepEqual(w.sim.snapshot().publicIPs, [{ name: `${UID}-pip`, ipAddress: ip, version: 'IPv6' }]);
    assert.deepEqual(w.sim.snapshot().loadBalancers, [{ name: UID, rules: [{ protocol: 'Tcp', frontendPort: 443, backendPort: 8443 }] }]);
  });

  it('update re-PUTs only the load balancer: new ports, same Public IP, no updateServices', async () => {
    const w = await startWorld();
    const ip = await createInbound(w);
    w.sim.resetCalls();
    const changed = inboundConfig(UID, [{ protocol: 'TCP', port: 8443, backendPort: 9443 }], { idleTimeoutMinutes: 7 });
    assert.equal(assertSuccess(await w.provider.executeServiceOperation(updateOp(changed))), null);
    const calls = w.sim.calls();
    assert.equal(calls['loadBalancers.createOrUpdate'], 1);
    assert.equal(calls['publicIPAddresses.createOrUpdate'], 0);
    assert.equal(calls['updateServices'], 0);
    assert.equal(calls['natGateways.createOrUpdate'], 0);
    const snap = w.sim.snapshot();
    assert.deepEqual(snap.loadBalancers, [{ name: UID, rules: [{ protocol: 'Tcp', frontendPort: 8443, backendPort: 9443 }] }]);
    assert.deepEqual(snap.publicIPs, [{ name: `${UID}-pip`, ipAddress: ip, version: 'IPv4' }]);
  });

  it('delete removes everything; deleting it again succeeds (404 counts as done)', async () => {
    const w = await startWorld();
    await createInbound(w);
    assertSuccess(await w.provider.executeServiceOperation(deleteOp('inbound', UID)));
    emptySnapshot(w);
    assert.equal(w.provider.substepFailures.remove_backend_pool, 0);
    w.sim.resetCalls();
    assertSuccess(await w.provider.executeServiceOperation(deleteOp('inbound', UID)));
    const calls = w.sim.calls();
    assert.equal(calls['loadBalancers.delete'], 1, 'the LB delete was sent and answered 404');
    assert.equal(calls['publicIPAddresses.delete'], 1, 'the PIP delete was sent and answered 404');
    emptySnapshot(w);
  });

  it('unregistering a service that still has address mappings fails with ServiceWithOverlayMappingsCannotBeDeleted', async () => {
    const w = await startWorld();
    await createInbound(w);
    await w.provider.updateAddressLocations(locations(UID, ['10.244.1.5']));
    const failure = assertFailure(await w.provider.executeServiceOperation(deleteOp('inbound', UID)));
    assert.equal(failure.code, 'ServiceWithOverlayMappingsCannotBeDeleted');
    assert.deepEqual(w.sim.snapshot().services.map((s) => s.name), [UID], 'the service is still registered');
    assert.deepEqual(w.sim.snapshot().locations, [{ location: '10.224.0.4', addresses: [{ address: '10.244.1.5', services: [UID] }] }]);
  });
});

describe('ArmNetworkProvider against the NRP simulator: outbound', () => {
  it('IPv4: create builds <id>-pip and a NAT gateway linked to the Service Gateway; delete leaves nothing', async () => {
    const w = await startWorld();
    assert.equal(assertSuccess(await w.provider.executeServiceOperation(createOp(outboundConfig(EGRESS, ['IPv4'])))), null);
    const snap = w.sim.snapshot();
    assert.deepEqual(snap.publicIPs.map((p) => [p.name, p.version]), [[`${EGRESS}-pip`, 'IPv4']]);
    assert.deepEqual(snap.natGateways, [{ name: EGRESS, publicIPs: [`${EGRESS}-pip`] }]);
    assert.deepEqual(snap.services, [{ name: EGRESS, type: 'Outbound', backendPoolIds: [], natGatewayId: arm(w).nat(EGRESS) }]);
    const nat = await w.reader.natGateways.get(RG, EGRESS);
    assert.equal(nat.serviceGateway?.id?.toLowerCase(), w.sim.serviceGatewayId.toLowerCase());
    assert.equal(nat.sku?.name, 'StandardV2');

    assertSuccess(await w.provider.executeServiceOperation(deleteOp('outbound', EGRESS)));
    emptySnapshot(w);
    assert.deepEqual(w.provider.substepFailures, { remove_backend_pool: 0, disassociate_nat_gateway: 0 });
  });

  it('IPv4+IPv6: create builds both Public IPs on the NAT gateway; delete (in order) leaves nothing', async () => {
    const w = await startWorld();
    assertSuccess(await w.provider.executeServiceOperation(createOp(outboundConfig(EGRESS, ['IPv4', 'IPv6']))));
    const snap = w.sim.snapshot();
    assert.deepEqual(snap.publicIPs.map((p) => [p.name, p.version]), [[`${EGRESS}-pip`, 'IPv4'], [`${EGRESS}-pip-v6`, 'IPv6']]);
    assert.deepEqual(snap.natGateways, [{ name: EGRESS, publicIPs: [`${EGRESS}-pip`, `${EGRESS}-pip-v6`] }]);
    assert.equal(snap.services[0]?.natGatewayId, arm(w).nat(EGRESS));

    w.sent.length = 0;
    assertSuccess(await w.provider.executeServiceOperation(deleteOp('outbound', EGRESS)));
    emptySnapshot(w);
    // The order that makes every delete legal: detach, unregister, NAT gateway, then its Public IPs.
    const writes = w.sent.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path.replace(/^.*\/providers\/Microsoft\.Network\//, '')}`);
    assert.deepEqual(writes, [
      'POST serviceGateways/servicegateway/updateServices',
      'PUT natGateways/team-egress',
      'POST serviceGateways/servicegateway/updateServices',
      'DELETE natGateways/team-egress',
      'DELETE publicIPAddresses/team-egress-pip',
      'DELETE publicIPAddresses/team-egress-pip-v6',
    ]);
    assert.deepEqual(w.provider.substepFailures, { remove_backend_pool: 0, disassociate_nat_gateway: 0 });
  });
  it('update of an IPv4 gateway to IPv4+IPv6 adds <id>-pip-v6 to the live gateway, keeping its IPv4 address and registration', async () => {
    const w = await startWorld();
    assertSuccess(await w.provider.executeServiceOperation(createOp(outboundConfig(EGRESS, ['IPv4']))));
    const before = w.sim.snapshot();
    const v4 = before.publicIPs[0]?.ipAddress;
    assert.ok(v4);
    await w.provider.updateAddressLocations(locations(EGRESS, ['10.244.1.5']));
    w.sim.resetCalls();

    assert.equal(assertSuccess(await w.provider.executeServiceOperation(updateOp(outboundConfig(EGRESS, ['IPv4', 'IPv6'])))), null);
    const snap = w.sim.snapshot();
    assert.deepEqual(snap.publicIPs.map((p) => [p.name, p.version]), [[`${EGRESS}-pip`, 'IPv4'], [`${EGRESS}-pip-v6`, 'IPv6']]);
    assert.equal(snap.publicIPs[0]?.ipAddress, v4, 'the IPv4 egress address is kept');
    assert.deepEqual(snap.natGateways, [{ name: EGRESS, publicIPs: [`${EGRESS}-pip`, `${EGRESS}-pip-v6`] }]);
    assert.deepEqual(snap.services, before.services, 'still registered with the same gateway');
    assert.deepEqual(snap.locations, [{ location: '10.224.0.4', addresses: [{ address: '10.244.1.5', services: [EGRESS] }] }], 'egress kept its mapping');
    assert.equal(w.sim.calls()['updateServices'], 0);
    assert.equal(w.sim.calls()['publicIPAddresses.createOrUpdate'], 1, 'only the missing IPv6 Public IP is PUT');
    const nat = await w.reader.natGateways.get(RG, EGRESS);
    assert.equal(nat.serviceGateway?.id?.toLowerCase(), w.sim.serviceGatewayId.toLowerCase(), 'still linked to the Service Gateway');

    // The location emptied and deleted, as the engine does (a PartialUpdate with no address).
    await w.provider.updateAddressLocations({ action: 'PartialUpdate', addressLocations: [{ addressLocation: '10.224.0.4', addressUpdateAction: 'PartialUpdate', addresses: [] }] });
    assertSuccess(await w.provider.executeServiceOperation(deleteOp('outbound', EGRESS)));
    emptySnapshot(w);
  });
});

describe('ArmNetworkProvider against the NRP simulator: address locations and lists', () => {
  it('updateAddressLocations applies the request, sent in the wire shape NRP expects', async () => {
    const w = await startWorld();
    await createInbound(w);
    const request: LocationsRequest = {
      action: 'PartialUpdate',
      addressLocations: [
        { addressLocation: '10.224.0.4', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.1.5', services: [UID] }, { address: '10.244.1.6', services: [UID] }] },
        { addressLocation: 'fd00::4', addressUpdateAction: 'PartialUpdate', addresses: [{ address: 'fd00:10::7', services: [UID] }] },
      ],
    };
    await w.provider.updateAddressLocations(request);
    const posts = sentTo(w, 'POST', '/updateAddressLocations');
    assert.equal(posts.length, 1);
    assert.deepEqual(posts[0]?.body, request);
    assert.equal(JSON.stringify(posts[0]?.body), JSON.stringify(request), 'same key order as built');
    assert.deepEqual(w.sim.snapshot().locations, [
      { location: '10.224.0.4', addresses: [{ address: '10.244.1.5', services: [UID] }, { address: '10.244.1.6', services: [UID] }] },
      { location: 'fd00::4', addresses: [{ address: 'fd00:10::7', services: [UID] }] },
    ]);
  });

  it('DuplicateLocationsInRequest is a terminal NetworkError, and nothing is applied', async () => {
    const w = await startWorld();
    await createInbound(w);
    const loc = { addressLocation: '10.224.0.4', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.1.5', services: [UID] }] } as const;
    const err = await networkErrorOf(w.provider.updateAddressLocations({ action: 'PartialUpdate', addressLocations: [loc, loc] }));
    assert.equal(err.code, 'DuplicateLocationsInRequest');
    assert.equal(err.terminal, true);
    assert.equal(err.outcomeUnknown, false);
    assert.deepEqual(w.sim.snapshot().locations, []);
  });

  it('an address for an unregistered service is a terminal NetworkError', async () => {
    const w = await startWorld();
    const err = await networkErrorOf(w.provider.updateAddressLocations(locations('not-registered', ['10.244.1.5'])));
    assert.equal(err.code, 'InvalidRequestFormat');
    assert.equal(err.terminal, true);
    assert.equal(err.outcomeUnknown, false);
    assert.deepEqual(w.sim.snapshot().locations, []);
  });

  it('listServices and listAddressLocations read every page and leave out default-natgw', async () => {
    const w = await startWorld({ pageSize: 2 });
    await createInbound(w, UID);
    await createInbound(w, UID2);
    assertSuccess(await w.provider.executeServiceOperation(createOp(outboundConfig(EGRESS, ['IPv4']))));
    await w.provider.updateAddressLocations({
      action: 'PartialUpdate',
      addressLocations: ['10.224.0.4', '10.224.0.5', '10.224.0.6'].map((loc, i) => ({
        addressLocation: loc,
        addressUpdateAction: 'FullUpdate' as const,
        addresses: [{ address: `10.244.${i}.5`, services: [UID, EGRESS] }],
      })),
    });
    // default-natgw is on NRP's list: 3 services + default = 2 pages of 2.
    const raw = await all(w.reader.serviceGateways.listServices(RG, 'servicegateway'));
    assert.deepEqual(raw.map((s) => s.name).sort(), [UID, UID2, 'default-natgw', EGRESS].sort());
    w.sent.length = 0;
    const services = await w.provider.listServices();
    assert.deepEqual([...services].sort((a, b) => a.name.localeCompare(b.name)), [
      { name: UID, type: 'Inbound' },
      { name: UID2, type: 'Inbound' },
      { name: EGRESS, type: 'Outbound' },
    ]);
    assert.equal(sentTo(w, 'GET', '/services').length, 2, 'two pages');

    w.sent.length = 0;
    const locs = await w.provider.listAddressLocations();
    assert.deepEqual(locs, ['10.224.0.4', '10.224.0.5', '10.224.0.6'].map((loc, i) => ({ location: loc, addresses: [{ address: `10.244.${i}.5`, services: [UID, EGRESS].sort() }] })));
    assert.equal(sentTo(w, 'GET', '/addressLocations').length, 2, 'two pages');
  });
});

describe('ArmNetworkProvider against the NRP simulator: faults', () => {
  it('a 429 with Retry-After on a write is a retryable failure and moves the shared "throttled until"', async () => {
    const w = await startWorld();
    w.sim.faults.arm({ operation: 'loadBalancers.createOrUpdate', status: 429, retryAfterSeconds: 1 });
    const before = Date.now();
    const failure = assertFailure(await w.provider.executeServiceOperation(createOp(inboundConfig(UID, HTTP_DNS))));
    assert.equal(failure.code, 'TooManyRequests');
    assert.equal(failure.terminal, false);
    assert.equal(w.sim.calls()['throttled'], 1);
    const until = await w.store.read(w.gate.scope);
    assert.ok(until.write >= before + 1000 && until.write <= Date.now() + 1000, `write paused until ${until.write}`);
    assert.equal(until.read, 0, 'reads are not paused');
    // The gate holds the next write back until then.
    const t0 = Date.now();
    await w.gate.acquire('write');
    assert.ok(Date.now() >= until.write - 5, `acquire waited ${Date.now() - t0} ms`);
  });

  it('a 429 seen by one adapter instance holds back the writes of another that shares the throttle store', async () => {
    const a = await startWorld();
    const b = adapterOn(a.sim, a.store);
    a.sim.faults.arm({ operation: 'publicIPAddresses.createOrUpdate', status: 429, retryAfterSeconds: 1 });
    assertFailure(await a.provider.executeServiceOperation(createOp(inboundConfig(UID, HTTP_DNS))));
    const until = (await b.store.read(b.gate.scope)).write;
    assert.ok(until > Date.now(), 'the shared pause is in the future');
    const result = await b.provider.executeServiceOperation(createOp(inboundConfig(UID, HTTP_DNS)));
    assert.equal(result.result, 'success');
    const firstWriteOfB = b.sent.find((r) => r.method === 'PUT');
    assert.ok(firstWriteOfB, 'b sent a PUT');
    assert.ok(firstWriteOfB.at >= until - 5, `b wrote at ${firstWriteOfB.at}, before the pause ended at ${until}`);
  });

  it('a 429 on updateAddressLocations is a NetworkError carrying Retry-After, and pauses writes', async () => {
    const w = await startWorld();
    await createInbound(w);
    w.sim.faults.arm({ operation: 'updateAddressLocations', status: 429, retryAfterSeconds: 2 });
    const before = Date.now();
    const err = await networkErrorOf(w.provider.updateAddressLocations(locations(UID, ['10.244.1.5'])));
    assert.equal(err.terminal, false);
    assert.equal(err.outcomeUnknown, false);
    assert.equal(err.retryAfterMs, 2000);
    assert.ok((await w.store.read(w.gate.scope)).write >= before + 2000);
  });

  it('a 500 on updateAddressLocations is transient with outcome unknown', async () => {
    const w = await startWorld();
    await createInbound(w);
    w.sim.faults.arm({ operation: 'updateAddressLocations', status: 500, applied: true });
    const err = await networkErrorOf(w.provider.updateAddressLocations(locations(UID, ['10.244.1.5'])));
    assert.equal(err.code, 'InternalServerError');
    assert.equal(err.terminal, false);
    assert.equal(err.outcomeUnknown, true);
    assert.equal((await w.store.read(w.gate.scope)).write, 0, 'a 500 does not pause anyone');
  });

  it('a 409 AnotherOperationInProgress is a retryable failure', async () => {
    const w = await startWorld();
    w.sim.faults.arm({ operation: 'publicIPAddresses.createOrUpdate', status: 409 });
    const failure = assertFailure(await w.provider.executeServiceOperation(createOp(inboundConfig(UID, HTTP_DNS))));
    assert.equal(failure.code, 'AnotherOperationInProgress');
    assert.equal(failure.terminal, false);
    assert.equal(w.sim.calls()['loadBalancers.createOrUpdate'], 0, 'stops at the failed step');
    // The retry goes through.
    assertSuccess(await w.provider.executeServiceOperation(createOp(inboundConfig(UID, HTTP_DNS))));
  });

  it('a validation 400 on the load balancer is a retryable failure with its ARM code (only the engine\'s own refusal is terminal)', async () => {
    const w = await startWorld();
    const failure = assertFailure(await w.provider.executeServiceOperation(createOp(inboundConfig(UID, HTTP_DNS, { idleTimeoutMinutes: 31 }))));
    assert.equal(failure.terminal, false);
    assert.equal(failure.code, 'InvalidRequestFormat');
    assert.match(failure.message, /idleTimeoutInMinutes/);
    assert.deepEqual(w.sim.snapshot().loadBalancers, []);
    assert.equal(w.sim.calls()['updateServices'], 0);
    assert.equal(w.sim.calls()['publicIPAddresses.createOrUpdate'], 1, 'only the missing IPv6 Public IP is PUT');
  });
});

describe('ArmNetworkProvider against the NRP simulator: Service Gateway POSTs answered 202', () => {
  it('inbound create and delete follow the 202s to completion', async () => {
    const w = await startWorld({ syncPostStatus: 202, latency: { writeMs: 40 } });
    const ip = await createInbound(w);
    assert.ok(ip.length > 0);
    assert.deepEqual(w.sim.snapshot().services.map((s) => s.type), ['Inbound']);
    const polls = w.sim.calls({ includeReads: true });
    assert.ok((polls['operations.get'] ?? 0) >= 1, 'the accepted updateServices was polled');
    assert.ok(w.sent.some((r) => r.method === 'GET' && r.path.includes('/operations/')));
    assertSuccess(await w.provider.executeServiceOperation(deleteOp('inbound', UID)));
    emptySnapshot(w);
  });

  it('updateAddressLocations follows a 202 to completion; a failed poll is not mistaken for success', async () => {
    const w = await startWorld({ syncPostStatus: 202, latency: { writeMs: 40 } });
    await createInbound(w);
    w.sent.length = 0;
    await w.provider.updateAddressLocations(locations(UID, ['10.244.1.5']));
    const polls = w.sent.filter((r) => r.method === 'GET' && r.path.includes('/operations/'));
    assert.ok(polls.length >= 2, `expected the operation to be polled while InProgress, got ${polls.length}`);
    assert.deepEqual(w.sim.snapshot().locations, [{ location: '10.224.0.4', addresses: [{ address: '10.244.1.5', services: [UID] }] }]);

    w.sim.faults.arm({ operation: 'operations.get', status: 500 });
    const err = await networkErrorOf(w.provider.updateAddressLocations(locations(UID, ['10.244.1.6'])));
    assert.equal(err.outcomeUnknown, true);
    assert.equal(err.terminal, false);
  });
});

describe('ArmNetworkProvider against the NRP simulator: tags and the listing of its own resources', () => {
  const UID3 = '6f1c2d3e-0000-4000-8000-00000000000c';
  const tagsOf = (kind: 'inbound' | 'outbound', service: string): Record<string, string> => ({
    'servicegateway-engine-cluster': 'aks-contract',
    'servicegateway-engine-kind': kind,
    'servicegateway-engine-service': service,
  });

  it('tags every public IP, load balancer and NAT gateway it creates (and re-tags on an update)', async () => {
    const w = await startWorld();
    await createInbound(w);
    assertSuccess(await w.provider.executeServiceOperation(createOp(outboundConfig(EGRESS, ['IPv4', 'IPv6']))));
    assert.deepEqual((await w.reader.publicIPAddresses.get(RG, `${UID}-pip`)).tags, tagsOf('inbound', UID));
    assert.deepEqual((await w.reader.loadBalancers.get(RG, UID)).tags, tagsOf('inbound', UID));
    assert.deepEqual((await w.reader.natGateways.get(RG, EGRESS)).tags, tagsOf('outbound', EGRESS));
    assert.deepEqual((await w.reader.publicIPAddresses.get(RG, `${EGRESS}-pip`)).tags, tagsOf('outbound', EGRESS));
    assert.deepEqual((await w.reader.publicIPAddresses.get(RG, `${EGRESS}-pip-v6`)).tags, tagsOf('outbound', EGRESS));
    // A load balancer built before tags existed gets them with its next update.
    await w.reader.loadBalancers.createOrUpdate(RG, UID, { ...(await w.reader.loadBalancers.get(RG, UID)), tags: {} }, { updateIntervalInMs: 5 });
    assertSuccess(await w.provider.executeServiceOperation(updateOp(inboundConfig(UID, HTTP_DNS))));
    assert.deepEqual((await w.reader.loadBalancers.get(RG, UID)).tags, tagsOf('inbound', UID));
  });

  it('lists, across pages, only what it tagged for the cluster: never an untagged, foreign or misnamed resource', async () => {
    const w = await startWorld({ pageSize: 2 });
    await createInbound(w);
    assertSuccess(await w.provider.executeServiceOperation(createOp(outboundConfig(EGRESS, ['IPv4']))));
    const pip = { location: w.sim.location, sku: { name: 'StandardV2' }, publicIPAllocationMethod: 'Static', publicIPAddressVersion: 'IPv4' } as const;
    const poll = { updateIntervalInMs: 5 };
    // Named like ours, but untagged (a customer's, or built before tags existed).
    await w.reader.publicIPAddresses.createOrUpdate(RG, `${UID2}-pip`, pip, poll);
    // Another cluster's, in the same resource group.
    await w.reader.publicIPAddresses.createOrUpdate(RG, `${UID3}-pip`, { ...pip, tags: { ...tagsOf('inbound', UID3), 'servicegateway-engine-cluster': 'aks-other' } }, poll);
    // Tagged ours, but not a name this engine gives that service's resources.
    await w.reader.publicIPAddresses.createOrUpdate(RG, 'customer-ip', { ...pip, tags: tagsOf('inbound', UID2) }, poll);
    w.sent.length = 0;
    const listed = await w.provider.listManagedResources('aks-contract');
    assert.deepEqual(
      [...listed].sort((a, b) => a.name.localeCompare(b.name)),
      [
        { resourceType: 'loadBalancer', name: UID, id: arm(w).lb(UID), cluster: 'aks-contract', serviceKind: 'inbound', service: UID },
        { resourceType: 'publicIPAddress', name: `${UID}-pip`, id: arm(w).pip(`${UID}-pip`), cluster: 'aks-contract', serviceKind: 'inbound', service: UID },
        { resourceType: 'natGateway', name: EGRESS, id: arm(w).nat(EGRESS), cluster: 'aks-contract', serviceKind: 'outbound', service: EGRESS },
        { resourceType: 'publicIPAddress', name: `${EGRESS}-pip`, id: arm(w).pip(`${EGRESS}-pip`), cluster: 'aks-contract', serviceKind: 'outbound', service: EGRESS },
      ].sort((a, b) => a.name.localeCompare(b.name)),
    );
    // One list per resource type, paged: five public IPs are three pages.
    assert.equal(sentTo(w, 'GET', '/publicIPAddresses').length, 3);
    assert.equal(sentTo(w, 'GET', '/loadBalancers').length, 1);
    assert.equal(sentTo(w, 'GET', '/natGateways').length, 1);
    assert.equal(w.sent.filter((r) => r.method !== 'GET').length, 0, 'a listing writes nothing');
    assert.deepEqual((await w.provider.listManagedResources('aks-other')).map((r) => r.name), [`${UID3}-pip`]);
  });
});
