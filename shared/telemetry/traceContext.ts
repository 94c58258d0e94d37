// W3C trace context as our messages carry it (`traceparent` in a body, `Diagnostic-Id` beside it).
// Read and written here rather than through the global propagator: that one is a no-op until an
// OpenTelemetry SDK registers a real one, and a message's trace must survive a process without an
// SDK (the local host, a function app without Application Insights).
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { Context, SpanContext } from '@opentelemetry/api';

/** Bit 0 of the W3C trace-flags: the caller sampled (recorded) the trace. */
const SAMPLED = 0x01;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The remote span a traceparent names, or null when it is not a usable one. */
export function spanContextOf(traceparent: string | undefined): SpanContext | null {
  const m = traceparent === undefined ? null : TRACEPARENT.exec(traceparent.trim());
  if (!m) return null;
  const [, version, traceId = '', spanId = '', flags = '00', rest] = m;
  // Version ff is invalid; version 00 has exactly four fields, later versions may append some.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  const sc: SpanContext = { traceId, spanId, traceFlags: parseInt(flags, 16) & SAMPLED, isRemote: true };
  return isSpanContextValid(sc) ? sc : null;
}

export function traceparentOf(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & SAMPLED) === SAMPLED ? '01' : '00'}`;
}

/** The traceparent of the span active in `ctx`, if there is a valid one. */
export function activeTraceparent(ctx: Context = context.active()): string | undefined {
  const sc = trace.getSpanContext(ctx);
  return sc && isSpanContextValid(sc) ? traceparentOf(sc) : undefined;
}

/** The trace id of the span active now, for log lines. */
export function activeTraceId(): string | undefined {
  const sc = trace.getSpanContext(context.active());
  return sc && isSpanContextValid(sc) ? sc.traceId : undefined;
}
