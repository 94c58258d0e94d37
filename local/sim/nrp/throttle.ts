// ARM-style token buckets (per subscription, per kind of request), off unless configured.
// limits.md: the regional ARM bucket for writes is 200 with a refill of 10/s; reads 250, 25/s.
import type { Clock, TokenBucket } from './types.ts';

export interface ThrottleVerdict {
  readonly allowed: boolean;
  /** Whole tokens left after this request. */
  readonly remaining: number;
  /** When refused: seconds until a token is available (at least 1). */
  readonly retryAfterSeconds: number;
}

export class Bucket {
  private readonly spec: TokenBucket;
  private readonly clock: Clock;
  private tokens: number;
  private at: number;

  constructor(spec: TokenBucket, clock: Clock) {
    if (!(spec.burst >= 1) || !(spec.refillPerSecond > 0)) throw new Error('NRP simulator: throttle needs burst >= 1 and refillPerSecond > 0');
    this.spec = spec;
    this.clock = clock;
    this.tokens = spec.burst;
    this.at = clock.now();
  }

  take(): ThrottleVerdict {
    const now = this.clock.now();
    this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.at) / 1000) * this.spec.refillPerSecond);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true, remaining: Math.floor(this.tokens), retryAfterSeconds: 0 };
    }
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.spec.refillPerSecond)) };
  }
}
