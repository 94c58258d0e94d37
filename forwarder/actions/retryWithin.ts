// Transient failures of an action are retried while its message stays locked, with capped
// exponential backoff and jitter, until a deadline: a lock held longer keeps the object's later
// actions, and the next batch, waiting. A retry whose wait would end past the deadline is not
// made; the caller gives the message back instead, and it is delivered again later.
import type { Sleep } from '../../shared/azure/clock.ts';
import { systemSleep } from '../../shared/azure/clock.ts';
import { retryDelayMs } from '../pause.ts';

export interface RetryWithinOptions {
  /** Epoch ms after which no wait may end. */
  readonly deadline: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Ends a wait at once and prevents further attempts (a stop). */
  readonly signal?: AbortSignal | undefined;
  /** The wait a failure asks for itself (Retry-After); the backoff is never shorter than it. */
  readonly waitHintMs?: ((error: unknown) => number | undefined) | undefined;
  /** Every failure, with the wait before the next attempt, or null when none follows. */
  readonly onFailure?: ((error: unknown, failures: number, nextDelayMs: number | null) => void) | undefined;
  readonly now?: (() => number) | undefined;
  readonly sleep?: Sleep | undefined;
  readonly random?: (() => number) | undefined;
}

export type Retried<T> =
  | { readonly ok: true; readonly value: T; readonly failures: number }
  /** `budget`: the next wait would pass the deadline; `stopped`: the signal aborted. */
  | { readonly ok: false; readonly why: 'budget' | 'stopped'; readonly error: unknown; readonly failures: number };

export async function retryWithin<T>(attempt: () => Promise<T>, o: RetryWithinOptions): Promise<Retried<T>> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? systemSleep;
  let error: unknown = undefined;
  for (let failures = 0; ; ) {
    if (o.signal?.aborted) return { ok: false, why: 'stopped', error, failures };
    try {
      return { ok: true, value: await attempt(), failures };
    } catch (e) {
      error = e;
      failures += 1;
    }
    const delay = Math.max(retryDelayMs(failures, o.minMs, o.maxMs, o.random), o.waitHintMs?.(error) ?? 0);
    const fits = now() + delay <= o.deadline && o.signal?.aborted !== true;
    o.onFailure?.(error, failures, fits ? delay : null);
    if (o.signal?.aborted) return { ok: false, why: 'stopped', error, failures };
    if (!fits) return { ok: false, why: 'budget', error, failures };
    await sleep(delay, o.signal).catch(() => undefined);
  }
}
