// Service Bus messages as the Functions host hands them over (bodies plus per-message metadata
// in triggerMetadata), and what a function does with a message it cannot use.
import type { InvocationContext } from '@azure/functions';
import type { RejectedMessage } from '../shared/messages/envelopes.ts';
import { MAX_REJECTED_BODY_CHARS, MESSAGE_VERSION } from '../shared/messages/envelopes.ts';
import { TRACE_PROPERTY } from '../shared/messages/messageContext.ts';
import { boundedId } from '../shared/messages/messageIds.ts';
import type { OutgoingMessage, QueueName } from '../shared/messages/outgoing.ts';

export interface ReceivedMessage {
  readonly body: unknown;
  readonly messageId: string;
  readonly deliveryCount: number;
  /** The trace the sender put beside the body (`Diagnostic-Id`), if any. */
  readonly traceparent?: string | undefined;
}

export interface Rejection {
  readonly message: ReceivedMessage;
  readonly reason: string;
}

function metadataArray(context: InvocationContext, name: string): readonly unknown[] {
  const value = context.triggerMetadata?.[name];
  return Array.isArray(value) ? value : [];
}

function traceparentIn(applicationProperties: unknown): { traceparent?: string } {
  const value = typeof applicationProperties === 'object' && applicationProperties !== null ? (applicationProperties as Record<string, unknown>)[TRACE_PROPERTY] : undefined;
  return typeof value === 'string' && value !== '' ? { traceparent: value } : {};
}

/** Pair each body of a `cardinality: 'many'` batch with its messageId and deliveryCount. */
export function receivedMessages(bodies: readonly unknown[], context: InvocationContext): ReceivedMessage[] {
  const ids = metadataArray(context, 'messageIdArray');
  const counts = metadataArray(context, 'deliveryCountArray');
  const properties = metadataArray(context, 'applicationPropertiesArray');
  return bodies.map((body, i) => {
    const id = ids[i];
    const count = counts[i];
    return {
      body,
      messageId: typeof id === 'string' ? id : `${context.invocationId}#${i}`,
      deliveryCount: typeof count === 'number' ? count : 1,
      ...traceparentIn(properties[i]),
    };
  });
}

/** One received message of a `cardinality: 'one'` trigger. */
export function receivedMessage(body: unknown, context: InvocationContext): ReceivedMessage {
  const meta = context.triggerMetadata ?? {};
  return {
    body,
    messageId: typeof meta.messageId === 'string' ? meta.messageId : context.invocationId,
    deliveryCount: typeof meta.deliveryCount === 'number' ? meta.deliveryCount : 1,
    ...traceparentIn(meta.applicationProperties),
  };
}

function bodyText(body: unknown): string {
  let text: string;
  if (typeof body === 'string') text = body;
  else if (body instanceof Uint8Array) text = Buffer.from(body).toString('utf8');
  else {
    try {
      text = JSON.stringify(body) ?? String(body);
    } catch {
      text = String(body);
    }
  }
  return text.length > MAX_REJECTED_BODY_CHARS ? text.slice(0, MAX_REJECTED_BODY_CHARS) : text;
}

/** Rejected messages go to `rejected-messages` with their reason, so they are neither lost nor retried forever. */
export function rejectionMessages(queue: Exclude<QueueName, 'rejected-messages'>, rejections: readonly Rejection[], now: number): OutgoingMessage[] {
  return rejections.map((r) => {
    const body: RejectedMessage = {
      v: MESSAGE_VERSION,
      queue,
      messageId: r.message.messageId.slice(0, 128),
      reason: r.reason.slice(0, 1024),
      rejectedAt: new Date(now).toISOString(),
      body: bodyText(r.message.body),
    };
    return { queue: 'rejected-messages', body, messageId: boundedId(`rejected:${queue}:${r.message.messageId}`) };
  });
}
