// The forwarder's waits between retries, on the project's shared pieces: the engine's backoff
// formula and the adapters' abortable sleep. A wait ends early, without an error, when its signal
// aborts (a stop, or a relist asked for during a backoff).
import { systemSleep } from '../shared/azure/clock.ts';
import { backoffDelayMs } from '../shared/engine/backoff.ts';

/** Delay before retry number `failures` (1-based): doubling from `minMs`, capped at `maxMs`, +0-50 % jitter. */
export function retryDelayMs(failures: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  return backoffDelayMs(failures, { baseMs: minMs, factor: 2, capMs: maxMs, jitter: 0.5 }, random);
}

/** Waits `ms`, or less when `signal` aborts; never rejects. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  await systemSleep(ms, signal).catch(() => undefined);
}
