// Events for the engine queue (what the forwarder saw, completions, sync results): the cluster's
// session, an id that deduplicates redeliveries, and a body that parses back to the same event.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineEvent } from '../../../shared/engine/types.ts';
import { MAX_SENT_BODY_BYTES } from '../../../shared/messages/bounds.ts';
import { parseEngineMessage } from '../../../shared/messages/parseMessage.ts';
import { toEngineEventMessage } from '../../../shared/messages/toEngineEventMessage.ts';
import { service } from '../../support/builders.ts';
import { CLUSTER, TRACEPARENT, busyWorld } from './busyWorld.ts';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

describe('toEngineEventMessage', () => {
  it("sends an event to engine-events in the cluster's session, stamped with when it was seen", () => {
    const event: EngineEvent = { kind: 'ServiceUpserted', service: service('web', { resourceVersion: '42' }) };
    assert.deepEqual(toEngineEventMessage(CLUSTER, event, { now: NOW }), {
      queue: 'engine-events',
      body: { v: 1, cluster: CLUSTER, event, observedAt: '2026-01-02T03:04:05.678Z' },
      messageId: `${CLUSTER}:Service/default/web@42`,
      sessionId: CLUSTER,
    });
  });

  it('carries the trace in the body and as Diagnostic-Id', () => {
    const m = toEngineEventMessage(CLUSTER, { kind: 'Tick' }, { now: NOW, traceparent: TRACEPARENT });
    assert.equal((m.body as { traceparent?: string }).traceparent, TRACEPARENT);
    assert.deepEqual(m.applicationProperties, { 'Diagnostic-Id': TRACEPARENT });
  });

  it('keys an operation completion as <dispatchId>:done and a sync result as <syncId>:done', () => {
    const done = toEngineEventMessage(CLUSTER, { kind: 'ServiceOperationCompleted', serviceName: 'x', dispatchId: `${CLUSTER}:op:x:3`, outcome: { result: 'failure', terminal: true, code: 'InvalidResourceReference', message: 'no' } }, { now: NOW });
    const synced = toEngineEventMessage(CLUSTER, { kind: 'LocationsSyncCompleted', syncId: `${CLUSTER}:sync:4`, applied: 0, failure: { terminal: false, outcomeUnknown: true, code: 'GatewayTimeout', message: 'timeout' } }, { now: NOW });
    assert.equal(done.messageId, `${CLUSTER}:op:x:3:done`);
    assert.equal(synced.messageId, `${CLUSTER}:sync:4:done`);
  });

  it('gives a redelivered completion the same id even when it is sent again later', () => {
    const event: EngineEvent = { kind: 'LocationsSyncCompleted', syncId: `${CLUSTER}:sync:4`, applied: 2, failure: null };
    assert.equal(toEngineEventMessage(CLUSTER, event, { now: NOW }).messageId, toEngineEventMessage(CLUSTER, event, { now: NOW + 60_000 }).messageId);
  });

  it('throws, naming the size, for an NRP read too large for one message', () => {
    const addresses = Array.from({ length: 6_000 }, (_, i) => ({ address: `10.244.${i >> 8}.${i & 255}`, services: ['0123456789abcdef0123456789abcdef'] }));
    const event: EngineEvent = { kind: 'NrpObserved', nrpEpoch: 1, services: [], locations: [{ location: '10.0.0.4', addresses }] };
    assert.throws(() => toEngineEventMessage(CLUSTER, event, { now: NOW }), new RegExp(`invalid engine-events message .*: body: \\d+ bytes, over the ${MAX_SENT_BODY_BYTES}-byte message limit`));
  });

  it('throws for a fact its schema rejects, naming the field', () => {
    const event: EngineEvent = { kind: 'ServiceUpserted', service: service('web', { uid: '' }) };
    assert.throws(() => toEngineEventMessage(CLUSTER, event, { now: NOW }), /event\.service\.uid: expected >= 1 characters, received 0 characters/);
  });

  it('throws for a time that is not an epoch time', () => {
    assert.throws(() => toEngineEventMessage(CLUSTER, { kind: 'Tick' }, { now: Number.NaN }), /now is not a valid epoch time/);
  });

  it('maps every event a busy World heard to a message that parses back to the same event', () => {
    const w = busyWorld();
    const kinds = new Set(w.history.map((e) => e.kind));
    assert.equal(kinds.size, 12, `only ${[...kinds].join(', ')}`);
    assert.ok(w.history.some((e) => 'snapshot' in e && e.kind !== 'KubernetesSynced'), 'a snapshot upsert is covered');
    for (const event of w.history) {
      const m = toEngineEventMessage(CLUSTER, event, { now: NOW, traceparent: TRACEPARENT });
      for (const body of [JSON.stringify(m.body), Buffer.from(JSON.stringify(m.body))]) {
        const parsed = parseEngineMessage(body);
        if (!parsed.ok) assert.fail(`${event.kind}: ${parsed.reason}`);
        assert.deepEqual(parsed.value.event, event);
        assert.equal(parsed.value.cluster, CLUSTER);
      }
    }
  });
});
