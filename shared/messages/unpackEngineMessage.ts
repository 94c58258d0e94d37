// An engine-events body as the engine reads it: a one-event message, or a pack read entry by entry,
// so that an entry the schema refuses costs only itself (rejected with its index and reason) and
// the pack's other events still reach the engine. Never throws.
import type { EngineEventMessage } from './envelopes.ts';
import { engineEventMessageSchema, engineEventPackEnvelopeSchema, isPackShaped, packedEventSchema } from './envelopes.ts';
import type { ParseOptions, ParseResult } from './parseMessage.ts';
import { checked, decodeBody } from './parseMessage.ts';
import { MAX_MESSAGE_BYTES } from './bounds.ts';

export type UnpackedEntry =
  | { readonly ok: true; readonly value: EngineEventMessage }
  /** `index` is the entry's place in the pack; `body` the entry as received, for the rejection. */
  | { readonly ok: false; readonly index: number; readonly reason: string; readonly body: unknown };

export interface UnpackedMessage {
  readonly cluster: string;
  readonly entries: readonly UnpackedEntry[];
}

/** The body's events in order, or a reason that refuses the whole body (its envelope is unusable). */
export function unpackEngineMessage(body: unknown, options: ParseOptions = {}): ParseResult<UnpackedMessage> {
  try {
    return unpack(body, options);
  } catch (e) {
    return { ok: false, reason: `body: unreadable (${e instanceof Error ? e.message : String(e)})` };
  }
}

function unpack(body: unknown, options: ParseOptions): ParseResult<UnpackedMessage> {
  const decoded = decodeBody(body, options.maxBytes ?? MAX_MESSAGE_BYTES);
  if (!decoded.ok) return decoded;
  if (!isPackShaped(decoded.value)) {
    const one = checked(engineEventMessageSchema, decoded.value);
    return one.ok ? { ok: true, value: { cluster: one.value.cluster, entries: [one] } } : one;
  }
  const envelope = checked(engineEventPackEnvelopeSchema, decoded.value);
  if (!envelope.ok) return envelope;
  const { v, cluster, events } = envelope.value;
  const entries = events.map((raw, index): UnpackedEntry => {
    const entry = checked(packedEventSchema, raw);
    if (!entry.ok) return { ok: false, index, reason: `events[${index}].${entry.reason}`, body: raw };
    return { ok: true, value: { v, cluster, ...entry.value } };
  });
  return { ok: true, value: { cluster, entries } };
}
