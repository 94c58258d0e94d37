// A POST that NRP accepted with 202 instead of completing it (reference §5: "poll only when it gets
// a 202"). @azure/arm-network 39 declares updateServices and updateAddressLocations as plain POSTs
// that answer 200, so it raises a 202 as an error and never polls. This follows the 202's
// Azure-AsyncOperation (or Location) header until the operation ends, through the client's own
// pipeline, so the polls are authenticated, retried and pass the throttle gate as reads.
import { RestError, createPipelineRequest, isRestError } from '@azure/core-rest-pipeline';
import type { HttpClient, Pipeline, PipelineResponse } from '@azure/core-rest-pipeline';
import type { AbortSignalLike, Clock, Sleep } from './clock.ts';
import { throwIfAborted } from './clock.ts';
import { retryAfterMsOf } from './retryAfter.ts';

export const DEFAULT_POLL_INTERVAL_MS = 2_000;

export interface AcceptedOperationContext {
  readonly pipeline: Pipeline;
  readonly httpClient: HttpClient;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** Between polls when the response names no Retry-After. */
  readonly pollIntervalMs: number;
}

export interface PollOptions {
  readonly abortSignal?: AbortSignalLike | undefined;
}

/** The error is a 202 the SDK raised and it says where to poll. */
export function acceptedPollTarget(err: unknown): { url: string; kind: 'asyncOperation' | 'location'; response: PipelineResponse } | null {
  if (!isRestError(err) || err.statusCode !== 202 || !err.response) return null;
  const response = err.response;
  const asyncOperation = response.headers.get('azure-asyncoperation');
  if (asyncOperation) return { url: asyncOperation, kind: 'asyncOperation', response };
  const location = response.headers.get('location');
  if (location) return { url: location, kind: 'location', response };
  return null;
}

/**
 * Polls until the accepted operation succeeds (resolves) or fails (throws: a RestError for an
 * error status, or the Error core-lro raises for an operation that ended `Failed`, which
 * classifyArmError reads the ARM code from). Abort it with the signal.
 */
export async function awaitAcceptedOperation(accepted: unknown, ctx: AcceptedOperationContext, options: PollOptions = {}): Promise<void> {
  const target = acceptedPollTarget(accepted);
  if (!target) throw accepted;
  let previous: PipelineResponse = target.response;
  for (;;) {
    const wait = retryAfterMsOf(previous.headers, ctx.clock.now()) ?? ctx.pollIntervalMs;
    await ctx.sleep(wait, options.abortSignal);
    throwIfAborted(options.abortSignal);
    const response = await ctx.pipeline.sendRequest(ctx.httpClient, createPipelineRequest({ url: target.url, method: 'GET', abortSignal: options.abortSignal }));
    if (target.kind === 'location') {
      if (response.status === 202) {
        previous = response;
        continue;
      }
      if (response.status === 200 || response.status === 204) return;
      throw restErrorOf(response);
    }
    if (response.status !== 200) throw restErrorOf(response);
    const body = jsonOf(response.bodyAsText);
    const status = typeof body?.['status'] === 'string' ? body['status'].toLowerCase() : '';
    if (status === 'succeeded') return;
    if (status === 'failed' || status === 'canceled' || status === 'cancelled') {
      const error = body?.['error'];
      const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : null;
      const message = typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' ? error.message : status;
      // Worded as core-lro words it, so that one classifier reads both.
      throw new Error(code ? `The long-running operation has failed. ${code}. ${message}` : `The long-running operation has failed`);
    }
    previous = response;
  }
}

function restErrorOf(response: PipelineResponse): RestError {
  const body = jsonOf(response.bodyAsText);
  const error = body?.['error'];
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return new RestError(`polling an accepted operation: status ${response.status}${code ? ` (${code})` : ''}`, {
    statusCode: response.status,
    code,
    request: response.request,
    response,
  });
}

function jsonOf(text: string | null | undefined): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
