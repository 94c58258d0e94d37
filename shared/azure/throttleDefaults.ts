// The NRP request budget (limits.md: Microsoft.Network allows 1,000 writes and 10,000 reads per
// 5 minutes per subscription) and how much of it one instance of ours takes by default.

export type RequestKind = 'read' | 'write';

export interface Budget {
  /** What NRP allows per `windowMs` for the whole subscription. */
  readonly limit: number;
  readonly windowMs: number;
  /** The fraction of `limit` one instance may use, sustained: (0, 1]. */
  readonly share: number;
  /** How many requests may go at once after a quiet spell (the bucket's capacity). */
  readonly burst: number;
}

const FIVE_MINUTES_MS = 5 * 60_000;

/**
 * The write bucket holds one round of service operations: the engine's 10 at a time
 * (defaultEngineConfig.maxConcurrentOperations) x the 3 writes of a create (public IP, load
 * balancer, registration). Creations run in lock step behind the 20 s load balancer create; with a
 * bucket of 20 each round of a creation wave then waited about 6 s for 10 tokens that the bucket
 * had been too small to keep while the round ran (ADR 0027).
 */
export const WRITE_BURST = 10 * 3;

/**
 * Half of each NRP budget, leaving the rest for the cluster's other writers (the cloud provider,
 * operators, a second instance). Over any 5 minutes one instance sends at most
 * burst + share × limit requests: 530 writes and 5,100 reads.
 */
export const DEFAULT_BUDGETS: Readonly<Record<RequestKind, Budget>> = {
  write: { limit: 1_000, windowMs: FIVE_MINUTES_MS, share: 0.5, burst: WRITE_BURST },
  read: { limit: 10_000, windowMs: FIVE_MINUTES_MS, share: 0.5, burst: 100 },
};

/** How long a read of the shared "throttled until" is trusted before it is read again. */
export const DEFAULT_SHARED_REFRESH_MS = 1_000;
/** The pause a 429 without a usable Retry-After imposes. */
export const DEFAULT_RETRY_AFTER_MS = 10_000;
/** No single 429 pauses the subscription's writers for longer than NRP's own window. */
export const MAX_THROTTLE_MS = FIVE_MINUTES_MS;
/** The table the shared "throttled until" lives in: one entity per subscription. */
export const DEFAULT_THROTTLE_TABLE = 'nrpThrottle';
