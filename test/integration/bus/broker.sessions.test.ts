// The test broker against the real @azure/service-bus client: session queues.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceBusClient, ServiceBusReceivedMessage } from '@azure/service-bus';
import { startBroker } from '../../../local/sim/bus/broker.ts';
import type { BrokerHandle } from '../../../local/sim/bus/broker.ts';
import { assertNothing, errorCode, newClient, receiveCount, sleep, waitFor } from './harness.ts';

const LOCK_MS = 300;
/** The SDK renews session locks by itself; tests of expiry turn that off. */
const NO_RENEW = { maxAutoLockRenewalDurationInMs: 0 } as const;

describe('test broker: session queues with the real ServiceBusClient', () => {
  let broker: BrokerHandle;
  let client: ServiceBusClient;
  /** A client whose operations time out after 600 ms and never retry (for "nothing available"). */
  let impatient: ServiceBusClient;
  const sq = (name: string): { name: string; requiresSession: true; lockDurationMs: number } => ({ name, requiresSession: true, lockDurationMs: LOCK_MS });

  before(async () => {
    broker = await startBroker({
      queues: [
        sq('exclusive'), sq('distinct'), sq('fifo'), sq('expiry'), sq('renew'), sq('wait'), sq('none'),
        sq('release'), sq('no-session-id'), sq('plain-receiver'), { name: 'not-sessionful' },
      ],
    });
    client = newClient(broker.connectionString);
    impatient = newClient(broker.connectionString, { timeoutInMs: 600, maxRetries: 0 });
  });

  after(async () => {
    await impatient.close();
    await client.close();
    await broker.stop();
  });

  it('a session held by one receiver cannot be accepted by another', async () => {
    await client.createSender('exclusive').sendMessages({ body: 1, sessionId: 'vm-1' });
    const first = await client.acceptSession('exclusive', 'vm-1');
    assert.equal(first.sessionId, 'vm-1');
    assert.ok(first.sessionLockedUntilUtc.getTime() > Date.now(), 'locked-until comes back as a future date');
    assert.equal(await errorCode(client.acceptSession('exclusive', 'vm-1')), 'SessionCannotBeLocked');
    assert.deepEqual(broker.peekState('exclusive').lockedSessions, ['vm-1']);
    await first.close();
    const second = await client.acceptSession('exclusive', 'vm-1');
    const [m] = await receiveCount(second, 1);
    await second.completeMessage(m as ServiceBusReceivedMessage);
    await second.close();
  });

  it('acceptNextSession gives each receiver a different session with messages', async () => {
    await client.createSender('distinct').sendMessages([
      { body: 'a1', sessionId: 'a' }, { body: 'b1', sessionId: 'b' }, { body: 'a2', sessionId: 'a' },
    ]);
    const r1 = await client.acceptNextSession('distinct');
    const r2 = await client.acceptNextSession('distinct');
    assert.deepEqual([r1.sessionId, r2.sessionId], ['a', 'b'], 'oldest message first, then the next free session');
    const got1 = await receiveCount(r1, 2);
    const got2 = await receiveCount(r2, 1);
    assert.deepEqual(got1.map((m) => m.body as unknown), ['a1', 'a2']);
    assert.deepEqual(got2.map((m) => [m.body as unknown, m.sessionId]), [['b1', 'b']]);
    for (const m of got1) await r1.completeMessage(m);
    for (const m of got2) await r2.completeMessage(m);
    await r1.close();
    await r2.close();
  });

  it('delivers the messages of a session in FIFO order, also across an abandon', async () => {
    const sender = client.createSender('fifo');
    const messages = [];
    for (let i = 0; i < 20; i++) messages.push({ body: i, sessionId: i % 2 ? 'odd' : 'even', messageId: `f${i}` });
    await sender.sendMessages(messages);
    const even = await client.acceptSession('fifo', 'even');
    const got = await receiveCount(even, 10);
    assert.deepEqual(got.map((m) => m.body as unknown), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    await even.abandonMessage(got[0] as ServiceBusReceivedMessage);
    for (const m of got.slice(1)) await even.completeMessage(m);
    const [again] = await receiveCount(even, 1);
    assert.deepEqual([again?.body, again?.deliveryCount], [0, 1]);
    await even.completeMessage(again as ServiceBusReceivedMessage);
    const odd = await client.acceptSession('fifo', 'odd');
    const odds = await receiveCount(odd, 10);
    assert.deepEqual(odds.map((m) => m.body as unknown), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    for (const m of odds) await odd.completeMessage(m);
    await even.close();
    await odd.close();
  });

  it('session lock expiry frees the session for another receiver and returns its in-flight messages', async () => {
    await client.createSender('expiry').sendMessages([{ body: 'x1', sessionId: 's' }, { body: 'x2', sessionId: 's' }]);
    const holder = await client.acceptSession('expiry', 's', NO_RENEW);
    const [inFlight] = await receiveCount(holder, 1);
    assert.equal(inFlight?.body, 'x1');
    assert.equal(await errorCode(client.acceptSession('expiry', 's')), 'SessionCannotBeLocked');
    await waitFor(() => broker.peekState('expiry').lockedSessions.length === 0, 'the session lock to expire', 2000);
    const taker = await client.acceptSession('expiry', 's');
    const got = await receiveCount(taker, 2);
    assert.deepEqual(got.map((m) => [m.body as unknown, m.deliveryCount]), [['x1', 1], ['x2', 0]]);
    assert.equal(await errorCode(holder.completeMessage(inFlight)), 'SessionLockLost');
    for (const m of got) await taker.completeMessage(m);
    await holder.close();
    await taker.close();
  });

  it('renewSessionLock keeps the session locked past its lock duration', async () => {
    await client.createSender('renew').sendMessages({ body: 'r', sessionId: 's' });
    const holder = await client.acceptSession('renew', 's', NO_RENEW);
    const original = holder.sessionLockedUntilUtc.getTime();
    await sleep(100); // renew well inside the 300 ms lock (the first call also opens the $management link)
    const renewed = await holder.renewSessionLock();
    assert.ok(renewed.getTime() >= original + 90, `renewed until ${renewed.toISOString()}`);
    assert.equal(holder.sessionLockedUntilUtc.getTime(), renewed.getTime());
    await sleep(original - Date.now() + 30); // past the original expiry, well before the renewed one
    assert.equal(await errorCode(client.acceptSession('renew', 's')), 'SessionCannotBeLocked');
    const [m] = await receiveCount(holder, 1);
    await holder.completeMessage(m as ServiceBusReceivedMessage);
    await holder.close();
  });

  it('acceptNextSession waits for a session to get messages', async () => {
    const accepting = client.acceptNextSession('wait');
    await sleep(100);
    await client.createSender('wait').sendMessages({ body: 'late', sessionId: 'late-session' });
    const receiver = await accepting;
    assert.equal(receiver.sessionId, 'late-session');
    const [m] = await receiveCount(receiver, 1);
    await receiver.completeMessage(m as ServiceBusReceivedMessage);
    await receiver.close();
  });

  it('acceptNextSession fails with ServiceTimeout when every session is taken or empty', async () => {
    await client.createSender('none').sendMessages({ body: 1, sessionId: 'only' });
    const holder = await client.acceptSession('none', 'only');
    const started = Date.now();
    assert.equal(await errorCode(impatient.acceptNextSession('none')), 'ServiceTimeout');
    assert.ok(Date.now() - started >= 400, 'the broker waited for the client timeout');
    await holder.close();
  });

  it('closing a session receiver frees the session and returns its unsettled messages', async () => {
    await client.createSender('release').sendMessages({ body: 'keep', sessionId: 'rel' });
    const first = await client.acceptNextSession('release');
    await receiveCount(first, 1);
    await first.close();
    await waitFor(() => broker.peekState('release').active === 1, 'the message to come back');
    const second = await client.acceptNextSession('release');
    assert.equal(second.sessionId, 'rel');
    const [m] = await receiveCount(second, 1);
    assert.deepEqual([m?.body, m?.deliveryCount], ['keep', 1]);
    await second.completeMessage(m as ServiceBusReceivedMessage);
    await second.close();
  });

  it('refuses a message without a SessionId on a session queue', async () => {
    await assert.rejects(client.createSender('no-session-id').sendMessages({ body: 'orphan' }), /SessionId was not set/);
    await assert.rejects(
      client.createSender('no-session-id').sendMessages([{ body: 'ok', sessionId: 's' }, { body: 'orphan' }]),
      /SessionId was not set/,
      'a batch is all or nothing',
    );
    assert.equal(broker.peekState('no-session-id').active, 0);
  });

  it('refuses a plain receiver on a session queue and a session receiver on a plain queue', async () => {
    await client.createSender('plain-receiver').sendMessages({ body: 1, sessionId: 's' });
    const plain = client.createReceiver('plain-receiver');
    await assert.rejects(plain.receiveMessages(1, { maxWaitTimeInMs: 200 }), /requires sessions/);
    await plain.close();
    // The broker detaches with "does not have sessions enabled"; the SDK reports any refused
    // session attach as SessionCannotBeLocked.
    assert.equal(await errorCode(client.acceptSession('not-sessionful', 's')), 'SessionCannotBeLocked');
    assert.equal(broker.peekState('plain-receiver').active, 1);
  });

  it('dead-letters from a session and reads the DLQ without a session', async () => {
    const holder = await client.acceptSession('plain-receiver', 's');
    const [m] = await receiveCount(holder, 1);
    await holder.deadLetterMessage(m as ServiceBusReceivedMessage, { deadLetterReason: 'Bad', deadLetterErrorDescription: 'why' });
    await holder.close();
    const dlq = client.createReceiver('plain-receiver', { subQueueType: 'deadLetter' });
    const [dead] = await receiveCount(dlq, 1);
    assert.deepEqual([dead?.sessionId, dead?.deadLetterReason], ['s', 'Bad']);
    await dlq.completeMessage(dead as ServiceBusReceivedMessage);
    await assertNothing(dlq);
    await dlq.close();
  });
});
