// One NRP request budget for every instance (STYLE §6 rule 6, limits.md). Before each request the
// gate waits for two things:
//  1. this instance's token bucket for the request's kind, which keeps its sustained rate under
//     its share of NRP's per-subscription budget (reads and writes budgeted separately); then
//  2. the shared "throttled until" of the subscription, which any instance sets when NRP answers
//     429, so that one instance's 429 pauses all of them for the Retry-After.
// Waits use the injected clock and sleep, and an aborted wait throws the abort reason.
import { systemClock, systemSleep, throwIfAborted, untilAborted } from './clock.ts';
import type { AbortSignalLike, Clock, Sleep } from './clock.ts';
import { DEFAULT_BUDGETS, DEFAULT_RETRY_AFTER_MS, DEFAULT_SHARED_REFRESH_MS, MAX_THROTTLE_MS } from './throttleDefaults.ts';
import type { Budget, RequestKind } from './throttleDefaults.ts';
import { NOT_THROTTLED } from './throttleStore.ts';
import type { ThrottleStore, ThrottledUntil } from './throttleStore.ts';
import { TokenBucket } from './tokenBucket.ts';

export interface ThrottleGateOptions {
  readonly clock?: Clock | undefined;
  readonly sleep?: Sleep | undefined;
  /** Overrides of DEFAULT_BUDGETS, per kind and field. */
  readonly budgets?: { readonly [K in RequestKind]?: Partial<Budget> } | undefined;
  /** How long a read of the shared store is trusted (default 1 s; 0 reads before every request). */
  readonly sharedRefreshMs?: number | undefined;
  /** The pause a 429 without a usable Retry-After imposes (default 10 s). */
  readonly defaultRetryAfterMs?: number | undefined;
  /** The longest pause one 429 may impose (default 5 min). */
  readonly maxThrottleMs?: number | undefined;
  /** The shared store could not be read or written. The gate carries on without it (fail open:
   * NRP's own 429s still pause this instance) and reports the error here. */
  readonly onStoreError?: ((error: unknown) => void) | undefined;
  /** Told how long each request that passed the gate waited there, 0 included (the gate-wait metric). */
  readonly onWait?: ((kind: RequestKind, waitedMs: number) => void) | undefined;
}

export interface GateWaitOptions {
  readonly abortSignal?: AbortSignalLike | undefined;
}

export class ThrottleGate {
  /** The subscription whose NRP budget this gate shares (the store's key). */
  readonly scope: string;
  readonly clock: Clock;
  private readonly store: ThrottleStore;
  private readonly sleep: Sleep;
  private readonly buckets: Readonly<Record<RequestKind, TokenBucket>>;
  private readonly sharedRefreshMs: number;
  private readonly defaultRetryAfterMs: number;
  private readonly maxThrottleMs: number;
  private readonly onStoreError: (error: unknown) => void;
  private readonly onWait: (kind: RequestKind, waitedMs: number) => void;
  /** Pauses this instance set itself: kept even when the store cannot be written. */
  private local: ThrottledUntil = NOT_THROTTLED;
  private shared: { readonly value: ThrottledUntil; readonly readAt: number } | null = null;
  private sharedRead: Promise<ThrottledUntil> | null = null;

  constructor(store: ThrottleStore, scope: string, options: ThrottleGateOptions = {}) {
    this.store = store;
    this.scope = scope;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? systemSleep;
    const now = this.clock.now();
    this.buckets = {
      read: TokenBucket.forBudget({ ...DEFAULT_BUDGETS.read, ...options.budgets?.read }, now),
      write: TokenBucket.forBudget({ ...DEFAULT_BUDGETS.write, ...options.budgets?.write }, now),
    };
    this.sharedRefreshMs = options.sharedRefreshMs ?? DEFAULT_SHARED_REFRESH_MS;
    this.defaultRetryAfterMs = options.defaultRetryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
    this.maxThrottleMs = options.maxThrottleMs ?? MAX_THROTTLE_MS;
    this.onStoreError = options.onStoreError ?? (() => undefined);
    this.onWait = options.onWait ?? (() => undefined);
  }

  /** Waits until a request of `kind` may be sent. Throws the abort reason if the wait is aborted. */
  async acquire(kind: RequestKind, options: GateWaitOptions = {}): Promise<void> {
    const started = this.clock.now();
    await this.waitFor(kind, options.abortSignal);
    this.onWait(kind, this.clock.now() - started);
  }

  private async waitFor(kind: RequestKind, signal: AbortSignalLike | undefined): Promise<void> {
    throwIfAborted(signal);
    const bucket = this.buckets[kind];
    const wait = bucket.reserve(this.clock.now());
    if (wait > 0) {
      try {
        await this.sleep(wait, signal);
      } catch (e) {
        bucket.cancel(this.clock.now());
        throw e;
      }
    }
    // Checked last, right before sending: a pause set while we queued still applies.
    for (;;) {
      const until = (await this.throttledUntil(signal))[kind];
      const pause = until - this.clock.now();
      if (pause <= 0) return;
      await this.sleep(pause, signal);
    }
  }

  /**
   * NRP answered a request of `kind` with 429: pause every instance's requests of that kind for
   * `retryAfterMs` (the default when null), capped at maxThrottleMs. Never throws: a store that
   * cannot be written is reported, and this instance pauses anyway.
   */
  async recordThrottled(kind: RequestKind, retryAfterMs: number | null, options: GateWaitOptions = {}): Promise<void> {
    const now = this.clock.now();
    const until = now + Math.min(Math.max(0, retryAfterMs ?? this.defaultRetryAfterMs), this.maxThrottleMs);
    this.buckets[kind].drain(now);
    if (until > this.local[kind]) this.local = { ...this.local, [kind]: until };
    try {
      await this.store.moveLater(this.scope, kind, until, { abortSignal: options.abortSignal });
    } catch (e) {
      this.onStoreError(e);
    }
  }

  /** The later of this instance's own pauses and the shared ones (read at most every sharedRefreshMs). */
  private async throttledUntil(signal: AbortSignalLike | undefined): Promise<ThrottledUntil> {
    const now = this.clock.now();
    let shared = this.shared?.value ?? NOT_THROTTLED;
    if (this.shared === null || now - this.shared.readAt >= this.sharedRefreshMs) {
      this.sharedRead ??= this.readShared(now).finally(() => {
        this.sharedRead = null;
      });
      shared = await untilAborted(this.sharedRead, signal);
    }
    return { read: Math.max(shared.read, this.local.read), write: Math.max(shared.write, this.local.write) };
  }

  private async readShared(now: number): Promise<ThrottledUntil> {
    let value: ThrottledUntil;
    try {
      value = await this.store.read(this.scope);
    } catch (e) {
      this.onStoreError(e);
      value = NOT_THROTTLED;
    }
    this.shared = { value, readAt: now };
    return value;
  }
}
