// The progress display's heartbeat: one line, every interval, saying what is still moving (engine
// operations by state, messages per queue, the forwarder's outbox, a locations sync) and how many
// NRP writes the run has cost so far. It reads the same sources as the convergence check.
import type { Pipeline, PendingWork } from '../host/pipeline.types.ts';

export function describePending(p: PendingWork, nrpWrites: number): string {
  const parts: string[] = [];
  const ops = Object.entries(p.operations);
  if (ops.length > 0) parts.push(`${ops.length} op${ops.length === 1 ? '' : 's'} (${ops.map(([name, state]) => `${name.slice(0, 8)}:${state}`).join(', ')})`);
  const queues = Object.entries(p.queues).filter(([, n]) => n > 0);
  if (queues.length > 0) parts.push(`messages ${queues.map(([q, n]) => `${q} ${n}`).join(', ')}`);
  if (p.forwarderOutbox > 0) parts.push(`forwarder outbox ${p.forwarderOutbox}`);
  if (p.invocationsInFlight > 0) parts.push(`${p.invocationsInFlight} invocation${p.invocationsInFlight === 1 ? '' : 's'} running`);
  if (p.locationsPending) parts.push('locations sync pending');
  return `  · ${parts.length === 0 ? 'idle' : `pending: ${parts.join('; ')}`} | NRP writes so far: ${nrpWrites}`;
}

export class StatusLine {
  private readonly pipeline: Pipeline;
  private readonly out: (line: string) => void;
  private timer: NodeJS.Timeout | null = null;
  private last = '';
  private busy = false;

  constructor(pipeline: Pipeline, out: (line: string) => void) {
    this.pipeline = pipeline;
    this.out = out;
  }

  start(intervalMs: number, options: { readonly onlyChanges?: boolean } = {}): void {
    this.stop();
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      void this.pipeline
        .pending()
        .then((p) => {
          const writes = Object.entries(this.pipeline.nrp.calls()).reduce((n, [op, c]) => (op === 'throttled' ? n : n + c), 0);
          const line = describePending(p, writes);
          if (!options.onlyChanges || line !== this.last) this.out(line);
          this.last = line;
        })
        // A poll that overlaps a restart fails; the next one reports.
        .catch(() => undefined)
        .finally(() => (this.busy = false));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
