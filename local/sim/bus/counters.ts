// What the broker did per queue, for cost accounting (Service Bus bills operations: each message
// sent, delivered or settled and each management call). Counts only grow; callers take deltas.
import { asString, isRecord } from './amqp.ts';
import type { AmqpMessage } from './amqp.ts';
import { OPERATION } from './management.ts';

export interface QueueCounts {
  /** Messages sent, single, in a batch or scheduled; duplicates included. */
  readonly sent: number;
  /** Sent messages that duplicate detection dropped. */
  readonly duplicates: number;
  /** Send calls: a batch, or a schedule request, is one. */
  readonly sendCalls: number;
  /** Deliveries to receivers, redeliveries included. */
  readonly delivered: number;
  /** Settlements on a receive link (complete, abandon, dead-letter). */
  readonly settled: number;
  /** `$management` requests (lock renewals, schedule, peek, settlement by lock token, …). */
  readonly management: number;
}

export interface BrokerCounters {
  /** Per queue (main queue and dead-letter sub-queue together), since the broker started. */
  counts(): Readonly<Record<string, QueueCounts>>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const ZERO: QueueCounts = { sent: 0, duplicates: 0, sendCalls: 0, delivered: 0, settled: 0, management: 0 };

export class QueueCounters implements BrokerCounters {
  private readonly byQueue = new Map<string, Mutable<QueueCounts>>();

  private of(queue: string): Mutable<QueueCounts> {
    let c = this.byQueue.get(queue);
    if (!c) {
      c = { ...ZERO };
      this.byQueue.set(queue, c);
    }
    return c;
  }

  sent(queue: string, messages: number, duplicates: number): void {
    const c = this.of(queue);
    c.sendCalls += 1;
    c.sent += messages;
    c.duplicates += duplicates;
  }

  delivered(queue: string): void {
    this.of(queue).delivered += 1;
  }

  settled(queue: string): void {
    this.of(queue).settled += 1;
  }

  /** A `$management` request; scheduled messages count as sent as well. */
  management(queue: string, request: AmqpMessage): void {
    const c = this.of(queue);
    c.management += 1;
    const props = request.application_properties;
    if (!isRecord(props) || asString(props.operation) !== OPERATION.scheduleMessage) return;
    const messages = isRecord(request.body) ? request.body.messages : undefined;
    if (Array.isArray(messages)) {
      c.sendCalls += 1;
      c.sent += messages.length;
    }
  }

  counts(): Readonly<Record<string, QueueCounts>> {
    return Object.fromEntries([...this.byQueue].map(([q, c]) => [q, { ...c }]));
  }
}
