// A minimal stand-in for the Functions host, for integration tests: the real handlers (captured
// with their bindings), the real Service Bus client against the AMQP test broker, the real
// TableStateStore against in-process Azurite, and the in-memory network. `pump()` receives from
// each queue exactly as the host's triggers would (session batches for `engine`, one message at
// a time elsewhere), calls the handler with a real InvocationContext, and completes on success or
// abandons on a throw.
import azf from '@azure/functions';
import { ServiceBusClient } from '@azure/service-bus';
import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import { startBroker } from '../../local/sim/bus/broker.ts';
import type { BrokerHandle } from '../../local/sim/bus/broker.ts';
import { ServiceBusMessageSender } from '../../shared/bus/serviceBusSender.ts';
import { defaultEngineConfig } from '../../shared/engine/config.ts';
import type { EngineConfig, EngineEvent } from '../../shared/engine/types.ts';
import { toEngineEventMessage } from '../../shared/messages/toEngineEventMessage.ts';
import type { StateStore } from '../../shared/state/stateStore.ts';
import { TableStateStore } from '../../shared/state/tableStateStore.ts';
import { configureDependencies } from '../../functions/dependencies.ts';
import { triggerMetadata } from '../../local/host/queueTrigger.ts';
import type { Dependencies } from '../../functions/dependencies.ts';
import { startAzurite } from '../integration/state/azurite.ts';
import type { Azurite, InstrumentedTableClient } from '../integration/state/azurite.ts';
// Imported first in effect: it installs the fake core before the function modules load below.
import { registered } from './functionsCore.ts';
import { MemoryNetwork } from './memoryNetwork.ts';

const { InvocationContext } = azf;

export const QUEUE_CONFIG = [
  { name: 'engine-events', requiresSession: true, maxDeliveryCount: 5, lockDurationMs: 5_000 },
  { name: 'service-ops', maxDeliveryCount: 5, lockDurationMs: 5_000 },
  { name: 'locations-sync', requiresSession: true, maxDeliveryCount: 5, lockDurationMs: 5_000 },
  { name: 'k8s-actions', requiresSession: true },
  { name: 'rejected-messages' },
] as const;

const FUNCTION_OF_QUEUE = { 'engine-events': 'engine', 'service-ops': 'serviceOps', 'locations-sync': 'locations' } as const;
type PumpedQueue = keyof typeof FUNCTION_OF_QUEUE;

export interface Harness {
  readonly broker: BrokerHandle;
  readonly azurite: Azurite;
  readonly client: ServiceBusClient;
  readonly table: InstrumentedTableClient;
  readonly network: MemoryNetwork;
  readonly deps: Dependencies;
  /** Wraps the store so tests can crash a step. */
  readonly store: CrashableStore;
  now: number;
  /** Send events to the engine queue as the forwarder would. */
  sendEvents(cluster: string, events: readonly EngineEvent[]): Promise<void>;
  /** Deliver one batch or message from a queue to its function; false when the queue had none. */
  deliver(queue: PumpedQueue): Promise<boolean>;
  /** Deliver until the three function queues stay empty. Returns the deliveries made. */
  pump(maxDeliveries?: number): Promise<number>;
  /** Every message on a queue, received and completed (for k8s-actions and rejected-messages). */
  drain(queue: 'k8s-actions' | 'rejected-messages'): Promise<ServiceBusReceivedMessage[]>;
  stop(): Promise<void>;
}

/** A StateStore whose load or save can be made to throw once, as a crash at that step. */
export class CrashableStore implements StateStore {
  readonly inner: StateStore;
  crash: 'afterLoad' | 'beforeSave' | 'afterSave' | null = null;
  constructor(inner: StateStore) {
    this.inner = inner;
  }
  async load(...args: Parameters<StateStore['load']>): ReturnType<StateStore['load']> {
    const loaded = await this.inner.load(...args);
    if (this.crash === 'afterLoad') {
      this.crash = null;
      throw new Error('injected crash after load');
    }
    return loaded;
  }
  async save(...args: Parameters<StateStore['save']>): ReturnType<StateStore['save']> {
    if (this.crash === 'beforeSave') {
      this.crash = null;
      throw new Error('injected crash before save');
    }
    const saved = await this.inner.save(...args);
    if (this.crash === 'afterSave') {
      this.crash = null;
      throw new Error('injected crash after save');
    }
    return saved;
  }
  stamp(...args: Parameters<StateStore['stamp']>): ReturnType<StateStore['stamp']> {
    return this.inner.stamp(...args);
  }
}

function handlerOf(name: string): (...args: unknown[]) => unknown {
  const r = registered.get(name);
  if (!r) throw new Error(`function ${name} is not registered`);
  return r.handler;
}

export async function startHarness(o: { config?: Partial<EngineConfig>; tableName?: string } = {}): Promise<Harness> {
  await import('../../functions/engine.ts');
  await import('../../functions/serviceOps.ts');
  await import('../../functions/locations.ts');
  await import('../../functions/debug.ts');
  const broker = await startBroker({ queues: QUEUE_CONFIG });
  const azurite = await startAzurite();
  const table = azurite.client(o.tableName ?? 'engineState');
  const client = new ServiceBusClient(broker.connectionString, { retryOptions: { maxRetries: 1, timeoutInMs: 5_000, retryDelayInMs: 50 } });
  const network = new MemoryNetwork();
  const store = new CrashableStore(new TableStateStore(table));
  const sender = new ServiceBusMessageSender(client);
  let now = Date.now();
  const deps: Dependencies = {
    store,
    sender,
    network,
    engineConfig: { ...defaultEngineConfig, locationsSyncIntervalMs: 0, ...o.config },
    now: () => now,
    random: () => 0.5,
    clusters: ['alpha'],
  };
  configureDependencies(() => Promise.resolve(deps));
  let seq = 0;
  const h: Harness = {
    broker,
    azurite,
    client,
    table,
    network,
    store,
    deps,
    get now() {
      return now;
    },
    set now(t: number) {
      now = t;
    },
    async sendEvents(cluster, events) {
      await sender.send(events.map((e) => toEngineEventMessage(cluster, e, { now: h.now })));
    },
    async deliver(queue) {
      if (broker.peekState(queue).active === 0) return false;
      const fn = handlerOf(FUNCTION_OF_QUEUE[queue]);
      if (queue === 'engine-events') {
        const receiver = await client.acceptNextSession(queue);
        try {
          const messages = await receiver.receiveMessages(100, { maxWaitTimeInMs: 200 });
          if (messages.length === 0) return false;
          const ctx = new InvocationContext({
            invocationId: `inv-${++seq}`,
            functionName: 'engine',
            triggerMetadata: triggerMetadata(messages, true, receiver.sessionId),
          });
          try {
            await fn(messages.map((m) => m.body as unknown), ctx);
            for (const m of messages) await receiver.completeMessage(m);
          } catch {
            for (const m of messages) await receiver.abandonMessage(m);
          }
          return true;
        } finally {
          await receiver.close();
        }
      }
      // locations-sync is a session queue (one writer per cluster), service-ops is not.
      const receiver = queue === 'locations-sync' ? await client.acceptNextSession(queue) : client.createReceiver(queue);
      try {
        const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 200 });
        if (!m) return false;
        const ctx = new InvocationContext({ invocationId: `inv-${++seq}`, functionName: FUNCTION_OF_QUEUE[queue], triggerMetadata: triggerMetadata([m], false, undefined) });
        try {
          await fn(m.body as unknown, ctx);
          await receiver.completeMessage(m);
        } catch {
          await receiver.abandonMessage(m);
        }
        return true;
      } finally {
        await receiver.close();
      }
    },
    async pump(maxDeliveries = 200) {
      let n = 0;
      for (;;) {
        let any = false;
        for (const q of ['engine-events', 'service-ops', 'locations-sync'] as const) {
          if (await h.deliver(q)) {
            any = true;
            if (++n >= maxDeliveries) throw new Error(`pump: still busy after ${n} deliveries`);
          }
        }
        if (!any) return n;
      }
    },
    async drain(queue) {
      const out: ServiceBusReceivedMessage[] = [];
      if (queue === 'k8s-actions') {
        while (broker.peekState(queue).active > 0) {
          const r = await client.acceptNextSession(queue);
          const got = await r.receiveMessages(100, { maxWaitTimeInMs: 200 });
          for (const m of got) await r.completeMessage(m);
          out.push(...got);
          await r.close();
        }
        return out;
      }
      const r = client.createReceiver(queue);
      while (broker.peekState(queue).active > 0) {
        const got = await r.receiveMessages(100, { maxWaitTimeInMs: 200 });
        for (const m of got) await r.completeMessage(m);
        out.push(...got);
      }
      await r.close();
      return out;
    },
    async stop() {
      await sender.close();
      await client.close();
      await broker.stop();
      await azurite.stop();
    },
  };
  return h;
}
