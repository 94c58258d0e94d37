// Where every instance's throttle gate finds out that NRP said 429 to one of them: per scope (the
// subscription NRP budgets), the time until which reads and writes are paused. Implemented over
// Table Storage (tableThrottleStore.ts) and in memory (below, for one process and for tests).
import type { AbortSignalLike } from './clock.ts';
import type { RequestKind } from './throttleDefaults.ts';

export interface ThrottleStoreOptions {
  readonly abortSignal?: AbortSignalLike | undefined;
}

/** Epoch ms until which each kind of request is paused; 0 when it is not. */
export type ThrottledUntil = Readonly<Record<RequestKind, number>>;

export const NOT_THROTTLED: ThrottledUntil = { read: 0, write: 0 };

export interface ThrottleStore {
  read(scope: string, options?: ThrottleStoreOptions): Promise<ThrottledUntil>;
  /** Moves `kind`'s pause to end at `until`, unless it already ends later: it only ever moves later. */
  moveLater(scope: string, kind: RequestKind, until: number, options?: ThrottleStoreOptions): Promise<void>;
}

export class MemoryThrottleStore implements ThrottleStore {
  private readonly scopes = new Map<string, ThrottledUntil>();

  read(scope: string): Promise<ThrottledUntil> {
    return Promise.resolve(this.scopes.get(scope) ?? NOT_THROTTLED);
  }

  moveLater(scope: string, kind: RequestKind, until: number): Promise<void> {
    const current = this.scopes.get(scope) ?? NOT_THROTTLED;
    if (until > current[kind]) this.scopes.set(scope, { ...current, [kind]: until });
    return Promise.resolve();
  }
}
