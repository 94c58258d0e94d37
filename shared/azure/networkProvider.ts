// The port service operations and location syncs reach NRP through. The ARM adapter over
// @azure/arm-network implements it (issue 4); tests use an in-memory one.
import type { LocationsRequest, ManagedResource, NrpServiceType, ObservedLocation, OperationOutcome, ServiceOperation } from '../engine/types.ts';

export interface NetworkCallOptions {
  readonly abortSignal?: AbortSignal | undefined;
}

/** A failed NRP call, classified once (reference §5): the engine needs only these three facts. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  readonly code: string;
  /** NRP refused the request as invalid: repeating it will not help. */
  readonly terminal: boolean;
  /** The request may have been applied (timeout, 5xx). */
  readonly outcomeUnknown: boolean;
  readonly retryAfterMs: number | null;

  constructor(code: string, message: string, o: { terminal: boolean; outcomeUnknown: boolean; retryAfterMs?: number | null }) {
    super(message);
    this.code = code;
    this.terminal = o.terminal;
    this.outcomeUnknown = o.outcomeUnknown;
    this.retryAfterMs = o.retryAfterMs ?? null;
  }
}

export function isNetworkError(e: unknown): e is NetworkError {
  return e instanceof Error && e.name === 'NetworkError';
}

export interface NetworkProvider {
  /** Runs every step of one service operation (idempotent); Azure errors become a failure outcome. */
  executeServiceOperation(operation: ServiceOperation, options?: NetworkCallOptions): Promise<OperationOutcome>;
  /** One updateAddressLocations request; throws NetworkError. */
  updateAddressLocations(request: LocationsRequest, options?: NetworkCallOptions): Promise<void>;
  listServices(options?: NetworkCallOptions): Promise<{ readonly name: string; readonly type: NrpServiceType }[]>;
  listAddressLocations(options?: NetworkCallOptions): Promise<ObservedLocation[]>;
  /** The public IPs, load balancers and NAT gateways in the resource group whose tags say this
   * engine created them for `cluster` (resourceTags.ts); paged reads, no writes. */
  listManagedResources(cluster: string, options?: NetworkCallOptions): Promise<ManagedResource[]>;
}
