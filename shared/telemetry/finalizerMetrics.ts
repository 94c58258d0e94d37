// Finalizer failures happen where the engine's actions are applied: in the forwarder's action
// consumer. This turns its outcome callback (`ActionConsumerOptions.onOutcome`) into the
// `engine_finalizer_failures_total` metric on whichever meter the forwarder exports.
import type { Meter } from '@opentelemetry/api';
import { counterOf } from './instruments.ts';

const ACTIONS: Readonly<Record<string, 'add' | 'remove'>> = { AddFinalizer: 'add', RemoveFinalizer: 'remove' };
/** The final refusals (400/422, 403, 409 after the conflict retries) and each failed attempt that is retried. */
const FAILURES: ReadonlySet<string> = new Set(['refused', 'forbidden', 'conflict', 'retry']);

/** An `onOutcome(action, outcome)` that counts failed finalizer changes. */
export function finalizerFailureRecorder(meter: Meter): (action: string, outcome: string) => void {
  const failures = counterOf(meter, 'engine_finalizer_failures_total');
  return (action, outcome) => {
    const a = ACTIONS[action];
    if (a !== undefined && FAILURES.has(outcome)) failures.add(1, { action: a, result: outcome });
  };
}
