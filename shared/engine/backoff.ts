import type { BackoffPolicy } from './types.ts';

/**
 * Delay before retry number `attempt` (1-based): base x factor^(attempt-1), capped, plus up to
 * `jitter` of itself drawn from the injected random source (1, 2, 4, 8, 16, 30, 30 ... s by default).
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.max(0, attempt - 1);
  const raw = Math.min(policy.capMs, policy.baseMs * Math.pow(policy.factor, exponent));
  return Math.round(raw * (1 + policy.jitter * random()));
}
