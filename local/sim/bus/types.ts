// Public configuration and inspection types of the AMQP test broker.

/** Time source. Every lock, schedule and duplicate-detection decision reads `now()`. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface QueueConfig {
  readonly name: string;
  readonly requiresSession?: boolean | undefined;
  /** Deliveries allowed before a message is dead-lettered (`MaxDeliveryCountExceeded`). Default 10. */
  readonly maxDeliveryCount?: number | undefined;
  /** Peek-lock and session-lock duration. Default 30 s. */
  readonly lockDurationMs?: number | undefined;
  /** A MessageId seen within this window is accepted and dropped. Default 10 min. */
  readonly duplicateDetectionWindowMs?: number | undefined;
}

export interface ResolvedQueueConfig {
  readonly name: string;
  readonly requiresSession: boolean;
  readonly maxDeliveryCount: number;
  readonly lockDurationMs: number;
  readonly duplicateDetectionWindowMs: number;
}

export const QUEUE_DEFAULTS = {
  maxDeliveryCount: 10,
  lockDurationMs: 30_000,
  duplicateDetectionWindowMs: 10 * 60_000,
} as const;

/** Standard tier: 256 KB per message (and per batch), headers included. */
export const MAX_MESSAGE_SIZE_BYTES = 256 * 1024;

export function resolveQueueConfig(q: QueueConfig): ResolvedQueueConfig {
  const resolved: ResolvedQueueConfig = {
    name: q.name,
    requiresSession: q.requiresSession ?? false,
    maxDeliveryCount: q.maxDeliveryCount ?? QUEUE_DEFAULTS.maxDeliveryCount,
    lockDurationMs: q.lockDurationMs ?? QUEUE_DEFAULTS.lockDurationMs,
    duplicateDetectionWindowMs: q.duplicateDetectionWindowMs ?? QUEUE_DEFAULTS.duplicateDetectionWindowMs,
  };
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(resolved.name)) {
    throw new Error(`invalid queue name '${resolved.name}'`);
  }
  if (!Number.isInteger(resolved.maxDeliveryCount) || resolved.maxDeliveryCount < 1) {
    throw new Error(`queue '${resolved.name}': maxDeliveryCount must be a positive integer`);
  }
  if (!(resolved.lockDurationMs > 0)) throw new Error(`queue '${resolved.name}': lockDurationMs must be > 0`);
  if (!(resolved.duplicateDetectionWindowMs >= 0)) {
    throw new Error(`queue '${resolved.name}': duplicateDetectionWindowMs must be >= 0`);
  }
  return resolved;
}

export interface BrokerOptions {
  readonly queues: readonly QueueConfig[];
  readonly clock?: Clock | undefined;
  /** Interface to listen on. Default 127.0.0.1; the port is always chosen by the OS. */
  readonly host?: string | undefined;
}

export interface DeadLetterInfo {
  readonly messageId: string;
  readonly sessionId: string | undefined;
  readonly sequenceNumber: number;
  readonly reason: string | undefined;
  readonly description: string | undefined;
  readonly deliveryCount: number;
  /** The decoded JSON body when it is JSON, otherwise the raw body. */
  readonly body: unknown;
}

export interface QueueState {
  /** Enqueued and not locked: what the next receiver would get. */
  readonly active: number;
  /** Scheduled for later and not yet enqueued. */
  readonly scheduled: number;
  /** Delivered under a peek-lock (or a session lock) and not yet settled. */
  readonly locked: number;
  readonly deadLettered: number;
  readonly deadLetters: readonly DeadLetterInfo[];
  /** Sessions currently held by a receiver. */
  readonly lockedSessions: readonly string[];
}

export interface BrokerHandle {
  /** `Endpoint=sb://127.0.0.1:PORT;…;UseDevelopmentEmulator=true` */
  readonly connectionString: string;
  readonly port: number;
  /** Closes every client connection and the listener. Idempotent. */
  stop(): Promise<void>;
  /** Simulates an outage: drops every connection and stops listening, keeping every queue's content. */
  goOffline(): Promise<void>;
  /** Ends the outage: listens again on the same port. */
  comeOnline(): Promise<void>;
  /** Counts and dead letters of one queue. Throws for an unknown queue. */
  peekState(queue: string): QueueState;
  /** Re-evaluates lock expiry and due scheduled messages now (useful with a fake clock). */
  sweep(): void;
  /**
   * The next `times` `$management` requests of `operation` (e.g. `com.microsoft:renew-session-lock`)
   * are answered as a busy namespace answers them: 503 `com.microsoft:server-busy`, nothing done.
   */
  answerBusy(operation: string, times: number): void;
  /** The next `times` credit drains are answered `delayMs` late, as a busy broker answers them. */
  answerDrainsLate(delayMs: number, times: number): void;
}
