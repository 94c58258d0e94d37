// Latency of Kubernetes changes: from the moment a change was made to the first poll where NRP
// equals what the cluster asks for at that moment. Every change still waiting is resolved by that
// poll, so a burst of changes that NRP reflects together shares one moment; the resolution is the
// poll interval. A change never reflected before the run ends has no latency (the run did not
// converge, which the report says).

export class LatencyTracker {
  private readonly waiting: number[] = [];
  private readonly done: number[] = [];

  /** A change was made at `at` (ms). */
  changed(at: number): void {
    this.waiting.push(at);
  }

  /** NRP was seen equal to the cluster's expectation at `at` (ms). */
  reflected(at: number): void {
    for (const t of this.waiting.splice(0)) this.done.push(Math.max(0, at - t));
  }

  get pending(): boolean {
    return this.waiting.length > 0;
  }

  latencies(): number[] {
    return [...this.done];
  }
}

/** Nearest-rank percentile of whole milliseconds; 0 when there are no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return Math.round(sorted[rank - 1] ?? 0);
}
