// classifyArmError and isSynchronousCompletion over the errors the SDK actually raises: RestErrors
// with a status, an ARM error code and headers; network errors; aborts; failed long-running operations.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestError, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { classifyArmError, isSynchronousCompletion } from '../../../shared/azure/classifyArmError.ts';
import type { ArmErrorClass } from '../../../shared/azure/classifyArmError.ts';

const NOW = Date.parse('2026-11-25T12:00:00Z');

interface Reply {
  readonly status: number;
  readonly method?: string;
  readonly code?: string;
  readonly headers?: Record<string, string>;
  /** Raw response body; by default `{"error":{"code":<code>}}` when a code is given. */
  readonly body?: string;
}

function restError(r: Reply): RestError {
  const request = createPipelineRequest({ url: 'https://management.azure.com/x', method: (r.method ?? 'PUT') as 'PUT' });
  const bodyAsText = r.body ?? (r.code ? JSON.stringify({ error: { code: r.code, message: `${r.code} happened` } }) : '');
  const response = { status: r.status, headers: createHttpHeaders(r.headers ?? {}), request, bodyAsText };
  return new RestError(`status ${r.status}`, { statusCode: r.status, code: r.code, request, response });
}

function networkError(code: string): RestError {
  return new RestError(`connect ${code}`, { code, request: createPipelineRequest({ url: 'https://management.azure.com/x' }) });
}

type Expected = Omit<ArmErrorClass, 'message' | 'statusCode'>;

const cases: readonly { name: string; err: unknown; want: Expected }[] = [
  {
    name: '400 with an ARM code is a terminal validation error',
    err: restError({ status: 400, code: 'InvalidRequestFormat' }),
    want: { code: 'InvalidRequestFormat', label: 'validation', terminal: true, outcomeUnknown: false, retryAfterMs: null },
  },
  {
    name: '422 without a body code is a terminal validation error named after its status',
    err: restError({ status: 422 }),
    want: { code: 'Http422', label: 'validation', terminal: true, outcomeUnknown: false, retryAfterMs: null },
  },
  {
    name: 'the engine-specific NRP code survives classification',
    err: restError({ status: 400, code: 'ServiceWithOverlayMappingsCannotBeDeleted' }),
    want: { code: 'ServiceWithOverlayMappingsCannotBeDeleted', label: 'validation', terminal: true, outcomeUnknown: false, retryAfterMs: null },
  },
  {
    name: 'QuotaExceeded is quota_exceeded and retryable',
    err: restError({ status: 400, code: 'QuotaExceeded' }),
    want: { code: 'QuotaExceeded', label: 'quota_exceeded', terminal: false, outcomeUnknown: false, retryAfterMs: null },
  },
  {
    name: 'PublicIPCountLimitReached is quota_exceeded whatever its status',
    err: restError({ status: 409, code: 'PublicIPCountLimitReached' }),
    want: { code: 'PublicIPCountLimitReached', label: 'quota_exceeded', terminal: false, outcomeUnknown: false, retryAfterMs: null },
  },
  {
    name: 'MaxPublicIpCountLimitReached is quota_exceeded',
    err: restError({ status: 400, code: 'MaxPublicIpCountLimitReached' }),
    want: { code: 'MaxPublicIpCountLimitReached', label: 'quota_exceeded', terminal: false, outcomeUnknown: false, retryAfterMs: null },
  },
  {
    name: '429 is throttled with Retry-After in seconds',
    err: restError({ status: 429, code: 'TooManyRequests', headers: { 'retry-after': '17' } }),
    want: { code: 'TooManyRequests', label: 'throttled', terminal: false, outcomeUnknown: false, retryAfterMs: 17_000 },
  },
  {
    name: '429 with Retry-After as an HTTP date waits until that date',
    err: restError({ status: 429, headers: { 'retry-after': new Date(NOW + 42_000).toUTCString() } }),
    want: { code: 'Http429', label: 'throttled', terminal: false, outcomeUnknown: false, retryAfterMs: 42_000 },
  },
  {
    name: '429 with retry-after-ms prefers the milliseconds',
    err: restError({ status: 429, headers: { 'retry-after-ms': '250', 'retry-after': '1' } }),
    want: { code: 'Http429', label: 'throttled', terminal: false, outcomeUnknown: false, retryAfterMs: 250 },
  },
  {
    name: '429 RetryableErrorDueToAnotherOperation is a resource lock: conflict, not throttling',
    err: restError({ status: 429, code: 'RetryableErrorDueToAnotherOperation', headers: { 'retry-after': '10' } }),
    want: { code: 'RetryableErrorDueToAnotherOperation', label: 'conflict', terminal: false, outcomeUnknown: false, retryAfterMs: 10_000 },
  },
  {
    name: '409 RetryableErrorDueToAnotherOperation is a retryable conflict',
    err: restError({ status: 409, code: 'RetryableErrorDueToAnotherOperation' }),
    want: { code: 'RetryableErrorDueToAnotherOperation', label: 'conflict', terminal: false, outcomeUnknown: false, retryAfterMs: null },
  },
  {
    name: '400 AnotherOperationInProgress is a conflict, not a validation error',
    err: restError({ status: 400, code: 'AnotherOperationInProgress' }),
    want: { code: 'AnotherOperationInProgress', label: 'conflict', terminal: false, outcomeUnknown: false, retryAfterMs: null },
  },
  {
    name: '409 without a code is a retryable conflict',
    err: restError({ status: 409 }),
    want: { code: 'Http409', label: 'conflict', terminal: false, outcomeUnknown: false, retryAfterMs: null },
  },
  {
    name: '404 is not_found',
    err: restError({ status: 404, code: 'ResourceNotFound' }),
    want: { code: 'ResourceNotFound', label: 'not_found', terminal: false, outcomeUnknown: false, retryAfterMs: null },
  },
  {
    name: '500 is internal_error of unknown outcome',
    err: restError({ status: 500, code: 'InternalServerError' }),
    want: { code: 'InternalServerError', label: 'internal_error', terminal: false, outcomeUnknown: true, retryAfterMs: null },
  },
  {
    name: '503 keeps its Retry-After',
    err: restError({ status: 503, headers: { 'Retry-After': '5' } }),
    want: { code: 'Http503', label: 'internal_error', terminal: false, outcomeUnknown: true, retryAfterMs: 5_000 },
  },
  {
    name: '504 is a timeout of unknown outcome',
    err: restError({ status: 504, code: 'GatewayTimeout' }),
    want: { code: 'GatewayTimeout', label: 'timeout', terminal: false, outcomeUnknown: true, retryAfterMs: null },
  },
  {
    name: '403 is unknown but worth another attempt',
    err: restError({ status: 403, code: 'AuthorizationFailed' }),
    want: { code: 'AuthorizationFailed', label: 'unknown', terminal: false, outcomeUnknown: false, retryAfterMs: null },
  },
  {
    name: 'a 202 raised as an error may still be running',
    err: restError({ status: 202, method: 'POST' }),
    want: { code: 'Http202', label: 'unknown', terminal: false, outcomeUnknown: true, retryAfterMs: null },
  },
  {
    name: 'a connection reset after sending is of unknown outcome',
    err: networkError('ECONNRESET'),
    want: { code: 'ECONNRESET', label: 'unknown', terminal: false, outcomeUnknown: true, retryAfterMs: null },
  },
  {
    name: 'a refused connection was never sent',
    err: networkError('ECONNREFUSED'),
    want: { code: 'ECONNREFUSED', label: 'unknown', terminal: false, outcomeUnknown: false, retryAfterMs: null },
  },
  {
    name: 'a socket timeout is a timeout',
    err: networkError('ETIMEDOUT'),
    want: { code: 'ETIMEDOUT', label: 'timeout', terminal: false, outcomeUnknown: true, retryAfterMs: null },
  },
  {
    name: 'an aborted call is a timeout of unknown outcome',
    err: new DOMException('This operation was aborted', 'AbortError'),
    want: { code: 'timeout', label: 'timeout', terminal: false, outcomeUnknown: true, retryAfterMs: null },
  },
  {
    name: 'AbortSignal.timeout() is a timeout',
    err: new DOMException('The operation timed out.', 'TimeoutError'),
    want: { code: 'timeout', label: 'timeout', terminal: false, outcomeUnknown: true, retryAfterMs: null },
  },
  {
    name: 'a failed long-running operation carries its code; it may have applied part of its work',
    err: new Error('The long-running operation has failed. PublicIPCountLimitReached. Cannot create more than 10 public IP addresses'),
    want: { code: 'PublicIPCountLimitReached', label: 'quota_exceeded', terminal: false, outcomeUnknown: true, retryAfterMs: null },
  },
  {
    name: 'a failed long-running operation without an error body',
    err: new Error('The long-running operation has failed'),
    want: { code: 'OperationFailed', label: 'unknown', terminal: false, outcomeUnknown: true, retryAfterMs: null },
  },
  {
    name: 'any other error is unexpected and of unknown outcome',
    err: new TypeError('cannot read properties of undefined'),
    want: { code: 'UnexpectedError', label: 'unknown', terminal: false, outcomeUnknown: true, retryAfterMs: null },
  },
  {
    name: 'a thrown non-error is unexpected too',
    err: 'boom',
    want: { code: 'UnexpectedError', label: 'unknown', terminal: false, outcomeUnknown: true, retryAfterMs: null },
  },
];

describe('classifyArmError', () => {
  for (const c of cases) {
    it(c.name, () => {
      const { message, statusCode, ...got } = classifyArmError(c.err, { now: NOW });
      assert.deepEqual(got, c.want);
      assert.equal(typeof message, 'string');
      assert.equal(statusCode, c.err instanceof RestError ? (c.err.statusCode ?? null) : null);
    });
  }

  it('keeps the error message for the outcome', () => {
    assert.equal(classifyArmError(new Error('The long-running operation has failed. X. details')).message, 'The long-running operation has failed. X. details');
  });
});

describe('isSynchronousCompletion', () => {
  const table: readonly { name: string; err: unknown; want: boolean }[] = [
    { name: '200 on a POST with no body', err: restError({ status: 200, method: 'POST' }), want: true },
    { name: '200 on a POST with a status body', err: restError({ status: 200, method: 'POST', body: '{"status":"Succeeded"}' }), want: true },
    { name: '204 on a POST', err: restError({ status: 204, method: 'POST' }), want: true },
    { name: '200 on a POST whose body names an error', err: restError({ status: 200, method: 'POST', code: 'InternalServerError' }), want: false },
    { name: '200 on a POST whose body says Failed', err: restError({ status: 200, method: 'POST', body: '{"status":"Failed"}' }), want: false },
    { name: '200 on a GET (a poll that failed)', err: restError({ status: 200, method: 'GET' }), want: false },
    { name: '202 on a POST (accepted, not done)', err: restError({ status: 202, method: 'POST' }), want: false },
    { name: '400 on a POST', err: restError({ status: 400, method: 'POST', code: 'InvalidRequestFormat' }), want: false },
    { name: 'an error that is not a RestError', err: new Error('200'), want: false },
  ];
  for (const c of table) it(c.name, () => assert.equal(isSynchronousCompletion(c.err), c.want));
});
