// Waiting for convergence. One converged poll can be a lull between two hops (the forwarder has
// sent, the bus has not delivered yet), so convergence counts only when it is seen twice in a row,
// at least CONFIRM_MS apart.
import type { Convergence } from './converged.ts';

export const POLL_MS = 100;
export const CONFIRM_MS = 200;

export interface SettleResult extends Convergence {
  readonly timedOut: boolean;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every POLL_MS until converged twice CONFIRM_MS apart, or until `deadline` (epoch
 * ms) passes. Past the deadline it still checks once, so the caller learns why it is not done.
 */
export async function settle(check: () => Promise<Convergence>, deadline: number, now: () => number = Date.now): Promise<SettleResult> {
  let firstConvergedAt: number | null = null;
  for (;;) {
    const at = now();
    const r = await check();
    if (!r.converged) firstConvergedAt = null;
    else if (firstConvergedAt === null) firstConvergedAt = at;
    else if (at - firstConvergedAt >= CONFIRM_MS) return { ...r, timedOut: false };
    if (now() >= deadline) return { converged: false, why: r.converged ? ['converged only once before the timeout'] : r.why, timedOut: true };
    await sleep(POLL_MS);
  }
}
