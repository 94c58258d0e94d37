// Keeps the lock of a session the trigger holds, as the Functions host's session processor does:
// renewed well ahead of its expiry, a failed renewal tried again until the lock has run out, for up
// to host.json's `maxAutoLockRenewalDuration` after the session was accepted. The SDK's own
// renewal (@azure/service-bus 7.9) tries once, 10 s before expiry with a 10 s timeout, and stops
// for good on any failure: on a busy machine one slow answer lost the session and redelivered an
// engine batch that had already been applied.

/** The part of a ServiceBusSessionReceiver the keeper uses. */
export interface SessionLockHolder {
  readonly sessionId: string;
  readonly sessionLockedUntilUtc: Date | undefined;
  renewSessionLock(options?: { abortSignal?: AbortSignal }): Promise<Date>;
}

export interface SessionLockKeeperOptions {
  /** How long after acceptance the lock is renewed at all (host.json maxAutoLockRenewalDuration). */
  readonly maxRenewalMs: number;
  /** A failed renewal is tried again this soon (bounded by the time the lock has left). */
  readonly retryMs?: number | undefined;
  readonly log?: ((line: string) => void) | undefined;
}

/**
 * When to renew a lock that runs until `until`: at half its remaining time (15 s into a 30 s lock),
 * which leaves the other half for retries. Never "now" for a lock with time left: a short lock
 * (the local pipeline's 5 s) would otherwise be renewed in a tight loop.
 */
export function renewalDelayMs(until: number, now: number): number {
  return Math.max(0, (until - now) / 2);
}

export class SessionLockKeeper {
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private readonly renewUntil: number;
  private lockedUntil: number;
  private failures = 0;
  private renewals = 0;
  private lastRenewedAt: number | null = null;
  private readonly acceptedAt: number;
  private readonly holder: SessionLockHolder;
  private readonly o: SessionLockKeeperOptions;

  constructor(holder: SessionLockHolder, options: SessionLockKeeperOptions) {
    this.holder = holder;
    this.o = options;
    const now = Date.now();
    this.acceptedAt = now;
    this.renewUntil = now + options.maxRenewalMs;
    this.lockedUntil = holder.sessionLockedUntilUtc?.getTime() ?? now;
  }

  /** For a log line about a settlement that failed: how long the session was held and how its lock stood. */
  describe(now = Date.now()): string {
    const last = this.lastRenewedAt === null ? 'never renewed' : `last renewed ${now - this.lastRenewedAt} ms ago`;
    return `session held ${now - this.acceptedAt} ms, lock ${this.lockedUntil - now} ms left, ${this.renewals} renewals, ${last}, ${this.failures} failed in a row`;
  }

  start(): void {
    this.schedule(renewalDelayMs(this.lockedUntil, Date.now()));
  }

  stop(): void {
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (this.stopping.signal.aborted || Date.now() + delayMs >= this.renewUntil) return;
    this.timer = setTimeout(() => void this.renew(), delayMs);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    // An unanswered renewal is given up on at half the lock's remaining time, so that another can
    // still be tried before the lock ends (the SDK's own timeout, 60 s, outlasts a 30 s lock).
    const attempt = new AbortController();
    const stop = (): void => attempt.abort();
    this.stopping.signal.addEventListener('abort', stop, { once: true });
    const deadline = setTimeout(() => attempt.abort(new Error('renewal unanswered')), Math.max(1_000, (this.lockedUntil - Date.now()) / 2));
    deadline.unref();
    try {
      this.lockedUntil = (await this.holder.renewSessionLock({ abortSignal: attempt.signal })).getTime();
      this.failures = 0;
      this.renewals += 1;
      this.lastRenewedAt = Date.now();
      this.schedule(renewalDelayMs(this.lockedUntil, Date.now()));
    } catch (e) {
      if (this.stopping.signal.aborted) return;
      this.failures += 1;
      const left = this.lockedUntil - Date.now();
      this.o.log?.(`session ${this.holder.sessionId}: lock renewal ${this.failures} failed (${left} ms of lock left): ${e instanceof Error ? e.message : String(e)}`);
      // Lost for good (expired, or taken over): nothing to keep; the next settlement says so.
      if (left <= 0 || isLockLost(e)) return;
      this.schedule(Math.min(this.o.retryMs ?? 1_000, left / 2));
    } finally {
      clearTimeout(deadline);
      this.stopping.signal.removeEventListener('abort', stop);
    }
  }
}

function isLockLost(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'SessionLockLost';
}
