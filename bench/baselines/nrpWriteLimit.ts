// NRP's per-subscription write limit (limits.md: 1,000 writes per 5 minutes) as the baselines meet
// it: a token bucket that starts full. A write that finds it empty is answered 429 with a
// Retry-After, and the client sends it again once a token is there; modelled as a reservation,
// each throttled write counted once.
export class NrpWriteLimit {
  private readonly capacity: number;
  private readonly perMs: number;
  private level: number;
  private at = 0;
  throttled = 0;

  constructor(writes: number, perMs: number) {
    this.capacity = writes;
    this.perMs = writes / perMs;
    this.level = writes;
  }

  /** When a write attempted at `t` (non-decreasing across calls) goes through. */
  admit(t: number): number {
    if (t > this.at) {
      this.level = Math.min(this.capacity, this.level + (t - this.at) * this.perMs);
      this.at = t;
    }
    this.level -= 1;
    if (this.level >= 0) return t;
    this.throttled += 1;
    return t + -this.level / this.perMs;
  }
}
