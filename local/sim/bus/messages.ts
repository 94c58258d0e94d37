// Between wire messages and the queue model: what an incoming message means (id, session,
// schedule) and what a delivered or peeked message carries (sequence number, times, lock, count).
import { asString, generateId, idToString, isRecord, wrapLong } from './amqp.ts';
import type { AmqpErrorInfo, AmqpMessage } from './amqp.ts';
import type { NewMessage, StoredMessage } from './queue.ts';

export const ANNOTATION = {
  sequenceNumber: 'x-opt-sequence-number',
  enqueuedTime: 'x-opt-enqueued-time',
  lockedUntil: 'x-opt-locked-until',
  scheduledEnqueueTime: 'x-opt-scheduled-enqueue-time',
  deadLetterSource: 'x-opt-deadletter-source',
  messageState: 'x-opt-message-state',
} as const;

export type Prepared = { readonly ok: true; readonly message: NewMessage } | { readonly ok: false; readonly error: AmqpErrorInfo };

function toTime(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  return undefined;
}

/** Validates an incoming message for a queue and gives it a MessageId if the sender did not. */
export function prepareIncoming(amqp: AmqpMessage, requiresSession: boolean): Prepared {
  const msg: AmqpMessage = { ...amqp };
  let messageId = idToString(msg.message_id);
  if (messageId === undefined || messageId === '') {
    messageId = generateId();
    msg.message_id = messageId;
  }
  const sessionId = asString(msg.group_id);
  if (requiresSession && sessionId === undefined) {
    return {
      ok: false,
      error: {
        condition: 'amqp:not-allowed',
        description: 'The SessionId was not set on a message, and it cannot be sent to the entity. ' +
          'Entities that have session support enabled can only receive messages that have the SessionId set to a valid value.',
      },
    };
  }
  const ann = msg.message_annotations;
  const scheduledFor = isRecord(ann) ? toTime(ann[ANNOTATION.scheduledEnqueueTime]) : undefined;
  return { ok: true, message: { messageId, sessionId, amqp: msg, scheduledFor } };
}

function baseAnnotations(m: StoredMessage): Record<string, unknown> {
  const ann: Record<string, unknown> = isRecord(m.amqp.message_annotations) ? { ...m.amqp.message_annotations } : {};
  ann[ANNOTATION.sequenceNumber] = wrapLong(m.sequenceNumber);
  ann[ANNOTATION.enqueuedTime] = new Date(m.enqueuedAt);
  if (m.deadLetter) ann[ANNOTATION.deadLetterSource] = m.deadLetter.source;
  return ann;
}

/**
 * The message as delivered. The AMQP header's delivery-count is the number of earlier delivery
 * attempts, as Service Bus sends it: the JS SDK shows it as is (0 on the first delivery); the .NET
 * SDK and the Functions host add one.
 */
export function toDelivered(m: StoredMessage, lockedUntil: number | undefined): AmqpMessage {
  const ann = baseAnnotations(m);
  if (lockedUntil !== undefined) ann[ANNOTATION.lockedUntil] = new Date(lockedUntil);
  return { ...m.amqp, delivery_count: Math.max(0, m.deliveries - 1), message_annotations: ann };
}

/** The message as returned by a peek: no lock; scheduled messages say so. */
export function toPeeked(m: StoredMessage, scheduled: boolean): AmqpMessage {
  const ann = baseAnnotations(m);
  if (scheduled) ann[ANNOTATION.messageState] = 2;
  return { ...m.amqp, delivery_count: m.deliveries, message_annotations: ann };
}
