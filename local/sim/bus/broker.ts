// AMQP 1.0 test broker with Azure Service Bus semantics, for the real @azure/service-bus client.
// startBroker() listens on 127.0.0.1 (OS-chosen port) and returns a connection string with
// UseDevelopmentEmulator=true. See local/sim/bus/README.md for what is and is not modelled.
import {
  BATCH_MESSAGE_FORMAT, OutgoingLink, asString, bodyForInspection, listen, newDeliveryTag, unpackBatch,
} from './amqp.ts';
import type { AmqpErrorInfo, AmqpMessage, AmqpServer, IncomingLink, IncomingTransfer, Outcome } from './amqp.ts';
import { QueueCounters } from './counters.ts';
import type { BrokerCounters } from './counters.ts';
import { SERVER_BUSY, handleCbs, handleManagement, operationOf } from './management.ts';
import type { EntityRef, ManagementReply } from './management.ts';
import { prepareIncoming, toDelivered } from './messages.ts';
import type { Prepared } from './messages.ts';
import { Queue } from './queue.ts';
import type { MessageStore, SettleError, SettleResult, StoredMessage } from './queue.ts';
import { MAX_MESSAGE_SIZE_BYTES, resolveQueueConfig, systemClock } from './types.ts';
import type { BrokerHandle, BrokerOptions, Clock, DeadLetterInfo, QueueState } from './types.ts';

export type { BrokerHandle, BrokerOptions, Clock, QueueConfig, QueueState, DeadLetterInfo } from './types.ts';
export type { BrokerCounters, QueueCounts } from './counters.ts';

/** Longest single timer; a later deadline is re-checked when it fires. */
const MAX_TIMER_MS = 60_000;

/** Service Bus caps the server-side wait for a next-available session at about 65 s. */
const MAX_SESSION_WAIT_MS = 65_000;

interface Consumer {
  readonly id: number;
  readonly link: OutgoingLink;
  readonly queue: Queue;
  readonly store: MessageStore;
  /** Set for session receivers: the session this receiver holds. */
  readonly sessionId: string | undefined;
  /** Unsettled deliveries on this link → lock token. */
  readonly deliveries: Map<object, string>;
}

interface SessionWaiter {
  readonly link: OutgoingLink;
  readonly queue: Queue;
  readonly timer: NodeJS.Timeout;
}

type IncomingRole =
  | { readonly kind: 'cbs' }
  | { readonly kind: 'management'; readonly entity: EntityRef }
  | { readonly kind: 'queue'; readonly queue: Queue };

type Resolved =
  | { readonly kind: 'cbs' }
  | { readonly kind: 'entity'; readonly entity: EntityRef; readonly management: boolean; readonly path: string }
  | { readonly kind: 'unknown'; readonly path: string };

const lockLostError: Record<SettleError, AmqpErrorInfo> = {
  'lock-lost': {
    condition: 'com.microsoft:message-lock-lost',
    description: 'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.',
  },
  'session-lock-lost': {
    condition: 'com.microsoft:session-lock-lost',
    description: 'The session lock has expired on the MessageSession. Accept a new MessageSession.',
  },
  'not-allowed': { condition: 'amqp:not-allowed', description: 'The operation is not allowed on this message.' },
};

class Broker {
  readonly counters = new QueueCounters();
  private readonly clock: Clock;
  private readonly queues = new Map<string, Queue>();
  private readonly consumers = new Map<number, Consumer>();
  private readonly incoming = new Map<number, IncomingRole>();
  private readonly waiters: SessionWaiter[] = [];
  private readonly pendingReplies = new Map<OutgoingLink, AmqpMessage[]>();
  /** Session receivers whose session lock expired: late settlements get SessionLockLost. */
  private readonly retired = new WeakSet<OutgoingLink>();
  private server: AmqpServer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private stopped = false;

  constructor(options: BrokerOptions) {
    this.clock = options.clock ?? systemClock;
    for (const q of options.queues) {
      const config = resolveQueueConfig(q);
      const key = config.name.toLowerCase();
      if (this.queues.has(key)) throw new Error(`duplicate queue '${config.name}'`);
      this.queues.set(key, new Queue(config));
    }
  }

  private host = '127.0.0.1';

  async start(host: string, port = 0): Promise<number> {
    this.host = host;
    this.server = await listen(host, {
      onOutgoingAttach: (l) => this.onOutgoingAttach(l),
      onIncomingAttach: (l) => this.onIncomingAttach(l),
      onTransfer: (l, t) => this.onTransfer(l, t),
      onSendable: (l) => this.onSendable(l),
      onDraining: (l) => this.onDraining(l),
      onOutcome: (l, d, o) => this.onOutcome(l, d, o),
      onLinkClosed: (l) => this.onLinkClosed(l),
    }, port);
    return this.server.port;
  }

  /** An outage: every connection dropped, the port closed, the queues kept. */
  async goOffline(): Promise<void> {
    if (this.stopped || this.server === undefined) return;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.link.refuse({ condition: 'amqp:connection:forced', description: 'The test broker is offline.' });
    }
    const server = this.server;
    this.server = undefined;
    await server.close();
  }

  /** The end of an outage: listening again on the same port, with the queues as they were. */
  async comeOnline(port: number): Promise<void> {
    if (this.stopped || this.server !== undefined) return;
    await this.start(this.host, port);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.link.refuse({ condition: 'amqp:connection:forced', description: 'The test broker is shutting down.' });
    }
    await this.server?.close();
  }

  // ------------------------------------------------------------ addressing

  private resolve(address: string | undefined): Resolved {
    let path = (address ?? '').replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/^\/+/, '');
    if (path === '$cbs') return { kind: 'cbs' };
    const parts = path.split('/');
    let management = false;
    if (parts.length > 1 && parts[parts.length - 1]?.toLowerCase() === '$management') {
      management = true;
      parts.pop();
    }
    path = parts.join('/');
    const queue = this.queues.get((parts[0] ?? '').toLowerCase());
    if (!queue || parts.length > 2) return { kind: 'unknown', path };
    if (parts.length === 2) {
      if (parts[1]?.toLowerCase() !== '$deadletterqueue') return { kind: 'unknown', path };
      return { kind: 'entity', entity: { queue, store: queue.dlq }, management, path };
    }
    return { kind: 'entity', entity: { queue, store: queue.main }, management, path };
  }

  private notFound(path: string): AmqpErrorInfo {
    return {
      condition: 'amqp:not-found',
      description: `The messaging entity 'sb://127.0.0.1:${this.server?.port ?? 0}/${path}' could not be found.`,
    };
  }

  // ------------------------------------------------------------ attach

  private onIncomingAttach(link: IncomingLink): void {
    const r = this.resolve(link.target?.address);
    if (r.kind === 'cbs') {
      this.incoming.set(link.id, { kind: 'cbs' });
      link.accept();
    } else if (r.kind === 'unknown') {
      link.refuse(this.notFound(r.path));
    } else if (r.management) {
      this.incoming.set(link.id, { kind: 'management', entity: r.entity });
      link.accept();
    } else if (r.entity.store !== r.entity.queue.main) {
      link.refuse({ condition: 'amqp:not-allowed', description: `Cannot send to the sub-queue '${r.path}'.` });
    } else {
      this.incoming.set(link.id, { kind: 'queue', queue: r.entity.queue });
      link.accept({ maxMessageSize: MAX_MESSAGE_SIZE_BYTES });
    }
  }

  private onOutgoingAttach(link: OutgoingLink): void {
    const r = this.resolve(link.source?.address);
    if (r.kind === 'cbs' || (r.kind === 'entity' && r.management)) {
      link.accept(); // reply link of a request/response pair
      return;
    }
    if (r.kind === 'unknown') {
      link.refuse(this.notFound(r.path));
      return;
    }
    const { queue, store } = r.entity;
    const filter = link.sessionFilter;
    const sessionful = store === queue.main && queue.config.requiresSession;
    if (sessionful && !filter.requested) {
      link.refuse({
        condition: 'amqp:not-allowed',
        description: `It is not possible for an entity that requires sessions to create a non-sessionful message receiver (${r.path}).`,
      });
      return;
    }
    if (!sessionful && filter.requested) {
      link.refuse({ condition: 'amqp:not-allowed', description: `The entity '${r.path}' does not have sessions enabled.` });
      return;
    }
    // Settle expired session locks first, so a lapsed holder is detached before its session moves on.
    this.kick();
    const now = this.clock.now();
    if (!sessionful) {
      this.addConsumer(link, queue, store, undefined);
      link.accept();
      this.kick();
      return;
    }
    if (!filter.requested) return; // unreachable: sessionful implies a filter
    if (filter.sessionId !== undefined) {
      if (!queue.sessions.tryLock(filter.sessionId, link.id, now + queue.config.lockDurationMs, now)) {
        link.refuse({
          condition: 'com.microsoft:session-cannot-be-locked',
          description: `The requested session '${filter.sessionId}' cannot be accepted. It may be locked by another receiver.`,
        });
        return;
      }
      this.acceptSession(link, queue, filter.sessionId, now);
      return;
    }
    const free = queue.nextFreeSession(now);
    if (free !== undefined) {
      queue.sessions.tryLock(free, link.id, now + queue.config.lockDurationMs, now);
      this.acceptSession(link, queue, free, now);
      return;
    }
    // No free session with messages: wait (as Service Bus does) up to the client's timeout.
    const timeoutMs = Math.min(numberOr(link.properties['com.microsoft:timeout'], 60_000), MAX_SESSION_WAIT_MS);
    if (!link.hold()) {
      link.refuse(this.noSessionError());
      return;
    }
    const waiter: SessionWaiter = {
      link,
      queue,
      timer: setTimeout(() => safely('session wait', () => {
        this.removeWaiter(link);
        link.refuse(this.noSessionError());
      }), timeoutMs),
    };
    this.waiters.push(waiter);
  }

  private noSessionError(): AmqpErrorInfo {
    return {
      condition: 'com.microsoft:timeout',
      description: 'The operation did not complete within the allotted timeout: no unlocked session with messages is available.',
    };
  }

  private removeWaiter(link: OutgoingLink): boolean {
    const i = this.waiters.findIndex((w) => w.link === link);
    if (i < 0) return false;
    const [w] = this.waiters.splice(i, 1);
    if (w) clearTimeout(w.timer);
    return true;
  }

  private acceptSession(link: OutgoingLink, queue: Queue, sessionId: string, now: number): void {
    this.addConsumer(link, queue, queue.main, sessionId);
    link.accept({ sessionId, lockedUntilMs: queue.sessions.get(sessionId, now)?.until ?? now });
    this.kick();
  }

  private addConsumer(link: OutgoingLink, queue: Queue, store: MessageStore, sessionId: string | undefined): void {
    this.consumers.set(link.id, { id: link.id, link, queue, store, sessionId, deliveries: new Map() });
  }

  private serviceWaiters(now: number): void {
    for (const w of [...this.waiters]) {
      const free = w.queue.nextFreeSession(now);
      if (free === undefined) continue;
      this.removeWaiter(w.link);
      w.queue.sessions.tryLock(free, w.link.id, now + w.queue.config.lockDurationMs, now);
      this.addConsumer(w.link, w.queue, w.queue.main, free);
      w.link.accept({ sessionId: free, lockedUntilMs: w.queue.sessions.get(free, now)?.until ?? now });
    }
  }

  private onLinkClosed(link: OutgoingLink | IncomingLink): void {
    this.incoming.delete(link.id);
    if (!(link instanceof OutgoingLink)) return;
    this.pendingReplies.delete(link);
    this.removeWaiter(link);
    const c = this.consumers.get(link.id);
    if (!c) return;
    this.consumers.delete(link.id);
    // A session receiver that goes away gives up its session; its in-flight messages come back.
    // Plain peek-locks outlive the link until they expire (settlement via $management still works).
    if (c.sessionId !== undefined) {
      const now = this.clock.now();
      c.queue.sessions.release(c.sessionId, c.id);
      c.queue.releaseSessionMessages(c.sessionId, c.id, now);
    }
    this.kick();
  }

  // ------------------------------------------------------------ injected busy answers

  private readonly busy = new Map<string, number>();

  answerBusy(operation: string, times: number): void {
    this.busy.set(operation, (this.busy.get(operation) ?? 0) + times);
  }

  private takeBusy(operation: string | undefined): boolean {
    const left = operation === undefined ? 0 : (this.busy.get(operation) ?? 0);
    if (left <= 0) return false;
    this.busy.set(operation!, left - 1);
    return true;
  }

  // ------------------------------------------------------------ incoming transfers

  private onTransfer(link: IncomingLink, transfer: IncomingTransfer): void {
    const role = this.incoming.get(link.id);
    if (!role) {
      transfer.reject({ condition: 'amqp:not-found', description: 'link is not attached to an entity' });
      return;
    }
    const now = this.clock.now();
    if (role.kind === 'cbs' || role.kind === 'management') {
      transfer.accept();
      if (role.kind === 'management') this.counters.management(role.entity.queue.config.name, transfer.message);
      const reply = role.kind === 'cbs'
        ? handleCbs(transfer.message)
        : this.takeBusy(operationOf(transfer.message)) ? SERVER_BUSY : handleManagement(transfer.message, {
          now,
          entity: role.entity,
          holderOf: (name) => this.holderOf(link.connectionId, name),
        });
      this.reply(link.connectionId, transfer.message, reply);
      this.kick();
      return;
    }
    const queue = role.queue;
    if (transfer.size > MAX_MESSAGE_SIZE_BYTES) {
      transfer.reject({
        condition: 'amqp:link:message-size-exceeded',
        description: `The received message (size ${transfer.size} bytes) exceeds the limit (${MAX_MESSAGE_SIZE_BYTES} bytes) on '${queue.config.name}'.`,
      });
      return;
    }
    let messages: AmqpMessage[];
    try {
      messages = transfer.format === BATCH_MESSAGE_FORMAT ? unpackBatch(transfer.message) : [transfer.message];
    } catch (err) {
      transfer.reject({ condition: 'amqp:decode-error', description: String(err) });
      return;
    }
    const prepared: Prepared[] = messages.map((m) => prepareIncoming(m, queue.config.requiresSession));
    const failed = prepared.find((p) => !p.ok);
    if (failed && !failed.ok) {
      transfer.reject(failed.error); // a batch is all or nothing
      return;
    }
    let duplicates = 0;
    for (const p of prepared) if (p.ok && queue.enqueue(p.message, now) === undefined) duplicates += 1;
    this.counters.sent(queue.config.name, prepared.length, duplicates);
    transfer.accept();
    this.kick();
  }

  private holderOf(connectionId: string, linkName: string | undefined): number | undefined {
    if (linkName === undefined) return undefined;
    for (const c of this.consumers.values()) {
      if (c.link.connectionId === connectionId && c.link.name === linkName) return c.id;
    }
    return -1; // named a link we do not know: it holds nothing
  }

  private reply(connectionId: string, request: AmqpMessage, r: ManagementReply): void {
    const replyTo = asString(request.reply_to);
    if (replyTo === undefined) return;
    const link = this.server?.findOutgoing(connectionId, replyTo);
    if (!link) return;
    const props: Record<string, unknown> = { 'status-code': r.status, 'status-description': r.description };
    if (r.condition !== undefined) props['error-condition'] = r.condition;
    const msg: AmqpMessage = { correlation_id: request.message_id, application_properties: props };
    if (r.body !== undefined) msg.body = r.body;
    const pending = this.pendingReplies.get(link) ?? [];
    pending.push(msg);
    this.pendingReplies.set(link, pending);
    this.flushReplies(link);
  }

  private flushReplies(link: OutgoingLink): void {
    const pending = this.pendingReplies.get(link);
    while (pending?.length && link.sendable()) {
      const msg = pending.shift();
      if (msg) link.settle(link.send(msg, newDeliveryTag()));
    }
    if (pending && pending.length === 0) this.pendingReplies.delete(link);
  }

  // ------------------------------------------------------------ outgoing deliveries

  private onSendable(link: OutgoingLink): void {
    if (this.pendingReplies.has(link)) this.flushReplies(link);
    this.kick();
  }

  private onDraining(link: OutgoingLink): void {
    this.kick();
    // Everything available has been sent; give back the rest of the credit.
    const answer = (): void => {
      if (link.sendable()) link.drained();
    };
    if (this.slowDrains > 0) {
      this.slowDrains -= 1;
      setTimeout(answer, this.slowDrainMs);
    } else answer();
  }

  private slowDrains = 0;
  private slowDrainMs = 0;

  answerDrainsLate(delayMs: number, times: number): void {
    this.slowDrainMs = delayMs;
    this.slowDrains += times;
  }

  private deliver(c: Consumer, m: StoredMessage, now: number): void {
    this.counters.delivered(c.queue.config.name);
    const tag = newDeliveryTag();
    if (c.link.presettled) {
      m.deliveries += 1; // receive-and-delete: gone as soon as it is sent
      c.store.remove(m);
      c.link.send(toDelivered(m, undefined), tag);
      return;
    }
    const token = tag.toString('hex');
    const until = c.queue.lockForDelivery(c.store, m, token, c.id, now);
    const delivery = c.link.send(toDelivered(m, until), tag);
    c.deliveries.set(delivery, token);
  }

  private pump(now: number): void {
    this.serviceWaiters(now);
    let progress = true;
    while (progress) {
      progress = false;
      for (const c of this.consumers.values()) {
        if (!c.link.sendable()) continue;
        let m: StoredMessage | undefined;
        if (c.sessionId !== undefined) {
          if (!c.queue.sessions.isHeldBy(c.sessionId, c.id, now)) continue;
          m = c.store.nextAvailable((x) => x.sessionId === c.sessionId);
        } else {
          m = c.store.nextAvailable();
        }
        if (!m) continue;
        this.deliver(c, m, now);
        progress = true;
      }
    }
  }

  private onOutcome(link: OutgoingLink, delivery: object, outcome: Outcome): void {
    const c = this.consumers.get(link.id);
    const token = c?.deliveries.get(delivery);
    if (!c || token === undefined) {
      // A reply link (nothing to settle in the model), or a receiver that lost its session.
      link.settle(delivery, this.retired.has(link) ? lockLostError['session-lock-lost'] : undefined);
      return;
    }
    c.deliveries.delete(delivery);
    this.counters.settled(c.queue.config.name);
    const now = this.clock.now();
    let result: SettleResult;
    switch (outcome.kind) {
      case 'accepted':
        result = c.queue.complete(c.store, token, c.id, now);
        break;
      case 'released':
        result = c.queue.abandon(c.store, token, c.id, now);
        break;
      case 'modified':
        if (outcome.undeliverableHere) {
          link.settle(delivery, { condition: 'amqp:not-implemented', description: 'Message deferral is not supported by the test broker.' });
          return;
        }
        result = c.queue.abandon(c.store, token, c.id, now, outcome.annotations);
        break;
      case 'rejected': {
        const { DeadLetterReason, DeadLetterErrorDescription, ...rest } = outcome.info;
        const props = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined && v !== null));
        result = c.queue.deadLetter(c.store, token, c.id, now, asString(DeadLetterReason), asString(DeadLetterErrorDescription), props);
        break;
      }
    }
    link.settle(delivery, result.ok ? undefined : lockLostError[result.error]);
    this.kick();
  }

  // ------------------------------------------------------------ time

  /** Activate due messages, expire locks, deliver, and re-arm the timer. */
  kick(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    for (const q of this.queues.values()) {
      q.activateDue(now);
      q.expireMessageLocks(now);
      for (const lock of q.sessions.takeExpired(now)) {
        q.releaseSessionMessages(lock.sessionId, lock.holder, now);
        const c = this.consumers.get(lock.holder);
        if (c) {
          this.consumers.delete(c.id);
          this.retired.add(c.link);
          c.link.fail(lockLostError['session-lock-lost']);
        }
      }
    }
    this.pump(now);
    this.arm(now);
  }

  private arm(now: number): void {
    let next: number | undefined;
    for (const q of this.queues.values()) {
      const t = q.nextDeadline();
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    if (next === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = next;
    if (next === undefined) return;
    // Capped so that far deadlines (or a clock that moves by hand) are simply looked at again.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      safely('timer', () => this.kick());
    }, Math.min(MAX_TIMER_MS, Math.max(1, next - now + 1)));
  }

  // ------------------------------------------------------------ inspection

  peekState(name: string): QueueState {
    const q = this.queues.get(name.toLowerCase());
    if (!q) throw new Error(`unknown queue '${name}'`);
    const main = q.main.counts();
    const dead = q.dlq.all();
    const deadLetters: DeadLetterInfo[] = dead.map((m) => ({
      messageId: m.messageId,
      sessionId: m.sessionId,
      sequenceNumber: m.sequenceNumber,
      reason: m.deadLetter?.reason,
      description: m.deadLetter?.description,
      deliveryCount: m.deliveries,
      body: bodyForInspection(m.amqp),
    }));
    return {
      active: main.active,
      scheduled: main.scheduled,
      locked: main.locked,
      deadLettered: dead.length,
      deadLetters,
      lockedSessions: q.sessions.lockedIds(this.clock.now()),
    };
  }
}

/** Timer callbacks run outside rhea's event guard: a bug must not take the host process down. */
function safely(what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    console.error(`[sim-bus] ${what} failed:`, err);
  }
}

function numberOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** Starts a broker on 127.0.0.1 with an OS-chosen port. */
export async function startBroker(options: BrokerOptions): Promise<BrokerHandle & BrokerCounters> {
  const broker = new Broker(options);
  const port = await broker.start(options.host ?? '127.0.0.1');
  const host = options.host ?? '127.0.0.1';
  return {
    connectionString:
      `Endpoint=sb://${host}:${port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true`,
    port,
    stop: () => broker.stop(),
    goOffline: () => broker.goOffline(),
    comeOnline: () => broker.comeOnline(port),
    peekState: (queue) => broker.peekState(queue),
    sweep: () => broker.kick(),
    answerBusy: (operation, times) => broker.answerBusy(operation, times),
    answerDrainsLate: (delayMs, times) => broker.answerDrainsLate(delayMs, times),
    counts: () => broker.counters.counts(),
  };
}
