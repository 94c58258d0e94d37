// Turning a received body into a checked message, or into a reason that names the field and the
// problem (for the dead-letter reason and the log). A body may be the JSON text, its UTF-8 bytes or
// the already-parsed value, as each host hands it over. Never throws.
import type { QueueName } from './outgoing.ts';
import { MAX_MESSAGE_BYTES } from './bounds.ts';
import { describeIssues } from './describeIssues.ts';
import type { z } from 'zod';
import { MESSAGE_SCHEMAS, engineEventMessageSchema, engineEventPackSchema, isPackShaped } from './envelopes.ts';
import type { EngineEventMessage, KubernetesActionMessage, LocationsSyncMessage, MessageBodies, ServiceOpMessage } from './envelopes.ts';

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export interface ParseOptions {
  /** Largest accepted body, as serialized JSON in UTF-8 (default: the Service Bus message limit). */
  readonly maxBytes?: number | undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

function tooLarge(bytes: number, maxBytes: number): { ok: false; reason: string } {
  return fail(`body: ${bytes} bytes, over the ${maxBytes}-byte message limit`);
}

function parseJson(text: string): ParseResult<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return fail(`body: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** The body as a JSON value, within `maxBytes` once serialized. */
export function decodeBody(body: unknown, maxBytes: number = MAX_MESSAGE_BYTES): ParseResult<unknown> {
  if (typeof body === 'string') {
    const bytes = Buffer.byteLength(body, 'utf8');
    return bytes > maxBytes ? tooLarge(bytes, maxBytes) : parseJson(body);
  }
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) {
    if (body.byteLength > maxBytes) return tooLarge(body.byteLength, maxBytes);
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      return fail('body: bytes are not UTF-8');
    }
    return parseJson(text);
  }
  if (body === undefined) return fail('body: missing');
  let serialized: string | undefined;
  try {
    serialized = JSON.stringify(body);
  } catch (e) {
    return fail(`body: not serializable as JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (serialized === undefined) return fail(`body: not serializable as JSON (${typeof body})`);
  const bytes = Buffer.byteLength(serialized, 'utf8');
  return bytes > maxBytes ? tooLarge(bytes, maxBytes) : { ok: true, value: body };
}

/** An already-decoded value checked against `schema`. */
export function checked<T>(schema: z.ZodType<T>, value: unknown): ParseResult<T> {
  const parsed = schema.safeParse(value, { reportInput: true });
  return parsed.success ? { ok: true, value: parsed.data } : fail(describeIssues(parsed.error.issues));
}

/** Decodes the body, picks its schema by the decoded value, and checks it. */
function parseBy<T>(schemaOf: (value: unknown) => z.ZodType<T>, body: unknown, options: ParseOptions): ParseResult<T> {
  try {
    const decoded = decodeBody(body, options.maxBytes ?? MAX_MESSAGE_BYTES);
    return decoded.ok ? checked(schemaOf(decoded.value), decoded.value) : decoded;
  } catch (e) {
    // A getter or proxy in an object body can throw; that is a bad body too, not a crash.
    return fail(`body: unreadable (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** The body checked against `schema`. */
export function parseWith<T>(schema: z.ZodType<T>, body: unknown, options: ParseOptions = {}): ParseResult<T> {
  return parseBy(() => schema, body, options);
}

/**
 * The body of a message received on `queue`, checked against that queue's schema. An
 * engine-events pack is checked whole here (the sender's gate); the engine reads packs entry by
 * entry instead (unpackEngineMessage.ts).
 */
export function parseMessage<Q extends QueueName>(queue: Q, body: unknown, options: ParseOptions = {}): ParseResult<MessageBodies[Q]> {
  if (queue !== 'engine-events') return parseWith(MESSAGE_SCHEMAS[queue], body, options);
  return parseBy((value) => (isPackShaped(value) ? engineEventPackSchema : engineEventMessageSchema) as unknown as z.ZodType<MessageBodies[Q]>, body, options);
}

/** A one-event engine-events body (packs: unpackEngineMessage). */
export function parseEngineMessage(body: unknown, options?: ParseOptions): ParseResult<EngineEventMessage> {
  return parseWith(engineEventMessageSchema, body, options);
}

export function parseServiceOpMessage(body: unknown, options?: ParseOptions): ParseResult<ServiceOpMessage> {
  return parseMessage('service-ops', body, options);
}

export function parseLocationsSyncMessage(body: unknown, options?: ParseOptions): ParseResult<LocationsSyncMessage> {
  return parseMessage('locations-sync', body, options);
}

export function parseKubernetesActionMessage(body: unknown, options?: ParseOptions): ParseResult<KubernetesActionMessage> {
  return parseMessage('k8s-actions', body, options);
}
