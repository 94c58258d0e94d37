import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startBroker } from '../../../local/sim/bus/broker.ts';
import type { BrokerHandle } from '../../../local/sim/bus/broker.ts';
import { newClient, receiveCount } from './harness.ts';

describe('a broker outage', () => {
  let broker: BrokerHandle;
  before(async () => {
    broker = await startBroker({ queues: [{ name: 'q' }] });
  });
  after(async () => {
    await broker.stop();
  });

  it('fails sends while offline, keeps what was queued, and serves the same client again afterwards', async () => {
    const client = newClient(broker.connectionString, { maxRetries: 0, timeoutInMs: 1000 });
    const sender = client.createSender('q');
    try {
      await sender.sendMessages({ body: 'before', messageId: 'm1' });
      await broker.goOffline();
      await assert.rejects(sender.sendMessages({ body: 'during', messageId: 'm2' }));
      assert.equal(broker.peekState('q').active, 1);
      await broker.comeOnline();
      // The SDK reconnects on the next operation; allow it a few attempts.
      for (let i = 0; ; i++) {
        try {
          await sender.sendMessages({ body: 'after', messageId: 'm3' });
          break;
        } catch (e) {
          if (i >= 10) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      const receiver = client.createReceiver('q', { receiveMode: 'receiveAndDelete' });
      const got = await receiveCount(receiver, 2);
      assert.deepEqual(got.map((m) => m.body as unknown), ['before', 'after']);
      await receiver.close();
    } finally {
      await sender.close();
      await client.close();
    }
  });
});
