// The one place that reads ARM failures (STYLE §6 rule 3, reference §5). Whatever the SDK threw
// (a RestError with a status and an ARM error code, a network error, an abort, a failed
// long-running operation), the engine needs the same few facts: may it retry, may the request
// have been applied, how long to wait, and which canonical metric label it counts under.
import { retryAfterMsOf } from './retryAfter.ts';
import type { HeaderLookup } from './retryAfter.ts';

export type ArmErrorLabel = 'quota_exceeded' | 'throttled' | 'conflict' | 'not_found' | 'internal_error' | 'timeout' | 'unknown' | 'validation';

export interface ArmErrorClass {
  /** The ARM error code from the body (`InvalidRequestFormat`, `ServiceWithOverlayMappingsCannotBeDeleted`…),
   * else a code for what happened (`Http403`, `ECONNRESET`, `timeout`). */
  readonly code: string;
  readonly label: ArmErrorLabel;
  /** NRP refused the request as invalid: sending it again unchanged will not help. */
  readonly terminal: boolean;
  /** The request may have been applied (a timeout, a 5xx, a connection lost after sending). */
  readonly outcomeUnknown: boolean;
  readonly retryAfterMs: number | null;
  readonly statusCode: number | null;
  readonly message: string;
}

export interface ClassifyOptions {
  /** For a `Retry-After` given as an HTTP date (default Date.now()). */
  readonly now?: number | undefined;
}

/**
 * Quota codes (reference §5). Not terminal: quota is raised or freed outside the spec (an operator
 * asks for more, other Public IPs go away), so a parked-until-the-spec-changes service would stay
 * stuck after the fix. As a retryable failure it backs off, parks for the cooldown and re-arms on
 * its own, at a rate the throttle gate keeps inside our share of the NRP write budget.
 */
const QUOTA_CODES: ReadonlySet<string> = new Set(['QuotaExceeded', 'PublicIPCountLimitReached', 'MaxPublicIpCountLimitReached']);

/** The resource is busy with another operation (NRP answers these with 409, 429 or even 400): retry later. */
const BUSY_CODES: ReadonlySet<string> = new Set([
  'RetryableErrorDueToAnotherOperation',
  'AnotherOperationInProgress',
  'RetryableError',
  'ReferencedResourceNotProvisioned',
  'CanceledAndSupersededDueToAnotherOperation',
]);

/** The resource is locked by another operation (a per-resource wait, not a subscription throttle). */
export function isBusyCode(code: string): boolean {
  return BUSY_CODES.has(code);
}

/** Network errors raised before anything reached the server: the request was certainly not applied. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);

/** What core-lro throws when an operation ends in `Failed`: `… has failed. <code>. <message>`. */
const LRO_FAILED = /^The long-running operation has failed(?:\. ([A-Za-z0-9_.-]+)\.)?/;

export function classifyArmError(err: unknown, options: ClassifyOptions = {}): ArmErrorClass {
  const now = options.now ?? Date.now();
  const message = messageOf(err);
  const name = stringProp(err, 'name');
  if (name === 'AbortError' || name === 'TimeoutError') {
    return { code: 'timeout', label: 'timeout', terminal: false, outcomeUnknown: true, retryAfterMs: null, statusCode: null, message };
  }

  const statusCode = numberProp(err, 'statusCode');
  if (statusCode !== null) return classifyStatus(err, statusCode, message, now);

  const sdkCode = stringProp(err, 'code');
  if (sdkCode !== null) {
    if (TIMEOUT_CODES.has(sdkCode)) return { code: sdkCode, label: 'timeout', terminal: false, outcomeUnknown: true, retryAfterMs: null, statusCode: null, message };
    const outcomeUnknown = !NOT_SENT_CODES.has(sdkCode);
    return { code: sdkCode, label: 'unknown', terminal: false, outcomeUnknown, retryAfterMs: null, statusCode: null, message };
  }

  const lro = LRO_FAILED.exec(message);
  if (lro) {
    // The operation ran and ended Failed. Not terminal: ARM reports validation up front, with a
    // 400. Of unknown outcome: a failed operation may have applied part of its changes.
    const code = lro[1] ?? 'OperationFailed';
    const label: ArmErrorLabel = QUOTA_CODES.has(code) ? 'quota_exceeded' : BUSY_CODES.has(code) ? 'conflict' : 'unknown';
    return { code, label, terminal: false, outcomeUnknown: true, retryAfterMs: null, statusCode: null, message };
  }
  return { code: 'UnexpectedError', label: 'unknown', terminal: false, outcomeUnknown: true, retryAfterMs: null, statusCode: null, message };
}

function classifyStatus(err: unknown, statusCode: number, message: string, now: number): ArmErrorClass {
  const armCode = armErrorCodeOf(err);
  const code = armCode ?? `Http${statusCode}`;
  const retryAfterMs = retryAfterMsOf(headersOf(err), now);
  const base = { code, statusCode, message, retryAfterMs };
  if (armCode !== null && BUSY_CODES.has(armCode)) return { ...base, label: 'conflict', terminal: false, outcomeUnknown: false };
  if (armCode !== null && QUOTA_CODES.has(armCode)) return { ...base, label: 'quota_exceeded', terminal: false, outcomeUnknown: false };
  if (statusCode === 429) return { ...base, label: 'throttled', terminal: false, outcomeUnknown: false };
  if (statusCode === 409) return { ...base, label: 'conflict', terminal: false, outcomeUnknown: false };
  if (statusCode === 404) return { ...base, label: 'not_found', terminal: false, outcomeUnknown: false };
  if (statusCode === 400 || statusCode === 422) return { ...base, label: 'validation', terminal: true, outcomeUnknown: false };
  if (statusCode === 408 || statusCode === 504) return { ...base, label: 'timeout', terminal: false, outcomeUnknown: true };
  if (statusCode >= 500) return { ...base, label: 'internal_error', terminal: false, outcomeUnknown: true };
  // A success status raised as an error (the SDK expected another one): the request was accepted,
  // and whatever it does may still be under way.
  if (statusCode < 300) return { ...base, label: 'unknown', terminal: false, outcomeUnknown: true };
  // 401, 403 and the rest: not about the request's content (a role assignment may still be
  // propagating), so worth another attempt.
  return { ...base, label: 'unknown', terminal: false, outcomeUnknown: false };
}

/**
 * A POST that NRP completed synchronously (reference §5): an error raised for a 200 (or a 204, which
 * carries no body at all) on a POST whose body names no error. NRP answers updateServices and
 * updateAddressLocations this way; a client that expects only other statuses throws for it.
 */
export function isSynchronousCompletion(err: unknown): boolean {
  const statusCode = numberProp(err, 'statusCode');
  if (statusCode !== 200 && statusCode !== 204) return false;
  const method = stringProp(prop(err, 'request'), 'method') ?? stringProp(prop(prop(err, 'response'), 'request'), 'method');
  if (method?.toUpperCase() !== 'POST') return false;
  if (armErrorCodeOf(err) !== null) return false;
  const status = stringProp(bodyOf(err), 'status');
  return status === null || !/^(failed|canceled|cancelled)$/i.test(status);
}

/** The ARM error code a RestError carries: `error.code` of the body (the SDK copies it to `code`). */
export function armErrorCodeOf(err: unknown): string | null {
  const body = bodyOf(err);
  const fromBody = stringProp(prop(body, 'error'), 'code') ?? stringProp(body, 'code');
  if (fromBody !== null) return fromBody;
  const details = prop(err, 'details');
  const fromDetails = stringProp(prop(details, 'error'), 'code') ?? stringProp(details, 'code');
  if (fromDetails !== null) return fromDetails;
  // The SDK sets `code` from the body, but node's network errors put their errno there too.
  const code = stringProp(err, 'code');
  return code !== null && numberProp(err, 'statusCode') !== null ? code : null;
}

function bodyOf(err: unknown): unknown {
  const response = prop(err, 'response');
  const parsed = prop(response, 'parsedBody');
  if (parsed !== undefined) return parsed;
  const text = stringProp(response, 'bodyAsText');
  if (text === null || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function headersOf(err: unknown): HeaderLookup | undefined {
  const headers = prop(prop(err, 'response'), 'headers');
  if (typeof headers !== 'object' || headers === null || !('get' in headers) || typeof headers.get !== 'function') return undefined;
  const get = headers.get as (name: string) => unknown;
  return {
    get(name) {
      const value: unknown = get.call(headers, name);
      return typeof value === 'string' ? value : undefined;
    },
  };
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return stringProp(err, 'message') ?? String(err);
}

function prop(x: unknown, key: string): unknown {
  return typeof x === 'object' && x !== null ? (x as Record<string, unknown>)[key] : undefined;
}

function stringProp(x: unknown, key: string): string | null {
  const v = prop(x, key);
  return typeof v === 'string' && v !== '' ? v : null;
}

function numberProp(x: unknown, key: string): number | null {
  const v = prop(x, key);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
