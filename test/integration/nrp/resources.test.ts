// The NRP simulator's public IPs, load balancers and NAT gateways, driven by the real
// NetworkManagementClient (@azure/arm-network 39, api-version 2026-01-01).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NetworkManagementClient } from '@azure/arm-network';
import type { NrpSimulator } from '../../../local/sim/nrp/server.ts';
import {
  POLL, RG, REGION, all, createInbound, createOutbound, failureOf, ids, lbSpec, natSpec, newClient, pipSpec, startSim,
} from './harness.ts';

describe('NRP simulator: public IP addresses', () => {
  let sim: NrpSimulator;
  let client: NetworkManagementClient;

  before(async () => {
    sim = await startSim({ pageSize: 2 });
    client = newClient(sim);
  });
  after(() => sim.stop());

  it('creates a StandardV2 static public IP with a deterministic address and provisioningState Succeeded', async () => {
    const pip = await client.publicIPAddresses.createOrUpdate(RG, 'a-pip', pipSpec(), POLL);
    assert.equal(pip.name, 'a-pip');
    assert.equal(pip.id, ids(sim).pip('a-pip'));
    assert.equal(pip.type, 'Microsoft.Network/publicIPAddresses');
    assert.equal(pip.location, REGION);
    assert.equal(pip.provisioningState, 'Succeeded');
    assert.equal(pip.ipAddress, '20.0.0.1');
    assert.equal(pip.publicIPAddressVersion, 'IPv4');
    assert.equal(pip.publicIPAllocationMethod, 'Static');
    assert.equal(pip.sku?.name, 'StandardV2');
    assert.match(pip.etag ?? '', /^W\/"/);
  });

  it('allocates IPv4 addresses by creation order and IPv6 ones from 2001:db8::/64', async () => {
    const b = await client.publicIPAddresses.createOrUpdate(RG, 'b-pip', pipSpec(), POLL);
    const v6 = await client.publicIPAddresses.createOrUpdate(RG, 'b-pip-v6', pipSpec('IPv6'), POLL);
    const v6b = await client.publicIPAddresses.createOrUpdate(RG, 'c-pip-v6', pipSpec('IPv6'), POLL);
    assert.equal(b.ipAddress, '20.0.0.2');
    assert.equal(v6.ipAddress, '2001:db8::1');
    assert.equal(v6b.ipAddress, '2001:db8::2');
  });

  it('keeps the address and the resource guid on an update (PUT of an existing name)', async () => {
    const before = await client.publicIPAddresses.get(RG, 'a-pip');
    const updated = await client.publicIPAddresses.createOrUpdate(RG, 'a-pip', { ...pipSpec(), tags: { owner: 'test' } }, POLL);
    assert.equal(updated.ipAddress, before.ipAddress);
    assert.equal(updated.resourceGuid, before.resourceGuid);
    assert.notEqual(updated.etag, before.etag);
    assert.deepEqual(updated.tags, { owner: 'test' });
  });

  it('answers GET of a missing public IP with 404 ResourceNotFound', async () => {
    const f = await failureOf(client.publicIPAddresses.get(RG, 'nope-pip'));
    assert.equal(f.statusCode, 404);
    assert.equal(f.code, 'ResourceNotFound');
  });

  it('refuses a public IP name over 80 characters with 400 InvalidResourceName', async () => {
    const name = `${'x'.repeat(77)}-pip`;
    const f = await failureOf(client.publicIPAddresses.createOrUpdate(RG, name, pipSpec(), POLL).pollUntilDone());
    assert.equal(f.statusCode, 400);
    assert.equal(f.code, 'InvalidResourceName');
    const ok = `${'x'.repeat(76)}-pip`;
    assert.equal(ok.length, 80);
    await client.publicIPAddresses.createOrUpdate(RG, ok, pipSpec(), POLL);
  });

  it('refuses a Standard public IP with Dynamic allocation', async () => {
    const f = await failureOf(client.publicIPAddresses.createOrUpdate(RG, 'dyn-pip', { ...pipSpec(), publicIPAllocationMethod: 'Dynamic' }, POLL).pollUntilDone());
    assert.equal(f.statusCode, 400);
    assert.equal(f.code, 'StandardSkuPublicIPAddressesMustBeStatic');
  });

  it('lists public IPs across pages (nextLink is absolute and followed by the client)', async () => {
    const names = (await all(client.publicIPAddresses.list(RG))).map((p) => p.name);
    assert.ok(names.length > 2, 'needs more than one page');
    assert.deepEqual(names, [...names].sort());
    assert.ok(names.includes('a-pip') && names.includes('c-pip-v6'));
    const calls = sim.calls({ includeReads: true });
    assert.equal(calls['publicIPAddresses.list'], Math.ceil(names.length / 2));
  });

  it('refuses tags ARM refuses: a reserved character in a name, a name over 512 or a value over 256 characters, more than 50', async () => {
    const refused = async (tags: Record<string, string>, code: string): Promise<void> => {
      const f = await failureOf(client.publicIPAddresses.createOrUpdate(RG, 'tagged-pip', { ...pipSpec(), tags }, POLL).pollUntilDone());
      assert.deepEqual([f.statusCode, f.code], [400, code]);
    };
    await refused({ 'servicegateway.azure.com/cluster': 'c1' }, 'InvalidTagNameCharacters');
    await refused({ [`t${'x'.repeat(512)}`]: 'v' }, 'InvalidTagNameLength');
    await refused({ t: 'v'.repeat(257) }, 'InvalidTagValueLength');
    await refused(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'v'])), 'InvalidTagCount');
    const ok = await client.publicIPAddresses.createOrUpdate(RG, 'tagged-pip', { ...pipSpec(), tags: { 'servicegateway-engine-cluster': 'c1' } }, POLL);
    assert.deepEqual(ok.tags, { 'servicegateway-engine-cluster': 'c1' });
    const listed = (await all(client.publicIPAddresses.list(RG))).find((p) => p.name === 'tagged-pip');
    assert.deepEqual(listed?.tags, { 'servicegateway-engine-cluster': 'c1' }, 'a list shows the tags');
    await client.publicIPAddresses.delete(RG, 'tagged-pip', POLL);
  });

  it('deletes a public IP (202 + polling), then answers a second delete with 404', async () => {
    await client.publicIPAddresses.delete(RG, 'b-pip', POLL);
    assert.equal((await failureOf(client.publicIPAddresses.get(RG, 'b-pip'))).statusCode, 404);
    const again = await failureOf(client.publicIPAddresses.delete(RG, 'b-pip', POLL).pollUntilDone());
    assert.equal(again.statusCode, 404);
    assert.equal(again.code, 'ResourceNotFound');
  });
});

describe('NRP simulator: load balancers', () => {
  let sim: NrpSimulator;
  let client: NetworkManagementClient;
  const uid = '5b1c7f5e-1111-4a4a-9c9c-000000000001';

  before(async () => {
    sim = await startSim();
    client = newClient(sim);
  });
  after(() => sim.stop());

  it('creates a Service-SKU load balancer with a frontend, one backend pool and one rule per port, no probes', async () => {
    await client.publicIPAddresses.createOrUpdate(RG, `${uid}-pip`, pipSpec(), POLL);
    const spec = lbSpec(sim, uid, [{ protocol: 'Tcp', port: 80, backendPort: 8080 }, { protocol: 'Udp', port: 53, backendPort: 53 }]);
    const lb = await client.loadBalancers.createOrUpdate(RG, uid, spec, POLL);
    assert.equal(lb.sku?.name, 'Service');
    assert.equal(lb.provisioningState, 'Succeeded');
    assert.equal(lb.frontendIPConfigurations?.[0]?.publicIPAddress?.id, ids(sim).pip(`${uid}-pip`));
    assert.deepEqual(lb.backendAddressPools?.map((p) => p.id), [ids(sim).pool(uid)]);
    assert.deepEqual(lb.loadBalancingRules?.map((r) => [r.name, r.protocol, r.frontendPort, r.backendPort, r.enableTcpReset]),
      [['rule-tcp-80', 'Tcp', 80, 8080, true], ['rule-udp-53', 'Udp', 53, 53, false]]);
    assert.deepEqual(lb.probes, []);
    const pip = await client.publicIPAddresses.get(RG, `${uid}-pip`);
    assert.equal(pip.ipConfiguration?.id, `${ids(sim).lb(uid)}/frontendIPConfigurations/frontend`);
  });

  it('updates the rules with a second PUT (a removed port disappears)', async () => {
    const lb = await client.loadBalancers.createOrUpdate(RG, uid, lbSpec(sim, uid, [{ protocol: 'Tcp', port: 443, backendPort: 8443 }]), POLL);
    assert.deepEqual(lb.loadBalancingRules?.map((r) => r.name), ['rule-tcp-443']);
    assert.deepEqual(sim.snapshot().loadBalancers, [{ name: uid, rules: [{ protocol: 'Tcp', frontendPort: 443, backendPort: 8443 }] }]);
  });

  it('refuses a SKU other than "Service" (case-sensitive)', async () => {
    for (const sku of ['Standard', 'service']) {
      const f = await failureOf(client.loadBalancers.createOrUpdate(RG, 'other', lbSpec(sim, uid, [], sku), POLL).pollUntilDone());
      assert.equal(f.statusCode, 400, sku);
      assert.equal(f.code, 'InvalidRequestFormat', sku);
      assert.match(f.message, /SKU/);
    }
  });

  it('refuses health probes', async () => {
    const spec = { ...lbSpec(sim, uid, []), probes: [{ name: 'p', protocol: 'Tcp' as const, port: 80 }] };
    const f = await failureOf(client.loadBalancers.createOrUpdate(RG, uid, spec, POLL).pollUntilDone());
    assert.equal(f.statusCode, 400);
    assert.match(f.message, /probes/);
  });

  it('refuses a frontend on a public IP that does not exist with 400 InvalidResourceReference', async () => {
    const f = await failureOf(client.loadBalancers.createOrUpdate(RG, 'ghost', lbSpec(sim, 'ghost', []), POLL).pollUntilDone());
    assert.equal(f.statusCode, 400);
    assert.equal(f.code, 'InvalidResourceReference');
    assert.match(f.message, /ghost-pip/);
  });

  it('refuses a second frontend on a public IP another load balancer already uses', async () => {
    const spec = { ...lbSpec(sim, 'thief', []), frontendIPConfigurations: [{ name: 'frontend', publicIPAddress: { id: ids(sim).pip(`${uid}-pip`) } }] };
    const f = await failureOf(client.loadBalancers.createOrUpdate(RG, 'thief', spec, POLL).pollUntilDone());
    assert.equal(f.statusCode, 400);
    assert.equal(f.code, 'PublicIPAddressInUse');
  });

  it('refuses deleting a public IP still on a load balancer frontend with 409 PublicIPAddressInUse; works once the LB is gone', async () => {
    const f = await failureOf(client.publicIPAddresses.delete(RG, `${uid}-pip`, POLL).pollUntilDone());
    assert.equal(f.statusCode, 409);
    assert.equal(f.code, 'PublicIPAddressInUse');
    await client.loadBalancers.delete(RG, uid, POLL);
    await client.publicIPAddresses.delete(RG, `${uid}-pip`, POLL);
    assert.deepEqual(sim.snapshot().publicIPs, []);
    assert.deepEqual(sim.snapshot().loadBalancers, []);
  });

  it('answers a delete of an absent load balancer with 404 (the adapter treats it as done)', async () => {
    const f = await failureOf(client.loadBalancers.delete(RG, uid, POLL).pollUntilDone());
    assert.equal(f.statusCode, 404);
  });
});

describe('NRP simulator: NAT gateways', () => {
  let sim: NrpSimulator;
  let client: NetworkManagementClient;

  before(async () => {
    sim = await startSim();
    client = newClient(sim);
  });
  after(() => sim.stop());

  it('creates a StandardV2 NAT gateway linked to the service gateway with IPv4 and IPv6 public IPs', async () => {
    await createOutbound(client, sim, 'team-a', true);
    const nat = await client.natGateways.get(RG, 'team-a');
    assert.equal(nat.sku?.name, 'StandardV2');
    assert.equal(nat.serviceGateway?.id, sim.serviceGatewayId);
    assert.deepEqual(nat.publicIpAddresses?.map((p) => p.id), [ids(sim).pip('team-a-pip')]);
    assert.deepEqual(nat.publicIpAddressesV6?.map((p) => p.id), [ids(sim).pip('team-a-pip-v6')]);
    assert.equal(nat.provisioningState, 'Succeeded');
    assert.deepEqual(sim.snapshot().natGateways, [{ name: 'team-a', publicIPs: ['team-a-pip', 'team-a-pip-v6'] }]);
    const pip = await client.publicIPAddresses.get(RG, 'team-a-pip');
    assert.equal(pip.natGateway?.id, ids(sim).nat('team-a'));
  });

  it('refuses a NAT gateway whose public IP does not exist, or whose IPv6 list holds an IPv4 address', async () => {
    const missing = await failureOf(client.natGateways.createOrUpdate(RG, 'team-b', natSpec(sim, 'team-b'), POLL).pollUntilDone());
    assert.equal(missing.code, 'InvalidResourceReference');
    await client.publicIPAddresses.createOrUpdate(RG, 'team-b-pip', pipSpec(), POLL);
    const wrongFamily = { ...natSpec(sim, 'team-b'), publicIpAddressesV6: [{ id: ids(sim).pip('team-b-pip') }], publicIpAddresses: [] };
    const f = await failureOf(client.natGateways.createOrUpdate(RG, 'team-b', wrongFamily, POLL).pollUntilDone());
    assert.equal(f.statusCode, 400);
    assert.match(f.message, /IPv6/);
  });

  it('refuses a service-gateway NAT gateway that is not StandardV2, and a dangling serviceGateway id', async () => {
    const std = await failureOf(client.natGateways.createOrUpdate(RG, 'team-b', { ...natSpec(sim, 'team-b'), sku: { name: 'Standard' } }, POLL).pollUntilDone());
    assert.equal(std.statusCode, 400);
    const other = { ...natSpec(sim, 'team-b'), serviceGateway: { id: sim.serviceGatewayId.replace(/servicegateway$/, 'other') } };
    const f = await failureOf(client.natGateways.createOrUpdate(RG, 'team-b', other, POLL).pollUntilDone());
    assert.equal(f.code, 'InvalidResourceReference');
  });

  it('clears the service gateway link with an explicit null (the disassociate step)', async () => {
    const nat = await client.natGateways.get(RG, 'team-a');
    const updated = await client.natGateways.createOrUpdate(RG, 'team-a', { ...nat, serviceGateway: null as unknown as undefined }, POLL);
    assert.equal(updated.serviceGateway, undefined);
  });

  it('refuses deleting a public IP attached to a NAT gateway (409), then deletes gateway and IPs', async () => {
    const f = await failureOf(client.publicIPAddresses.delete(RG, 'team-a-pip-v6', POLL).pollUntilDone());
    assert.equal(f.statusCode, 409);
    assert.equal(f.code, 'PublicIPAddressInUse');
    await client.natGateways.delete(RG, 'team-a', POLL);
    await client.publicIPAddresses.delete(RG, 'team-a-pip', POLL);
    await client.publicIPAddresses.delete(RG, 'team-a-pip-v6', POLL);
    assert.deepEqual(sim.snapshot().natGateways, []);
  });

  it('serves the pre-existing virtual network and service gateway', async () => {
    const sg = await client.serviceGateways.get(RG, 'servicegateway');
    assert.equal(sg.id, sim.serviceGatewayId);
    assert.equal(sg.virtualNetwork?.id, sim.virtualNetworkId);
    const vnet = await client.virtualNetworks.get(RG, 'vnet');
    assert.equal(vnet.id, sim.virtualNetworkId);
    await createInbound(client, sim, 'after-nat');
  });
});
