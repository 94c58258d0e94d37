// A Service Bus queue trigger as the Functions host runs it (host.json `extensions.serviceBus`):
// session queues by `acceptNextSession` with up to `maxConcurrentSessions` sessions at once, a
// session kept until it is idle for `sessionIdleTimeout`; plain queues with up to
// `maxConcurrentCalls` messages at once; batches of up to `maxMessageBatchSize` for
// `cardinality: many`; peek-lock with automatic lock renewal for up to `maxAutoLockRenewalDuration`
// (session locks by a keeper that retries, shared/bus/sessionLockKeeper.ts); complete on success,
// abandon on a throw (Service Bus dead-letters after the queue's max delivery count). The handler
// gets the real InvocationContext with the trigger metadata the host would pass.
import azf from '@azure/functions';
import type { ServiceBusClient, ServiceBusReceivedMessage, ServiceBusReceiver, ServiceBusSessionReceiver } from '@azure/service-bus';
import { SessionLockKeeper } from '../../shared/bus/sessionLockKeeper.ts';

const { InvocationContext } = azf;

export interface QueueTriggerOptions {
  readonly client: ServiceBusClient;
  readonly functionName: string;
  readonly queueName: string;
  readonly sessions: boolean;
  readonly many: boolean;
  readonly handler: (...args: unknown[]) => unknown;
  readonly maxConcurrentSessions?: number | undefined;
  readonly maxConcurrentCalls?: number | undefined;
  readonly maxMessageBatchSize?: number | undefined;
  readonly sessionIdleTimeoutMs?: number | undefined;
  /** host.json `maxAutoLockRenewalDuration` (the host's default: 5 minutes). */
  readonly maxAutoLockRenewalDurationMs?: number | undefined;
  readonly onInvocation?: ((delta: 1 | -1) => void) | undefined;
  readonly log?: ((line: string) => void) | undefined;
}

let invocations = 0;

/** The trigger metadata the Functions host passes for these messages (arrays for `cardinality: many`). */
export function triggerMetadata(messages: readonly ServiceBusReceivedMessage[], many: boolean, sessionId: string | undefined): Record<string, unknown> {
  // The host counts deliveries from 1; the JS SDK shows the earlier attempts (0 on the first).
  const deliveryCount = (m: ServiceBusReceivedMessage): number => (m.deliveryCount ?? 0) + 1;
  if (many) {
    return {
      sessionId,
      messageIdArray: messages.map((m) => m.messageId),
      deliveryCountArray: messages.map(deliveryCount),
      applicationPropertiesArray: messages.map((m) => m.applicationProperties ?? {}),
      enqueuedTimeUtcArray: messages.map((m) => m.enqueuedTimeUtc?.toISOString()),
    };
  }
  const m = messages[0]!;
  return { sessionId, messageId: m.messageId, deliveryCount: deliveryCount(m), applicationProperties: m.applicationProperties ?? {}, enqueuedTimeUtc: m.enqueuedTimeUtc?.toISOString() };
}

export class QueueTrigger {
  private readonly o: QueueTriggerOptions;
  private stopped = false;
  private readonly stopping = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly receivers = new Set<ServiceBusReceiver | ServiceBusSessionReceiver>();

  constructor(options: QueueTriggerOptions) {
    this.o = options;
  }

  start(): void {
    const n = this.o.sessions ? (this.o.maxConcurrentSessions ?? 8) : (this.o.maxConcurrentCalls ?? 10);
    for (let i = 0; i < n; i++) this.loops.push(this.o.sessions ? this.sessionLoop() : this.plainLoop());
  }

  /**
   * Stops like a crash: receivers are closed at once, so what a handler holds returns to the queue
   * (and is redelivered) and a handler still running can no longer settle anything. The loops are
   * not awaited: a pending acceptNextSession only returns at the client's timeout, and whatever it
   * returns is closed because the trigger is stopped.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await Promise.all([...this.receivers].map((r) => r.close().catch(() => undefined)));
    for (const l of this.loops) l.catch(() => undefined);
  }

  private async invoke(receiver: ServiceBusReceiver | ServiceBusSessionReceiver, messages: readonly ServiceBusReceivedMessage[], sessionId: string | undefined, keeper?: SessionLockKeeper): Promise<void> {
    const ctx = new InvocationContext({
      invocationId: `local-${++invocations}`,
      functionName: this.o.functionName,
      triggerMetadata: triggerMetadata(messages, this.o.many, sessionId),
      // Progress displays show what needs attention; the handlers' info lines stay out of them.
      logHandler: (level, ...args) => (level === 'warning' || level === 'error' || level === 'critical' ? this.o.log?.(`[${this.o.functionName}] ${level}: ${args.map(String).join(' ')}`) : undefined),
    });
    const input: unknown = this.o.many ? messages.map((m) => m.body as unknown) : messages[0]!.body;
    this.o.onInvocation?.(1);
    try {
      await this.o.handler(input, ctx);
      for (const m of messages) await receiver.completeMessage(m);
    } catch (e) {
      if (this.stopped) return;
      const lock = keeper ? ` (${keeper.describe()}; receiver ${receiver.isClosed ? 'closed' : 'open'})` : '';
      this.o.log?.(`[${this.o.functionName}] invocation failed, abandoning ${messages.length}: ${e instanceof Error ? e.message : String(e)}${lock}`);
      for (const m of messages) await receiver.abandonMessage(m).catch(() => undefined);
    } finally {
      this.o.onInvocation?.(-1);
    }
  }

  private async pause(ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
  }

  private async sessionLoop(): Promise<void> {
    const idle = this.o.sessionIdleTimeoutMs ?? 2_000;
    while (!this.stopped) {
      let receiver: ServiceBusSessionReceiver;
      try {
        receiver = await this.o.client.acceptNextSession(this.o.queueName, { maxAutoLockRenewalDurationInMs: 0, abortSignal: this.stopping.signal });
      } catch {
        await this.pause(50); // no session with messages (ServiceTimeout), or a transient error
        continue;
      }
      this.receivers.add(receiver);
      const keeper = new SessionLockKeeper(receiver, { maxRenewalMs: this.renewalMs(), log: this.o.log && ((l) => this.o.log?.(`[${this.o.functionName}] ${l}`)) });
      keeper.start();
      try {
        while (!this.stopped) {
          const got: ServiceBusReceivedMessage[] = await receiver.receiveMessages(this.o.many ? (this.o.maxMessageBatchSize ?? 100) : 1, { maxWaitTimeInMs: idle, abortSignal: this.stopping.signal });
          if (got.length === 0) break;
          // The SDK closes a receiver whose credit drain is not answered within 200 ms (a busy broker):
          // what it received is unsettleable then and goes back to the queue, so it is not worked on.
          if (receiver.isClosed) {
            this.o.log?.(`[${this.o.functionName}] receiver closed before the invocation (credit drain unanswered); ${got.length} messages go back to the queue (${keeper.describe()})`);
            break;
          }
          await this.invoke(receiver, got, receiver.sessionId, keeper);
        }
      } catch {
        // lost session lock or closed under us: take the next session
      } finally {
        keeper.stop();
        this.receivers.delete(receiver);
        await receiver.close().catch(() => undefined);
      }
    }
  }

  private renewalMs(): number {
    return this.o.maxAutoLockRenewalDurationMs ?? 300_000;
  }

  private async plainLoop(): Promise<void> {
    const receiver = this.o.client.createReceiver(this.o.queueName, { maxAutoLockRenewalDurationInMs: this.renewalMs() });
    this.receivers.add(receiver);
    try {
      while (!this.stopped) {
        let got: ServiceBusReceivedMessage[];
        try {
          got = await receiver.receiveMessages(this.o.many ? (this.o.maxMessageBatchSize ?? 100) : 1, { maxWaitTimeInMs: 500, abortSignal: this.stopping.signal });
        } catch {
          if (this.stopped) return;
          await this.pause(100);
          continue;
        }
        if (got.length > 0) await this.invoke(receiver, got, undefined);
      }
    } finally {
      this.receivers.delete(receiver);
      await receiver.close().catch(() => undefined);
    }
  }
}
