// The test broker against the real @azure/service-bus client: queues without sessions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceBusClient, ServiceBusReceivedMessage } from '@azure/service-bus';
import { startBroker } from '../../../local/sim/bus/broker.ts';
import type { BrokerHandle } from '../../../local/sim/bus/broker.ts';
import { ManualClock, assertNothing, errorCode, newClient, receiveCount, sleep, waitFor } from './harness.ts';

const LOCK_MS = 300;

describe('test broker: plain queues with the real ServiceBusClient', () => {
  let broker: BrokerHandle;
  let client: ServiceBusClient;
  const q = (name: string): { name: string; lockDurationMs: number; maxDeliveryCount?: number } => ({ name, lockDurationMs: LOCK_MS });

  before(async () => {
    broker = await startBroker({
      queues: [
        q('single'), q('batch'), q('expiry'), q('renew'), q('abandon'), { ...q('maxdc'), maxDeliveryCount: 3 },
        q('deadletter'), q('scheduled'), q('missing-id'), q('subscribe'),
        q('peek'), q('toobig'), q('stale'), q('drain'),
      ],
    });
    client = newClient(broker.connectionString);
  });

  after(async () => {
    await client.close();
    await broker.stop();
  });

  it('sends and receives one message with its body, ids and application properties', async () => {
    await client.createSender('single').sendMessages({
      body: { hello: 'world', n: 1 }, messageId: 'm-1', contentType: 'application/json',
      applicationProperties: { kind: 'greeting', attempt: 2, urgent: true },
    });
    assert.equal(broker.peekState('single').active, 1);
    const receiver = client.createReceiver('single');
    const before = Date.now();
    const [m] = await receiveCount(receiver, 1);
    assert.ok(m);
    assert.deepEqual(m.body, { hello: 'world', n: 1 });
    assert.equal(m.messageId, 'm-1');
    assert.equal(m.contentType, 'application/json');
    assert.deepEqual(m.applicationProperties, { kind: 'greeting', attempt: 2, urgent: true });
    // Service Bus sends the number of earlier attempts; the JS SDK shows it as is.
    assert.equal(m.deliveryCount, 0);
    assert.equal(m.sequenceNumber?.toNumber(), 1);
    assert.ok(m.lockedUntilUtc && m.lockedUntilUtc.getTime() >= before + LOCK_MS - 50, 'locked for the lock duration');
    assert.ok(m.enqueuedTimeUtc && Math.abs(m.enqueuedTimeUtc.getTime() - before) < 2000);
    assert.deepEqual({ ...broker.peekState('single'), deadLetters: [] }, { active: 0, scheduled: 0, locked: 1, deadLettered: 0, deadLetters: [], lockedSessions: [] });
    await receiver.completeMessage(m);
    assert.equal(broker.peekState('single').locked, 0);
    await assertNothing(receiver);
    await receiver.close();
  });

  it('delivers an array send and a createMessageBatch batch in order', async () => {
    const sender = client.createSender('batch');
    await sender.sendMessages([1, 2, 3].map((n) => ({ body: { n }, messageId: `a${n}` })));
    const batch = await sender.createMessageBatch();
    for (const n of [4, 5, 6]) assert.ok(batch.tryAddMessage({ body: { n }, messageId: `b${n}` }));
    await sender.sendMessages(batch);
    const receiver = client.createReceiver('batch', { receiveMode: 'receiveAndDelete' });
    const got = await receiveCount(receiver, 6);
    assert.deepEqual(got.map((m) => (m.body as { n: number }).n), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(got.map((m) => m.messageId), ['a1', 'a2', 'a3', 'b4', 'b5', 'b6']);
    assert.deepEqual(got.map((m) => m.sequenceNumber?.toNumber()), [1, 2, 3, 4, 5, 6]);
    assert.equal(broker.peekState('batch').active, 0, 'receive-and-delete removed them');
    await receiver.close();
  });

  it('a receive that comes back short leaves no credit behind (drain)', async () => {
    const sender = client.createSender('drain');
    await sender.sendMessages([{ body: 1 }, { body: 2 }]);
    const receiver = client.createReceiver('drain');
    const first = await receiver.receiveMessages(5, { maxWaitTimeInMs: 200 });
    assert.deepEqual(first.map((m) => m.body as unknown), [1, 2]);
    await sender.sendMessages([{ body: 3 }, { body: 4 }, { body: 5 }, { body: 6 }]);
    const second = await receiveCount(receiver, 2);
    assert.deepEqual(second.map((m) => m.body as unknown), [3, 4]);
    // Only what the client asked for is locked; the drained credit was not reused.
    assert.deepEqual([broker.peekState('drain').locked, broker.peekState('drain').active], [4, 2]);
    for (const m of [...first, ...second]) await receiver.completeMessage(m);
    assert.deepEqual((await receiveCount(receiver, 2)).map((m) => m.body as unknown), [5, 6]);
    await receiver.close();
  });

  it('gives a MessageId to messages sent without one', async () => {
    await client.createSender('missing-id').sendMessages([{ body: 'x' }, { body: 'y' }]);
    const receiver = client.createReceiver('missing-id', { receiveMode: 'receiveAndDelete' });
    const got = await receiveCount(receiver, 2);
    const ids = got.map((m) => m.messageId);
    assert.ok(ids.every((id) => typeof id === 'string' && id.length > 0), `ids: ${String(ids)}`);
    assert.notEqual(ids[0], ids[1]);
    await receiver.close();
  });

  it('redelivers a message whose peek-lock expired, with the delivery count incremented', async () => {
    await client.createSender('expiry').sendMessages({ body: 'e', messageId: 'e-1' });
    // The SDK renews locks on its own unless told not to.
    const receiver = client.createReceiver('expiry', { maxAutoLockRenewalDurationInMs: 0 });
    const [first] = await receiveCount(receiver, 1);
    assert.equal(first?.deliveryCount, 0);
    await assertNothing(receiver, 100); // still locked
    const [second] = await receiveCount(receiver, 1, 2000); // arrives once the 300 ms lock lapses
    assert.equal(second?.messageId, 'e-1');
    assert.equal(second?.deliveryCount, 1, 'one earlier attempt (the .NET SDK and the Functions host show 2)');
    assert.equal(await errorCode(receiver.completeMessage(first)), 'MessageLockLost');
    await receiver.completeMessage(second);
    assert.equal(broker.peekState('expiry').active + broker.peekState('expiry').locked, 0);
    await receiver.close();
  });

  it('renewMessageLock keeps a message locked past the original lock duration', async () => {
    await client.createSender('renew').sendMessages({ body: 'r', messageId: 'r-1' });
    const receiver = client.createReceiver('renew', { maxAutoLockRenewalDurationInMs: 0 });
    const [m] = await receiveCount(receiver, 1);
    assert.ok(m?.lockedUntilUtc);
    const original = m.lockedUntilUtc.getTime();
    await sleep(100); // renew well inside the 300 ms lock (the first call also opens the $management link)
    const renewed = await receiver.renewMessageLock(m);
    assert.ok(renewed.getTime() >= original + 90, `renewed ${renewed.toISOString()} vs ${new Date(original).toISOString()}`);
    await sleep(original - Date.now() + 30); // past the original expiry, well before the renewed one
    assert.deepEqual([broker.peekState('renew').locked, broker.peekState('renew').active], [1, 0], 'still locked');
    await receiver.completeMessage(m);
    assert.equal(broker.peekState('renew').locked, 0);
    await receiver.close();
  });

  it('abandon makes the message available again with the delivery count incremented', async () => {
    await client.createSender('abandon').sendMessages([{ body: 1, messageId: 'x1' }, { body: 2, messageId: 'x2' }]);
    const receiver = client.createReceiver('abandon');
    const [m1] = await receiveCount(receiver, 1);
    assert.equal(m1?.messageId, 'x1');
    await receiver.abandonMessage(m1, { reason: 'try later' });
    const got = await receiveCount(receiver, 2);
    // The abandoned message keeps its place at the head of the queue.
    assert.deepEqual(got.map((m) => [m.messageId, m.deliveryCount]), [['x1', 1], ['x2', 0]]);
    assert.equal(got[0]?.applicationProperties?.reason, 'try later', 'properties to modify are applied');
    for (const m of got) await receiver.completeMessage(m);
    await receiver.close();
  });

  it('dead-letters after maxDeliveryCount deliveries with MaxDeliveryCountExceeded, readable from the DLQ', async () => {
    await client.createSender('maxdc').sendMessages({ body: { poison: true }, messageId: 'p-1' });
    const receiver = client.createReceiver('maxdc');
    for (let attempt = 0; attempt < 3; attempt++) {
      const [m] = await receiveCount(receiver, 1);
      assert.equal(m?.deliveryCount, attempt);
      await receiver.abandonMessage(m);
    }
    await assertNothing(receiver);
    const state = broker.peekState('maxdc');
    assert.equal(state.active, 0);
    assert.equal(state.deadLettered, 1);
    assert.equal(state.deadLetters[0]?.messageId, 'p-1');
    assert.equal(state.deadLetters[0]?.reason, 'MaxDeliveryCountExceeded');
    assert.deepEqual(state.deadLetters[0]?.body, { poison: true });

    const dlq = client.createReceiver('maxdc', { subQueueType: 'deadLetter' });
    const [dead] = await receiveCount(dlq, 1);
    assert.equal(dead?.messageId, 'p-1');
    assert.equal(dead?.deadLetterReason, 'MaxDeliveryCountExceeded');
    assert.match(dead?.deadLetterErrorDescription ?? '', /3 delivery attempts/);
    assert.equal(dead?.deadLetterSource, 'maxdc');
    await dlq.completeMessage(dead);
    assert.equal(broker.peekState('maxdc').deadLettered, 0);
    await dlq.close();
    await receiver.close();
  });

  it('deadLetterMessage moves the message to the DLQ with the given reason and description', async () => {
    await client.createSender('deadletter').sendMessages({ body: 'bad', messageId: 'd-1', applicationProperties: { keep: 'me' } });
    const receiver = client.createReceiver('deadletter');
    const [m] = await receiveCount(receiver, 1);
    await receiver.deadLetterMessage(m as ServiceBusReceivedMessage, { deadLetterReason: 'SchemaInvalid', deadLetterErrorDescription: 'field x missing' });
    await assertNothing(receiver);
    const [info] = broker.peekState('deadletter').deadLetters;
    assert.deepEqual({ reason: info?.reason, description: info?.description }, { reason: 'SchemaInvalid', description: 'field x missing' });
    const dlq = client.createReceiver('deadletter/$deadletterqueue');
    const [dead] = await receiveCount(dlq, 1);
    assert.equal(dead?.messageId, 'd-1');
    assert.equal(dead?.body, 'bad');
    assert.equal(dead?.deadLetterReason, 'SchemaInvalid');
    assert.equal(dead?.deadLetterErrorDescription, 'field x missing');
    assert.equal(dead?.applicationProperties?.keep, 'me');
    await dlq.completeMessage(dead);
    await dlq.close();
    await receiver.close();
  });

  it('delivers a scheduled message on its own once it is due, not before', async () => {
    const sender = client.createSender('scheduled');
    const due = new Date(Date.now() + 300);
    const [seq] = await sender.scheduleMessages({ body: 'later', messageId: 's-1' }, due);
    assert.ok(seq && seq.toNumber() > 0);
    const receiver = client.createReceiver('scheduled');
    const [m] = await receiveCount(receiver, 1, 3000);
    assert.ok(Date.now() >= due.getTime(), 'not before it was due');
    assert.equal(m?.messageId, 's-1');
    assert.equal(m?.sequenceNumber?.toNumber(), seq.toNumber());
    assert.ok(m?.enqueuedTimeUtc && m.enqueuedTimeUtc.getTime() >= due.getTime(), 'enqueued when it became due');
    assert.equal(broker.peekState('scheduled').scheduled, 0);
    await receiver.completeMessage(m);
    await receiver.close();
  });

  it('subscribe processes every message and completes it', async () => {
    await client.createSender('subscribe').sendMessages([1, 2, 3, 4, 5].map((n) => ({ body: n, messageId: `sub-${n}` })));
    const receiver = client.createReceiver('subscribe');
    const seen: number[] = [];
    const errors: unknown[] = [];
    const sub = receiver.subscribe({
      processMessage: async (m) => {
        seen.push(m.body as number);
        await Promise.resolve();
      },
      processError: async (args) => {
        errors.push(args.error);
        await Promise.resolve();
      },
    });
    await waitFor(() => seen.length === 5, 'five processed messages');
    await waitFor(() => broker.peekState('subscribe').locked === 0, 'auto-completion of all five');
    await sub.close();
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    assert.deepEqual(errors, []);
    assert.equal(broker.peekState('subscribe').active, 0);
    await receiver.close();
  });

  it('peekMessages shows active and scheduled messages without locking them', async () => {
    const sender = client.createSender('peek');
    await sender.sendMessages([{ body: 'p1', messageId: 'p1' }, { body: 'p2', messageId: 'p2' }]);
    await sender.scheduleMessages({ body: 'p3', messageId: 'p3' }, new Date(Date.now() + 60_000));
    const receiver = client.createReceiver('peek');
    const peeked = await receiver.peekMessages(10);
    assert.deepEqual(peeked.map((m) => [m.messageId, m.state]), [['p1', 'active'], ['p2', 'active'], ['p3', 'scheduled']]);
    assert.equal(broker.peekState('peek').locked, 0);
    await receiver.close();
  });

  it('settling a message whose lock expired fails with MessageLockLost, and the message is redelivered', async () => {
    await client.createSender('stale').sendMessages({ body: 'st', messageId: 'st-1' });
    const receiver = client.createReceiver('stale', { maxAutoLockRenewalDurationInMs: 0 });
    const [m] = await receiveCount(receiver, 1);
    await waitFor(() => broker.peekState('stale').active === 1, 'the lock to expire', 2000);
    assert.equal(await errorCode(receiver.deadLetterMessage(m as ServiceBusReceivedMessage)), 'MessageLockLost');
    assert.equal(broker.peekState('stale').deadLettered, 0);
    const [again] = await receiveCount(receiver, 1);
    await receiver.completeMessage(again as ServiceBusReceivedMessage);
    await receiver.close();
  });

  it('refuses a message over the 256 KB limit', async () => {
    const sender = client.createSender('toobig');
    await assert.rejects(sender.sendMessages({ body: 'x'.repeat(300 * 1024), messageId: 'big' }), (err: Error) => {
      assert.match(`${(err as { code?: string }).code ?? ''} ${err.message}`, /MessageSizeExceeded|exceeds|too large|size/i);
      return true;
    });
    assert.equal(broker.peekState('toobig').active, 0);
  });

  it('unknown queue: sending fails with MessagingEntityNotFound', async () => {
    const code = await errorCode(client.createSender('no-such-queue').sendMessages({ body: 1 }));
    assert.equal(code, 'MessagingEntityNotFound');
  });

  it('unknown queue: receiving fails with MessagingEntityNotFound', async () => {
    const receiver = client.createReceiver('no-such-queue');
    assert.equal(await errorCode(receiver.receiveMessages(1, { maxWaitTimeInMs: 200 })), 'MessagingEntityNotFound');
    await receiver.close();
  });
});

describe('test broker: scheduling and duplicate detection (manual clock)', () => {
  let broker: BrokerHandle;
  let client: ServiceBusClient;
  const clock = new ManualClock();

  before(async () => {
    broker = await startBroker({
      queues: [{ name: 'dedup' }, { name: 'dedup-short', duplicateDetectionWindowMs: 20_000 }, { name: 'scheduled' }, { name: 'annotated' }, { name: 'cancel' }],
      clock,
    });
    client = newClient(broker.connectionString);
  });

  after(async () => {
    await client.close();
    await broker.stop();
  });

  it('drops a MessageId seen within the default 10-minute window and accepts it after', async () => {
    const sender = client.createSender('dedup');
    await sender.sendMessages({ body: 'first', messageId: 'same' });
    await sender.sendMessages({ body: 'again', messageId: 'same' }); // accepted and dropped
    await sender.sendMessages([{ body: 'in batch', messageId: 'same' }, { body: 'other', messageId: 'other' }]);
    assert.equal(broker.peekState('dedup').active, 2);
    clock.advance(10 * 60_000 - 1);
    await sender.sendMessages({ body: 'still a duplicate', messageId: 'same' });
    assert.equal(broker.peekState('dedup').active, 2);
    clock.advance(1);
    await sender.sendMessages({ body: 'after the window', messageId: 'same' });
    assert.equal(broker.peekState('dedup').active, 3);
    const receiver = client.createReceiver('dedup', { receiveMode: 'receiveAndDelete' });
    const got = await receiveCount(receiver, 3);
    assert.deepEqual(got.map((m) => m.body as unknown), ['first', 'other', 'after the window']);
    await receiver.close();
  });

  it('scheduleMessages: the message is invisible until due, then delivered', async () => {
    const sender = client.createSender('scheduled');
    const due = new Date(clock.now() + 60_000);
    const [seq] = await sender.scheduleMessages({ body: 'later', messageId: 's-1' }, due);
    assert.ok(seq);
    assert.deepEqual([broker.peekState('scheduled').scheduled, broker.peekState('scheduled').active], [1, 0]);
    const receiver = client.createReceiver('scheduled', { receiveMode: 'receiveAndDelete' });
    await assertNothing(receiver);
    clock.advance(59_999);
    broker.sweep();
    await assertNothing(receiver, 100);
    clock.advance(1);
    broker.sweep();
    const [m] = await receiveCount(receiver, 1);
    assert.equal(m?.messageId, 's-1');
    assert.equal(m?.enqueuedTimeUtc?.getTime(), due.getTime());
    assert.deepEqual([broker.peekState('scheduled').scheduled, broker.peekState('scheduled').active], [0, 0]);
    await receiver.close();
  });

  it('schedules a plain send that carries scheduledEnqueueTimeUtc (x-opt-scheduled-enqueue-time)', async () => {
    const sender = client.createSender('annotated');
    await sender.sendMessages([
      { body: 'annotated', messageId: 'an-1', scheduledEnqueueTimeUtc: new Date(clock.now() + 5_000) },
      { body: 'plain', messageId: 'an-2' },
    ]);
    assert.deepEqual([broker.peekState('annotated').scheduled, broker.peekState('annotated').active], [1, 1]);
    const receiver = client.createReceiver('annotated', { receiveMode: 'receiveAndDelete' });
    assert.deepEqual((await receiveCount(receiver, 1)).map((m) => m.messageId), ['an-2']);
    await assertNothing(receiver, 100);
    clock.advance(5_000);
    broker.sweep();
    assert.deepEqual((await receiveCount(receiver, 1)).map((m) => m.messageId), ['an-1']);
    await receiver.close();
  });

  it('cancelScheduledMessages removes a scheduled message before it is due', async () => {
    const sender = client.createSender('cancel');
    const due = new Date(clock.now() + 1_000);
    const [keep, drop] = await sender.scheduleMessages([{ body: 'keep', messageId: 'k' }, { body: 'drop', messageId: 'dr' }], due);
    assert.ok(keep && drop);
    await sender.cancelScheduledMessages(drop);
    assert.equal(broker.peekState('cancel').scheduled, 1);
    clock.advance(1_000);
    broker.sweep();
    assert.deepEqual([broker.peekState('cancel').scheduled, broker.peekState('cancel').active], [0, 1]);
    const receiver = client.createReceiver('cancel', { receiveMode: 'receiveAndDelete' });
    assert.deepEqual((await receiveCount(receiver, 1)).map((m) => m.messageId), ['k']);
    await assertNothing(receiver);
    await receiver.close();
  });

  it('applies a configured window, also to scheduled messages', async () => {
    const sender = client.createSender('dedup-short');
    await sender.scheduleMessages({ body: 's', messageId: 'sch' }, new Date(clock.now() + 60_000));
    await sender.scheduleMessages({ body: 's2', messageId: 'sch' }, new Date(clock.now() + 60_000));
    assert.equal(broker.peekState('dedup-short').scheduled, 1);
    clock.advance(20_000);
    await sender.sendMessages({ body: 'later', messageId: 'sch' });
    assert.deepEqual([broker.peekState('dedup-short').scheduled, broker.peekState('dedup-short').active], [1, 1]);
  });
});
