// What a sender knows besides the values it sends: the time, and the trace it works under.
import type { ApplicationProperties } from './outgoing.ts';
import { MAX_EPOCH_MS } from './bounds.ts';

export interface MessageContext {
  /** Epoch milliseconds. */
  readonly now: number;
  /** W3C traceparent of the work that produced the messages. */
  readonly traceparent?: string | undefined;
}

/** Where Service Bus clients (the Azure SDK, the Functions host) look for a message's trace context. */
export const TRACE_PROPERTY = 'Diagnostic-Id';

export function checkContext(ctx: MessageContext): void {
  if (!Number.isSafeInteger(ctx.now) || ctx.now < 0 || ctx.now > MAX_EPOCH_MS) throw new Error(`message context: now is not a valid epoch time (${ctx.now})`);
}

/** `{ applicationProperties }` carrying the trace, or nothing when there is none. */
export function traceProperties(ctx: MessageContext): { applicationProperties?: ApplicationProperties } {
  return ctx.traceparent === undefined ? {} : { applicationProperties: { [TRACE_PROPERTY]: ctx.traceparent } };
}
