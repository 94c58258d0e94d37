// ServiceBusMessageSender (the app's MessageSender adapter) with the real ServiceBusClient against
// the test broker, configured with the app's four queues.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceBusClient, ServiceBusSender } from '@azure/service-bus';
import { startBroker } from '../../../local/sim/bus/broker.ts';
import type { BrokerHandle } from '../../../local/sim/bus/broker.ts';
import { MessageTooLargeError, ServiceBusMessageSender } from '../../../shared/bus/serviceBusSender.ts';
import type { OutgoingMessage, QueueName } from '../../../shared/messages/outgoing.ts';
import { ManualClock, assertNothing, newClient, receiveCount, waitFor } from './harness.ts';

interface SenderSpy {
  readonly created: string[];
  /** One entry per sendMessages call: queue and number of messages (batches only). */
  readonly batches: { queue: string; count: number; size: number; max: number }[];
  readonly scheduled: { queue: string; count: number; at: Date }[];
  readonly senders: ServiceBusSender[];
}

/** Wraps client.createSender so the test sees every sender, batch and schedule call. */
function spyOn(client: ServiceBusClient): SenderSpy {
  const spy: SenderSpy = { created: [], batches: [], scheduled: [], senders: [] };
  const create = client.createSender.bind(client);
  client.createSender = (queue, options) => {
    const sender = create(queue, options);
    spy.created.push(queue);
    spy.senders.push(sender);
    const send = sender.sendMessages.bind(sender);
    sender.sendMessages = (messages, opts) => {
      if (!('tryAddMessage' in messages)) assert.fail('the adapter sends batches only');
      spy.batches.push({ queue, count: messages.count, size: messages.sizeInBytes, max: messages.maxSizeInBytes });
      return send(messages, opts);
    };
    const schedule = sender.scheduleMessages.bind(sender);
    sender.scheduleMessages = (messages, at, opts) => {
      spy.scheduled.push({ queue, count: Array.isArray(messages) ? messages.length : 1, at });
      return schedule(messages, at, opts);
    };
    return sender;
  };
  return spy;
}

const message = (queue: QueueName, messageId: string, body: unknown, extra: Partial<OutgoingMessage> = {}): OutgoingMessage =>
  ({ queue, messageId, body, ...extra });

describe('ServiceBusMessageSender against the test broker', () => {
  let broker: BrokerHandle;
  const clients: ServiceBusClient[] = [];
  const adapters: ServiceBusMessageSender[] = [];

  /** A fresh client (spied) and adapter per test, closed in `after`. */
  const setup = (): { client: ServiceBusClient; spy: SenderSpy; adapter: ServiceBusMessageSender } => {
    const client = newClient(broker.connectionString);
    const spy = spyOn(client);
    const adapter = new ServiceBusMessageSender(client);
    clients.push(client);
    adapters.push(adapter);
    return { client, spy, adapter };
  };

  before(async () => {
    broker = await startBroker({
      queues: [
        { name: 'engine-events', requiresSession: true },
        { name: 'service-ops' },
        { name: 'locations-sync' },
        { name: 'k8s-actions', requiresSession: true },
      ],
    });
  });

  after(async () => {
    for (const a of adapters) await a.close();
    for (const c of clients) await c.close();
    await broker.stop();
  });

  it('sets messageId, sessionId, applicationProperties, contentType and a JSON body', async () => {
    const { client, adapter } = setup();
    await adapter.send([
      message('engine-events', 'cluster-a:ev:1', { kind: 'tick', at: 1 }, {
        sessionId: 'cluster-a', applicationProperties: { type: 'tick', version: 2, replay: false },
      }),
      message('engine-events', 'cluster-a:ev:2', { kind: 'tick', at: 2 }, { sessionId: 'cluster-a' }),
    ]);
    const receiver = await client.acceptSession('engine-events', 'cluster-a', { skipParsingBodyAsJson: true });
    const got = await receiveCount(receiver, 2);
    assert.deepEqual(got.map((m) => m.messageId), ['cluster-a:ev:1', 'cluster-a:ev:2']);
    assert.deepEqual(got.map((m) => m.sessionId), ['cluster-a', 'cluster-a']);
    assert.deepEqual(got.map((m) => m.contentType), ['application/json', 'application/json']);
    assert.deepEqual(got[0]?.applicationProperties, { type: 'tick', version: 2, replay: false });
    assert.equal(got[1]?.applicationProperties, undefined);
    // On the wire the body is JSON text in a data section.
    const raw: unknown = got[0]?.body;
    assert.ok(Buffer.isBuffer(raw));
    assert.deepEqual(JSON.parse(raw.toString('utf8')), { kind: 'tick', at: 1 });
    for (const m of got) await receiver.completeMessage(m);
    await receiver.close();
  });

  it('splits 300 messages of 2 KB into several size-bounded batches that arrive in order', async () => {
    const { client, spy, adapter } = setup();
    const payload = 'x'.repeat(2048);
    const messages = Array.from({ length: 300 }, (_, i) => message('service-ops', `op-${i}`, { i, payload }));
    await adapter.send(messages);
    assert.ok(spy.batches.length >= 3, `expected several batches, got ${spy.batches.length}`);
    assert.equal(spy.batches.reduce((n, b) => n + b.count, 0), 300);
    for (const b of spy.batches) assert.ok(b.size <= b.max && b.max === 256 * 1024, `batch of ${b.size} / ${b.max} bytes`);
    assert.equal(broker.peekState('service-ops').active, 300);
    const receiver = client.createReceiver('service-ops', { receiveMode: 'receiveAndDelete' });
    const got = await receiveCount(receiver, 300, 5000);
    assert.deepEqual(got.map((m) => (m.body as { i: number }).i), messages.map((_, i) => i));
    await receiver.close();
  });

  it('groups by queue and keeps the order within each queue', async () => {
    const { client, spy, adapter } = setup();
    const mixed: OutgoingMessage[] = [];
    for (let i = 0; i < 6; i++) {
      mixed.push(message(i % 2 ? 'locations-sync' : 'service-ops', `g-${i}`, i));
      mixed.push(message('k8s-actions', `k-${i}`, i, { sessionId: i % 3 ? 'cluster-b' : 'cluster-c' }));
    }
    await adapter.send(mixed);
    assert.deepEqual(spy.batches.map((b) => [b.queue, b.count]).sort(), [['k8s-actions', 6], ['locations-sync', 3], ['service-ops', 3]]);
    const ops = client.createReceiver('service-ops', { receiveMode: 'receiveAndDelete' });
    const sync = client.createReceiver('locations-sync', { receiveMode: 'receiveAndDelete' });
    assert.deepEqual((await receiveCount(ops, 3)).map((m) => m.body as unknown), [0, 2, 4]);
    assert.deepEqual((await receiveCount(sync, 3)).map((m) => m.body as unknown), [1, 3, 5]);
    const b = await client.acceptSession('k8s-actions', 'cluster-b', { receiveMode: 'receiveAndDelete' });
    const c = await client.acceptSession('k8s-actions', 'cluster-c', { receiveMode: 'receiveAndDelete' });
    assert.deepEqual((await receiveCount(b, 4)).map((m) => m.body as unknown), [1, 2, 4, 5]);
    assert.deepEqual((await receiveCount(c, 2)).map((m) => m.body as unknown), [0, 3]);
    await Promise.all([ops.close(), sync.close(), b.close(), c.close()]);
  });

  it('throws a clear error naming the queue and messageId for a message too big for an empty batch, sending nothing of that queue', async () => {
    const { spy, adapter } = setup();
    const huge = 'y'.repeat(300 * 1024);
    const attempt = adapter.send([
      message('service-ops', 'small-1', 'a'),
      message('service-ops', 'huge-1', { huge }),
      message('service-ops', 'small-2', 'b'),
    ]);
    await assert.rejects(attempt, (err: unknown) => {
      assert.ok(err instanceof MessageTooLargeError, `got ${String(err)}`);
      assert.equal(err.queue, 'service-ops');
      assert.equal(err.messageId, 'huge-1');
      assert.match(err.message, /"huge-1".*service-ops/);
      return true;
    });
    assert.deepEqual(spy.batches, []);
    assert.equal(broker.peekState('service-ops').active, 0);
    const scheduledHuge = adapter.send([message('service-ops', 'huge-2', { huge }, { scheduledEnqueueTimeUtc: new Date(Date.now() + 60_000) })]);
    await assert.rejects(scheduledHuge, (err: unknown) => err instanceof MessageTooLargeError && err.messageId === 'huge-2');
    assert.deepEqual(spy.scheduled, []);
  });

  it('creates one sender per queue, reuses it, and closes it on close()', async () => {
    const { spy, adapter } = setup();
    await adapter.send([message('service-ops', 'c-1', 1), message('locations-sync', 'c-2', 2)]);
    await adapter.send([message('service-ops', 'c-3', 3)]);
    assert.deepEqual([...spy.created].sort(), ['locations-sync', 'service-ops']);
    await adapter.close();
    assert.ok(spy.senders.every((s) => s.isClosed));
    await assert.rejects(adapter.send([message('service-ops', 'c-4', 4)]), /closed/);
    await waitFor(() => broker.peekState('service-ops').active === 2, 'both service-ops messages');
    const drain = setup().client.createReceiver('service-ops', { receiveMode: 'receiveAndDelete' });
    await receiveCount(drain, 2);
    const other = setup().client.createReceiver('locations-sync', { receiveMode: 'receiveAndDelete' });
    await receiveCount(other, 1);
    await Promise.all([drain.close(), other.close()]);
  });

  it('a resend with the same messageId is dropped by duplicate detection', async () => {
    const { client, adapter } = setup();
    const op = message('service-ops', 'cluster-a:op:svc-1:1', { op: 'create' });
    await adapter.send([op]);
    await adapter.send([op]);
    assert.equal(broker.peekState('service-ops').active, 1);
    const receiver = client.createReceiver('service-ops', { receiveMode: 'receiveAndDelete' });
    await receiveCount(receiver, 1);
    await assertNothing(receiver, 100);
    await receiver.close();
  });

  it('reports a queue that refuses its messages while the other queues are still sent', async () => {
    const { client, adapter } = setup();
    await assert.rejects(
      adapter.send([message('k8s-actions', 'no-session', 1), message('locations-sync', 'fine', 2)]),
      /SessionId was not set/,
    );
    assert.equal(broker.peekState('k8s-actions').active, 0);
    const receiver = client.createReceiver('locations-sync', { receiveMode: 'receiveAndDelete' });
    assert.deepEqual((await receiveCount(receiver, 1)).map((m) => m.messageId), ['fine']);
    await receiver.close();
  });

  it('does not send when the abort signal has already fired', async () => {
    const { spy, adapter } = setup();
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(adapter.send([message('service-ops', 'aborted', 1)], { abortSignal: controller.signal }), { name: 'AbortError' });
    assert.deepEqual(spy.created, []);
    assert.equal(broker.peekState('service-ops').active, 0);
  });
});

describe('ServiceBusMessageSender: scheduled messages (manual clock)', () => {
  let broker: BrokerHandle;
  let client: ServiceBusClient;
  let adapter: ServiceBusMessageSender;
  let spy: SenderSpy;
  const clock = new ManualClock();

  before(async () => {
    broker = await startBroker({ queues: [{ name: 'locations-sync' }, { name: 'engine-events', requiresSession: true }], clock });
    client = newClient(broker.connectionString);
    spy = spyOn(client);
    adapter = new ServiceBusMessageSender(client);
  });

  after(async () => {
    await adapter.close();
    await client.close();
    await broker.stop();
  });

  it('sends messages with scheduledEnqueueTimeUtc through scheduleMessages; they stay invisible until due', async () => {
    const due = new Date(clock.now() + 30_000);
    await adapter.send([
      message('locations-sync', 'now-1', 'now'),
      message('locations-sync', 'later-1', 'later', { scheduledEnqueueTimeUtc: due }),
      message('locations-sync', 'later-2', 'later too', { scheduledEnqueueTimeUtc: due }),
      message('locations-sync', 'now-2', 'now again'),
    ]);
    assert.deepEqual(spy.scheduled.map((s) => [s.queue, s.count, s.at.getTime()]), [['locations-sync', 2, due.getTime()]]);
    assert.deepEqual(spy.batches.map((b) => b.count), [1, 1], 'immediate messages around the scheduled group, in order');
    assert.deepEqual([broker.peekState('locations-sync').active, broker.peekState('locations-sync').scheduled], [2, 2]);
    const receiver = client.createReceiver('locations-sync', { receiveMode: 'receiveAndDelete' });
    assert.deepEqual((await receiveCount(receiver, 2)).map((m) => m.messageId), ['now-1', 'now-2']);
    await assertNothing(receiver, 100);
    clock.advance(30_000);
    broker.sweep();
    const later = await receiveCount(receiver, 2);
    assert.deepEqual(later.map((m) => m.messageId), ['later-1', 'later-2']);
    assert.deepEqual(later.map((m) => m.enqueuedTimeUtc?.getTime()), [due.getTime(), due.getTime()]);
    await receiver.close();
  });

  it('keeps sessionId on scheduled messages and splits groups with different times', async () => {
    const t1 = new Date(clock.now() + 1_000);
    const t2 = new Date(clock.now() + 2_000);
    const before = spy.scheduled.length;
    await adapter.send([
      message('engine-events', 'w-1', 'wake 1', { sessionId: 'cluster-z', scheduledEnqueueTimeUtc: t1 }),
      message('engine-events', 'w-2', 'wake 2', { sessionId: 'cluster-z', scheduledEnqueueTimeUtc: t2 }),
    ]);
    assert.deepEqual(spy.scheduled.slice(before).map((s) => [s.count, s.at.getTime()]), [[1, t1.getTime()], [1, t2.getTime()]]);
    clock.advance(2_000);
    broker.sweep();
    const receiver = await client.acceptSession('engine-events', 'cluster-z', { receiveMode: 'receiveAndDelete' });
    assert.deepEqual((await receiveCount(receiver, 2)).map((m) => [m.messageId, m.sessionId]), [['w-1', 'cluster-z'], ['w-2', 'cluster-z']]);
    await receiver.close();
  });
});
