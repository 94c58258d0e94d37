// Every HTTP attempt the ARM client makes, reported to an observer (the NRP call metrics) as a
// pipeline policy, so that no call site knows about it (STYLE §6 rule 6). It sits after the throttle
// gate: the duration is NRP's, the wait at the gate is reported by the gate itself.
import type { AddPipelineOptions, PipelinePolicy } from '@azure/core-rest-pipeline';
import { classifyArmError } from './classifyArmError.ts';
import type { ArmErrorClass } from './classifyArmError.ts';
import { systemClock } from './clock.ts';
import type { Clock } from './clock.ts';
import { nrpOperationOf } from './nrpOperation.ts';
import { THROTTLE_GATE_POLICY_NAME } from './throttleGatePolicy.ts';

export const NRP_CALL_POLICY_NAME = 'nrpCallPolicy';

/** Inside the retry loop and after the gate, so each attempt is timed on its own. */
export const NRP_CALL_POLICY_OPTIONS: AddPipelineOptions = { afterPhase: 'Retry', afterPolicies: [THROTTLE_GATE_POLICY_NAME] };

export interface NrpCall {
  /** `nrpOperationOf(method, url)`. */
  readonly operation: string;
  /** The HTTP status, or null when no answer came (a network error, an abort). */
  readonly status: number | null;
  readonly durationMs: number;
  /** The classified failure of a status of 400 or more, or of a request that got no answer. */
  readonly error: ArmErrorClass | null;
}

export interface NrpCallObserver {
  onNrpCall(call: NrpCall): void;
}

export function nrpCallPolicy(observer: NrpCallObserver, clock: Clock = systemClock): PipelinePolicy {
  const report = (call: NrpCall): void => {
    try {
      observer.onNrpCall(call);
    } catch {
      // Telemetry must never fail a request.
    }
  };
  return {
    name: NRP_CALL_POLICY_NAME,
    async sendRequest(request, next) {
      const operation = nrpOperationOf(request.method, request.url);
      const started = clock.now();
      try {
        const response = await next(request);
        const error = response.status >= 400 ? classifyArmError({ statusCode: response.status, response }, { now: clock.now() }) : null;
        report({ operation, status: response.status, durationMs: clock.now() - started, error });
        return response;
      } catch (e) {
        report({ operation, status: null, durationMs: clock.now() - started, error: classifyArmError(e, { now: clock.now() }) });
        throw e;
      }
    },
  };
}
