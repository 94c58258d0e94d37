import type { EngineConfig } from './types.ts';

/** The reference engine's tunables (semaphore 10, 12 retries, 5 min park, 1 s x2 to 30 s +20 %). */
export const defaultEngineConfig: EngineConfig = {
  maxConcurrentOperations: 10,
  maxServiceRetries: 12,
  parkCooldownMs: 5 * 60_000,
  backoff: { baseMs: 1_000, factor: 2, capMs: 30_000, jitter: 0.2 },
  operationTimeoutMs: 10 * 60_000,
  maxAddressesPerRequest: 1_000,
  // 1,000 NRP writes per 5 minutes per subscription: one sync per 5 s is 6 % of that budget.
  locationsSyncIntervalMs: 5_000,
  // Longer than Service Bus duplicate detection (10 min) and any redelivery of an old event.
  tombstoneTtlMs: 60 * 60_000,
};
