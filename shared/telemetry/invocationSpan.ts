// The span a function invocation runs in, continuing the trace of the message(s) it handles, so
// that one Kubernetes change can be followed from the forwarder to its NRP calls. The first message
// with a trace is the parent (a batch's other traces become links). When the Functions host already
// activated a span of that same trace (AzureFunctionsInstrumentation), that span is the parent;
// when it activated one of another trace, ours stays with the message and links to the host's.
import { context, isSpanContextValid, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Link, SpanContext, Tracer } from '@opentelemetry/api';
import { spanContextOf, traceparentOf } from './traceContext.ts';

export interface InvocationSpanOptions {
  /** Traceparents of the messages handled, in order; missing and malformed ones are skipped. */
  readonly traceparents: readonly (string | undefined)[];
  readonly attributes?: Attributes | undefined;
}

/**
 * Runs `work` inside a new span (active for everything it awaits, the ARM client included) and
 * hands it the span's traceparent for the messages it sends. With no OpenTelemetry SDK the span
 * records nothing but still carries the parent's trace, so the messages keep it.
 */
export function inInvocationSpan<T>(tracer: Tracer, name: string, options: InvocationSpanOptions, work: (traceparent: string | undefined) => Promise<T>): Promise<T> {
  const active = context.active();
  const host = trace.getSpanContext(active);
  const hostSpan = host && isSpanContextValid(host) ? host : null;
  const parents = distinct(options.traceparents.map(spanContextOf).filter((sc): sc is SpanContext => sc !== null));
  const first = parents[0];
  const parentCtx = first === undefined || hostSpan?.traceId === first.traceId ? active : trace.setSpanContext(active, first);
  const links: Link[] = parents.slice(1).map((sc) => ({ context: sc }));
  if (first !== undefined && hostSpan !== null && hostSpan.traceId !== first.traceId) links.push({ context: hostSpan });
  return tracer.startActiveSpan(name, { kind: SpanKind.CONSUMER, links, attributes: options.attributes ?? {} }, parentCtx, async (span) => {
    const sc = span.spanContext();
    try {
      return await work(isSpanContextValid(sc) ? traceparentOf(sc) : undefined);
    } catch (e) {
      span.recordException(e instanceof Error ? e : String(e));
      span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
      throw e;
    } finally {
      span.end();
    }
  });
}

function distinct(scs: readonly SpanContext[]): SpanContext[] {
  const seen = new Set<string>();
  return scs.filter((sc) => {
    const key = `${sc.traceId}-${sc.spanId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
