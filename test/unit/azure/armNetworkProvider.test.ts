// ArmNetworkProvider over the real generated client (@azure/arm-network 39) and a fake ARM behind
// its HttpClient: the step order of each operation (reference §3), the bodies as they reach the
// wire (equal, as JSON values, to serviceRequests.ts), 404s on delete steps, counted step-1
// failures, NRP's 200/204/202 answers to the Service Gateway POSTs, paging, and error outcomes.
// No real Azure and no NRP simulator: the fake answers only what each case scripts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetworkManagementClient } from '@azure/arm-network';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { ArmNetworkProvider } from '../../../shared/azure/armNetworkProvider.ts';
import type { SubstepFailure } from '../../../shared/azure/armNetworkProvider.ts';
import type { NetworkConfig } from '../../../shared/azure/networkConfig.ts';
import { isNetworkError } from '../../../shared/azure/networkProvider.ts';
import {
  clearBackendPoolsRequest,
  clearNatGatewayRequest,
  loadBalancerBody,
  natGatewayBody,
  publicIpBody,
  registerInboundRequest,
  registerOutboundRequest,
  unregisterRequest,
} from '../../../shared/engine/serviceRequests.ts';
import type { InboundConfig, LocationsRequest, OutboundConfig, ServiceOperation } from '../../../shared/engine/types.ts';
import { resourceTags } from '../../../shared/engine/resourceTags.ts';
import { FakeClock } from '../../support/fakeClock.ts';

const CONFIG: NetworkConfig = {
  subscriptionId: '11111111-1111-1111-1111-111111111111',
  networkSubscriptionId: '22222222-2222-2222-2222-222222222222',
  resourceGroup: 'rg-sgw',
  vnetResourceGroup: 'rg-vnet',
  vnetName: 'vnet-aks',
  serviceGatewayName: 'servicegateway',
  location: 'westeurope',
  clusterName: 'aks-1',
};
const HOST = 'https://management.azure.com';
const PREFIX = `/subscriptions/${CONFIG.networkSubscriptionId}/resourceGroups/${CONFIG.resourceGroup}/providers/Microsoft.Network/`;
const SGW = 'serviceGateways/servicegateway';
const UID = '6f1c2d3e-0000-4000-8000-00000000000a';
const EGRESS = 'team-egress';

const INBOUND: InboundConfig = {
  kind: 'inbound',
  name: UID,
  service: { namespace: 'default', name: 'web', uid: UID },
  ipFamily: 'IPv4',
  ports: [
    { protocol: 'TCP', port: 80, backendPort: 8080 },
    { protocol: 'UDP', port: 53, backendPort: 5353 },
  ],
  idleTimeoutMinutes: 4,
};
const OUTBOUND: OutboundConfig = { kind: 'outbound', name: EGRESS, ipFamilies: ['IPv4', 'IPv6'] };
/** Every resource an operation of cluster `aks-1` builds carries its cluster, kind and service (docs/adr/0013). */
const INBOUND_TAGS = resourceTags('aks-1', 'inbound', UID);
const OUTBOUND_TAGS = resourceTags('aks-1', 'outbound', EGRESS);

function operation(o: Partial<ServiceOperation> & Pick<ServiceOperation, 'operation' | 'serviceKind' | 'serviceName'>): ServiceOperation {
  return { cluster: 'aks-1', dispatchId: 'd1', correlationId: 'c1', config: null, orphan: false, attempt: 1, ...o };
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

interface Seen {
  /** `METHOD path` with the path after `…/providers/Microsoft.Network/` (or the full path). */
  readonly call: string;
  readonly body: unknown;
}

/**
 * ARM as scripted: `on(call, ...replies)` queues replies for a `METHOD path` (the last one repeats);
 * anything unscripted gets a plain success (a PUT echoes its body as Succeeded, a Public IP with an
 * address; a POST answers 200 `{"status":"Succeeded"}`; DELETE 200; the service list is empty).
 */
class FakeArm implements HttpClient {
  readonly seen: Seen[] = [];
  private readonly script = new Map<string, Reply[]>();

  on(call: string, ...replies: Reply[]): this {
    this.script.set(call, replies);
    return this;
  }

  calls(): string[] {
    return this.seen.map((s) => s.call);
  }

  bodyOf(call: string, nth = 0): unknown {
    const found = this.seen.filter((s) => s.call === call)[nth];
    assert.ok(found, `no request ${call}`);
    return found.body;
  }

  sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const url = new URL(request.url);
    const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
    const call = `${request.method} ${path}`;
    const body: unknown = typeof request.body === 'string' ? JSON.parse(request.body) : undefined;
    this.seen.push({ call, body });
    const queued = this.script.get(call);
    const reply = (queued && queued.length > 1 ? queued.shift() : queued?.[0]) ?? this.fallback(request.method, path, body);
    return Promise.resolve({
      request,
      status: reply.status,
      headers: createHttpHeaders({ 'content-type': 'application/json', ...reply.headers }),
      bodyAsText: reply.body === undefined ? '' : JSON.stringify(reply.body),
    });
  }

  private fallback(method: string, path: string, body: unknown): Reply {
    if (method === 'PUT') {
      const b = (body ?? {}) as { properties?: Record<string, unknown> };
      const extra = path.startsWith('publicIPAddresses/') ? { ipAddress: '20.1.2.3' } : {};
      return { status: 200, body: { ...b, id: `${PREFIX}${path}`, properties: { ...b.properties, ...extra, provisioningState: 'Succeeded' } } };
    }
    if (method === 'POST') return { status: 200, body: { status: 'Succeeded' } };
    if (method === 'GET' && path === `${SGW}/services`) return { status: 200, body: { value: [] } };
    if (method === 'GET') return { status: 404, body: { error: { code: 'ResourceNotFound', message: 'not found' } } };
    return { status: 200 };
  }
}

function setup(options: { clock?: FakeClock } = {}) {
  const arm = new FakeArm();
  const credential = { getToken: () => Promise.resolve({ token: 'token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
  const client = new NetworkManagementClient(credential, CONFIG.networkSubscriptionId, { httpClient: arm, retryOptions: { maxRetries: 0 } });
  const failures: SubstepFailure[] = [];
  const clock = options.clock ?? new FakeClock();
  const provider = new ArmNetworkProvider(client, CONFIG, { httpClient: arm, clock, sleep: clock.sleep, pollIntervalMs: 0, onSubstepFailure: (f) => failures.push(f) });
  return { arm, provider, failures, clock };
}

/** What the bodies of serviceRequests.ts are as JSON values (key order aside). */
function json(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x)) as unknown;
}

const error = (status: number, code: string, headers?: Record<string, string>): Reply => ({ status, body: { error: { code, message: `${code} happened` } }, ...(headers ? { headers } : {}) });

describe('ArmNetworkProvider', () => {
  describe('create inbound (reference §3.1)', () => {
    it('PUTs the Public IP, then the load balancer, then registers the service, and returns the address', async () => {
      const { arm, provider } = setup();
      const outcome = await provider.executeServiceOperation(operation({ operation: 'create', serviceKind: 'inbound', serviceName: UID, config: INBOUND }));
      assert.deepEqual(outcome, { result: 'success', publicIp: '20.1.2.3' });
      assert.deepEqual(arm.calls(), [`PUT publicIPAddresses/${UID}-pip`, `PUT loadBalancers/${UID}`, `POST ${SGW}/updateServices`]);
      assert.deepEqual(arm.bodyOf(`PUT publicIPAddresses/${UID}-pip`), json(publicIpBody('IPv4', 'westeurope', INBOUND_TAGS)));
      assert.deepEqual(arm.bodyOf(`PUT loadBalancers/${UID}`), json(loadBalancerBody(INBOUND, CONFIG, INBOUND_TAGS)));
      assert.deepEqual(arm.bodyOf(`POST ${SGW}/updateServices`), json(registerInboundRequest(INBOUND, CONFIG)));
    });

    it('reads the Public IP back when the PUT answer has no address yet', async () => {
      const { arm, provider } = setup();
      arm.on(`PUT publicIPAddresses/${UID}-pip`, { status: 201, body: { properties: { provisioningState: 'Succeeded' } } });
      arm.on(`GET publicIPAddresses/${UID}-pip`, { status: 200, body: { properties: { ipAddress: '20.9.9.9' } } });
      const outcome = await provider.executeServiceOperation(operation({ operation: 'create', serviceKind: 'inbound', serviceName: UID, config: INBOUND }));
      assert.deepEqual(outcome, { result: 'success', publicIp: '20.9.9.9' });
    });

    it('fails, retryably, when the Public IP has no address even on a second look', async () => {
      const { arm, provider } = setup();
      arm.on(`PUT publicIPAddresses/${UID}-pip`, { status: 201, body: { properties: { provisioningState: 'Succeeded' } } });
      arm.on(`GET publicIPAddresses/${UID}-pip`, { status: 200, body: { properties: {} } });
      const outcome = await provider.executeServiceOperation(operation({ operation: 'create', serviceKind: 'inbound', serviceName: UID, config: INBOUND }));
      assert.equal(outcome.result, 'failure');
      assert.deepEqual(outcome.result === 'failure' && [outcome.code, outcome.terminal], ['PublicIpNotAllocated', false]);
      assert.ok(arm.calls().includes(`POST ${SGW}/updateServices`), 'everything else was built first');
    });

    it('stops at the first failing step and reports a 400 as retryable, with its ARM code', async () => {
      const { arm, provider } = setup();
      arm.on(`PUT loadBalancers/${UID}`, error(400, 'InvalidResourceReference'));
      const outcome = await provider.executeServiceOperation(operation({ operation: 'create', serviceKind: 'inbound', serviceName: UID, config: INBOUND }));
      assert.deepEqual(outcome, { result: 'failure', terminal: false, code: 'InvalidResourceReference', message: 'InvalidResourceReference happened' });
      assert.deepEqual(arm.calls(), [`PUT publicIPAddresses/${UID}-pip`, `PUT loadBalancers/${UID}`]);
    });

    const arm4xx = [
      { status: 400, code: 'InvalidResourceReference' },
      { status: 400, code: 'SubscriptionNotRegisteredForFeature' },
      { status: 400, code: 'BadRequest' },
      { status: 422, code: 'UnprocessableEntity' },
    ];
    for (const c of arm4xx) {
      it(`reports a ${c.status} ${c.code} on the Public IP PUT as retryable: only the engine's own refusal is terminal`, async () => {
        const { arm, provider } = setup();
        arm.on(`PUT publicIPAddresses/${UID}-pip`, error(c.status, c.code));
        const outcome = await provider.executeServiceOperation(operation({ operation: 'create', serviceKind: 'inbound', serviceName: UID, config: INBOUND }));
        assert.deepEqual(outcome.result === 'failure' && [outcome.code, outcome.terminal], [c.code, false]);
      });
    }

    it('reports a quota failure of a long-running PUT as retryable, with its ARM code', async () => {
      const { arm, provider } = setup();
      const operationUrl = `${HOST}/subscriptions/${CONFIG.networkSubscriptionId}/providers/Microsoft.Network/locations/westeurope/operations/op1`;
      arm.on(`PUT publicIPAddresses/${UID}-pip`, { status: 201, body: { properties: { provisioningState: 'Updating' } }, headers: { 'azure-asyncoperation': operationUrl } });
      arm.on(`GET ${new URL(operationUrl).pathname}`, { status: 200, body: { status: 'Failed', error: { code: 'PublicIPCountLimitReached', message: 'limit 10' } } });
      const outcome = await provider.executeServiceOperation(operation({ operation: 'create', serviceKind: 'inbound', serviceName: UID, config: INBOUND }));
      assert.equal(outcome.result, 'failure');
      assert.deepEqual(outcome.result === 'failure' && [outcome.code, outcome.terminal], ['PublicIPCountLimitReached', false]);
    });

    it('refuses an operation without a config as terminal, sending nothing', async () => {
      const { arm, provider } = setup();
      const outcome = await provider.executeServiceOperation(operation({ operation: 'create', serviceKind: 'inbound', serviceName: UID }));
      assert.deepEqual(outcome.result === 'failure' && [outcome.code, outcome.terminal], ['MissingConfig', true]);
      assert.deepEqual(arm.calls(), []);
    });
  });

  describe('create outbound (reference §3.3)', () => {
    it('PUTs both Public IPs, the NAT gateway linked to the Service Gateway, then registers it', async () => {
      const { arm, provider } = setup();
      const outcome = await provider.executeServiceOperation(operation({ operation: 'create', serviceKind: 'outbound', serviceName: EGRESS, config: OUTBOUND }));
      assert.deepEqual(outcome, { result: 'success', publicIp: null });
      assert.deepEqual(arm.calls(), [`PUT publicIPAddresses/${EGRESS}-pip`, `PUT publicIPAddresses/${EGRESS}-pip-v6`, `PUT natGateways/${EGRESS}`, `POST ${SGW}/updateServices`]);
      assert.deepEqual(arm.bodyOf(`PUT publicIPAddresses/${EGRESS}-pip-v6`), json(publicIpBody('IPv6', 'westeurope', OUTBOUND_TAGS)));
      assert.deepEqual(arm.bodyOf(`PUT natGateways/${EGRESS}`), json(natGatewayBody(OUTBOUND, CONFIG, OUTBOUND_TAGS)));
      assert.deepEqual(arm.bodyOf(`POST ${SGW}/updateServices`), json(registerOutboundRequest(OUTBOUND, CONFIG)));
    });

    it('reports a 400 on the NAT gateway PUT as retryable, with its ARM code', async () => {
      const { arm, provider } = setup();
      arm.on(`PUT natGateways/${EGRESS}`, error(400, 'InvalidResourceReference'));
      const outcome = await provider.executeServiceOperation(operation({ operation: 'create', serviceKind: 'outbound', serviceName: EGRESS, config: OUTBOUND }));
      assert.deepEqual(outcome.result === 'failure' && [outcome.code, outcome.terminal], ['InvalidResourceReference', false]);
      assert.equal(arm.calls().includes(`POST ${SGW}/updateServices`), false, 'stops at the failed step');
    });
  });

  describe('update (reference §3.2)', () => {
    it('re-PUTs only the load balancer of an inbound service', async () => {
      const { arm, provider } = setup();
      const config: InboundConfig = { ...INBOUND, ports: [{ protocol: 'TCP', port: 443, backendPort: 8443 }] };
      const outcome = await provider.executeServiceOperation(operation({ operation: 'update', serviceKind: 'inbound', serviceName: UID, config }));
      assert.deepEqual(outcome, { result: 'success', publicIp: null });
      assert.deepEqual(arm.calls(), [`PUT loadBalancers/${UID}`]);
      assert.deepEqual(arm.bodyOf(`PUT loadBalancers/${UID}`), json(loadBalancerBody(config, CONFIG, INBOUND_TAGS)));
    });

    it('PUTs only the Public IP the NAT gateway lacks, then re-PUTs the gateway with both families, without re-registering', async () => {
      const { arm, provider } = setup();
      arm.on(`GET natGateways/${EGRESS}`, {
        status: 200,
        body: { id: `${PREFIX}natGateways/${EGRESS}`, name: EGRESS, properties: { publicIpAddresses: [{ id: `${PREFIX}publicIPAddresses/${EGRESS}-pip`.toUpperCase() }] } },
      });
      const outcome = await provider.executeServiceOperation(operation({ operation: 'update', serviceKind: 'outbound', serviceName: EGRESS, config: OUTBOUND }));
      assert.deepEqual(outcome, { result: 'success', publicIp: null });
      assert.deepEqual(arm.calls(), [`GET natGateways/${EGRESS}`, `PUT publicIPAddresses/${EGRESS}-pip-v6`, `PUT natGateways/${EGRESS}`]);
      assert.deepEqual(arm.bodyOf(`PUT publicIPAddresses/${EGRESS}-pip-v6`), json(publicIpBody('IPv6', 'westeurope', OUTBOUND_TAGS)));
      assert.deepEqual(arm.bodyOf(`PUT natGateways/${EGRESS}`), json(natGatewayBody(OUTBOUND, CONFIG, OUTBOUND_TAGS)));
    });

    it('PUTs every Public IP of an outbound service whose NAT gateway is gone', async () => {
      const { arm, provider } = setup();
      arm.on(`GET natGateways/${EGRESS}`, error(404, 'ResourceNotFound'));
      await provider.executeServiceOperation(operation({ operation: 'update', serviceKind: 'outbound', serviceName: EGRESS, config: OUTBOUND }));
      assert.deepEqual(arm.calls(), [`GET natGateways/${EGRESS}`, `PUT publicIPAddresses/${EGRESS}-pip`, `PUT publicIPAddresses/${EGRESS}-pip-v6`, `PUT natGateways/${EGRESS}`]);
    });
  });

  describe('delete inbound (reference §3.4)', () => {
    const del = operation({ operation: 'delete', serviceKind: 'inbound', serviceName: UID });

    it('clears the pool reference, deletes the load balancer, unregisters, deletes the Public IP', async () => {
      const { arm, provider, failures } = setup();
      assert.deepEqual(await provider.executeServiceOperation(del), { result: 'success', publicIp: null });
      assert.deepEqual(arm.calls(), [`POST ${SGW}/updateServices`, `DELETE loadBalancers/${UID}`, `POST ${SGW}/updateServices`, `DELETE publicIPAddresses/${UID}-pip`]);
      assert.deepEqual(arm.bodyOf(`POST ${SGW}/updateServices`, 0), json(clearBackendPoolsRequest(UID)));
      assert.deepEqual(arm.bodyOf(`POST ${SGW}/updateServices`, 1), json(unregisterRequest(UID, 'inbound')));
      assert.deepEqual(failures, []);
    });

    it('only counts a failure of step 1, and takes 404s of the later steps as done', async () => {
      const { arm, provider, failures } = setup();
      arm.on(`POST ${SGW}/updateServices`, error(500, 'InternalServerError'), { status: 200, body: { status: 'Succeeded' } });
      arm.on(`DELETE loadBalancers/${UID}`, error(404, 'ResourceNotFound'));
      arm.on(`DELETE publicIPAddresses/${UID}-pip`, error(404, 'ResourceNotFound'));
      assert.deepEqual(await provider.executeServiceOperation(del), { result: 'success', publicIp: null });
      assert.deepEqual(failures.map((f) => [f.step, f.serviceName, f.error.label]), [['remove_backend_pool', UID, 'internal_error']]);
      assert.equal(provider.substepFailures.remove_backend_pool, 1);
    });

    it('runs every later step even when one fails, then fails with the last error', async () => {
      const { arm, provider } = setup();
      arm.on(`DELETE loadBalancers/${UID}`, error(409, 'AnotherOperationInProgress'));
      arm.on(`DELETE publicIPAddresses/${UID}-pip`, error(400, 'PublicIPAddressInUse'));
      const outcome = await provider.executeServiceOperation(del);
      assert.deepEqual(outcome.result === 'failure' && [outcome.code, outcome.terminal], ['PublicIPAddressInUse', false]);
      assert.deepEqual(arm.calls(), [`POST ${SGW}/updateServices`, `DELETE loadBalancers/${UID}`, `POST ${SGW}/updateServices`, `DELETE publicIPAddresses/${UID}-pip`]);
    });

    it('keeps the NRP code the engine acts on when the unregister is refused', async () => {
      const { arm, provider } = setup();
      arm.on(`POST ${SGW}/updateServices`, { status: 200, body: { status: 'Succeeded' } }, error(400, 'ServiceWithOverlayMappingsCannotBeDeleted'));
      const outcome = await provider.executeServiceOperation(del);
      assert.deepEqual(outcome.result === 'failure' && outcome.code, 'ServiceWithOverlayMappingsCannotBeDeleted');
    });
  });

  describe('delete outbound (reference §3.5)', () => {
    const del = operation({ operation: 'delete', serviceKind: 'outbound', serviceName: EGRESS });

    it('detaches the NAT gateway on both sides, unregisters, deletes the NAT gateway and both Public IPs', async () => {
      const { arm, provider, failures } = setup();
      const natId = `${PREFIX}natGateways/${EGRESS}`;
      arm.on(`GET natGateways/${EGRESS}`, {
        status: 200,
        body: { id: natId, name: EGRESS, location: 'westeurope', sku: { name: 'StandardV2' }, properties: { serviceGateway: { id: `${PREFIX}${SGW}` }, provisioningState: 'Succeeded' } },
      });
      arm.on(`DELETE publicIPAddresses/${EGRESS}-pip-v6`, error(404, 'ResourceNotFound'));
      // The service is on the second page: the SDK follows nextLink (the same path).
      arm.on(
        `GET ${SGW}/services`,
        { status: 200, body: { value: [{ name: 'other', properties: { serviceType: 'Inbound' } }], nextLink: `${HOST}${PREFIX}${SGW}/services?page=2` } },
        { status: 200, body: { value: [{ name: EGRESS, properties: { serviceType: 'Outbound', publicNatGatewayId: natId } }] } },
      );

      assert.deepEqual(await provider.executeServiceOperation(del), { result: 'success', publicIp: null });
      assert.deepEqual(arm.calls(), [
        `GET ${SGW}/services`,
        `GET ${SGW}/services`,
        `POST ${SGW}/updateServices`,
        `GET natGateways/${EGRESS}`,
        `PUT natGateways/${EGRESS}`,
        `POST ${SGW}/updateServices`,
        `DELETE natGateways/${EGRESS}`,
        `DELETE publicIPAddresses/${EGRESS}-pip`,
        `DELETE publicIPAddresses/${EGRESS}-pip-v6`,
      ]);
      assert.deepEqual(arm.bodyOf(`POST ${SGW}/updateServices`, 0), json(clearNatGatewayRequest(EGRESS)));
      const detached = arm.bodyOf(`PUT natGateways/${EGRESS}`) as { properties: Record<string, unknown> };
      assert.equal(detached.properties['serviceGateway'], null, 'the NAT gateway is PUT back with an explicit null link');
      assert.deepEqual(arm.bodyOf(`POST ${SGW}/updateServices`, 1), json(unregisterRequest(EGRESS, 'outbound')));
      assert.deepEqual(failures, []);
    });

    it('skips the detach calls when nothing is attached, and counts a failed read as a step-1 failure', async () => {
      const { arm, provider, failures } = setup();
      arm.on(`GET ${SGW}/services`, error(503, 'ServiceUnavailable'));
      assert.deepEqual(await provider.executeServiceOperation(del), { result: 'success', publicIp: null });
      assert.deepEqual(arm.calls(), [
        `GET ${SGW}/services`,
        `GET natGateways/${EGRESS}`,
        `POST ${SGW}/updateServices`,
        `DELETE natGateways/${EGRESS}`,
        `DELETE publicIPAddresses/${EGRESS}-pip`,
        `DELETE publicIPAddresses/${EGRESS}-pip-v6`,
      ]);
      assert.deepEqual(failures.map((f) => [f.step, f.error.code]), [['disassociate_nat_gateway', 'ServiceUnavailable']]);
    });
  });

  describe('orphan deletes (docs/adr/0013)', () => {
    const orphan = (serviceKind: 'inbound' | 'outbound', serviceName: string) => operation({ operation: 'delete', serviceKind, serviceName, orphan: true });
    const tagged = (cluster: string) => ({ status: 200, body: { name: 'x', location: 'westeurope', tags: { 'servicegateway-engine-cluster': cluster }, properties: {} } });

    it('reads each resource first, then deletes what is tagged for this cluster or untagged as any delete does', async () => {
      const { arm, provider } = setup();
      arm.on(`GET loadBalancers/${UID}`, tagged('aks-1'));
      assert.deepEqual(await provider.executeServiceOperation(orphan('inbound', UID)), { result: 'success', publicIp: null });
      assert.deepEqual(arm.calls(), [
        `GET loadBalancers/${UID}`,
        `GET publicIPAddresses/${UID}-pip`,
        `POST ${SGW}/updateServices`,
        `DELETE loadBalancers/${UID}`,
        `POST ${SGW}/updateServices`,
        `DELETE publicIPAddresses/${UID}-pip`,
      ]);
    });

    it('removes nothing, and fails retryably, when one of the resources is tagged for another cluster', async () => {
      const { arm, provider } = setup();
      arm.on(`GET publicIPAddresses/${EGRESS}-pip-v6`, tagged('aks-2'));
      const outcome = await provider.executeServiceOperation(orphan('outbound', EGRESS));
      assert.deepEqual(outcome.result === 'failure' && [outcome.code, outcome.terminal], ['ForeignResource', false]);
      assert.deepEqual(arm.calls(), [`GET natGateways/${EGRESS}`, `GET publicIPAddresses/${EGRESS}-pip`, `GET publicIPAddresses/${EGRESS}-pip-v6`]);
    });
  });

  describe('the Service Gateway POSTs (reference §5)', () => {
    const request: LocationsRequest = {
      action: 'PartialUpdate',
      addressLocations: [
        { addressLocation: '10.0.0.1', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.0.7', services: [UID, EGRESS] }] },
        { addressLocation: '10.0.0.2', addressUpdateAction: 'PartialUpdate', addresses: [] },
      ],
    };
    const post = `POST ${SGW}/updateAddressLocations`;

    it('sends updateAddressLocations exactly as built', async () => {
      const { arm, provider } = setup();
      await provider.updateAddressLocations(request);
      assert.equal(JSON.stringify(arm.bodyOf(post)), JSON.stringify(request));
    });

    it('takes a 204 (which v39 raises as an error) as a synchronous completion', async () => {
      const { arm, provider } = setup();
      arm.on(post, { status: 204 });
      await provider.updateAddressLocations(request);
      assert.deepEqual(arm.calls(), [post]);
    });

    it('follows a 202 to the end of the operation, waiting as Retry-After says', async () => {
      const clock = new FakeClock();
      const { arm, provider } = setup({ clock });
      const opPath = `/subscriptions/${CONFIG.networkSubscriptionId}/providers/Microsoft.Network/locations/westeurope/operations/op7`;
      arm.on(post, { status: 202, headers: { 'azure-asyncoperation': `${HOST}${opPath}`, 'retry-after': '3' } });
      arm.on(`GET ${opPath}`, { status: 200, body: { status: 'InProgress' }, headers: { 'retry-after': '5' } }, { status: 200, body: { status: 'Succeeded' } });
      await clock.run(provider.updateAddressLocations(request));
      assert.deepEqual(arm.calls(), [post, `GET ${opPath}`, `GET ${opPath}`]);
      assert.deepEqual(clock.sleeps, [3_000, 5_000]);
    });

    it('throws a NetworkError carrying the ARM code of an accepted operation that failed', async () => {
      const clock = new FakeClock();
      const { arm, provider } = setup({ clock });
      const location = `${HOST}/subscriptions/${CONFIG.networkSubscriptionId}/providers/Microsoft.Network/locations/westeurope/operationResults/op8`;
      arm.on(post, { status: 202, headers: { location } });
      arm.on(`GET ${new URL(location).pathname}`, { status: 202 }, error(400, 'DuplicateLocationsInRequest'));
      const thrown = await clock.run(provider.updateAddressLocations(request)).then(() => null, (e: unknown) => e);
      assert.ok(isNetworkError(thrown));
      assert.deepEqual([thrown.code, thrown.terminal, thrown.outcomeUnknown], ['DuplicateLocationsInRequest', true, false]);
    });

    const failures = [
      { name: 'a 400 is terminal and certainly not applied', reply: error(400, 'DuplicateLocationsInRequest'), want: ['DuplicateLocationsInRequest', true, false, null] },
      { name: 'a 500 may have been applied', reply: error(500, 'InternalServerError'), want: ['InternalServerError', false, true, null] },
      { name: 'a 429 carries its Retry-After', reply: error(429, 'SubscriptionRequestsThrottled', { 'retry-after': '12' }), want: ['SubscriptionRequestsThrottled', false, false, 12_000] },
      { name: 'a 200 whose body says Failed is a failure of unknown outcome', reply: { status: 200, body: { status: 'Failed' } }, want: ['OperationFailed', false, true, null] },
    ] as const;
    for (const c of failures) {
      it(`updateAddressLocations: ${c.name}`, async () => {
        const { arm, provider } = setup();
        arm.on(post, c.reply);
        const thrown = await provider.updateAddressLocations(request).then(() => null, (e: unknown) => e);
        assert.ok(isNetworkError(thrown), `threw ${String(thrown)}`);
        assert.deepEqual([thrown.code, thrown.terminal, thrown.outcomeUnknown, thrown.retryAfterMs], c.want);
      });
    }
  });

  describe('reads', () => {
    it('lists every service across pages, leaving out the RP-owned default and unknown types', async () => {
      const { arm, provider } = setup();
      arm.on(
        `GET ${SGW}/services`,
        {
          status: 200,
          body: {
            value: [
              { name: UID, properties: { serviceType: 'Inbound' } },
              { name: 'default-natgw', properties: { serviceType: 'Outbound', isDefault: true } },
            ],
            nextLink: `${HOST}${PREFIX}${SGW}/services?$skiptoken=2`,
          },
        },
        {
          status: 200,
          body: {
            value: [
              { name: EGRESS, properties: { serviceType: 'InboundOutbound' } },
              { name: 'odd', properties: { serviceType: 'Sideways' } },
            ],
          },
        },
      );
      assert.deepEqual(await provider.listServices(), [
        { name: UID, type: 'Inbound' },
        { name: EGRESS, type: 'InboundOutbound' },
      ]);
      assert.equal(arm.calls().length, 2);
    });

    it('lists every address location across pages, without the RP-owned default service', async () => {
      const { arm, provider } = setup();
      arm.on(
        `GET ${SGW}/addressLocations`,
        {
          status: 200,
          body: {
            value: [{ addressLocation: '10.0.0.1', addresses: [{ address: '10.244.0.7', services: [UID, 'default-natgw'] }] }],
            nextLink: `${HOST}${PREFIX}${SGW}/addressLocations?$skiptoken=2`,
          },
        },
        { status: 200, body: { value: [{ addressLocation: 'fd00::1', addresses: [] }] } },
      );
      assert.deepEqual(await provider.listAddressLocations(), [
        { location: '10.0.0.1', addresses: [{ address: '10.244.0.7', services: [UID] }] },
        { location: 'fd00::1', addresses: [] },
      ]);
    });
  });
});
