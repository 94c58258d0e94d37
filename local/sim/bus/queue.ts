// The queue model: enqueued and scheduled messages, peek-locks, delivery counts, the dead-letter
// sub-queue and duplicate detection. No AMQP and no timers here: every call gets `now`.
import type { AmqpMessage } from './amqp.ts';
import { SessionLocks } from './sessions.ts';
import type { ResolvedQueueConfig } from './types.ts';

export interface MessageLock {
  /** Hex of the 16-byte delivery tag. */
  readonly token: string;
  /** Consumer that received the message under this lock. */
  readonly holder: number;
  until: number;
}

export interface DeadLetterMark {
  readonly reason: string | undefined;
  readonly description: string | undefined;
  readonly source: string;
}

export interface StoredMessage {
  readonly sequenceNumber: number;
  readonly messageId: string;
  readonly sessionId: string | undefined;
  /** The message as sent; application properties change on abandon/dead-letter with properties. */
  amqp: AmqpMessage;
  enqueuedAt: number;
  readonly scheduledFor: number | undefined;
  /** Deliveries made so far (the wire header carries the attempts before this one: deliveries - 1). */
  deliveries: number;
  lock: MessageLock | undefined;
  deadLetter: DeadLetterMark | undefined;
}

export type SettleError = 'lock-lost' | 'session-lock-lost' | 'not-allowed';
export type SettleResult = { readonly ok: true } | { readonly ok: false; readonly error: SettleError };

const OK: SettleResult = { ok: true };

export interface NewMessage {
  readonly messageId: string;
  readonly sessionId: string | undefined;
  readonly amqp: AmqpMessage;
  readonly scheduledFor?: number | undefined;
}

/** One message store: the queue itself or its `$deadletterqueue`. */
export class MessageStore {
  readonly path: string;
  private nextSequence = 1;
  /** Enqueued messages in delivery order; locked ones stay in place so an abandon keeps FIFO. */
  private readonly ready: StoredMessage[] = [];
  private readonly scheduled = new Map<number, StoredMessage>();
  private readonly byToken = new Map<string, StoredMessage>();

  constructor(path: string) {
    this.path = path;
  }

  allocateSequence(): number {
    return this.nextSequence++;
  }

  add(msg: NewMessage, now: number, extra: { deliveries?: number; deadLetter?: DeadLetterMark } = {}): StoredMessage {
    const stored: StoredMessage = {
      sequenceNumber: this.allocateSequence(),
      messageId: msg.messageId,
      sessionId: msg.sessionId,
      amqp: msg.amqp,
      enqueuedAt: now,
      scheduledFor: msg.scheduledFor !== undefined && msg.scheduledFor > now ? msg.scheduledFor : undefined,
      deliveries: extra.deliveries ?? 0,
      lock: undefined,
      deadLetter: extra.deadLetter,
    };
    if (stored.scheduledFor !== undefined) this.scheduled.set(stored.sequenceNumber, stored);
    else this.ready.push(stored);
    return stored;
  }

  /** Moves due scheduled messages to the end of the queue; returns how many became active. */
  activateDue(now: number): number {
    const due = [...this.scheduled.values()]
      .filter((m) => (m.scheduledFor ?? 0) <= now)
      .sort((a, b) => (a.scheduledFor ?? 0) - (b.scheduledFor ?? 0) || a.sequenceNumber - b.sequenceNumber);
    for (const m of due) {
      this.scheduled.delete(m.sequenceNumber);
      m.enqueuedAt = now;
      this.ready.push(m);
    }
    return due.length;
  }

  isScheduled(m: StoredMessage): boolean {
    return this.scheduled.get(m.sequenceNumber) === m;
  }

  cancelScheduled(sequenceNumber: number): boolean {
    return this.scheduled.delete(sequenceNumber);
  }

  /** First unlocked message matching the filter, in delivery order. */
  nextAvailable(filter: (m: StoredMessage) => boolean = () => true): StoredMessage | undefined {
    return this.ready.find((m) => m.lock === undefined && filter(m));
  }

  lock(m: StoredMessage, token: string, holder: number, until: number): void {
    m.lock = { token, holder, until };
    m.deliveries += 1;
    this.byToken.set(token, m);
  }

  byLockToken(token: string): StoredMessage | undefined {
    const m = this.byToken.get(token);
    return m?.lock?.token === token ? m : undefined;
  }

  unlock(m: StoredMessage): void {
    if (m.lock) this.byToken.delete(m.lock.token);
    m.lock = undefined;
  }

  remove(m: StoredMessage): void {
    this.unlock(m);
    const i = this.ready.indexOf(m);
    if (i >= 0) this.ready.splice(i, 1);
  }

  lockedMessages(): StoredMessage[] {
    return [...this.byToken.values()];
  }

  all(): readonly StoredMessage[] {
    return this.ready;
  }

  /** Enqueued and scheduled messages from a sequence number on, by sequence number (peek). */
  peek(fromSequence: number, count: number, sessionId: string | undefined): StoredMessage[] {
    return [...this.ready, ...this.scheduled.values()]
      .filter((m) => m.sequenceNumber >= fromSequence && (sessionId === undefined || m.sessionId === sessionId))
      .sort((a, b) => a.sequenceNumber - b.sequenceNumber)
      .slice(0, count);
  }

  counts(): { active: number; locked: number; scheduled: number } {
    const locked = this.ready.filter((m) => m.lock !== undefined).length;
    return { active: this.ready.length - locked, locked, scheduled: this.scheduled.size };
  }

  nextDeadline(includeLocks: boolean): number | undefined {
    let min: number | undefined;
    const consider = (t: number | undefined): void => {
      if (t !== undefined && (min === undefined || t < min)) min = t;
    };
    for (const m of this.scheduled.values()) consider(m.scheduledFor);
    if (includeLocks) for (const m of this.byToken.values()) consider(m.lock?.until);
    return min;
  }
}

/** A queue entity: the main store, its dead-letter store, session locks and the duplicate history. */
export class Queue {
  readonly config: ResolvedQueueConfig;
  readonly main: MessageStore;
  readonly dlq: MessageStore;
  readonly sessions = new SessionLocks();
  /** MessageId → when it was first accepted. */
  private readonly seen = new Map<string, number>();

  constructor(config: ResolvedQueueConfig) {
    this.config = config;
    this.main = new MessageStore(config.name);
    this.dlq = new MessageStore(`${config.name}/$deadletterqueue`);
  }

  /** Session locks govern the main store of a session queue; everything else uses message locks. */
  private sessionGoverned(store: MessageStore, m: StoredMessage): boolean {
    return store === this.main && this.config.requiresSession && m.sessionId !== undefined;
  }

  /**
   * Duplicate detection: a MessageId accepted within the window is dropped (the send still
   * succeeds). Returns the stored message, or undefined for a duplicate.
   */
  enqueue(msg: NewMessage, now: number): StoredMessage | undefined {
    const window = this.config.duplicateDetectionWindowMs;
    for (const [id, at] of this.seen) {
      if (at + window > now) break; // insertion order is time order
      this.seen.delete(id);
    }
    if (window > 0) {
      const firstSeen = this.seen.get(msg.messageId);
      if (firstSeen !== undefined && firstSeen + window > now) return undefined;
      this.seen.set(msg.messageId, now);
    }
    return this.main.add(msg, now);
  }

  /** Locks a delivery for `holder`: per message, or under the session lock on session queues. */
  lockForDelivery(store: MessageStore, m: StoredMessage, token: string, holder: number, now: number): number {
    const until = this.sessionGoverned(store, m)
      ? (this.sessions.get(m.sessionId ?? '', now)?.until ?? now)
      : now + this.config.lockDurationMs;
    store.lock(m, token, holder, until);
    return until;
  }

  private checkLock(store: MessageStore, token: string, holder: number | undefined, now: number):
    { ok: true; m: StoredMessage } | { ok: false; error: SettleError } {
    const m = store.byLockToken(token);
    if (!m?.lock) return { ok: false, error: this.config.requiresSession && store === this.main ? 'session-lock-lost' : 'lock-lost' };
    if (holder !== undefined && m.lock.holder !== holder) return { ok: false, error: 'lock-lost' };
    if (this.sessionGoverned(store, m)) {
      if (!this.sessions.isHeldBy(m.sessionId ?? '', m.lock.holder, now)) return { ok: false, error: 'session-lock-lost' };
    } else if (m.lock.until <= now) {
      return { ok: false, error: 'lock-lost' };
    }
    return { ok: true, m };
  }

  complete(store: MessageStore, token: string, holder: number | undefined, now: number): SettleResult {
    const r = this.checkLock(store, token, holder, now);
    if (!r.ok) return r;
    store.remove(r.m);
    return OK;
  }

  abandon(store: MessageStore, token: string, holder: number | undefined, now: number, props?: Record<string, unknown>): SettleResult {
    const r = this.checkLock(store, token, holder, now);
    if (!r.ok) return r;
    if (props && Object.keys(props).length > 0) mergeApplicationProperties(r.m, props);
    this.returnToQueue(store, r.m, now);
    return OK;
  }

  deadLetter(
    store: MessageStore, token: string, holder: number | undefined, now: number,
    reason: string | undefined, description: string | undefined, props?: Record<string, unknown>,
  ): SettleResult {
    const r = this.checkLock(store, token, holder, now);
    if (!r.ok) return r;
    if (store === this.dlq) return { ok: false, error: 'not-allowed' };
    if (props && Object.keys(props).length > 0) mergeApplicationProperties(r.m, props);
    this.moveToDeadLetter(r.m, reason, description, now);
    return OK;
  }

  /** Renews a message lock; session-governed messages are renewed through the session lock. */
  renewLock(store: MessageStore, token: string, now: number): { ok: true; until: number } | { ok: false; error: SettleError } {
    const r = this.checkLock(store, token, undefined, now);
    if (!r.ok) return r;
    if (this.sessionGoverned(store, r.m)) return { ok: false, error: 'not-allowed' };
    const lock = r.m.lock;
    if (!lock) return { ok: false, error: 'lock-lost' };
    lock.until = now + this.config.lockDurationMs;
    return { ok: true, until: lock.until };
  }

  /** Lock lost (expiry, session end) or abandon: back in place, or dead-lettered when out of attempts. */
  private returnToQueue(store: MessageStore, m: StoredMessage, now: number): void {
    store.unlock(m);
    if (store === this.main && m.deliveries >= this.config.maxDeliveryCount) {
      this.moveToDeadLetter(
        m, 'MaxDeliveryCountExceeded',
        `Message could not be consumed after ${this.config.maxDeliveryCount} delivery attempts.`, now,
      );
    }
  }

  private moveToDeadLetter(m: StoredMessage, reason: string | undefined, description: string | undefined, now: number): void {
    this.main.remove(m);
    const props: Record<string, unknown> = {};
    if (reason !== undefined) props.DeadLetterReason = reason;
    if (description !== undefined) props.DeadLetterErrorDescription = description;
    const amqp: AmqpMessage = { ...m.amqp };
    const existing = amqp.application_properties;
    amqp.application_properties = { ...(isObject(existing) ? existing : {}), ...props };
    this.dlq.add(
      { messageId: m.messageId, sessionId: m.sessionId, amqp },
      now,
      { deliveries: m.deliveries, deadLetter: { reason, description, source: this.config.name } },
    );
  }

  /** Returns every expired non-session message lock to the queue; true when anything changed. */
  expireMessageLocks(now: number): boolean {
    let changed = false;
    for (const store of [this.main, this.dlq]) {
      for (const m of store.lockedMessages()) {
        if (!m.lock || this.sessionGoverned(store, m) || m.lock.until > now) continue;
        this.returnToQueue(store, m, now);
        changed = true;
      }
    }
    return changed;
  }

  /** The holder lost or released the session: its in-flight messages go back (or to the DLQ). */
  releaseSessionMessages(sessionId: string, holder: number, now: number): void {
    for (const m of this.main.lockedMessages()) {
      if (m.sessionId === sessionId && m.lock?.holder === holder) this.returnToQueue(this.main, m, now);
    }
  }

  /** The oldest session with an available message that no receiver holds. */
  nextFreeSession(now: number): string | undefined {
    return this.main.nextAvailable((m) => m.sessionId !== undefined && this.sessions.get(m.sessionId, now) === undefined)?.sessionId;
  }

  activateDue(now: number): boolean {
    return this.main.activateDue(now) + this.dlq.activateDue(now) > 0;
  }

  nextDeadline(): number | undefined {
    const candidates = [
      this.main.nextDeadline(!this.config.requiresSession),
      this.dlq.nextDeadline(true),
      this.sessions.nextExpiry(),
    ].filter((t): t is number => t !== undefined);
    // Session queues: message locks follow the session lock, but a DLQ or expired lock still needs a look.
    return candidates.length ? Math.min(...candidates) : undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeApplicationProperties(m: StoredMessage, props: Record<string, unknown>): void {
  const existing = m.amqp.application_properties;
  m.amqp = { ...m.amqp, application_properties: { ...(isObject(existing) ? existing : {}), ...props } };
}
