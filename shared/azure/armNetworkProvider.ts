// The NetworkProvider port over @azure/arm-network 39 (STYLE §6 rule 5): the step orders of the
// reference (§3.1-3.5) with the request bodies of serviceRequests.ts, idempotency handled here (a
// 404 on a delete step is success, NRP's synchronous 200 is success), and every Azure error turned
// into what the engine needs through classifyArmError. Throttling is not here: it is a policy in
// the client's pipeline (armNetworkClient.ts).
//
// The SDK's models flatten ARM's `properties` (a rule's `protocol` sits beside its `name`) and its
// serializers put them back, so the bodies of serviceRequests.ts are mapped onto the models
// (`sdk*` below) and come out on the wire as built; test/unit/azure/armNetworkProvider.test.ts
// pins that, request by request.
import { statusCodeOf } from '../tables/tableClients.ts';
import type {
  LoadBalancer,
  NatGateway,
  NetworkManagementClient,
  PublicIPAddress,
  ServiceGatewayAddressLocation,
  ServiceGatewayService,
  ServiceGatewayUpdateAddressLocationsRequest,
  ServiceGatewayUpdateServicesRequest,
} from '@azure/arm-network';
import { createDefaultHttpClient } from '@azure/core-rest-pipeline';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { RESERVED_EGRESS_IDENTITIES } from '../engine/egressIdentity.ts';
import { CONFIG_REFUSAL } from '../engine/configRefusal.ts';
import { managedResourceOf, resourcesOfService, resourceTags, taggedCluster } from '../engine/resourceTags.ts';
import {
  clearBackendPoolsRequest,
  clearNatGatewayRequest,
  loadBalancerBody,
  natGatewayBody,
  publicIpBody,
  publicIpId,
  publicIpName,
  publicIpNames,
  registerInboundRequest,
  registerOutboundRequest,
  unregisterRequest,
} from '../engine/serviceRequests.ts';
import type { LoadBalancerBody, NatGatewayBody, PublicIpBody, ServicesRequest, Tags } from '../engine/serviceRequests.ts';
import type {
  AzureResourceType,
  InboundConfig,
  IpFamily,
  LocationsRequest,
  ManagedResource,
  NrpServiceType,
  ObservedLocation,
  OperationOutcome,
  OutboundConfig,
  ServiceConfig,
  ServiceKind,
  ServiceOperation,
} from '../engine/types.ts';
import { acceptedPollTarget, awaitAcceptedOperation, DEFAULT_POLL_INTERVAL_MS } from './acceptedOperation.ts';
import { classifyArmError, isSynchronousCompletion } from './classifyArmError.ts';
import type { ArmErrorClass } from './classifyArmError.ts';
import { systemClock, systemSleep } from './clock.ts';
import type { Clock, Sleep } from './clock.ts';
import type { NetworkConfig } from './networkConfig.ts';
import { NetworkError } from './networkProvider.ts';
import type { NetworkCallOptions, NetworkProvider } from './networkProvider.ts';

/** The parts of the generated client this adapter uses. */
export type ArmNetworkClient = Pick<NetworkManagementClient, 'publicIPAddresses' | 'loadBalancers' | 'natGateways' | 'serviceGateways' | 'pipeline'>;

/** The delete steps whose failure is counted, not fatal (reference §3.4 step 1, §3.5 step 1). */
export type DeleteSubstep = 'remove_backend_pool' | 'disassociate_nat_gateway';

export interface SubstepFailure {
  readonly step: DeleteSubstep;
  readonly serviceName: string;
  readonly error: ArmErrorClass;
}

export interface ArmNetworkProviderOptions {
  /** Called for each counted delete step-1 failure (`delete_substep_failures_total{step}`). */
  readonly onSubstepFailure?: ((failure: SubstepFailure) => void) | undefined;
  /** Sends the polls of a POST that NRP accepted with 202; give the client's own HttpClient when it
   * has a custom one (default: the pipeline's default client). */
  readonly httpClient?: HttpClient | undefined;
  readonly clock?: Clock | undefined;
  readonly sleep?: Sleep | undefined;
  /** Between polls of a long-running operation that names no Retry-After (default 2 s). */
  readonly pollIntervalMs?: number | undefined;
}

/** A failure decided here rather than by Azure (a malformed operation, terminal; an unallocated address, not). */
class OperationRefused extends Error {
  override readonly name = 'OperationRefused';
  readonly code: string;
  readonly terminal: boolean;

  constructor(code: string, message: string, terminal: boolean) {
    super(message);
    this.code = code;
    this.terminal = terminal;
  }
}

function statusOf(e: unknown): number | null {
  return statusCodeOf(e) ?? null;
}

/** A read of a resource that may be gone. */
async function orNullIfNotFound<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (e) {
    if (statusOf(e) === 404) return null;
    throw e;
  }
}

/** A delete step's 404: the thing is already gone, which is what the step wanted. */
async function ignoringNotFound(step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (e) {
    if (statusOf(e) !== 404) throw e;
  }
}

export class ArmNetworkProvider implements NetworkProvider {
  /** Delete step-1 failures since construction, by step. */
  readonly substepFailures: Record<DeleteSubstep, number> = { remove_backend_pool: 0, disassociate_nat_gateway: 0 };
  private readonly client: ArmNetworkClient;
  private readonly config: NetworkConfig;
  private readonly onSubstepFailure: (failure: SubstepFailure) => void;
  private readonly httpClient: HttpClient | undefined;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly pollIntervalMs: number;

  /** `client` must address `config.networkSubscriptionId`: every resource lives there. */
  constructor(client: ArmNetworkClient, config: NetworkConfig, options: ArmNetworkProviderOptions = {}) {
    this.client = client;
    this.config = config;
    this.onSubstepFailure = options.onSubstepFailure ?? (() => undefined);
    this.httpClient = options.httpClient;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? systemSleep;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  }

  async executeServiceOperation(operation: ServiceOperation, options: NetworkCallOptions = {}): Promise<OperationOutcome> {
    try {
      const publicIp = await this.run(operation, options);
      return { result: 'success', publicIp };
    } catch (e) {
      if (e instanceof OperationRefused) return { result: 'failure', terminal: e.terminal, code: e.code, message: e.message };
      // Never terminal: an ARM 4xx of a service operation (a reference not visible yet, a feature
      // not registered yet) may pass with no change to the spec, so the engine retries it, parks it
      // for the cooldown and re-arms it (docs/adr/0012). Only a refusal of ours above is terminal.
      const c = classifyArmError(e, { now: this.clock.now() });
      return { result: 'failure', terminal: false, code: c.code, message: c.message };
    }
  }

  async updateAddressLocations(request: LocationsRequest, options: NetworkCallOptions = {}): Promise<void> {
    try {
      await this.post(
        (o) => this.client.serviceGateways.updateAddressLocations(this.config.resourceGroup, this.config.serviceGatewayName, sdkLocationsRequest(request), o),
        options,
      );
    } catch (e) {
      const c = classifyArmError(e, { now: this.clock.now() });
      throw new NetworkError(c.code, c.message, { terminal: c.terminal, outcomeUnknown: c.outcomeUnknown, retryAfterMs: c.retryAfterMs });
    }
  }

  /** Every service NRP has registered but the RP-owned default ones (`default-natgw`), which the
   * reference leaves alone everywhere: the engine would otherwise take them for orphans. */
  async listServices(options: NetworkCallOptions = {}): Promise<{ readonly name: string; readonly type: NrpServiceType }[]> {
    const out: { name: string; type: NrpServiceType }[] = [];
    for await (const s of this.client.serviceGateways.listServices(this.config.resourceGroup, this.config.serviceGatewayName, { abortSignal: options.abortSignal })) {
      const type = nrpServiceType(s.serviceType);
      if (s.name === undefined || type === null || isRpOwned(s)) continue;
      out.push({ name: s.name, type });
    }
    return out;
  }

  /** Every address location, with the RP-owned services left out of each address's list. */
  async listAddressLocations(options: NetworkCallOptions = {}): Promise<ObservedLocation[]> {
    const out: ObservedLocation[] = [];
    const pages = this.client.serviceGateways.listAddressLocations(this.config.resourceGroup, this.config.serviceGatewayName, { abortSignal: options.abortSignal });
    for await (const l of pages) {
      if (l.addressLocation === undefined) continue;
      const addresses = (l.addresses ?? []).flatMap((a) =>
        a.address === undefined ? [] : [{ address: a.address, services: (a.services ?? []).filter((s) => !RESERVED_EGRESS_IDENTITIES.has(s.toLowerCase())) }],
      );
      out.push({ location: l.addressLocation, addresses });
    }
    return out;
  }

  /**
   * This engine's public IPs, load balancers and NAT gateways for `cluster` in the resource group:
   * one paged list per type, and only what is tagged for the cluster with the name this engine gives
   * the tagged service's resources (resourceTags.ts). Untagged and foreign resources never appear.
   */
  async listManagedResources(cluster: string, options: NetworkCallOptions = {}): Promise<ManagedResource[]> {
    const rg = this.config.resourceGroup;
    const o = { abortSignal: options.abortSignal };
    const lists: readonly [AzureResourceType, AsyncIterable<{ name?: string; id?: string; tags?: Record<string, string> }>][] = [
      ['publicIPAddress', this.client.publicIPAddresses.list(rg, o)],
      ['loadBalancer', this.client.loadBalancers.list(rg, o)],
      ['natGateway', this.client.natGateways.list(rg, o)],
    ];
    const out: ManagedResource[] = [];
    for (const [type, pages] of lists) {
      for await (const r of pages) {
        const managed = managedResourceOf(type, r, cluster);
        if (managed) out.push(managed);
      }
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // The operations (reference §3)

  private async run(op: ServiceOperation, options: NetworkCallOptions): Promise<string | null> {
    if (op.operation === 'delete') {
      if (op.orphan) await this.refuseForeign(op, options);
      if (op.serviceKind === 'inbound') await this.deleteInbound(op.serviceName, options);
      else await this.deleteOutbound(op.serviceName, options);
      return null;
    }
    const config = checkedConfig(op);
    // Every resource is tagged with what it is for, so that a listing finds it (docs/adr/0013).
    const tags = resourceTags(op.cluster, config.kind, config.name);
    if (config.kind === 'inbound') {
      if (op.operation === 'create') return this.createInbound(config, tags, options);
      await this.putLoadBalancer(config, tags, options); // §3.2: only the load balancer changes
      return null;
    }
    if (op.operation === 'create') await this.createOutbound(config, tags, options);
    else await this.updateOutbound(config, tags, options);
    return null;
  }

  /** §3.1: Public IP, load balancer, registration. A failure leaves what was built; the retry re-PUTs it. */
  private async createInbound(config: InboundConfig, tags: Tags, options: NetworkCallOptions): Promise<string> {
    let address: string | null = null;
    let pipName = '';
    for (const pip of publicIpNames(config)) {
      address = await this.putPublicIp(pip.name, pip.family, tags, options);
      pipName = pip.name;
    }
    await this.putLoadBalancer(config, tags, options);
    await this.updateServices(registerInboundRequest(config, this.config), options);
    // The PUT's answer normally carries the address; if not, read it back once.
    address ??= (await this.client.publicIPAddresses.get(this.config.resourceGroup, pipName, { abortSignal: options.abortSignal })).ipAddress ?? null;
    if (address === null) throw new OperationRefused('PublicIpNotAllocated', `public IP ${pipName} has no address yet`, false);
    return address;
  }

  /** §3.3: Public IP(s), NAT gateway linked to the Service Gateway, registration. */
  private async createOutbound(config: OutboundConfig, tags: Tags, options: NetworkCallOptions): Promise<void> {
    for (const pip of publicIpNames(config)) await this.putPublicIp(pip.name, pip.family, tags, options);
    await this.putNatGateway(config, tags, options);
    await this.updateServices(registerOutboundRequest(config, this.config), options);
  }

  /**
   * The cluster's families grew (docs/adr/0016): PUT the Public IPs the gateway does not list yet
   * (the IPv6 one), then re-PUT the gateway with all of them. The registration names the gateway,
   * not its IPs, so it stays as it is. A gateway that is gone gets every Public IP.
   */
  private async updateOutbound(config: OutboundConfig, tags: Tags, options: NetworkCallOptions): Promise<void> {
    const nat = await this.natGatewayOrNull(config.name, options);
    const listed = new Set([...(nat?.publicIpAddresses ?? []), ...(nat?.publicIpAddressesV6 ?? [])].map((r) => r.id?.toLowerCase()));
    for (const pip of publicIpNames(config)) {
      if (!listed.has(publicIpId(this.config, pip.name).toLowerCase())) await this.putPublicIp(pip.name, pip.family, tags, options);
    }
    await this.putNatGateway(config, tags, options);
  }

  private async putNatGateway(config: OutboundConfig, tags: Tags, options: NetworkCallOptions): Promise<void> {
    const body = natGatewayBody(config, this.config, tags);
    await this.client.natGateways.createOrUpdate(this.config.resourceGroup, config.name, sdkNatGateway(body), this.lroOptions(options));
  }

  /** §3.4: every step runs; step 1 only counts its failure, a failure of steps 2-4 fails the delete. */
  private async deleteInbound(name: string, options: NetworkCallOptions): Promise<void> {
    await this.substep('remove_backend_pool', name, () => this.updateServices(clearBackendPoolsRequest(name), options));
    const rg = this.config.resourceGroup;
    await allSteps([
      () => ignoringNotFound(() => this.client.loadBalancers.delete(rg, name, this.lroOptions(options))),
      () => this.unregister(name, 'inbound', options),
      () => ignoringNotFound(() => this.client.publicIPAddresses.delete(rg, publicIpName(name, 'IPv4'), this.lroOptions(options))),
    ]);
  }

  /** §3.5: disassociate (counted), unregister, delete the NAT gateway, delete both Public IPs. */
  private async deleteOutbound(name: string, options: NetworkCallOptions): Promise<void> {
    const rg = this.config.resourceGroup;
    await this.substep('disassociate_nat_gateway', name, async () => {
      const service = await this.findService(name, options);
      if (service?.publicNatGatewayId) await this.updateServices(clearNatGatewayRequest(name), options);
    });
    await this.substep('disassociate_nat_gateway', name, async () => {
      const nat = await this.natGatewayOrNull(name, options);
      if (nat?.serviceGateway) {
        // No builder for this one: it is the gateway as read, with its link cut (reference §3.5 step 1).
        const detached = { ...nat, serviceGateway: null } as unknown as NatGateway;
        await this.client.natGateways.createOrUpdate(rg, name, detached, this.lroOptions(options));
      }
    });
    await allSteps([
      () => this.unregister(name, 'outbound', options),
      () => ignoringNotFound(() => this.client.natGateways.delete(rg, name, this.lroOptions(options))),
      ...(['IPv4', 'IPv6'] as const).map((family: IpFamily) => () => ignoringNotFound(() => this.client.publicIPAddresses.delete(rg, publicIpName(name, family), this.lroOptions(options)))),
    ]);
  }

  /**
   * An orphan delete acts on nobody's request (docs/adr/0013), so before it writes anything it
   * makes sure none of the resources it would remove is tagged for another cluster (an egress
   * identity of the same name in a shared resource group): if one is, it removes nothing and fails,
   * retryably, with `ForeignResource`, which the parked operation shows until an operator looks.
   */
  private async refuseForeign(op: ServiceOperation, options: NetworkCallOptions): Promise<void> {
    const rg = this.config.resourceGroup;
    const o = { abortSignal: options.abortSignal };
    for (const r of resourcesOfService(op.serviceKind, op.serviceName)) {
      const read =
        r.resourceType === 'loadBalancer'
          ? () => this.client.loadBalancers.get(rg, r.name, o)
          : r.resourceType === 'natGateway'
            ? () => this.client.natGateways.get(rg, r.name, o)
            : () => this.client.publicIPAddresses.get(rg, r.name, o);
      const owner = taggedCluster((await orNullIfNotFound(read))?.tags);
      if (owner !== null && owner !== op.cluster) {
        throw new OperationRefused('ForeignResource', `${r.resourceType} ${r.name} is tagged for cluster ${owner}: an orphan delete of ${op.cluster} leaves it`, false);
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Steps

  /** PUTs a Public IP; returns its address when the answer carries one. */
  private async putPublicIp(name: string, family: IpFamily, tags: Tags, options: NetworkCallOptions): Promise<string | null> {
    const body = sdkPublicIp(publicIpBody(family, this.config.location, tags));
    const pip = await this.client.publicIPAddresses.createOrUpdate(this.config.resourceGroup, name, body, this.lroOptions(options));
    return pip.ipAddress || null;
  }

  private async putLoadBalancer(config: InboundConfig, tags: Tags, options: NetworkCallOptions): Promise<void> {
    const body = loadBalancerBody(config, this.config, tags);
    await this.client.loadBalancers.createOrUpdate(this.config.resourceGroup, config.name, sdkLoadBalancer(body), this.lroOptions(options));
  }

  private async updateServices(request: ServicesRequest, options: NetworkCallOptions): Promise<void> {
    await this.post((o) => this.client.serviceGateways.updateServices(this.config.resourceGroup, this.config.serviceGatewayName, sdkServicesRequest(request), o), options);
  }

  /** Unregistering what NRP does not know is done already. */
  private unregister(name: string, kind: ServiceKind, options: NetworkCallOptions): Promise<void> {
    return ignoringNotFound(() => this.updateServices(unregisterRequest(name, kind), options));
  }

  /**
   * One of the Service Gateway's POSTs. v39 accepts only 200 for them; NRP's other answers are
   * raised as errors and handled here: a 200 or 204 that names no error is success (reference §5,
   * isSynchronousCompletion), a 202 is followed to its end (acceptedOperation.ts).
   */
  private async post(send: (o: { abortSignal?: AbortSignal | undefined }) => Promise<{ readonly status?: string }>, options: NetworkCallOptions): Promise<void> {
    let answer: { readonly status?: string };
    try {
      answer = await send({ abortSignal: options.abortSignal });
    } catch (e) {
      if (isSynchronousCompletion(e)) return;
      if (acceptedPollTarget(e) === null) throw e;
      const ctx = {
        pipeline: this.client.pipeline,
        httpClient: this.pollingClient(),
        clock: this.clock,
        sleep: this.sleep,
        pollIntervalMs: this.pollIntervalMs,
      };
      await awaitAcceptedOperation(e, ctx, { abortSignal: options.abortSignal });
      return;
    }
    // A 200 whose body says the operation failed is no success (the SDK does not look).
    if (answer.status !== undefined && /^(failed|canceled|cancelled)$/i.test(answer.status)) {
      throw new Error(`The long-running operation has failed: NRP answered 200 with status ${answer.status}`);
    }
  }

  private pollingClient(): HttpClient {
    return this.httpClient ?? createDefaultHttpClient();
  }

  /** A step whose failure is counted and reported, never thrown. */
  private async substep(step: DeleteSubstep, serviceName: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (e) {
      this.substepFailures[step]++;
      this.onSubstepFailure({ step, serviceName, error: classifyArmError(e, { now: this.clock.now() }) });
    }
  }

  private async findService(name: string, options: NetworkCallOptions): Promise<ServiceGatewayService | null> {
    for await (const s of this.client.serviceGateways.listServices(this.config.resourceGroup, this.config.serviceGatewayName, { abortSignal: options.abortSignal })) {
      if (s.name?.toLowerCase() === name) return s;
    }
    return null;
  }

  private natGatewayOrNull(name: string, options: NetworkCallOptions): Promise<NatGateway | null> {
    return orNullIfNotFound(() => this.client.natGateways.get(this.config.resourceGroup, name, { abortSignal: options.abortSignal }));
  }

  private lroOptions(options: NetworkCallOptions): { abortSignal?: AbortSignal | undefined; updateIntervalInMs: number } {
    return { abortSignal: options.abortSignal, updateIntervalInMs: this.pollIntervalMs };
  }
}

/** Runs every step; if any failed, throws the last failure once all have run (reference §3.4 step 5). */
async function allSteps(steps: readonly (() => Promise<void>)[]): Promise<void> {
  let failed = false;
  let last: unknown = null;
  for (const step of steps) {
    try {
      await step();
    } catch (e) {
      failed = true;
      last = e;
    }
  }
  if (failed) throw last;
}

function checkedConfig(op: ServiceOperation): ServiceConfig {
  const config = op.config;
  if (config === null) throw new OperationRefused(CONFIG_REFUSAL.missingConfig, `${op.operation} of ${op.serviceName} carries no config`, true);
  if (config.kind !== op.serviceKind || config.name !== op.serviceName) {
    throw new OperationRefused(CONFIG_REFUSAL.configMismatch, `${op.operation} of ${op.serviceKind} ${op.serviceName} carries the config of ${config.kind} ${config.name}`, true);
  }
  return config;
}

function nrpServiceType(t: string | undefined): NrpServiceType | null {
  return t === 'Inbound' || t === 'Outbound' || t === 'InboundOutbound' ? t : null;
}

function isRpOwned(s: ServiceGatewayService): boolean {
  return s.isDefault === true || (s.name !== undefined && RESERVED_EGRESS_IDENTITIES.has(s.name.toLowerCase()));
}

// ---------------------------------------------------------------------------------------------
// serviceRequests.ts bodies as the SDK's models (whose serializers nest `properties` again)

function sdkPublicIp(b: PublicIpBody): PublicIPAddress {
  return {
    location: b.location,
    tags: { ...b.tags },
    sku: { name: b.sku.name },
    publicIPAllocationMethod: b.properties.publicIPAllocationMethod,
    publicIPAddressVersion: b.properties.publicIPAddressVersion,
  };
}

function sdkLoadBalancer(b: LoadBalancerBody): LoadBalancer {
  return {
    location: b.location,
    tags: { ...b.tags },
    sku: { name: b.sku.name },
    scope: b.properties.scope,
    frontendIPConfigurations: b.properties.frontendIPConfigurations.map((f) => ({ name: f.name, publicIPAddress: { id: f.properties.publicIPAddress.id } })),
    backendAddressPools: b.properties.backendAddressPools.map((p) => ({ name: p.name })),
    loadBalancingRules: b.properties.loadBalancingRules.map((r) => ({
      name: r.name,
      frontendIPConfiguration: { id: r.properties.frontendIPConfiguration.id },
      backendAddressPool: { id: r.properties.backendAddressPool.id },
      protocol: r.properties.protocol,
      frontendPort: r.properties.frontendPort,
      backendPort: r.properties.backendPort,
      idleTimeoutInMinutes: r.properties.idleTimeoutInMinutes,
      enableFloatingIP: r.properties.enableFloatingIP,
      ...(r.properties.enableTcpReset === undefined ? {} : { enableTcpReset: r.properties.enableTcpReset }),
    })),
  };
}

function sdkNatGateway(b: NatGatewayBody): NatGateway {
  const v6 = b.properties.publicIpAddressesV6;
  return {
    location: b.location,
    tags: { ...b.tags },
    sku: { name: b.sku.name },
    serviceGateway: { id: b.properties.serviceGateway.id },
    publicIpAddresses: b.properties.publicIpAddresses.map((p) => ({ id: p.id })),
    ...(v6 === undefined ? {} : { publicIpAddressesV6: v6.map((p) => ({ id: p.id })) }),
  };
}

function sdkServicesRequest(r: ServicesRequest): ServiceGatewayUpdateServicesRequest {
  return {
    action: r.action,
    serviceRequests: r.serviceRequests.map((sr) => {
      const p = sr.service.properties;
      const service = {
        name: sr.service.name,
        serviceType: p.serviceType,
        ...(p.loadBalancerBackendPools === undefined
          ? {}
          : { loadBalancerBackendPools: p.loadBalancerBackendPools.map((pool) => ({ id: pool.id, name: pool.name, virtualNetwork: { id: pool.properties.virtualNetwork.id } })) }),
        // An explicit null detaches the NAT gateway: the SDK's serializer passes it through, but
        // its type says string, hence the cast.
        ...(p.publicNatGatewayId === undefined ? {} : { publicNatGatewayId: p.publicNatGatewayId as string }),
      } satisfies ServiceGatewayService;
      return { isDelete: sr.isDelete, service };
    }),
  };
}

function sdkLocationsRequest(r: LocationsRequest): ServiceGatewayUpdateAddressLocationsRequest {
  return {
    action: r.action,
    addressLocations: r.addressLocations.map(
      (l): ServiceGatewayAddressLocation => ({
        addressLocation: l.addressLocation,
        addressUpdateAction: l.addressUpdateAction,
        addresses: l.addresses.map((a) => ({ address: a.address, services: [...a.services] })),
      }),
    ),
  };
}
