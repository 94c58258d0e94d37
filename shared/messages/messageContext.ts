// What a sender knows besides the values it sends: the time, and the trace it works under.
import type { ApplicationProperties } from './outgoing.ts';
import { MAX_EPOCH_MS } from './bounds.ts';

export interface MessageContext {
  /** Epoch milliseconds. */
  readonly now: number;
  /** W3C traceparent of the work that produced the messages. */
  readonly traceparent?: string | undefined;
  /** When the oldest Kubernetes change the messages answer was observed (epoch ms); carried to
   * the NRP writes they ask for, for the event-to-NRP latency. */
  readonly observedAt?: number | undefined;
}

/** Where Service Bus clients (the Azure SDK, the Functions host) look for a message's trace context. */
export const TRACE_PROPERTY = 'Diagnostic-Id';

export function checkContext(ctx: MessageContext): void {
  if (!Number.isSafeInteger(ctx.now) || ctx.now < 0 || ctx.now > MAX_EPOCH_MS) throw new Error(`message context: now is not a valid epoch time (${ctx.now})`);
  const o = ctx.observedAt;
  if (o !== undefined && (!Number.isSafeInteger(o) || o < 0 || o > MAX_EPOCH_MS)) throw new Error(`message context: observedAt is not a valid epoch time (${o})`);
}

/** `{ observedAt }` as an ISO date-time, or nothing when the context has none. */
export function observedAtField(ctx: MessageContext): { observedAt?: string } {
  return ctx.observedAt === undefined ? {} : { observedAt: new Date(ctx.observedAt).toISOString() };
}

/** `{ applicationProperties }` carrying the trace, or nothing when there is none. */
export function traceProperties(ctx: MessageContext): { applicationProperties?: ApplicationProperties } {
  return ctx.traceparent === undefined ? {} : { applicationProperties: { [TRACE_PROPERTY]: ctx.traceparent } };
}
