// A token bucket that hands out reservations: each request takes a token now, and the bucket says
// how long to wait until that token exists. The level may go negative, so concurrent callers queue
// up in call order and the sustained rate never exceeds `perWindow` per window, whatever the
// concurrency. The level is kept in token × windowMs units, so that a rate such as 500 per
// 300,000 ms gives whole-millisecond waits (600 ms a token) without rounding drift.
import type { Budget } from './throttleDefaults.ts';

export class TokenBucket {
  readonly capacity: number;
  readonly perWindow: number;
  readonly windowMs: number;
  /** Tokens × windowMs. */
  private level: number;
  private updatedAt: number;

  constructor(capacity: number, perWindow: number, windowMs: number, now: number) {
    if (!(capacity >= 1)) throw new RangeError(`token bucket capacity must be at least 1, got ${capacity}`);
    if (!(perWindow > 0) || !Number.isFinite(perWindow)) throw new RangeError(`token bucket rate must be positive, got ${perWindow}`);
    if (!(windowMs > 0) || !Number.isFinite(windowMs)) throw new RangeError(`token bucket window must be positive, got ${windowMs}`);
    this.capacity = capacity;
    this.perWindow = perWindow;
    this.windowMs = windowMs;
    this.level = capacity * windowMs;
    this.updatedAt = now;
  }

  /** A bucket for a share of an NRP budget: `share × limit` per window, `burst` at once. */
  static forBudget(budget: Budget, now: number): TokenBucket {
    if (!(budget.share > 0 && budget.share <= 1)) throw new RangeError(`budget share must be in (0, 1], got ${budget.share}`);
    if (!(budget.limit > 0)) throw new RangeError(`budget limit must be positive, got ${budget.limit}`);
    return new TokenBucket(budget.burst, budget.limit * budget.share, budget.windowMs, now);
  }

  /** Takes one token and returns how many ms to wait before using it (0: at once). */
  reserve(now: number): number {
    this.refill(now);
    this.level -= this.windowMs;
    return this.level >= 0 ? 0 : Math.ceil(-this.level / this.perWindow);
  }

  /** Gives back a reserved token that was not used (its wait was aborted). */
  cancel(now: number): void {
    this.refill(now);
    this.level = Math.min(this.capacity * this.windowMs, this.level + this.windowMs);
  }

  /** Empties the bucket (NRP said 429): no burst right after the pause. Queued reservations stay. */
  drain(now: number): void {
    this.refill(now);
    this.level = Math.min(this.level, 0);
  }

  /** Tokens available now (negative: reservations queued). */
  available(now: number): number {
    this.refill(now);
    return this.level / this.windowMs;
  }

  private refill(now: number): void {
    if (now <= this.updatedAt) return;
    this.level = Math.min(this.capacity * this.windowMs, this.level + (now - this.updatedAt) * this.perWindow);
    this.updatedAt = now;
  }
}
