// Drains the outbox to Service Bus in order: up to `batchSize` changes per round, packed into as
// few messages as the size bound allows (toEngineEventPacks, ADR 0024); a short linger after each
// round lets a steady trickle of changes share the next round's messages. A change leaves the outbox only once Service Bus accepted it;
// after a failure the same changes (or newer states of them) are sent again with capped backoff,
// and duplicate detection on the MessageId drops whatever had already arrived.
import type { MessageSender, OutgoingMessage } from '../shared/messages/outgoing.ts';
import { toEngineEventPacks } from '../shared/messages/toEngineEventPacks.ts';
import type { ChangeQueue, QueuedChange } from './changeQueue.ts';
import type { Logger } from './log.ts';
import { errorText } from './log.ts';
import { pause, retryDelayMs } from './pause.ts';

export interface PublisherOptions {
  readonly queue: ChangeQueue;
  readonly sender: MessageSender;
  readonly log: Logger;
  readonly batchSize?: number | undefined;
  readonly minBackoffMs?: number | undefined;
  readonly maxBackoffMs?: number | undefined;
  /** How long after a round the next waits for more changes, unless `batchSize` are already queued (default 100 ms). */
  readonly lingerMs?: number | undefined;
  /** `messages`: what went to Service Bus for the changes (fewer: packs). */
  readonly onSent?: ((sent: readonly QueuedChange[], durationMs: number, messages: readonly OutgoingMessage[]) => void) | undefined;
  readonly onFailure?: ((error: unknown) => void) | undefined;
}

export class Publisher {
  private readonly o: PublisherOptions;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | null = null;
  private failingSince: number | null = null;

  constructor(options: PublisherOptions) {
    this.o = options;
  }

  /** Since when sends have been failing (null while they succeed). */
  get failingSinceMs(): number | null {
    return this.failingSince;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops taking new rounds; the round in flight finishes. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  /** Sends until the outbox is empty or `deadline` passes (epoch ms); true when it emptied. */
  async flush(deadline: number): Promise<boolean> {
    await this.stop();
    let failures = 0;
    while (this.o.queue.size > 0 && Date.now() < deadline) {
      const ok = await this.round(AbortSignal.timeout(Math.max(1, deadline - Date.now())));
      failures = ok ? 0 : failures + 1;
      if (!ok) await pause(Math.min(this.backoff(failures), Math.max(0, deadline - Date.now())));
    }
    return this.o.queue.size === 0;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    let failures = 0;
    while (!signal.aborted) {
      await this.o.queue.whenNotEmpty(signal);
      if (signal.aborted) break;
      const ok = await this.round();
      failures = ok ? 0 : failures + 1;
      if (!ok) await pause(this.backoff(failures), signal);
      // Leading edge: a change after a quiet spell goes at once; the ones that follow it within
      // the linger share the next round's messages.
      else if (this.o.queue.size < this.batchSize) await pause(this.o.lingerMs ?? 100, signal);
    }
  }

  /** One send of the head of the outbox; false when it failed. */
  private async round(abortSignal?: AbortSignal): Promise<boolean> {
    const batch = this.o.queue.peek(this.batchSize);
    if (batch.length === 0) return true;
    const started = Date.now();
    try {
      const messages = toEngineEventPacks(batch);
      await this.o.sender.send(messages, { abortSignal });
      this.o.queue.ack(batch);
      this.failingSince = null;
      this.o.onSent?.(batch, Date.now() - started, messages);
      return true;
    } catch (e) {
      this.failingSince ??= started;
      this.o.onFailure?.(e);
      this.o.log.warn('sending to Service Bus failed; will retry', { changes: batch.length, queued: this.o.queue.size, error: errorText(e) });
      return false;
    }
  }

  private get batchSize(): number {
    return this.o.batchSize ?? 500;
  }

  private backoff(failures: number): number {
    return retryDelayMs(failures, this.o.minBackoffMs ?? 250, this.o.maxBackoffMs ?? 15_000);
  }
}
