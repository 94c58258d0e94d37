// Public configuration, fault and snapshot types of the NRP simulator.

/** Time source for operation completion, provisioning state and rate-limit buckets. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** How the Service Gateway POSTs answer: 200 (what NRP does) or 202 + polling headers (what the spec implies). */
export type SyncPostStatus = 200 | 202;

export interface NrpLatency {
  /** How long a write takes: LRO operations stay InProgress this long; synchronous POSTs answer after it. */
  readonly writeMs?: number | undefined;
  /** How long creating a load balancer takes (updates use writeMs). */
  readonly lbCreateMs?: number | undefined;
}

export interface TokenBucket {
  readonly burst: number;
  readonly refillPerSecond: number;
}

export interface NrpThrottle {
  readonly reads?: TokenBucket | undefined;
  readonly writes?: TokenBucket | undefined;
}

export interface NrpSimulatorOptions {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** The Azure region every resource lives in (operation status URLs use it too). */
  readonly location: string;
  /** Default `servicegateway` (the reference engine's constant). */
  readonly serviceGatewayName?: string | undefined;
  /** Default `vnet`. */
  readonly vnetName?: string | undefined;
  readonly latency?: NrpLatency | undefined;
  readonly clock?: Clock | undefined;
  /** Default 200. */
  readonly syncPostStatus?: SyncPostStatus | undefined;
  /** Items per page of every list (services, address locations, resource lists). Default 100. */
  readonly pageSize?: number | undefined;
  /** How long a `"timeout"` fault holds the request before the socket is closed. Default 30 s. */
  readonly timeoutHoldMs?: number | undefined;
  /** Accepted api-versions. Default `2025-05-01` (reference engine) and `2026-01-01` (@azure/arm-network 39). */
  readonly apiVersions?: readonly string[] | undefined;
  /** `sequential` (creation order, default) or `byName` (a hash of the name: independent of order). */
  readonly ipAllocation?: 'sequential' | 'byName' | undefined;
  /** `Retry-After` sent on 201/202 and on InProgress polls. Omitted by default (the client then uses its own interval). */
  readonly pollRetryAfterSeconds?: number | undefined;
  /** Status of a DELETE of an absent resource. Default 404 (real NRP answers 204). */
  readonly deleteAbsentStatus?: 404 | 204 | undefined;
  /** ARM-style token buckets per operation kind; off unless given. */
  readonly throttle?: NrpThrottle | undefined;
  /** The NRP-owned `default-natgw` service is listed by GET services. Default true. */
  readonly defaultService?: boolean | undefined;
  /** Refuse deleting an LB pool / NAT gateway that a Service Gateway service still references. Default true. */
  readonly strictReferences?: boolean | undefined;
  /** Require an `Authorization: Bearer …` header. Default true. */
  readonly requireAuth?: boolean | undefined;
  /** Default 127.0.0.1. */
  readonly host?: string | undefined;
  /** Default 0 (OS-chosen). */
  readonly port?: number | undefined;
}

export interface ResolvedOptions {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly serviceGatewayName: string;
  readonly vnetName: string;
  /** Not readonly: `setLatency` changes them while the simulator runs. */
  writeMs: number;
  lbCreateMs: number;
  readonly clock: Clock;
  readonly syncPostStatus: SyncPostStatus;
  readonly pageSize: number;
  readonly timeoutHoldMs: number;
  readonly apiVersions: readonly string[];
  readonly ipAllocation: 'sequential' | 'byName';
  readonly pollRetryAfterSeconds: number | undefined;
  readonly deleteAbsentStatus: 404 | 204;
  readonly throttle: { readonly reads: TokenBucket | undefined; readonly writes: TokenBucket | undefined };
  readonly defaultService: boolean;
  readonly strictReferences: boolean;
  readonly requireAuth: boolean;
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_API_VERSIONS: readonly string[] = ['2025-05-01', '2026-01-01'];

export function resolveOptions(o: NrpSimulatorOptions): ResolvedOptions {
  const nonNegative = (v: number | undefined, what: string, dflt: number): number => {
    const n = v ?? dflt;
    if (!Number.isFinite(n) || n < 0) throw new Error(`NRP simulator: ${what} must be a number >= 0`);
    return n;
  };
  for (const [k, v] of [['subscriptionId', o.subscriptionId], ['resourceGroup', o.resourceGroup], ['location', o.location]] as const) {
    if (typeof v !== 'string' || v === '') throw new Error(`NRP simulator: ${k} is required`);
  }
  const pageSize = o.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error('NRP simulator: pageSize must be a positive integer');
  return {
    subscriptionId: o.subscriptionId,
    resourceGroup: o.resourceGroup,
    location: o.location,
    serviceGatewayName: o.serviceGatewayName ?? 'servicegateway',
    vnetName: o.vnetName ?? 'vnet',
    writeMs: nonNegative(o.latency?.writeMs, 'latency.writeMs', 0),
    lbCreateMs: nonNegative(o.latency?.lbCreateMs, 'latency.lbCreateMs', o.latency?.writeMs ?? 0),
    clock: o.clock ?? systemClock,
    syncPostStatus: o.syncPostStatus ?? 200,
    pageSize,
    timeoutHoldMs: nonNegative(o.timeoutHoldMs, 'timeoutHoldMs', 30_000),
    apiVersions: o.apiVersions ?? DEFAULT_API_VERSIONS,
    ipAllocation: o.ipAllocation ?? 'sequential',
    pollRetryAfterSeconds: o.pollRetryAfterSeconds,
    deleteAbsentStatus: o.deleteAbsentStatus ?? 404,
    throttle: { reads: o.throttle?.reads, writes: o.throttle?.writes },
    defaultService: o.defaultService ?? true,
    strictReferences: o.strictReferences ?? true,
    requireAuth: o.requireAuth ?? true,
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
  };
}

/**
 * One armed fault, as in a scenario step `{target:'nrp', operation, status, retryAfterSeconds, times}`.
 * `operation` is an operation name (see README) or `*` (every write).
 */
export interface NrpFault {
  readonly target?: 'nrp' | undefined;
  readonly operation: string;
  /** HTTP status to answer, or `"timeout"` (hold the request, then close the socket). Omitted: only `latencyMs`. */
  readonly status?: number | 'timeout' | undefined;
  readonly retryAfterSeconds?: number | undefined;
  /** How many calls it hits. Default 1; `Infinity` for all. */
  readonly times?: number | undefined;
  /** Error code in the body; defaults by status (429 TooManyRequests, 409 AnotherOperationInProgress, …). */
  readonly code?: string | undefined;
  readonly message?: string | undefined;
  /** Delay added before the call is answered (or failed). */
  readonly latencyMs?: number | undefined;
  /** Apply the request first, then fail it (the caller cannot tell it happened). Default false. */
  readonly applied?: boolean | undefined;
}

export interface ArmedFault {
  readonly fault: NrpFault;
  readonly remaining: number;
}

// ---------------------------------------------------------------------------------------------
// Report-shaped state (shared/scenarios/README.md, "nrp").

export type NrpServiceType = 'Inbound' | 'Outbound' | 'InboundOutbound';
export type IpVersion = 'IPv4' | 'IPv6';

export interface SnapshotService {
  readonly name: string;
  readonly type: NrpServiceType;
  readonly backendPoolIds: readonly string[];
  readonly natGatewayId: string | null;
}

export interface SnapshotRule {
  readonly protocol: string;
  readonly frontendPort: number;
  readonly backendPort: number;
}

export interface SnapshotLoadBalancer {
  readonly name: string;
  readonly rules: readonly SnapshotRule[];
}

export interface SnapshotPublicIp {
  readonly name: string;
  readonly ipAddress: string;
  readonly version: IpVersion;
}

export interface SnapshotNatGateway {
  readonly name: string;
  readonly publicIPs: readonly string[];
}

export interface SnapshotAddress {
  readonly address: string;
  readonly services: readonly string[];
}

export interface SnapshotLocation {
  readonly location: string;
  readonly addresses: readonly SnapshotAddress[];
}

export interface NrpSnapshot {
  readonly services: readonly SnapshotService[];
  readonly loadBalancers: readonly SnapshotLoadBalancer[];
  readonly publicIPs: readonly SnapshotPublicIp[];
  readonly natGateways: readonly SnapshotNatGateway[];
  readonly locations: readonly SnapshotLocation[];
}

export interface NrpSimulator {
  /** `http://127.0.0.1:PORT` — pass it as the client's `endpoint`. */
  readonly baseUrl: string;
  readonly port: number;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly serviceGatewayName: string;
  readonly serviceGatewayId: string;
  readonly virtualNetworkId: string;
  /** Closes the listener and every connection, held ones included. Idempotent. */
  stop(): Promise<void>;
  readonly faults: {
    arm(fault: NrpFault): void;
    clear(): void;
    /** Faults that still have calls left, in arming order. */
    pending(): readonly ArmedFault[];
  };
  /**
   * Calls received per operation, failed ones included. By default the write operations (always
   * present, 0 when never called) and `throttled` (429 answers); `includeReads` adds reads and polls.
   */
  calls(options?: { readonly includeReads?: boolean | undefined }): Record<string, number>;
  resetCalls(): void;
  /** What NRP holds, report-shaped and sorted. The NRP-owned default service is left out. */
  snapshot(): NrpSnapshot;
}

/**
 * What a harness that runs the simulator in its own process can do besides (the benchmark): change
 * the latency and limits between phases, and see each write land, so that the time a change
 * reaches NRP is known exactly rather than polled.
 */
export interface NrpRuntimeControls {
  /** The latency of writes that arrive from now on (both fields default to 0, as at start). */
  setLatency(latency: NrpLatency): void;
  /** Replaces the token buckets, full; a kind left out is not throttled any more. */
  setThrottle(throttle: NrpThrottle): void;
  /**
   * `listener` is told, synchronously, after every write NRP carried out (its answer was not an
   * error): the change is visible from then on. Returns what stops it.
   */
  onWrite(listener: (operation: string) => void): () => void;
  /** The service names NRP holds for `address` under `location` (canonical IPs), or undefined. */
  addressServices(location: string, address: string): readonly string[] | undefined;
  /** The type of a registered Service Gateway service, or undefined when it is not registered. */
  serviceType(name: string): NrpServiceType | undefined;
}
