// meta/v1 Status failures, worded like the real API server's (k8s.io/apimachinery/pkg/api/errors).

export type StatusReason =
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'MethodNotAllowed' | 'NotAcceptable'
  | 'AlreadyExists' | 'Conflict' | 'Expired' | 'RequestEntityTooLarge' | 'UnsupportedMediaType' | 'Invalid'
  | 'TooManyRequests' | 'InternalError' | 'ServiceUnavailable' | 'Timeout';

export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  readonly status: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, reason: StatusReason, message: string, details?: StatusDetails, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.details = details;
    this.headers = headers;
  }

  body(): StatusBody {
    const b: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.status };
    if (this.details) b.details = this.details;
    return b;
  }
}

/** `group` is empty for core/v1 and omitted from details, as the real server does. */
function resourceDetails(resource: string, group: string, name: string): StatusDetails {
  return group === '' ? { name, kind: resource } : { name, group, kind: resource };
}

function qualified(resource: string, group: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

export function notFound(resource: string, group: string, name: string): KubeApiError {
  return new KubeApiError(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, resourceDetails(resource, group, name));
}

export function alreadyExists(resource: string, group: string, name: string): KubeApiError {
  return new KubeApiError(409, 'AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, resourceDetails(resource, group, name));
}

export const OPTIMISTIC_LOCK_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

export function conflict(resource: string, group: string, name: string, why: string = OPTIMISTIC_LOCK_MESSAGE): KubeApiError {
  return new KubeApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${why}`, resourceDetails(resource, group, name));
}

export interface FieldError {
  readonly field: string;
  /** `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`, `FieldValueDuplicate`, `FieldValueForbidden`. */
  readonly type: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueDuplicate' | 'FieldValueForbidden';
  /** The full text after `field: `, e.g. `Invalid value: 70000: must be between 1 and 65535, inclusive`. */
  readonly detail: string;
}

/** 422 with one cause per field error; the message joins them like field.ErrorList.ToAggregate. */
export function invalid(kind: string, group: string, name: string, errors: readonly FieldError[]): KubeApiError {
  const texts = errors.map((e) => `${e.field}: ${e.detail}`);
  const joined = texts.length === 1 ? texts[0] ?? '' : `[${texts.join(', ')}]`;
  const qualifiedKind = group === '' ? kind : `${kind}.${group}`;
  const causes = errors.map((e) => ({ reason: e.type, message: e.detail, field: e.field }));
  const details: StatusDetails = group === '' ? { name, kind, causes } : { name, group, kind, causes };
  return new KubeApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${joined}`, details);
}

export function badRequest(message: string): KubeApiError {
  return new KubeApiError(400, 'BadRequest', message);
}

export function expired(message: string): KubeApiError {
  return new KubeApiError(410, 'Expired', message);
}

export function forbidden(resource: string, group: string, name: string, why: string): KubeApiError {
  return new KubeApiError(403, 'Forbidden', `${qualified(resource, group)} "${name}" is forbidden: ${why}`, resourceDetails(resource, group, name));
}

export function methodNotAllowed(): KubeApiError {
  return new KubeApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function pathNotFound(): KubeApiError {
  return new KubeApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function unauthorized(): KubeApiError {
  return new KubeApiError(401, 'Unauthorized', 'Unauthorized');
}

export function internalError(message: string): KubeApiError {
  return new KubeApiError(500, 'InternalError', `Internal error occurred: ${message}`);
}

const REASON_OF_STATUS: Readonly<Record<number, StatusReason>> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  406: 'NotAcceptable', 409: 'Conflict', 410: 'Expired', 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType',
  422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

/** An injected failure: the reason the real server pairs with that code, and its usual message where it has one. */
export function injected(status: number, target: string, retryAfterSeconds: number | undefined): KubeApiError {
  const reason = REASON_OF_STATUS[status] ?? 'InternalError';
  if (status === 429) {
    const seconds = retryAfterSeconds ?? 1;
    return new KubeApiError(429, reason, 'Too many requests, please try again later.', { retryAfterSeconds: seconds }, { 'Retry-After': String(seconds) });
  }
  const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
  return new KubeApiError(status, reason, `injected fault: ${status} ${reason} for ${target}`, undefined, headers);
}
