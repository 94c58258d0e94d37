// The forwarder's one-event messages of one send round, packed in order into as few messages as
// the size bound and MAX_PACK_EVENTS allow (ADR 0024). Order is kept whole (packs in order, events
// in order inside each), so per object too. A pack's MessageId is a hash of its members' ids: a
// member id already names its content (object, resourceVersion, snapshot), so the same members
// give the same pack id, and a round packed differently after a retry (a newer state replaced a
// change) gives new ids, which duplicate detection can never drop. Anything a different pack
// repeats is an older state again: a fact, safe to apply twice. Pure.
import type { OutgoingMessage } from './outgoing.ts';
import { MAX_SENT_BODY_BYTES } from './bounds.ts';
import { checkOutgoingMessage } from './checkOutgoingMessage.ts';
import type { EngineEventMessage, EngineEventPack, PackedEvent } from './envelopes.ts';
import { MAX_PACK_EVENTS, MESSAGE_VERSION } from './envelopes.ts';
import { boundedId, stableHash } from './messageIds.ts';

export interface PackableMessage {
  /** An engine-events message carrying one EngineEventMessage. */
  readonly message: OutgoingMessage;
  /** Its body's size as sent (UTF-8 JSON), an upper bound of its entry's size in a pack. */
  readonly bytes: number;
}

export interface PackLimits {
  readonly maxBodyBytes: number;
  readonly maxEvents: number;
}

export const PACK_LIMITS: PackLimits = { maxBodyBytes: MAX_SENT_BODY_BYTES, maxEvents: MAX_PACK_EVENTS };

/** The pack of a cluster's messages, its id from theirs. */
export function engineEventPackId(cluster: string, memberIds: readonly string[]): string {
  return boundedId(`${cluster}:pack:${memberIds.length}:${stableHash(memberIds.join('\n'))}`);
}

function entryOf(body: EngineEventMessage): PackedEvent {
  const { event, observedAt, traceparent } = body;
  return { event, ...(observedAt === undefined ? {} : { observedAt }), ...(traceparent === undefined ? {} : { traceparent }) };
}

function packOf(run: readonly PackableMessage[]): OutgoingMessage {
  const first = run[0]!;
  if (run.length === 1) return first.message;
  const cluster = (first.message.body as EngineEventMessage).cluster;
  const body: EngineEventPack = { v: MESSAGE_VERSION, cluster, events: run.map((m) => entryOf(m.message.body as EngineEventMessage)) };
  return checkOutgoingMessage({
    queue: 'engine-events',
    body,
    messageId: engineEventPackId(cluster, run.map((m) => m.message.messageId)),
    sessionId: cluster,
    // The first member's trace: one per message is what the Service Bus properties can carry.
    ...(first.message.applicationProperties === undefined ? {} : { applicationProperties: first.message.applicationProperties }),
  });
}

/** Only plain one-event engine-events messages pack; anything else goes alone. */
function packable(m: OutgoingMessage): boolean {
  return m.queue === 'engine-events' && m.scheduledEnqueueTimeUtc === undefined && m.sessionId !== undefined && typeof m.body === 'object' && m.body !== null && 'event' in m.body;
}

/** Envelope bytes of a pack beyond its entries: `{"v":1,"cluster":"…","events":[]}`. */
function envelopeBytes(cluster: string): number {
  return Buffer.byteLength(JSON.stringify({ v: MESSAGE_VERSION, cluster, events: [] }), 'utf8');
}

/**
 * Consecutive messages grouped greedily: a pack closes when the next message would take it past a
 * limit or belongs to another session. A lone message goes out as it is (its own id and format).
 */
export function toEngineEventPacks(messages: readonly PackableMessage[], limits: PackLimits = PACK_LIMITS): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  let run: PackableMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const session = m.message.sessionId ?? '';
    const open = run[0];
    const fits = open !== undefined && packable(m.message) && packable(open.message) && open.message.sessionId === m.message.sessionId && run.length < limits.maxEvents && bytes + 1 + m.bytes <= limits.maxBodyBytes;
    if (!fits && open !== undefined) {
      out.push(packOf(run));
      run = [];
    }
    if (run.length === 0) bytes = envelopeBytes(session) + m.bytes;
    else bytes += 1 + m.bytes;
    run.push(m);
  }
  if (run.length > 0) out.push(packOf(run));
  return out;
}
