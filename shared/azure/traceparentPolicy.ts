// Puts the active trace on every ARM request as a W3C `traceparent` header, so NRP's logs (and the
// simulator) can be joined to the Kubernetes change that caused the call. With Application
// Insights on, the SDK's own tracingPolicy (@azure/core-tracing, bridged to OpenTelemetry by
// useAzureMonitor) has already set the header from its HTTP span, and this policy leaves it alone;
// without it (local mode, tests, sampling that drops the SDK span) this one supplies it.
import type { AddPipelineOptions, PipelinePolicy } from '@azure/core-rest-pipeline';
import { activeTraceparent } from '../telemetry/traceContext.ts';

export const TRACEPARENT_POLICY_NAME = 'traceparentPolicy';

/** After the SDK's tracingPolicy (also after the Retry phase, added when the client is built). */
export const TRACEPARENT_POLICY_OPTIONS: AddPipelineOptions = { afterPhase: 'Retry' };

export function traceparentPolicy(): PipelinePolicy {
  return {
    name: TRACEPARENT_POLICY_NAME,
    sendRequest(request, next) {
      if (!request.headers.has('traceparent')) {
        const traceparent = activeTraceparent();
        if (traceparent !== undefined) request.headers.set('traceparent', traceparent);
      }
      return next(request);
    },
  };
}
