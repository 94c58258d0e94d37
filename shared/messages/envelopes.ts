// The body of a message on each queue: a versioned envelope around one engine value. `v` changes
// only with an incompatible change; unknown fields are dropped, so a v1 reader accepts a v1 body
// from a newer writer that added an optional field.
import { z } from 'zod';
import type { EngineEvent, ServiceOperation } from '../engine/types.ts';
import type { QueueName } from './outgoing.ts';
import { MAX_ID_CHARS, MAX_REASON_CHARS, MAX_TRACEPARENT_CHARS } from './bounds.ts';
import { engineEventSchema } from './engineEventSchema.ts';
import { clusterSchema, engineIdSchema } from './fieldSchemas.ts';
import type { KubernetesAction } from './kubernetesActionSchema.ts';
import { kubernetesActionSchema } from './kubernetesActionSchema.ts';
import { sameShape } from './sameShape.ts';
import { serviceOperationSchema } from './serviceOperationSchema.ts';

export const MESSAGE_VERSION = 1;
const versionSchema = z.literal(MESSAGE_VERSION);
/** W3C trace context; only bounded, since a malformed one must not cost the message. */
export const traceparentSchema = z.string().min(1).max(MAX_TRACEPARENT_CHARS);

/** engine-events (session = cluster): one event for the engine. */
export interface EngineEventMessage {
  readonly v: typeof MESSAGE_VERSION;
  readonly cluster: string;
  readonly event: EngineEvent;
  /** When the sender saw what the event reports (ISO 8601, UTC). */
  readonly observedAt?: string | undefined;
  readonly traceparent?: string | undefined;
}

/** One event of a pack: an EngineEventMessage without the envelope the pack already carries. */
export interface PackedEvent {
  readonly event: EngineEvent;
  readonly observedAt?: string | undefined;
  readonly traceparent?: string | undefined;
}

/** engine-events (session = cluster): the forwarder's changes of one send round, in order (ADR 0024). */
export interface EngineEventPack {
  readonly v: typeof MESSAGE_VERSION;
  readonly cluster: string;
  readonly events: readonly PackedEvent[];
}

/** service-ops (no sessions): one service operation. */
export interface ServiceOpMessage {
  readonly v: typeof MESSAGE_VERSION;
  readonly operation: ServiceOperation;
  /** When the forwarder observed the oldest Kubernetes change the operation answers (ISO 8601,
   * UTC); absent when it answers none (a retry, a timeout). Ends at NRP's acknowledgement as the
   * event-to-NRP latency. */
  readonly observedAt?: string | undefined;
}

/** locations-sync: run this sync, whose requests are in the cluster's stored state. */
export interface LocationsSyncTrigger {
  readonly v: typeof MESSAGE_VERSION;
  readonly cluster: string;
  readonly syncId: string;
  readonly observe?: undefined;
  /** How many times the locations function put this trigger back because the engine had not saved the sync yet. */
  readonly deferrals?: number | undefined;
  /** As ServiceOpMessage.observedAt, for the changes this sync carries. */
  readonly observedAt?: string | undefined;
}

/** locations-sync: read NRP and report it to the engine (NrpObserved); the mirror is known wrong. */
export interface ObserveNrpRequest {
  readonly v: typeof MESSAGE_VERSION;
  readonly cluster: string;
  readonly observe: true;
  readonly reason: string;
}

export type LocationsSyncMessage = LocationsSyncTrigger | ObserveNrpRequest;

/** k8s-actions (session = cluster): one thing the forwarder does in Kubernetes. */
export interface KubernetesActionMessage {
  readonly v: typeof MESSAGE_VERSION;
  readonly cluster: string;
  readonly action: KubernetesAction;
}

/**
 * rejected-messages (no sessions): a message a function could not use, kept with the reason
 * instead of being lost or retried in a loop. Operators read this queue like a dead-letter queue.
 */
export interface RejectedMessage {
  readonly v: typeof MESSAGE_VERSION;
  /** The queue the message came from. */
  readonly queue: Exclude<QueueName, 'rejected-messages'>;
  readonly messageId: string;
  /** Names the field and the problem, e.g. `event.service.ports[0].port: expected number`. */
  readonly reason: string;
  readonly rejectedAt: string;
  /** The original body as text, cut to fit. */
  readonly body: string;
}

export interface MessageBodies {
  readonly 'engine-events': EngineEventMessage | EngineEventPack;
  readonly 'service-ops': ServiceOpMessage;
  readonly 'locations-sync': LocationsSyncMessage;
  readonly 'k8s-actions': KubernetesActionMessage;
  readonly 'rejected-messages': RejectedMessage;
}

export const engineEventMessageSchema = z.object({
  v: versionSchema,
  cluster: clusterSchema,
  event: engineEventSchema,
  observedAt: z.iso.datetime().optional(),
  traceparent: traceparentSchema.optional(),
});

/** Events in one pack: with 100 messages per engine invocation (host.json), at most 10,000 events. */
export const MAX_PACK_EVENTS = 100;

export const packedEventSchema = engineEventMessageSchema.omit({ v: true, cluster: true });

/** A pack as sent; a receiver reads it entry by entry (unpackEngineMessage.ts) so one bad entry costs only itself. */
export const engineEventPackSchema = z.object({
  v: versionSchema,
  cluster: clusterSchema,
  events: z.array(packedEventSchema).min(2).max(MAX_PACK_EVENTS),
});

/** The pack's envelope alone, its entries left to be read one at a time. */
export const engineEventPackEnvelopeSchema = z.object({
  v: versionSchema,
  cluster: clusterSchema,
  events: z.array(z.unknown()).min(1).max(MAX_PACK_EVENTS),
});

/** A pack, told apart from a one-event message by its `events` array. */
export function isPackShaped(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'events' in body && !('event' in body);
}

export const serviceOpMessageSchema = z.object({
  v: versionSchema,
  operation: serviceOperationSchema,
  observedAt: z.iso.datetime().optional(),
});

export const locationsSyncTriggerSchema = z.object({
  v: versionSchema,
  cluster: clusterSchema,
  syncId: engineIdSchema,
  observe: z.undefined().optional(),
  deferrals: z.number().int().nonnegative().optional(),
  observedAt: z.iso.datetime().optional(),
});

export const observeNrpRequestSchema = z.object({
  v: versionSchema,
  cluster: clusterSchema,
  observe: z.literal(true),
  reason: z.string().max(MAX_REASON_CHARS),
});

export const locationsSyncMessageSchema = z.discriminatedUnion('observe', [locationsSyncTriggerSchema, observeNrpRequestSchema]);

export const kubernetesActionMessageSchema = z.object({
  v: versionSchema,
  cluster: clusterSchema,
  action: kubernetesActionSchema,
});

/** Room left for the original body in a rejected-messages body. */
export const MAX_REJECTED_BODY_CHARS = 64 * 1024;

export const rejectedMessageSchema = z.object({
  v: versionSchema,
  queue: z.enum(['engine-events', 'service-ops', 'locations-sync', 'k8s-actions']),
  messageId: z.string().min(1).max(MAX_ID_CHARS),
  reason: z.string().min(1).max(MAX_REASON_CHARS),
  rejectedAt: z.iso.datetime(),
  body: z.string().max(MAX_REJECTED_BODY_CHARS),
});

export const MESSAGE_SCHEMAS: { readonly [Q in QueueName]: z.ZodType<MessageBodies[Q]> } = {
  'engine-events': z.union([engineEventMessageSchema, engineEventPackSchema]),
  'service-ops': serviceOpMessageSchema,
  'locations-sync': locationsSyncMessageSchema,
  'k8s-actions': kubernetesActionMessageSchema,
  'rejected-messages': rejectedMessageSchema,
};

sameShape<z.output<typeof engineEventMessageSchema>, EngineEventMessage>(true);
sameShape<z.output<typeof packedEventSchema>, PackedEvent>(true);
sameShape<z.output<typeof engineEventPackSchema>, EngineEventPack>(true);
sameShape<z.output<typeof serviceOpMessageSchema>, ServiceOpMessage>(true);
sameShape<z.output<typeof locationsSyncTriggerSchema>, LocationsSyncTrigger>(true);
sameShape<z.output<typeof observeNrpRequestSchema>, ObserveNrpRequest>(true);
sameShape<z.output<typeof locationsSyncMessageSchema>, LocationsSyncMessage>(true);
sameShape<z.output<typeof kubernetesActionMessageSchema>, KubernetesActionMessage>(true);
sameShape<z.output<typeof rejectedMessageSchema>, RejectedMessage>(true);
