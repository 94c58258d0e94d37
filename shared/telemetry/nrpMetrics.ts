// Metrics of the engine's dealings with NRP: each HTTP attempt (from the ARM client's pipeline),
// the wait at the shared throttle gate, the best-effort delete steps that failed, and how long a
// Kubernetes change took to be acknowledged by NRP.
import type { Meter } from '@opentelemetry/api';
import type { DeleteSubstep } from '../azure/armNetworkProvider.ts';
import type { NrpCall, NrpCallObserver } from '../azure/nrpCallPolicy.ts';
import type { RequestKind } from '../azure/throttleDefaults.ts';
import type { OperationKind } from '../engine/types.ts';
import { counterOf, histogramOf } from './instruments.ts';

/** The writes whose acknowledgement ends a change's latency. */
export type AcknowledgedWrite = OperationKind | 'updateAddressLocations';

export class NrpMetrics implements NrpCallObserver {
  private readonly calls;
  private readonly callSeconds;
  private readonly throttled;
  private readonly errors;
  private readonly gateWaitSeconds;
  private readonly substepFailures;
  private readonly eventLatencySeconds;

  constructor(meter: Meter) {
    this.calls = counterOf(meter, 'engine_nrp_calls_total');
    this.callSeconds = histogramOf(meter, 'engine_nrp_call_duration_seconds');
    this.throttled = counterOf(meter, 'engine_nrp_throttled_total');
    this.errors = counterOf(meter, 'engine_nrp_errors_total');
    this.gateWaitSeconds = histogramOf(meter, 'engine_nrp_throttle_gate_wait_seconds');
    this.substepFailures = counterOf(meter, 'engine_delete_substep_failures_total');
    this.eventLatencySeconds = histogramOf(meter, 'engine_event_to_nrp_latency_seconds');
  }

  onNrpCall(call: NrpCall): void {
    const { operation } = call;
    this.calls.add(1, { operation, status: call.error === null ? 'success' : 'failure' });
    this.callSeconds.record(call.durationMs / 1000, { operation });
    if (call.status === 429) this.throttled.add(1, { operation });
    if (call.error !== null) this.errors.add(1, { operation, code: call.error.label });
  }

  recordGateWait(kind: RequestKind, waitedMs: number): void {
    this.gateWaitSeconds.record(waitedMs / 1000, { kind });
  }

  recordSubstepFailure(step: DeleteSubstep): void {
    this.substepFailures.add(1, { step });
  }

  /** NRP acknowledged `write`, dispatched for a change the forwarder observed at `observedAt`. */
  recordEventLatency(write: AcknowledgedWrite, observedAt: number, acknowledgedAt: number): void {
    // Forwarder and function clocks differ a little; a change cannot be acknowledged before it happened.
    this.eventLatencySeconds.record(Math.max(0, acknowledgedAt - observedAt) / 1000, { operation: write });
  }
}
