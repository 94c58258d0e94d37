// MessageSender over @azure/service-bus: groups messages by queue, keeps each queue's order, packs
// immediate messages into size-bounded batches and sends scheduled ones through scheduleMessages.
import type {
  ServiceBusClient, ServiceBusMessage, ServiceBusMessageBatch, ServiceBusSender,
} from '@azure/service-bus';
import type { MessageSender, OutgoingMessage, QueueName, SendOptions } from '../messages/outgoing.ts';

export interface ServiceBusMessageSenderOptions {
  /**
   * Upper bound for one batch (and one scheduleMessages call) in bytes. Default: the sender
   * link's maximum message size, which Service Bus sets to the tier limit (256 KB on Standard).
   */
  readonly maxBatchSizeInBytes?: number | undefined;
}

/** One unit of work for a queue, in the queue's order: a batch to send or a group to schedule. */
type Step =
  | { readonly kind: 'batch'; readonly batch: ServiceBusMessageBatch }
  | { readonly kind: 'schedule'; readonly at: Date; readonly messages: readonly ServiceBusMessage[] };

export class MessageTooLargeError extends Error {
  readonly queue: QueueName;
  readonly messageId: string;

  constructor(queue: QueueName, messageId: string, maxSizeInBytes: number) {
    super(`message ${JSON.stringify(messageId)} for queue ${queue} does not fit in an empty batch ` +
      `(limit ${maxSizeInBytes} bytes including headers); nothing was sent to ${queue}`);
    this.name = 'MessageTooLargeError';
    this.queue = queue;
    this.messageId = messageId;
  }
}

function toServiceBusMessage(m: OutgoingMessage): ServiceBusMessage {
  const out: ServiceBusMessage = {
    // The SDK encodes a non-binary body as one JSON data section.
    body: m.body,
    contentType: 'application/json',
    messageId: m.messageId,
  };
  if (m.sessionId !== undefined) out.sessionId = m.sessionId;
  if (m.applicationProperties !== undefined) out.applicationProperties = { ...m.applicationProperties };
  return out;
}

export class ServiceBusMessageSender implements MessageSender {
  private readonly client: ServiceBusClient;
  private readonly maxBatchSizeInBytes: number | undefined;
  private readonly senders = new Map<QueueName, ServiceBusSender>();
  private closed = false;

  constructor(client: ServiceBusClient, options: ServiceBusMessageSenderOptions = {}) {
    this.client = client;
    this.maxBatchSizeInBytes = options.maxBatchSizeInBytes;
  }

  async send(messages: readonly OutgoingMessage[], options: SendOptions = {}): Promise<void> {
    if (this.closed) throw new Error('ServiceBusMessageSender is closed');
    options.abortSignal?.throwIfAborted();
    const byQueue = new Map<QueueName, OutgoingMessage[]>();
    for (const m of messages) {
      const list = byQueue.get(m.queue);
      if (list) list.push(m);
      else byQueue.set(m.queue, [m]);
    }
    // Queues are independent: send them side by side, each in its own order.
    const results = await Promise.allSettled(
      [...byQueue].map(([queue, list]) => this.sendToQueue(queue, list, options.abortSignal)),
    );
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `sending to ${errors.length} queues failed`);
  }

  /** Closes the cached senders (not the client, which belongs to the caller). */
  async close(): Promise<void> {
    this.closed = true;
    const senders = [...this.senders.values()];
    this.senders.clear();
    await Promise.all(senders.map((s) => s.close()));
  }

  private senderFor(queue: QueueName): ServiceBusSender {
    let sender = this.senders.get(queue);
    if (!sender) {
      sender = this.client.createSender(queue);
      this.senders.set(queue, sender);
    }
    return sender;
  }

  private newBatch(sender: ServiceBusSender, abortSignal: AbortSignal | undefined): Promise<ServiceBusMessageBatch> {
    return sender.createMessageBatch({
      ...(this.maxBatchSizeInBytes !== undefined ? { maxSizeInBytes: this.maxBatchSizeInBytes } : {}),
      ...(abortSignal ? { abortSignal } : {}),
    });
  }

  /**
   * Plans every step first, so a message that cannot fit fails the queue before anything of it
   * is sent; then runs the steps in order.
   */
  private async sendToQueue(queue: QueueName, messages: readonly OutgoingMessage[], abortSignal: AbortSignal | undefined): Promise<void> {
    const sender = this.senderFor(queue);
    const steps: Step[] = [];
    let batch: ServiceBusMessageBatch | undefined;
    // Scheduled messages are grouped by time; a batch is used only to measure the group's size.
    let scheduled: { at: Date; messages: ServiceBusMessage[]; meter: ServiceBusMessageBatch } | undefined;

    const flushBatch = (): void => {
      if (batch && batch.count > 0) steps.push({ kind: 'batch', batch });
      batch = undefined;
    };
    const flushScheduled = (): void => {
      if (scheduled && scheduled.messages.length > 0) steps.push({ kind: 'schedule', at: scheduled.at, messages: scheduled.messages });
      scheduled = undefined;
    };

    for (const m of messages) {
      const sbm = toServiceBusMessage(m);
      const at = m.scheduledEnqueueTimeUtc;
      if (at === undefined) {
        flushScheduled();
        batch ??= await this.newBatch(sender, abortSignal);
        if (batch.tryAddMessage(sbm)) continue;
        if (batch.count === 0) throw new MessageTooLargeError(queue, m.messageId, batch.maxSizeInBytes);
        flushBatch();
        batch = await this.newBatch(sender, abortSignal);
        if (!batch.tryAddMessage(sbm)) throw new MessageTooLargeError(queue, m.messageId, batch.maxSizeInBytes);
      } else {
        flushBatch();
        if (scheduled && scheduled.at.getTime() !== at.getTime()) flushScheduled();
        scheduled ??= { at, messages: [], meter: await this.newBatch(sender, abortSignal) };
        if (!scheduled.meter.tryAddMessage(sbm)) {
          if (scheduled.messages.length === 0) throw new MessageTooLargeError(queue, m.messageId, scheduled.meter.maxSizeInBytes);
          flushScheduled();
          scheduled = { at, messages: [], meter: await this.newBatch(sender, abortSignal) };
          if (!scheduled.meter.tryAddMessage(sbm)) throw new MessageTooLargeError(queue, m.messageId, scheduled.meter.maxSizeInBytes);
        }
        scheduled.messages.push(sbm);
      }
    }
    flushBatch();
    flushScheduled();

    for (const step of steps) {
      abortSignal?.throwIfAborted();
      if (step.kind === 'batch') await sender.sendMessages(step.batch, abortSignal ? { abortSignal } : {});
      else await sender.scheduleMessages([...step.messages], step.at, abortSignal ? { abortSignal } : {});
    }
  }
}
