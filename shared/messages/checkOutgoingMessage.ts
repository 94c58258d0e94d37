// The last gate before a message leaves: its body parses as its queue's schema and fits the
// message limit with room for headers, its ids fit Service Bus, and its session is its cluster.
// A failure here is a programming error, so it throws with the reason.
import type { OutgoingMessage } from './outgoing.ts';
import { SESSION_QUEUES } from './outgoing.ts';
import { MAX_ID_CHARS, MAX_MESSAGE_BYTES, MAX_SENT_BODY_BYTES } from './bounds.ts';
import { parseMessage } from './parseMessage.ts';

const MAX_HEADER_BYTES = MAX_MESSAGE_BYTES - MAX_SENT_BODY_BYTES;

function problemOf(message: OutgoingMessage): string | null {
  const { queue, messageId, sessionId } = message;
  if (messageId.length === 0 || messageId.length > MAX_ID_CHARS) return `messageId: ${messageId.length} characters, expected 1-${MAX_ID_CHARS}`;
  const sessions = SESSION_QUEUES.has(queue);
  if (sessions && (sessionId === undefined || sessionId.length === 0)) return `sessionId: missing on ${queue}, a session queue`;
  if (!sessions && sessionId !== undefined) return `sessionId: set on ${queue}, a queue without sessions`;
  if (sessionId !== undefined && sessionId.length > MAX_ID_CHARS) return `sessionId: ${sessionId.length} characters, expected at most ${MAX_ID_CHARS}`;
  if (message.scheduledEnqueueTimeUtc !== undefined && Number.isNaN(message.scheduledEnqueueTimeUtc.getTime())) return 'scheduledEnqueueTimeUtc: not a valid date';
  const headerBytes = Buffer.byteLength(messageId) + Buffer.byteLength(sessionId ?? '') + Buffer.byteLength(JSON.stringify(message.applicationProperties ?? {}));
  if (headerBytes > MAX_HEADER_BYTES) return `headers: ${headerBytes} bytes, over the ${MAX_HEADER_BYTES} bytes left beside the body`;
  const parsed = parseMessage(queue, message.body, { maxBytes: MAX_SENT_BODY_BYTES });
  if (!parsed.ok) return parsed.reason;
  if (sessions) {
    const body = parsed.value;
    const cluster = 'cluster' in body ? body.cluster : 'operation' in body ? body.operation.cluster : undefined;
    if (sessionId !== cluster) return `sessionId: "${sessionId}" is not the body's cluster "${String(cluster)}"`;
  }
  return null;
}

/** `message`, once it is known to be sendable; throws with the reason otherwise. */
export function checkOutgoingMessage<M extends OutgoingMessage>(message: M): M {
  const problem = problemOf(message);
  if (problem !== null) throw new Error(`invalid ${message.queue} message ${JSON.stringify(message.messageId)}: ${problem}`);
  return message;
}
