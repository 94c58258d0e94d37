// The throttle gate as an @azure/core-rest-pipeline policy, so that no call site knows it exists
// (STYLE §6 rule 6): every request waits for the gate, and a 429 moves the shared pause.
//
// Add it after the Retry phase (`THROTTLE_GATE_POLICY_OPTIONS`): it then runs once per attempt,
// so the SDK's own retries of a 429 or a 5xx are gated and counted too.
import type { AddPipelineOptions, PipelinePolicy, PipelineResponse } from '@azure/core-rest-pipeline';
import { armErrorCodeOf, isBusyCode } from './classifyArmError.ts';
import { retryAfterMsOf } from './retryAfter.ts';
import type { RequestKind } from './throttleDefaults.ts';
import type { ThrottleGate } from './throttleGate.ts';

export const THROTTLE_GATE_POLICY_NAME = 'throttleGatePolicy';

/** Where the policy goes: inside the retry loop, so that each attempt passes the gate. */
export const THROTTLE_GATE_POLICY_OPTIONS: AddPipelineOptions = { afterPhase: 'Retry' };

/** GET, HEAD and OPTIONS read; everything else (PUT, POST, DELETE, PATCH) counts as a write. */
export function requestKindOf(method: string): RequestKind {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD' || m === 'OPTIONS' ? 'read' : 'write';
}

export function throttleGatePolicy(gate: ThrottleGate): PipelinePolicy {
  return {
    name: THROTTLE_GATE_POLICY_NAME,
    async sendRequest(request, next) {
      const kind = requestKindOf(request.method);
      await gate.acquire(kind, { abortSignal: request.abortSignal });
      const response = await next(request);
      if (isSubscriptionThrottle(response)) {
        await gate.recordThrottled(kind, retryAfterMsOf(response.headers, gate.clock.now()), { abortSignal: request.abortSignal });
      }
      return response;
    },
  };
}

/** A 429 for the subscription's budget; not NRP's 429 `RetryableErrorDueToAnotherOperation`, which
 * says only that one resource is busy and must not pause every writer. */
function isSubscriptionThrottle(response: PipelineResponse): boolean {
  if (response.status !== 429) return false;
  const code = armErrorCodeOf({ response });
  return code === null || !isBusyCode(code);
}
