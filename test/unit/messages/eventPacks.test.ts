// Packing the forwarder's changes of one send round (toEngineEventPacks) and reading packs back
// (unpackEngineMessage): order kept, the size bound kept, ids that repeat for the same members and
// only for them, and a bad entry that costs only itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineEvent } from '../../../shared/engine/types.ts';
import { MAX_SENT_BODY_BYTES } from '../../../shared/messages/bounds.ts';
import type { EngineEventPack } from '../../../shared/messages/envelopes.ts';
import { MAX_PACK_EVENTS } from '../../../shared/messages/envelopes.ts';
import type { OutgoingMessage } from '../../../shared/messages/outgoing.ts';
import { toEngineEventMessage } from '../../../shared/messages/toEngineEventMessage.ts';
import type { PackableMessage } from '../../../shared/messages/toEngineEventPacks.ts';
import { toEngineEventPacks } from '../../../shared/messages/toEngineEventPacks.ts';
import { unpackEngineMessage } from '../../../shared/messages/unpackEngineMessage.ts';
import { node, service } from '../../support/builders.ts';
import { CLUSTER, TRACEPARENT } from './busyWorld.ts';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

function packable(event: EngineEvent): PackableMessage {
  const message = toEngineEventMessage(CLUSTER, event, { now: NOW, traceparent: TRACEPARENT });
  return { message, bytes: Buffer.byteLength(JSON.stringify(message.body)) };
}

const nodeEvent = (name: string, rv: string): EngineEvent => ({ kind: 'NodeUpserted', node: node(name, ['10.0.0.1'], { resourceVersion: rv }) });
const bigService = (name: string, rv: string): EngineEvent => ({ kind: 'ServiceUpserted', service: service(name, { resourceVersion: rv, annotations: { pad: 'x'.repeat(20_000) } }) });

function eventsOf(messages: readonly OutgoingMessage[]): EngineEvent[] {
  return messages.flatMap((m) => {
    const r = unpackEngineMessage(JSON.stringify(m.body));
    if (!r.ok) assert.fail(r.reason);
    return r.value.entries.map((e) => (e.ok ? e.value.event : assert.fail(e.reason)));
  });
}

describe('toEngineEventPacks', () => {
  it('packs a round into one message that reads back as the same events in the same order', () => {
    const events = [nodeEvent('a', '1'), nodeEvent('b', '2'), nodeEvent('a', '3'), { kind: 'KubernetesSynced', objectKind: 'Node', snapshot: '3' } as const];
    const packs = toEngineEventPacks(events.map(packable));
    assert.equal(packs.length, 1);
    assert.equal(packs[0]!.sessionId, CLUSTER);
    assert.match(packs[0]!.messageId, new RegExp(`^${CLUSTER}:pack:4:[0-9a-f]{32}$`));
    assert.deepEqual(eventsOf(packs), events);
    const body = packs[0]!.body as EngineEventPack;
    assert.ok(body.events.every((e) => e.traceparent === TRACEPARENT && e.observedAt === new Date(NOW).toISOString()));
  });

  it('sends a lone change as it is: its own id and the one-event format', () => {
    const one = packable(nodeEvent('a', '1'));
    assert.deepEqual(toEngineEventPacks([one]), [one.message]);
  });

  it('splits a round at the size bound and at MAX_PACK_EVENTS, keeping the order', () => {
    const big = Array.from({ length: 30 }, (_, i) => bigService(`big-${i}`, String(i + 1)));
    const packs = toEngineEventPacks(big.map(packable));
    assert.ok(packs.length >= 3, `${packs.length} messages`);
    for (const p of packs) assert.ok(Buffer.byteLength(JSON.stringify(p.body)) <= MAX_SENT_BODY_BYTES);
    assert.deepEqual(eventsOf(packs), big);
    const many = Array.from({ length: 2 * MAX_PACK_EVENTS + 1 }, (_, i) => nodeEvent(`n-${i}`, String(i + 1)));
    const counted = toEngineEventPacks(many.map(packable));
    assert.equal(counted.length, 3);
    assert.deepEqual(eventsOf(counted), many);
  });

  it('gives the same members the same pack id, and a round where a newer state replaced one a new id', () => {
    const round = [nodeEvent('a', '1'), nodeEvent('b', '2')];
    const first = toEngineEventPacks(round.map(packable));
    const again = toEngineEventPacks(round.map((e) => ({ ...packable(e) })));
    assert.equal(again[0]!.messageId, first[0]!.messageId);
    // After a failed send the outbox may hold b@5 where b@2 was: duplicate detection must not take
    // the retry for the first attempt, or b@5 would never arrive.
    const retried = toEngineEventPacks([nodeEvent('a', '1'), nodeEvent('b', '5')].map(packable));
    assert.notEqual(retried[0]!.messageId, first[0]!.messageId);
  });
});

describe('unpackEngineMessage', () => {
  const pack = (events: unknown[]): unknown => ({ v: 1, cluster: CLUSTER, events });
  const entry = (event: EngineEvent): unknown => ({ event, observedAt: new Date(NOW).toISOString() });

  it('reads a one-event message as before (old forwarders, messages already queued)', () => {
    const r = unpackEngineMessage({ v: 1, cluster: CLUSTER, event: { kind: 'Tick' } });
    assert.deepEqual(r, { ok: true, value: { cluster: CLUSTER, entries: [{ ok: true, value: { v: 1, cluster: CLUSTER, event: { kind: 'Tick' } } }] } });
  });

  it('rejects a bad entry alone, with its index and the field, and keeps the others', () => {
    const bad = { event: { kind: 'NodeUpserted', node: { name: 'x' } } };
    const r = unpackEngineMessage(JSON.stringify(pack([entry(nodeEvent('a', '1')), bad, entry(nodeEvent('c', '3'))])));
    if (!r.ok) assert.fail(r.reason);
    const [a, b, c] = r.value.entries;
    assert.equal(a?.ok, true);
    assert.equal(c?.ok, true);
    if (b === undefined || b.ok) assert.fail('the middle entry must be refused');
    assert.equal(b.index, 1);
    assert.match(b.reason, /^events\[1\]\.event\.node\./);
    assert.deepEqual(b.body, bad);
  });

  it('rejects the whole body when the envelope itself is unusable', () => {
    assert.match(reasonOf(unpackEngineMessage({ v: 2, cluster: CLUSTER, events: [entry({ kind: 'Tick' })] })), /^v: /);
    assert.match(reasonOf(unpackEngineMessage(pack([]))), /^events: /);
    assert.match(reasonOf(unpackEngineMessage(pack(Array.from({ length: MAX_PACK_EVENTS + 1 }, () => entry({ kind: 'Tick' }))))), /^events: /);
    assert.match(reasonOf(unpackEngineMessage('{"v":1,')), /^body: not JSON/);
  });
});

function reasonOf(r: { ok: boolean; reason?: string }): string {
  if (r.ok) assert.fail('expected a rejection');
  return r.reason ?? '';
}
