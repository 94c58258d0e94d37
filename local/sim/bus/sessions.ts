// Exclusive session locks: a session is held by one receiver (consumer) at a time until the lock
// expires, is renewed, or the receiver lets go.

export interface SessionLock {
  readonly sessionId: string;
  readonly holder: number;
  until: number;
}

export class SessionLocks {
  private readonly locks = new Map<string, SessionLock>();

  /** The live lock on a session, if any (an expired lock that was not swept yet does not count). */
  get(sessionId: string, now: number): SessionLock | undefined {
    const lock = this.locks.get(sessionId);
    return lock && lock.until > now ? lock : undefined;
  }

  isHeldBy(sessionId: string, holder: number, now: number): boolean {
    return this.get(sessionId, now)?.holder === holder;
  }

  /** Locks a free session for `holder`; false when another holder has it. */
  tryLock(sessionId: string, holder: number, until: number, now: number): boolean {
    const current = this.get(sessionId, now);
    if (current && current.holder !== holder) return false;
    this.locks.set(sessionId, { sessionId, holder, until });
    return true;
  }

  /** Extends the lock; undefined when the holder no longer has it. */
  renew(sessionId: string, holder: number | undefined, until: number, now: number): SessionLock | undefined {
    const current = this.get(sessionId, now);
    if (!current || (holder !== undefined && current.holder !== holder)) return undefined;
    current.until = until;
    return current;
  }

  release(sessionId: string, holder: number): void {
    if (this.locks.get(sessionId)?.holder === holder) this.locks.delete(sessionId);
  }

  /** Removes and returns every lock that has expired at `now`. */
  takeExpired(now: number): SessionLock[] {
    const out: SessionLock[] = [];
    for (const lock of this.locks.values()) if (lock.until <= now) out.push(lock);
    for (const lock of out) this.locks.delete(lock.sessionId);
    return out;
  }

  nextExpiry(): number | undefined {
    let min: number | undefined;
    for (const lock of this.locks.values()) if (min === undefined || lock.until < min) min = lock.until;
    return min;
  }

  lockedIds(now: number): string[] {
    return [...this.locks.values()].filter((l) => l.until > now).map((l) => l.sessionId).sort();
  }
}
