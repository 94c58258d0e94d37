// The local queue trigger against the test broker: a session held through a long invocation keeps
// its lock across busy answers to renewals, for as long as host.json allows and no longer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceBusClient } from '@azure/service-bus';
import { QueueTrigger } from '../../../local/host/queueTrigger.ts';
import { OPERATION } from '../../../local/sim/bus/management.ts';
import { startBroker } from '../../../local/sim/bus/broker.ts';
import type { BrokerHandle } from '../../../local/sim/bus/broker.ts';
import { newClient, sleep, waitFor } from '../bus/harness.ts';

const LOCK_MS = 1_000;

interface Run {
  readonly deliveries: number[];
  readonly done: string[];
}

describe('local queue trigger: session locks', () => {
  let broker: BrokerHandle;
  let client: ServiceBusClient;

  before(async () => {
    broker = await startBroker({ queues: ['busy-renewals', 'bounded-renewal', 'slow-drain'].map((name) => ({ name, requiresSession: true, lockDurationMs: LOCK_MS })) });
    client = newClient(broker.connectionString);
  });

  after(async () => {
    await client.close();
    await broker.stop();
  });

  /** A trigger whose handler works `workMs` on each batch, recording each delivery's count. */
  function trigger(queueName: string, workMs: number, maxAutoLockRenewalDurationMs: number, run: Run, log: string[]): QueueTrigger {
    return new QueueTrigger({
      client,
      functionName: 'work',
      queueName,
      sessions: true,
      many: true,
      maxConcurrentSessions: 1,
      // Held past the test: a trigger stopped while it waits for the next session leaves the SDK waiting a minute.
      sessionIdleTimeoutMs: 30_000,
      maxAutoLockRenewalDurationMs,
      log: (line) => log.push(line),
      handler: async (_messages: unknown, context: unknown) => {
        const meta = (context as { triggerMetadata: { deliveryCountArray: number[] } }).triggerMetadata;
        run.deliveries.push(...meta.deliveryCountArray);
        await sleep(workMs);
        run.done.push('batch');
      },
    });
  }

  it('keeps the session lock through an invocation longer than the lock while renewals are answered busy', async () => {
    const run: Run = { deliveries: [], done: [] };
    const log: string[] = [];
    // The SDK itself retries once (harness RETRY); two busy answers outlast that, so the keeper must try again.
    broker.answerBusy(OPERATION.renewSessionLock, 2);
    await client.createSender('busy-renewals').sendMessages([1, 2, 3].map((n) => ({ body: n, sessionId: 's' })));
    const t = trigger('busy-renewals', 2.5 * LOCK_MS, 60_000, run, log);
    t.start();
    try {
      await waitFor(() => broker.peekState('busy-renewals').active + broker.peekState('busy-renewals').locked === 0 && run.done.length > 0, 'the batch completed', 10_000);
      await sleep(LOCK_MS);
      assert.deepEqual(run.deliveries, [1, 1, 1], `each message delivered once; trigger log: ${log.join(' | ')}`);
      assert.ok(log.some((l) => l.includes('lock renewal 1 failed')), `the busy answer is logged: ${log.join(' | ')}`);
    } finally {
      await t.stop();
    }
  });

  it('stops renewing at maxAutoLockRenewalDuration, as the host does: the batch is delivered again', async () => {
    const run: Run = { deliveries: [], done: [] };
    const log: string[] = [];
    await client.createSender('bounded-renewal').sendMessages({ body: 1, sessionId: 's' });
    const t = trigger('bounded-renewal', 3 * LOCK_MS, 1.2 * LOCK_MS, run, log);
    t.start();
    try {
      await waitFor(() => run.deliveries.includes(2), 'a second delivery after the lock ran out', 15_000);
      // The failed settlement says how the lock stood, so that a lost lock can be told from a closed link.
      assert.ok(log.some((l) => /invocation failed, abandoning 1: .*\(session held \d+ ms, lock -?\d+ ms left, \d+ renewals/.test(l)), log.join(' | '));
    } finally {
      await t.stop();
    }
  });

  it('does not work on a batch the SDK received on a receiver it then closed (a drain answered late): the batch is delivered again and worked on once', async () => {
    const run: Run = { deliveries: [], done: [] };
    const log: string[] = [];
    // @azure/service-bus closes a receiver whose credit drain is not answered within at most 1 s.
    broker.answerDrainsLate(2_500, 1);
    await client.createSender('slow-drain').sendMessages([1, 2].map((n) => ({ body: n, sessionId: 's' })));
    const t = trigger('slow-drain', 10, 60_000, run, log);
    t.start();
    try {
      await waitFor(() => run.done.length > 0 && broker.peekState('slow-drain').active + broker.peekState('slow-drain').locked === 0, 'the batch worked on and completed', 15_000);
      await sleep(500);
      assert.equal(run.done.length, 1, `one invocation; deliveries ${JSON.stringify(run.deliveries)}; log: ${log.join(' | ')}`);
      assert.equal(run.deliveries.length, 2);
      assert.ok(log.some((l) => l.includes('receiver closed before the invocation')), log.join(' | '));
    } finally {
      await t.stop();
    }
  });
});
