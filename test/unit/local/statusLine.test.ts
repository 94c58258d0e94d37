// The progress display's heartbeat line: what is still moving, and the writes so far.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describePending } from '../../../local/scenario/statusLine.ts';

describe('the progress status line', () => {
  it('says idle when nothing moves', () => {
    assert.equal(describePending({ queues: { 'engine-events': 0 }, forwarderOutbox: 0, invocationsInFlight: 0, operations: {}, locationsPending: false }, 7), '  · idle | NRP writes so far: 7');
  });

  it('names operations by state, busy queues, the outbox, invocations and a pending sync', () => {
    const line = describePending(
      { queues: { 'engine-events': 2, 'service-ops': 0, 'k8s-actions': 1 }, forwarderOutbox: 3, invocationsInFlight: 1, operations: { '785bb451-898a-5f52-b21c-788ef1a8377f': 'CreationInProgress' }, locationsPending: true },
      12,
    );
    assert.equal(line, '  · pending: 1 op (785bb451:CreationInProgress); messages engine-events 2, k8s-actions 1; forwarder outbox 3; 1 invocation running; locations sync pending | NRP writes so far: 12');
  });
});
