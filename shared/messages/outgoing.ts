// What the app sends, independent of the SDK: the Service Bus adapter maps these onto messages.
export type QueueName = 'engine-events' | 'service-ops' | 'locations-sync' | 'k8s-actions' | 'rejected-messages';

export const QUEUES: readonly QueueName[] = ['engine-events', 'service-ops', 'locations-sync', 'k8s-actions', 'rejected-messages'];

/** Queues whose messages carry a SessionId = cluster (FIFO and one consumer per cluster). On
 * locations-sync the session makes the locations function the one writer of a cluster's NRP
 * address locations, even when a trigger is redelivered while the first delivery still runs. */
export const SESSION_QUEUES: ReadonlySet<QueueName> = new Set(['engine-events', 'k8s-actions', 'locations-sync']);

export type ApplicationProperties = Readonly<Record<string, string | number | boolean>>;

export interface OutgoingMessage {
  readonly queue: QueueName;
  /** JSON-serialisable body, already validated against its schema. */
  readonly body: unknown;
  /** Deduplication key: the same logical message always gets the same id. */
  readonly messageId: string;
  /** Required on session queues (the cluster name), absent elsewhere. */
  readonly sessionId?: string | undefined;
  /** Deliver no earlier than this (retry timers, wake-ups). */
  readonly scheduledEnqueueTimeUtc?: Date | undefined;
  readonly applicationProperties?: ApplicationProperties | undefined;
}

export interface SendOptions {
  readonly abortSignal?: AbortSignal | undefined;
}

export interface MessageSender {
  /** Sends every message or throws; messages of one queue keep their order. */
  send(messages: readonly OutgoingMessage[], options?: SendOptions): Promise<void>;
}
