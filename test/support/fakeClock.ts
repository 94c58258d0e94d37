// Virtual time for code that takes a Clock and a Sleep: sleeps become timers that fire only when
// the test drives time forward, in order of their due time. Nothing waits on the real clock.
import { setImmediate as nextTurn, setTimeout as realDelay } from 'node:timers/promises';
import { abortReason } from '../../shared/azure/clock.ts';
import type { AbortSignalLike, Clock, Sleep } from '../../shared/azure/clock.ts';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
  readonly cancel: () => void;
}

export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  /** Every sleep asked for, in ms, in call order. */
  readonly sleeps: number[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  readonly sleep: Sleep = (ms: number, signal?: AbortSignalLike) => {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(abortReason(signal));
      };
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        cancel: onAbort,
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  };

  pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time to the earliest timer and fires it; false when there is none. */
  fireNext(): boolean {
    if (this.timers.length === 0) return false;
    const next = this.timers.reduce((a, b) => (b.at < a.at || (b.at === a.at && b.seq < a.seq) ? b : a));
    this.timers = this.timers.filter((x) => x !== next);
    this.t = Math.max(this.t, next.at);
    next.resolve();
    return true;
  }

  /** Moves time forward by `ms` without firing anything due later. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((x) => x.at <= target);
      if (due.length === 0) break;
      this.fireNext();
    }
    this.t = target;
    await settle();
  }

  /**
   * Drives time until `work` settles: lets pending callbacks run, and when nothing else can happen
   * fires the next timer. Real I/O (Azurite) in between is waited for, not timed.
   */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const done = work.finally(() => {
      settled = true;
    });
    done.catch(() => undefined);
    for (let idle = 0; !settled; ) {
      await settle();
      if (settled) break;
      if (this.fireNext()) continue;
      // Nothing due: some real I/O is still under way.
      if (++idle > 20_000) throw new Error('FakeClock.run: the work neither settles nor sleeps');
      await realDelay(1);
    }
    return done;
  }
}

/** Lets already-queued promise callbacks and immediate I/O callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await nextTurn();
}
